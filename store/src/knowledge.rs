//! The user's knowledge cut into chunks for search (`knowledge_chunks`), and where
//! each source's index stands (`knowledge_sources`).

use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::StoreError;

/// One source of knowledge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source<'a> {
    pub user_id: Uuid,
    /// `note`, `task`, `goal`, `course`, `module`, `topic` or `resource`.
    pub source_type: &'a str,
    pub source_id: Uuid,
}

/// A chunk as stored: enough to tell whether it must be embedded again.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredChunk {
    pub chunk_index: i32,
    pub content_hash: String,
    pub model: String,
}

/// A chunk to store.
#[derive(Debug, Clone)]
pub struct NewChunk {
    pub chunk_index: i32,
    pub content: String,
    pub content_hash: String,
    pub embedding: Vec<f32>,
}

/// Marks a source as needing its index rebuilt (in the transaction of the write that
/// changed it).
pub async fn mark_pending(db: impl PgExecutor<'_>, source: Source<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO knowledge_sources (source_type, source_id, user_id)
         VALUES ($1, $2, $3)
         ON CONFLICT (source_type, source_id)
         DO UPDATE SET status = 'pending', requested_at = now()",
    )
    .bind(source.source_type)
    .bind(source.source_id)
    .bind(source.user_id)
    .execute(db)
    .await?;
    Ok(())
}

/// The chunks stored for a source, in order.
pub async fn chunks_of(
    db: impl PgExecutor<'_>,
    source_type: &str,
    source_id: Uuid,
) -> Result<Vec<StoredChunk>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT chunk_index, content_hash, model FROM knowledge_chunks
          WHERE source_type = $1 AND source_id = $2 ORDER BY chunk_index",
    )
    .bind(source_type)
    .bind(source_id)
    .fetch_all(db)
    .await?)
}

/// Takes the source's lock until the transaction ends: the delete trigger takes it
/// too, so whoever writes a source's chunks after taking it sees whether the source
/// still exists.
pub async fn lock(tx: &mut PgConnection, source: Source<'_>) -> Result<(), StoreError> {
    sqlx::query("SELECT knowledge_lock($1, $2)")
        .bind(source.source_type)
        .bind(source.source_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Makes the stored chunks of `source` exactly `count` long: writes `changed` (new
/// or different chunks, embedded by `model`), drops the ones past the end, and marks
/// the source indexed — one transaction, so a search never sees half an index.
pub async fn replace(
    tx: &mut PgConnection,
    source: Source<'_>,
    model: &str,
    count: usize,
    changed: &[NewChunk],
) -> Result<(), StoreError> {
    let count = i32::try_from(count).unwrap_or(i32::MAX);
    sqlx::query(
        "DELETE FROM knowledge_chunks
          WHERE source_type = $1 AND source_id = $2 AND chunk_index >= $3",
    )
    .bind(source.source_type)
    .bind(source.source_id)
    .bind(count)
    .execute(&mut *tx)
    .await?;
    for chunk in changed {
        let dimension = i32::try_from(chunk.embedding.len()).unwrap_or(i32::MAX);
        sqlx::query(
            "INSERT INTO knowledge_chunks (user_id, source_type, source_id, chunk_index,
                                           content, content_hash, model, dimension, embedding)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (source_type, source_id, chunk_index) DO UPDATE
               SET content = EXCLUDED.content, content_hash = EXCLUDED.content_hash,
                   model = EXCLUDED.model, dimension = EXCLUDED.dimension,
                   embedding = EXCLUDED.embedding, created_at = now()",
        )
        .bind(source.user_id)
        .bind(source.source_type)
        .bind(source.source_id)
        .bind(chunk.chunk_index)
        .bind(&chunk.content)
        .bind(&chunk.content_hash)
        .bind(model)
        .bind(dimension)
        .bind(&chunk.embedding)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "INSERT INTO knowledge_sources (source_type, source_id, user_id, status, model, chunks,
                                        rounds, indexed_at)
         VALUES ($1, $2, $3, 'indexed', $4, $5, 1, now())
         ON CONFLICT (source_type, source_id)
         DO UPDATE SET status = 'indexed', model = $4, chunks = $5, indexed_at = now(),
                       rounds = knowledge_sources.rounds + 1",
    )
    .bind(source.source_type)
    .bind(source.source_id)
    .bind(source.user_id)
    .bind(model)
    .bind(count)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Forgets a source that is gone: its chunks and its state.
pub async fn forget(
    tx: &mut PgConnection,
    source_type: &str,
    source_id: Uuid,
) -> Result<(), StoreError> {
    for sql in [
        "DELETE FROM knowledge_chunks WHERE source_type = $1 AND source_id = $2",
        "DELETE FROM knowledge_sources WHERE source_type = $1 AND source_id = $2",
    ] {
        sqlx::query(sql)
            .bind(source_type)
            .bind(source_id)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// A source as search sees it.
pub type Key = (String, Uuid);

/// The user's sources of `types` matching `query` (web-search syntax) by their own
/// full-text columns, best first.
pub async fn ranking(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    types: &[String],
    query: &str,
    limit: i64,
) -> Result<Vec<Key>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT source_type, source_id FROM knowledge_documents
          WHERE user_id = $1 AND source_type = ANY($2)
            AND search @@ websearch_to_tsquery('english', $3)
          ORDER BY ts_rank(search, websearch_to_tsquery('english', $3)) DESC, source_id
          LIMIT $4",
    )
    .bind(user_id)
    .bind(types)
    .bind(query)
    .bind(limit)
    .fetch_all(db)
    .await?)
}

/// A found source: its title and a raw `ts_headline` fragment for the query (matches
/// between the domain's sentinels; the start of the text when the query's words are
/// not in it, as for a hit by meaning; the title when it has no other text).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DocumentView {
    pub source_type: String,
    pub source_id: Uuid,
    pub title: String,
    pub headline: String,
}

