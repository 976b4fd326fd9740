//! Per-occurrence exceptions of recurring blocks.

#[allow(clippy::wildcard_imports)]
use super::*;

/// The exceptions of the given blocks of the user.
pub async fn exceptions_of(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    block_ids: &[Uuid],
) -> Result<Vec<ExceptionRow>, StoreError> {
    let sql = concat!(
        "SELECT ",
        exception_columns!(),
        " FROM schedule_block_exceptions WHERE user_id = $1 AND block_id = ANY($2)
         ORDER BY block_id, occurrence_start"
    );
    Ok(sqlx::query_as(sql)
        .bind(user_id)
        .bind(block_ids)
        .fetch_all(db)
        .await?)
}

/// Creates or replaces the exception of one occurrence.
pub async fn put_exception(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    e: &ExceptionRow,
) -> Result<ExceptionRow, StoreError> {
    let sql = concat!(
        "INSERT INTO schedule_block_exceptions (user_id, block_id, occurrence_start, cancelled,
             override_start_at, override_end_at, override_title, completed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT ON CONSTRAINT schedule_block_exceptions_occurrence_key DO UPDATE SET
             cancelled = EXCLUDED.cancelled, override_start_at = EXCLUDED.override_start_at,
             override_end_at = EXCLUDED.override_end_at,
             override_title = EXCLUDED.override_title, completed_at = EXCLUDED.completed_at
         RETURNING ",
        exception_columns!()
    );
    Ok(sqlx::query_as(sql)
        .bind(user_id)
        .bind(e.block_id)
        .bind(e.occurrence_start)
        .bind(e.cancelled)
        .bind(e.override_start_at)
        .bind(e.override_end_at)
        .bind(&e.override_title)
        .bind(e.completed_at)
        .fetch_one(db)
        .await?)
}

/// Drops a block's exceptions: after its start, rule or zone change, the old
/// occurrence keys no longer name occurrences of the series.
pub async fn clear_exceptions(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    block_id: Uuid,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM schedule_block_exceptions WHERE block_id = $1 AND user_id = $2")
        .bind(block_id)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}
