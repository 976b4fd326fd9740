//! The knowledge index and vector search: `KNOWLEDGE_INDEX_DEBOUNCE_MS`,
//! `VECTOR_CACHE_MB` (`VECTOR_ENGINE` is read beside the other start-up choices).

use maigie_api::settings::KnowledgeSettings;

use super::{ConfigError, Env, invalid};

pub(super) fn settings<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
) -> Result<KnowledgeSettings, ConfigError> {
    Ok(KnowledgeSettings {
        debounce_ms: env.parse("KNOWLEDGE_INDEX_DEBOUNCE_MS", 2000)?,
        ..KnowledgeSettings::default()
    })
}

/// `VECTOR_CACHE_MB` (default 256; 0 turns the cache off), in bytes.
pub(super) fn cache_bytes<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
) -> Result<usize, ConfigError> {
    let mb: usize = env.parse("VECTOR_CACHE_MB", 256)?;
    mb.checked_mul(1024 * 1024)
        .ok_or_else(|| invalid("VECTOR_CACHE_MB", "too large"))
}
