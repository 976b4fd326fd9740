//! Any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, Ollama, vLLM, llama.cpp…)
//! through async-openai.

mod transport;

use std::time::Duration;

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::types::embeddings::{CreateEmbeddingRequest, EmbeddingInput};

pub use self::transport::{HttpStatus, StatusService};
use crate::Embedder;
use crate::error::{EmbedError, truncate_message};
use crate::text::{estimate_tokens, normalize, truncate_to_estimate};

/// One endpoint and the model asked there.
#[derive(Clone)]
pub struct OpenAiConfig {
    /// API base including the version path, e.g. `https://api.openai.com/v1`.
    pub api_base: String,
    /// Bearer token; `None` for local servers that want none.
    pub api_key: Option<String>,
    /// Model name sent with each request.
    pub model: String,
    /// Asked as `dimensions` in each request (models that can shorten their vectors, like
    /// `text-embedding-3-*`) and expected in each reply. `None`: the model's native
    /// dimension, which must then be known (see [`known_dimension`]).
    pub dimensions: Option<usize>,
    /// Whole-request timeout, connecting and reading the reply included.
    pub timeout: Duration,
    /// Inputs per request at most (OpenAI accepts 2048).
    pub batch_size: usize,
    /// Longest input in estimated tokens; longer ones are cut before sending (OpenAI's
    /// embedding models take 8191).
    pub max_input_tokens: usize,
}

// Hand-written so that the API key never reaches a log line through `{:?}`.
impl std::fmt::Debug for OpenAiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiConfig")
            .field("api_base", &self.api_base)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("model", &self.model)
            .field("dimensions", &self.dimensions)
            .field("timeout", &self.timeout)
            .field("batch_size", &self.batch_size)
            .field("max_input_tokens", &self.max_input_tokens)
            .finish()
    }
}

/// Native dimension of well-known embedding models (Ollama's `name:tag` counts as `name`).
#[must_use]
pub fn known_dimension(model: &str) -> Option<usize> {
    let name = model.split(':').next().unwrap_or(model);
    match name {
        "text-embedding-3-small" | "text-embedding-ada-002" => Some(1536),
        "text-embedding-3-large" => Some(3072),
        "nomic-embed-text" => Some(768),
        "mxbai-embed-large" | "bge-large" => Some(1024),
        "all-minilm" | "all-MiniLM-L6-v2" | "sentence-transformers/all-MiniLM-L6-v2" => Some(384),
        _ => None,
    }
}

/// A client for one OpenAI-compatible embeddings endpoint: cheap to clone.
#[derive(Clone)]
pub struct OpenAiEmbedder {
    client: Client<OpenAIConfig>,
    config: OpenAiConfig,
    dimension: usize,
    id: String,
}

impl OpenAiEmbedder {
    /// Builds the client; sends nothing.
    pub fn new(config: OpenAiConfig) -> Result<Self, EmbedError> {
        let url = url::Url::parse(&config.api_base).map_err(|e| {
            EmbedError::Config(format!("invalid API base {:?}: {e}", config.api_base))
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(EmbedError::Config(format!(
                "API base {:?} is not http(s)",
                config.api_base
            )));
        }
        if config.model.trim().is_empty() || config.batch_size == 0 || config.timeout.is_zero() {
            return Err(EmbedError::Config(
                "the model must be named, the batch size and timeout above 0".into(),
            ));
        }
        let dimension = match config.dimensions {
            Some(0) => return Err(EmbedError::Config("dimensions must be above 0".into())),
            Some(d) => d,
            None => known_dimension(&config.model).ok_or_else(|| {
                EmbedError::Config(format!(
                    "the dimension of model {:?} is not known: set it (EMBEDDING_DIMENSIONS)",
                    config.model
                ))
            })?,
        };
        // The key and organisation are always set: async-openai otherwise falls back to the
        // OPENAI_* environment variables, which would hand an OpenAI key to another server.
        let openai = OpenAIConfig::new()
            .with_api_base(config.api_base.trim_end_matches('/'))
            .with_api_key(config.api_key.clone().unwrap_or_default())
            .with_org_id("")
            .with_project_id("");
        let http = reqwest::Client::builder()
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| EmbedError::Config(format!("HTTP client: {e}")))?;
        let client = Client::with_config(openai).with_http_service(StatusService { client: http });
        Ok(Self {
            id: format!("openai/{}", config.model),
            client,
            config,
            dimension,
        })
    }

