//! The embedding model of this process, loaded on first use: one per process (the
//! API's queries and the worker's indexing share it under `maigie dev`), none in a
//! process that never searches or indexes, and no start-up failure when the model
//! is missing — search then answers by words alone and notes stay pending (the
//! activity retries) until it is there.

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use maigie_embed::{
    DEFAULT_LOCAL_MODEL, EmbedError, Embedder, EmbeddingSettings, ProviderKind, from_settings,
};

use crate::config::Config;

struct Inner {
    settings: EmbeddingSettings,
    loaded: OnceLock<Result<Arc<dyn Embedder>, String>>,
}

impl Inner {
    fn get(&self) -> Result<&Arc<dyn Embedder>, EmbedError> {
        self.loaded
            .get_or_init(|| {
                let loaded = from_settings(&self.settings).map_err(|e| e.to_string());
                match &loaded {
                    Ok(e) => tracing::info!(model = e.model(), "embedding model loaded"),
                    Err(e) => tracing::warn!(error = %e, "embedding model unavailable"),
                }
                loaded
            })
            .as_ref()
            .map_err(|e| EmbedError::Unavailable(e.clone()))
    }
}

/// The local model, loaded the first time it is needed.
pub struct LazyEmbedder {
    model: String,
    inner: Arc<Inner>,
}

#[async_trait]
impl Embedder for LazyEmbedder {
    fn model(&self) -> &str {
        &self.model
    }

    fn dimension(&self) -> usize {
        self.inner.get().map_or(384, |e| e.dimension())
    }

    fn max_tokens(&self) -> usize {
        self.inner.get().map_or(256, |e| e.max_tokens())
    }

    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if self.inner.loaded.get().is_none() {
            // Loading reads ~90 MB: off the async threads.
            let inner = self.inner.clone();
            tokio::task::spawn_blocking(move || inner.get().map(|_| ()))
                .await
                .map_err(|e| EmbedError::Unavailable(e.to_string()))??;
        }
        self.inner.get()?.embed(texts).await
    }

    fn count_tokens(&self, text: &str) -> usize {
        // Without the model, a word count (an undercount for word pieces) still bounds
        // chunks; nothing is embedded then anyway.
        self.inner.get().map_or_else(
            |_| text.split_whitespace().count().max(1),
            |e| e.count_tokens(text),
        )
    }
}

/// The configured embedder (`EMBEDDING_*`): a remote provider as configured, the
/// local model lazily.
pub fn build(config: &Config) -> anyhow::Result<Arc<dyn Embedder>> {
    let settings = config.embedding.clone();
    if settings.provider == ProviderKind::OpenAi {
        return Ok(from_settings(&settings)?);
    }
    if settings.model_dir.is_none() {
        tracing::warn!(
            "EMBEDDING_MODEL_DIR is not set: search by meaning is off (words only) and notes \
             wait to be indexed; scripts/dev and scripts/test set it"
        );
    }
    let name = settings
        .model
        .clone()
        .unwrap_or_else(|| DEFAULT_LOCAL_MODEL.to_owned());
    Ok(Arc::new(LazyEmbedder {
        model: format!("local/{name}"),
        inner: Arc::new(Inner {
            settings,
            loaded: OnceLock::new(),
        }),
    }))
}
