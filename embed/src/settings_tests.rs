use std::collections::HashMap;

use super::*;

fn parse(pairs: &[(&str, &str)]) -> Result<EmbeddingSettings, EmbedError> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect();
    EmbeddingSettings::from_lookup(|key| map.get(key).cloned())
}

#[test]
fn nothing_set_means_the_local_model_with_defaults() {
    let settings = parse(&[]).expect("defaults");
    assert_eq!(settings, EmbeddingSettings::default());
    assert_eq!(settings.provider, ProviderKind::Local);
    assert_eq!(settings.batch_size, 32);
    assert_eq!(settings.timeout, Duration::from_secs(30));
}

#[test]
fn every_variable_is_read() {
    let settings = parse(&[
        ("EMBEDDING_PROVIDER", " OpenAI "),
        ("EMBEDDING_MODEL_DIR", "/models/minilm"),
        ("EMBEDDING_API_BASE", "http://127.0.0.1:11434/v1"),
        ("EMBEDDING_API_KEY", "sk-test"),
        ("EMBEDDING_MODEL", "nomic-embed-text"),
        ("EMBEDDING_DIMENSIONS", "768"),
        ("EMBEDDING_TIMEOUT_SECS", "5"),
        ("EMBEDDING_BATCH_SIZE", "8"),
    ])
    .expect("valid settings");
    assert_eq!(settings.provider, ProviderKind::OpenAi);
    assert_eq!(settings.model_dir, Some(PathBuf::from("/models/minilm")));
    assert_eq!(settings.api_base, "http://127.0.0.1:11434/v1");
    assert_eq!(settings.api_key.as_deref(), Some("sk-test"));
    assert_eq!(settings.model.as_deref(), Some("nomic-embed-text"));
    assert_eq!(settings.dimensions, Some(768));
    assert_eq!(settings.timeout, Duration::from_secs(5));
    assert_eq!(settings.batch_size, 8);
}

#[test]
fn empty_values_count_as_unset() {
    let settings = parse(&[("EMBEDDING_API_KEY", ""), ("EMBEDDING_BATCH_SIZE", " ")]).expect("ok");
    assert_eq!(settings.api_key, None);
    assert_eq!(settings.batch_size, 32);
}

#[test]
fn every_bad_value_is_reported_at_once() {
    let err = parse(&[
        ("EMBEDDING_PROVIDER", "cohere"),
        ("EMBEDDING_DIMENSIONS", "0"),
        ("EMBEDDING_TIMEOUT_SECS", "soon"),
        ("EMBEDDING_BATCH_SIZE", "-1"),
    ])
    .expect_err("four bad values");
    let text = err.to_string();
    for key in [
        "EMBEDDING_PROVIDER",
        "EMBEDDING_DIMENSIONS",
        "EMBEDDING_TIMEOUT_SECS",
        "EMBEDDING_BATCH_SIZE",
    ] {
        assert!(text.contains(key), "{key} missing from: {text}");
    }
    assert!(!err.is_retryable());
}

#[test]
fn the_api_key_never_shows_in_debug_output() {
    let settings = parse(&[("EMBEDDING_API_KEY", "sk-secret-123")]).expect("ok");
    let shown = format!("{settings:?}");
    assert!(!shown.contains("sk-secret-123"), "{shown}");
    assert!(shown.contains("<redacted>"), "{shown}");
}

#[test]
fn the_local_provider_needs_a_model_directory() {
    let err = from_settings(&EmbeddingSettings::default())
        .err()
        .expect("no directory");
    assert!(err.to_string().contains("EMBEDDING_MODEL_DIR"), "{err}");
}

#[test]
fn a_missing_model_directory_is_a_configuration_error_naming_the_file() {
    let settings = EmbeddingSettings {
        model_dir: Some(PathBuf::from("/nonexistent/maigie-model")),
        ..EmbeddingSettings::default()
    };
    let err = from_settings(&settings).err().expect("no such directory");
    assert!(matches!(err, EmbedError::Config(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains("/nonexistent/maigie-model/config.json"),
        "{err}"
    );
}

#[test]
fn an_openai_model_of_unknown_size_needs_its_dimensions() {
    let base = EmbeddingSettings {
        provider: ProviderKind::OpenAi,
        model: Some("my-embedder".into()),
        ..EmbeddingSettings::default()
    };
    let err = from_settings(&base).err().expect("unknown dimension");
    assert!(err.to_string().contains("EMBEDDING_DIMENSIONS"), "{err}");
    let sized = EmbeddingSettings {
        dimensions: Some(256),
        ..base
    };
    let embedder = from_settings(&sized).expect("dimension given");
    assert_eq!(embedder.dimension(), 256);
    assert_eq!(embedder.model(), "openai/my-embedder");
}

#[test]
fn the_default_openai_model_knows_its_dimension() {
    let settings = EmbeddingSettings {
        provider: ProviderKind::OpenAi,
        ..EmbeddingSettings::default()
    };
    let embedder = from_settings(&settings).expect("default model");
    assert_eq!(embedder.model(), "openai/text-embedding-3-small");
    assert_eq!(embedder.dimension(), 1536);
}

#[test]
fn an_api_base_that_is_not_http_is_refused() {
    let settings = EmbeddingSettings {
        provider: ProviderKind::OpenAi,
        api_base: "ftp://example.com/v1".into(),
        ..EmbeddingSettings::default()
    };
    let err = from_settings(&settings).err().expect("not http");
    assert!(matches!(err, EmbedError::Config(_)), "{err:?}");
}