    /// One request for at most `batch_size` inputs.
    async fn embed_batch(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let input = texts
            .iter()
            .map(
                |text| match truncate_to_estimate(text, self.config.max_input_tokens) {
                    // OpenAI refuses empty strings; a space embeds as "nothing" just as well.
                    "" => " ".to_string(),
                    kept => kept.to_string(),
                },
            )
            .collect();
        let request = CreateEmbeddingRequest {
            model: self.config.model.clone(),
            input: EmbeddingInput::StringArray(input),
            encoding_format: None,
            user: None,
            dimensions: self.config.dimensions.and_then(|d| u32::try_from(d).ok()),
        };
        let embeddings = self.client.embeddings();
        let response = tokio::time::timeout(self.config.timeout, embeddings.create(request))
            .await
            .map_err(|_| EmbedError::Timeout(self.config.timeout))?
            .map_err(classify)?;
        let mut slots: Vec<Option<Vec<f32>>> = vec![None; texts.len()];
        for item in response.data {
            let slot = usize::try_from(item.index)
                .ok()
                .and_then(|i| slots.get_mut(i));
            let Some(slot @ None) = slot else {
                return Err(EmbedError::InvalidResponse(format!(
                    "index {} is out of range or repeated for {} inputs",
                    item.index,
                    texts.len()
                )));
            };
            if item.embedding.len() != self.dimension {
                return Err(EmbedError::InvalidResponse(format!(
                    "a vector of {} dimensions where {} were expected (EMBEDDING_DIMENSIONS)",
                    item.embedding.len(),
                    self.dimension
                )));
            }
            *slot = Some(item.embedding);
        }
        slots
            .into_iter()
            .map(|slot| {
                let mut vector = slot.ok_or_else(|| {
                    EmbedError::InvalidResponse(format!(
                        "fewer vectors than {} inputs",
                        texts.len()
                    ))
                })?;
                // OpenAI's vectors are normalised already; other servers' need not be.
                normalize(&mut vector);
                Ok(vector)
            })
            .collect()
    }
}

#[async_trait::async_trait]
impl Embedder for OpenAiEmbedder {
    fn model(&self) -> &str {
        &self.id
    }

    fn dimension(&self) -> usize {
        self.dimension
    }

    fn max_tokens(&self) -> usize {
        self.config.max_input_tokens
    }

    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut vectors = Vec::with_capacity(texts.len());
        for batch in texts.chunks(self.config.batch_size) {
            vectors.extend(self.embed_batch(batch).await?);
        }
        Ok(vectors)
    }

    /// The provider's tokenizer is not here: a conservative estimate, one token per three
    /// ASCII characters plus one per other character.
    fn count_tokens(&self, text: &str) -> usize {
        estimate_tokens(text)
    }
}

/// Sorts a failed call into retryable and permanent.
fn classify(err: OpenAIError) -> EmbedError {
    match err {
        OpenAIError::Boxed(boxed) => match boxed.downcast::<HttpStatus>() {
            Ok(status) => EmbedError::Status {
                status: status.status,
                message: status.message,
            },
            Err(other) => EmbedError::Unavailable(truncate_message(&other.to_string(), 300)),
        },
        OpenAIError::Reqwest(e) if e.is_builder() => {
            EmbedError::Config(e.without_url().to_string())
        }
        // Connect errors, resets, a body cut off: the URL may carry a key, so it is left out.
        OpenAIError::Reqwest(e) => EmbedError::Unavailable(with_causes(&e.without_url())),
        OpenAIError::ApiError(api) => EmbedError::Status {
            status: api.status_code.as_u16(),
            message: truncate_message(&api.api_error.message, 300),
        },
        // The body may echo the request's texts: keep only the parser's complaint.
        OpenAIError::JSONDeserialize(e, _) => EmbedError::InvalidResponse(e.to_string()),
        OpenAIError::InvalidArgument(e) => EmbedError::Config(e),
        other => EmbedError::InvalidResponse(truncate_message(&other.to_string(), 300)),
    }
}

/// The error and its causes (reqwest's own text says little: "error sending request").
fn with_causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    truncate_message(&text, 300)
}
