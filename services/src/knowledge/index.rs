//! Indexing one source: its text cut into chunks (`maigie_domain::knowledge::chunk`),
//! only the chunks whose text (or model) changed embedded — in one call — and the
//! source's chunks replaced in one transaction. A source that is gone loses its
//! chunks.

use maigie_domain::knowledge::{ChunkSpec, chunk};
use maigie_embed::{EmbedError, Embedder};
use maigie_store::knowledge::{self, NewChunk, Source};
use maigie_store::{PgPool, StoreError};
use sha2::{Digest, Sha256};

use crate::error::ServiceError;

/// What indexing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Indexed {
    /// Chunks the source has now (0: gone or blank).
    pub chunks: usize,
    /// Chunks embedded in this round.
    pub embedded: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(transparent)]
    Embed(#[from] EmbedError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("unknown source type {0}")]
    UnknownType(String),
}

impl IndexError {
    /// Whether a retry may succeed (a provider or database that is down).
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Embed(e) => e.is_retryable(),
            Self::Store(_) => true,
            Self::UnknownType(_) => false,
        }
    }
}

impl From<IndexError> for ServiceError {
    fn from(err: IndexError) -> Self {
        ServiceError::internal(err)
    }
}

fn hash(text: &str) -> String {
    maigie_domain::hex::hex(&Sha256::digest(text.as_bytes()))
}

/// Brings the source's chunks in step with its text as it is now.
pub async fn index_source(
    db: &PgPool,
    embedder: &dyn Embedder,
    source: Source<'_>,
) -> Result<Indexed, IndexError> {
    if !super::SOURCE_TYPES.contains(&source.source_type) {
        return Err(IndexError::UnknownType(source.source_type.to_owned()));
    }
    let Some((title, body)) = knowledge::document(db, source).await? else {
        let mut tx = db.begin().await.map_err(StoreError::from)?;
        knowledge::forget(&mut tx, source.source_type, source.source_id).await?;
        tx.commit().await.map_err(StoreError::from)?;
        return Ok(Indexed::default());
    };
    // Every chunk carries the title: a chunk deep in a long note still says what the
    // note is about.
    // The title and the model's own tokens share the window with the text.
    let room = embedder
        .max_tokens()
        .saturating_sub(embedder.count_tokens(&title) + 4)
        .max(32);
    let spec = ChunkSpec {
        max_tokens: room.min(ChunkSpec::default().max_tokens),
        ..ChunkSpec::default()
    };
    let pieces: Vec<String> = chunk(&body, spec, |w| embedder.count_tokens(w))
        .into_iter()
        .map(|piece| format!("{title}\n{piece}"))
        .collect();
    let pieces = if pieces.is_empty() && !title.trim().is_empty() {
        vec![title]
    } else {
        pieces
    };
    let stored = knowledge::chunks_of(db, source.source_type, source.source_id).await?;
    let model = embedder.model();
    let changed: Vec<(usize, String, String)> = pieces
        .iter()
        .enumerate()
        .map(|(i, text)| (i, text.clone(), hash(text)))
        .filter(|(i, _, h)| {
            stored
                .get(*i)
                .is_none_or(|s| &s.content_hash != h || s.model != model)
        })
        .collect();
    let texts: Vec<String> = changed.iter().map(|(_, t, _)| t.clone()).collect();
    let vectors = if texts.is_empty() {
        Vec::new()
    } else {
        embedder.embed(&texts).await?
    };
    let new: Vec<NewChunk> = changed
        .into_iter()
        .zip(vectors)
        .map(|((i, content, content_hash), embedding)| NewChunk {
            chunk_index: i32::try_from(i).unwrap_or(i32::MAX),
            content,
            content_hash,
            embedding,
        })
        .collect();
    let mut tx = db.begin().await.map_err(StoreError::from)?;
    knowledge::lock(&mut tx, source).await?;
    if knowledge::document(&mut *tx, source).await?.is_none() {
        // Deleted while it was being embedded.
        knowledge::forget(&mut tx, source.source_type, source.source_id).await?;
        tx.commit().await.map_err(StoreError::from)?;
        return Ok(Indexed::default());
    }
    knowledge::replace(&mut tx, source, model, pieces.len(), &new).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Indexed {
        chunks: pieces.len(),
        embedded: new.len(),
    })
}

/// One page of a backfill: what it indexed and where the next one starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub last: Option<uuid::Uuid>,
    pub indexed: usize,
    pub finished: bool,
}

/// Indexes up to `limit` sources (of `user_id`, or everyone's) that are not indexed
/// with the embedder's model, after `after` (by id). Safe to repeat: an unchanged
/// source embeds nothing.
pub async fn backfill_page(
    db: &PgPool,
    embedder: &dyn Embedder,
    user_id: Option<uuid::Uuid>,
    after: Option<uuid::Uuid>,
    limit: u32,
) -> Result<Page, IndexError> {
    let model = embedder.model();
    let due = knowledge::unindexed(db, model, user_id, after, i64::from(limit)).await?;
    for d in &due {
        let source = Source {
            user_id: d.user_id,
            source_type: &d.source_type,
            source_id: d.source_id,
        };
        index_source(db, embedder, source).await?;
    }
    Ok(Page {
        last: due.last().map(|d| d.source_id),
        indexed: due.len(),
        finished: due.len() < usize::try_from(limit).unwrap_or(usize::MAX),
    })
}