/// The user's sources with these ids (another user's ids find nothing).
pub async fn views(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    ids: &[Uuid],
    query: &str,
) -> Result<Vec<DocumentView>, StoreError> {
    use maigie_domain::notes::{MARK_END, MARK_START, headline_options};
    Ok(sqlx::query_as(
        "SELECT source_type, source_id, title,
                ts_headline('english',
                            translate(CASE WHEN btrim(body) = '' THEN title ELSE body END, $4, ''),
                            websearch_to_tsquery('english', $3), $5) AS headline
           FROM knowledge_documents WHERE user_id = $1 AND source_id = ANY($2)",
    )
    .bind(user_id)
    .bind(ids)
    .bind(query)
    .bind(format!("{MARK_START}{MARK_END}"))
    .bind(headline_options())
    .fetch_all(db)
    .await?)
}

/// A source's text as the index reads it: `(title, body)`; `None` when it is gone.
pub async fn document(
    db: impl PgExecutor<'_>,
    source: Source<'_>,
) -> Result<Option<(String, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT title, body FROM knowledge_documents
          WHERE user_id = $1 AND source_type = $2 AND source_id = $3",
    )
    .bind(source.user_id)
    .bind(source.source_type)
    .bind(source.source_id)
    .fetch_optional(db)
    .await?)
}

/// A source the backfill must index.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Unindexed {
    pub user_id: Uuid,
    pub source_type: String,
    pub source_id: Uuid,
}

/// Sources not indexed with `model` (never, still pending, or by another model) — of
/// one user or everyone's — by id after `after`, at most `limit`.
pub async fn unindexed(
    db: impl PgExecutor<'_>,
    model: &str,
    user_id: Option<Uuid>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Unindexed>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT d.user_id, d.source_type, d.source_id FROM knowledge_documents d
           LEFT JOIN knowledge_sources k
                  ON k.source_type = d.source_type AND k.source_id = d.source_id
          WHERE (k.source_id IS NULL OR k.status <> 'indexed' OR k.model IS DISTINCT FROM $1)
            AND ($2::uuid IS NULL OR d.source_id > $2)
            AND ($4::uuid IS NULL OR d.user_id = $4)
          ORDER BY d.source_id LIMIT $3",
    )
    .bind(model)
    .bind(after)
    .bind(limit)
    .bind(user_id)
    .fetch_all(db)
    .await?)
}

/// The vectors `model` made of a source's chunks, in order.
pub async fn source_vectors(
    db: impl PgExecutor<'_>,
    source: Source<'_>,
    model: &str,
) -> Result<Vec<Vec<f32>>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT embedding FROM knowledge_chunks
          WHERE user_id = $1 AND source_type = $2 AND source_id = $3 AND model = $4
          ORDER BY chunk_index",
    )
    .bind(source.user_id)
    .bind(source.source_type)
    .bind(source.source_id)
    .bind(model)
    .fetch_all(db)
    .await?)
}

/// A chunk with its text and vector.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChunkText {
    pub source_type: String,
    pub source_id: Uuid,
    pub content: String,
    pub embedding: Vec<f32>,
}

/// The user's chunks made by `model` of the sources with these ids.
pub async fn chunk_texts(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    model: &str,
    ids: &[Uuid],
) -> Result<Vec<ChunkText>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT source_type, source_id, content, embedding FROM knowledge_chunks
          WHERE user_id = $1 AND model = $2 AND source_id = ANY($3)
          ORDER BY source_id, chunk_index",
    )
    .bind(user_id)
    .bind(model)
    .bind(ids)
    .fetch_all(db)
    .await?)
}
