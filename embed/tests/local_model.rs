//! The local model against its reference and the properties search relies on.
//!
//! Needs the model files: `EMBEDDING_MODEL_DIR` (scripts/test sets it). Without it each test
//! says so and passes, unless `CI` is set, where a missing model is a failure.

use std::path::PathBuf;
use std::sync::OnceLock;

use maigie_embed::{EmbedError, Embedder, LocalConfig, LocalEmbedder, cosine};

/// The model is loaded once for all tests of this binary (about 90 MB).
fn embedder() -> Option<&'static LocalEmbedder> {
    static MODEL: OnceLock<Option<LocalEmbedder>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            let Some(dir) = std::env::var_os("EMBEDDING_MODEL_DIR") else {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "EMBEDDING_MODEL_DIR is not set in CI: scripts/test must export it"
                );
                eprintln!("SKIPPED: EMBEDDING_MODEL_DIR is not set (scripts/test sets it)");
                return None;
            };
            let config = LocalConfig {
                model_dir: PathBuf::from(dir),
                name: "all-MiniLM-L6-v2".into(),
                batch_size: 4,
            };
            Some(LocalEmbedder::load(&config).expect("the model loads"))
        })
        .as_ref()
}

fn texts(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_string()).collect()
}

async fn embed(model: &LocalEmbedder, items: &[String]) -> Vec<Vec<f32>> {
    model.embed(items).await.expect("embedding works")
}

#[derive(serde::Deserialize)]
struct Reference {
    cases: Vec<Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    text: Option<String>,
    repeat: Option<String>,
    times: Option<usize>,
    vector: Vec<f32>,
}

impl Case {
    fn input(&self) -> String {
        match (&self.text, &self.repeat, self.times) {
            (Some(text), _, _) => text.clone(),
            (None, Some(unit), Some(times)) => unit.repeat(times),
            _ => panic!("a fixture case needs text, or repeat and times"),
        }
    }
}

#[tokio::test]
async fn vectors_match_the_sentence_transformers_reference() {
    let Some(model) = embedder() else { return };
    let reference: Reference =
        serde_json::from_str(include_str!("fixtures/reference.json")).expect("fixture parses");
    let inputs: Vec<String> = reference.cases.iter().map(Case::input).collect();
    let vectors = embed(model, &inputs).await;
    for (case, vector) in reference.cases.iter().zip(&vectors) {
        let worst = case
            .vector
            .iter()
            .zip(vector)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        let similarity = cosine(&case.vector, vector);
        let label: String = case.input().chars().take(40).collect();
        assert!(worst < 1e-5, "{label:?}: largest difference {worst}");
        assert!(similarity > 0.999_99, "{label:?}: cosine {similarity}");
    }
}

#[tokio::test]
async fn vectors_have_384_dimensions_and_unit_length() {
    let Some(model) = embedder() else { return };
    assert_eq!(model.dimension(), 384);
    assert_eq!(model.model(), "local/all-MiniLM-L6-v2");
    let vectors = embed(model, &texts(&["a short note", "", "Ünïcode & émoji 🌱"])).await;
    assert_eq!(vectors.len(), 3);
    for vector in &vectors {
        assert_eq!(vector.len(), 384);
        let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "norm {norm}");
    }
}

#[tokio::test]
async fn a_paraphrase_is_closer_than_an_unrelated_sentence() {
    let Some(model) = embedder() else { return };
    let items = texts(&[
        "how do plants make food",
        "chlorophyll turns light into sugar",
        "the train leaves at noon",
    ]);
    let v = embed(model, &items).await;
    let paraphrase = cosine(&v[0], &v[1]);
    let unrelated = cosine(&v[0], &v[2]);
    assert!(
        paraphrase > unrelated + 0.2,
        "paraphrase {paraphrase} vs unrelated {unrelated}"
    );
}

#[tokio::test]
async fn batching_gives_the_same_vectors_as_one_at_a_time_in_input_order() {
    let Some(model) = embedder() else { return };
    // Lengths differ so batches are padded and sorted; more texts than one batch of 4.
    let items = texts(&[
        "Photosynthesis happens in the chloroplasts of leaf cells, using sunlight, water and CO2.",
        "hi",
        "Revise chapter 3 before Friday's exam",
        "",
        "the mitochondria is the powerhouse of the cell",
        "Buy milk",
        "A much longer note about the French Revolution, its causes, the estates general, \
         the storming of the Bastille and the terror that followed it in 1793 and 1794.",
    ]);
    let together = embed(model, &items).await;
    for (text, batched) in items.iter().zip(&together) {
        let alone = embed(model, std::slice::from_ref(text)).await;
        let worst = alone[0]
            .iter()
            .zip(batched)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 1e-5, "{text:?}: largest difference {worst}");
    }
}

#[tokio::test]
async fn embedding_is_deterministic() {
    let Some(model) = embedder() else { return };
    let items = texts(&["the same sentence twice"]);
    assert_eq!(embed(model, &items).await, embed(model, &items).await);
}

#[tokio::test]
async fn no_texts_give_no_vectors() {
    let Some(model) = embedder() else { return };
    assert!(embed(model, &[]).await.is_empty());
}

#[tokio::test]
async fn tokens_are_counted_by_the_model_tokenizer_without_special_tokens() {
    let Some(model) = embedder() else { return };
    // Counts from the reference tokenizer (transformers' AutoTokenizer on the same files).
    assert_eq!(model.count_tokens(""), 0);
    assert_eq!(model.count_tokens("how do plants make food"), 5);
    assert_eq!(model.count_tokens("chlorophyll turns light into sugar"), 9);
    assert_eq!(model.count_tokens("Héllo wörld! Ünïcode & punctuation?"), 9);
    assert_eq!(model.count_tokens(&"word ".repeat(400)), 400);
    assert_eq!(model.max_tokens(), 254);
}

#[tokio::test]
async fn text_beyond_the_token_limit_does_not_change_the_vector() {
    let Some(model) = embedder() else { return };
    let limit = model.max_tokens();
    let at_limit = "word ".repeat(limit);
    let beyond = format!("{at_limit}{}", "different words entirely ".repeat(50));
    assert_eq!(model.count_tokens(&at_limit), limit);
    let v = embed(model, &[at_limit, beyond]).await;
    let worst = v[0]
        .iter()
        .zip(&v[1])
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(worst < 1e-5, "largest difference {worst}");
}

#[test]
fn a_directory_without_the_model_files_is_a_configuration_error() {
    let dir = std::env::temp_dir().join(format!("maigie-embed-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let config = LocalConfig {
        model_dir: dir.clone(),
        name: "x".into(),
        batch_size: 4,
    };
    let err = LocalEmbedder::load(&config).err().expect("no files");
    std::fs::remove_dir_all(&dir).ok();
    assert!(matches!(err, EmbedError::Config(_)), "{err:?}");
    assert!(!err.is_retryable());
}
