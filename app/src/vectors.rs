//! Start-up choice of the vector engine (`VECTOR_ENGINE`) after probing the database,
//! and the HNSW index of the configured model's dimension, built in the background.

use std::time::Instant;

use maigie_embed::{DEFAULT_OPENAI_MODEL, EmbeddingSettings, ProviderKind, known_dimension};
use maigie_store::PgPool;
use maigie_store::vector_index::setup::{self, SetupError};
use maigie_store::vector_index::{PgVectorPlan, VectorEngine};

use crate::StartupError;
use crate::config::Config;

/// pgvector's HNSW indexes `vector` values of at most this many dimensions.
const HNSW_MAX_DIMENSION: u32 = 2000;

/// The engine `VECTOR_ENGINE` asks for and this database allows, with its cache of
/// `VECTOR_CACHE_MB` (one per process) in front; with pgvector, starts
/// building the HNSW index of the configured dimension if it is missing (writes and
/// searches go on meanwhile: searches are exact until it exists).
pub async fn choose(config: &Config, db: &PgPool) -> anyhow::Result<VectorEngine> {
    let dimension = configured_dimension(&config.embedding)
        .and_then(|d| u32::try_from(d).ok())
        .filter(|d| *d <= HNSW_MAX_DIMENSION);
    let engine = setup::choose(db, config.vector_engine, dimension)
        .await
        .map_err(|e| match e {
            SetupError::Unavailable(_) => StartupError(e.to_string()),
            SetupError::Store(e) => StartupError(format!("probing the vector engine: {e}")),
        })?
        .with_cache(config.vector_cache_bytes);
    tracing::info!(
        engine = engine.name(),
        ?dimension,
        cache_mb = engine.cache().map(|c| c.cap_bytes() / (1024 * 1024)),
        "vector engine"
    );
    if let Some(PgVectorPlan {
        hnsw_dimension: Some(dimension),
        ..
    }) = engine.pgvector_plan()
    {
        let db = db.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            match setup::ensure_hnsw_index(&db, dimension).await {
                Ok(true) => tracing::info!(
                    dimension,
                    secs = started.elapsed().as_secs_f64(),
                    "HNSW index of the knowledge chunks built"
                ),
                Ok(false) => {}
                Err(e) => tracing::warn!(dimension, error = %e,
                    "HNSW index not built: large scopes are ranked exactly"),
            }
        });
    }
    Ok(engine)
}

/// The size of the vectors the configured provider makes, when known without loading
/// the model: the local model's `config.json`, `EMBEDDING_DIMENSIONS`, or a known model.
fn configured_dimension(settings: &EmbeddingSettings) -> Option<usize> {
    if let Some(d) = settings.dimensions {
        return Some(d);
    }
    match settings.provider {
        ProviderKind::Local => settings
            .model_dir
            .as_ref()
            .and_then(|dir| std::fs::read(dir.join("config.json")).ok())
            .and_then(|raw| serde_json::from_slice::<serde_json::Value>(&raw).ok())
            .and_then(|c| c.get("hidden_size")?.as_u64())
            .and_then(|d| usize::try_from(d).ok())
            .or(Some(384)),
        ProviderKind::OpenAi => {
            known_dimension(settings.model.as_deref().unwrap_or(DEFAULT_OPENAI_MODEL))
        }
    }
}
