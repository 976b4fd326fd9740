//! What recommendations read: the user's interests (active courses and goals) and the
//! resources they may see and have not saved, with each one's stored embedding when
//! it is current (same text, same model).

use sqlx::PgExecutor;
use uuid::Uuid;

use super::ResourceRow;
use crate::StoreError;

/// Something the user is working towards: an active course or goal.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Interest {
    /// `course` or `goal`.
    pub source_type: String,
    pub source_id: Uuid,
    pub title: String,
    pub body: String,
}

/// The user's active courses (not archived or completed) and open goals, most
/// recently touched first, at most `limit`.
pub async fn interests(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    limit: i64,
) -> Result<Vec<Interest>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT source_type, source_id, title, body FROM (
             SELECT 'course' AS source_type, id AS source_id, title,
                    coalesce(description, '') AS body, updated_at
               FROM courses
              WHERE user_id = $1 AND archived_at IS NULL AND completed_at IS NULL
             UNION ALL
             SELECT 'goal', id, title, coalesce(description, ''), updated_at
               FROM goals
              WHERE user_id = $1 AND status IN ('NOT_STARTED', 'IN_PROGRESS')
         ) i ORDER BY updated_at DESC, source_id LIMIT $2",
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(db)
    .await?)
}

/// A resource that may be recommended.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Candidate {
    #[sqlx(flatten)]
    pub resource: ResourceRow,
    /// The hash of the text its embedding is made of.
    pub content_hash: String,
    /// Its embedding by the model asked for, when current.
    pub embedding: Option<Vec<f32>>,
}

/// The resources `user_id` may see (public, or theirs) and has not saved, most
/// recently changed first, at most `limit`.
pub async fn candidates(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    model: &str,
    limit: i64,
) -> Result<Vec<Candidate>, StoreError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        ", r.content_hash,
           CASE WHEN r.embedding_model = $2 AND r.embedding_hash = r.content_hash
                THEN r.embedding END AS embedding
           FROM resources r
          WHERE (r.is_public OR r.created_by = $1)
            AND NOT EXISTS (SELECT 1 FROM user_resources s
                             WHERE s.user_id = $1 AND s.resource_id = r.id)
          ORDER BY r.updated_at DESC, r.id LIMIT $3"
    );
    Ok(sqlx::query_as(sql)
        .bind(user_id)
        .bind(model)
        .bind(limit)
        .fetch_all(db)
        .await?)
}

/// Stores a resource's embedding of the text whose hash is `content_hash` (nothing
/// when the text changed meanwhile).
pub async fn set_embedding(
    db: impl PgExecutor<'_>,
    id: Uuid,
    model: &str,
    content_hash: &str,
    embedding: &[f32],
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE resources SET embedding = $4, embedding_model = $2, embedding_hash = $3,
                              embedding_updated_at = now()
          WHERE id = $1 AND content_hash = $3",
    )
    .bind(id)
    .bind(model)
    .bind(content_hash)
    .bind(embedding)
    .execute(db)
    .await?;
    Ok(())
}

/// The resources `user_id` may see and has not saved that match `query`'s words
/// (web-search syntax), best first.
pub async fn by_words(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    query: &str,
    limit: i64,
) -> Result<Vec<ResourceRow>, StoreError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM resources r
          WHERE (r.is_public OR r.created_by = $1)
            AND NOT EXISTS (SELECT 1 FROM user_resources s
                             WHERE s.user_id = $1 AND s.resource_id = r.id)
            AND r.search @@ websearch_to_tsquery('english', $2)
          ORDER BY ts_rank(r.search, websearch_to_tsquery('english', $2)) DESC, r.id
          LIMIT $3"
    );
    Ok(sqlx::query_as(sql)
        .bind(user_id)
        .bind(query)
        .bind(limit)
        .fetch_all(db)
        .await?)
}
