//! The calendar feed: its secret and what it lists.

#[allow(clippy::wildcard_imports)]
use super::*;

/// Every block of the user (for the calendar feed), oldest first.
pub async fn all_blocks(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
) -> Result<Vec<BlockRow>, StoreError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM schedule_blocks WHERE user_id = $1 ORDER BY start_at, id LIMIT $2"
    );
    Ok(sqlx::query_as(sql)
        .bind(user_id)
        .bind(MAX_BLOCKS)
        .fetch_all(db)
        .await?)
}

/// Sets (or with `None` removes) the hash of the user's calendar feed secret.
pub async fn set_calendar_token(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    token_hash: Option<&str>,
) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE users SET calendar_token = $2 WHERE id = $1")
        .bind(user_id)
        .bind(token_hash)
        .execute(db)
        .await?;
    crate::rows::touched(&done)
}

/// The user whose feed secret hashes to `token_hash`.
pub async fn user_by_calendar_token(
    db: impl PgExecutor<'_>,
    token_hash: &str,
) -> Result<Option<Uuid>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM users WHERE calendar_token = $1")
            .bind(token_hash)
            .fetch_optional(db)
            .await?,
    )
}

/// A pending task with a due date or time, for the feed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueTaskRow {
    pub id: Uuid,
    pub title: String,
    pub due_at: Option<DateTime<Utc>>,
    pub due_date: Option<NaiveDate>,
    pub updated_at: DateTime<Utc>,
}

pub async fn due_tasks(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
) -> Result<Vec<DueTaskRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, title, due_at, due_date, updated_at FROM tasks
          WHERE user_id = $1 AND NOT completed AND (due_at IS NOT NULL OR due_date IS NOT NULL)
          ORDER BY coalesce(due_at, due_date::timestamptz), id LIMIT $2",
    )
    .bind(user_id)
    .bind(MAX_BLOCKS)
    .fetch_all(db)
    .await?)
}
