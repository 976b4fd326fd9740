//! The workflow outbox: workflow starts recorded in the transaction of the change that
//! needs them, so a crash or a Temporal outage delays a workflow but never loses it.

use serde_json::Value;
use sqlx::{PgExecutor, PgPool};
use uuid::Uuid;

use crate::StoreError;

/// A workflow start waiting to happen.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingStart {
    pub id: Uuid,
    pub workflow_type: String,
    pub workflow_id: String,
    pub input: Value,
    pub attempts: i32,
}

/// Records a start; a second record for the same workflow id is ignored.
pub async fn enqueue(
    db: impl PgExecutor<'_>,
    user_id: Option<Uuid>,
    workflow_type: &str,
    workflow_id: &str,
    input: Value,
) -> Result<(), StoreError> {
    sqlx::query(
        // The first attempt is the caller's, right after commit: the relay waits a
        // little before it tries too.
        "INSERT INTO workflow_outbox (user_id, workflow_type, workflow_id, input, next_attempt_at)
         VALUES ($1, $2, $3, $4, now() + interval '10 seconds')
         ON CONFLICT (workflow_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(workflow_type)
    .bind(workflow_id)
    .bind(input)
    .execute(db)
    .await?;
    Ok(())
}

/// Records the latest desired state of a long-lived workflow (e.g. a reminder's plan):
/// a newer call replaces the input and makes the row pending again.
pub async fn upsert(
    db: impl PgExecutor<'_>,
    user_id: Option<Uuid>,
    workflow_type: &str,
    workflow_id: &str,
    input: Value,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO workflow_outbox (user_id, workflow_type, workflow_id, input, next_attempt_at)
         VALUES ($1, $2, $3, $4, now() + interval '10 seconds')
         ON CONFLICT (workflow_id) DO UPDATE SET input = EXCLUDED.input, started_at = NULL,
             attempts = 0, last_error = NULL, next_attempt_at = EXCLUDED.next_attempt_at",
    )
    .bind(user_id)
    .bind(workflow_type)
    .bind(workflow_id)
    .bind(input)
    .execute(db)
    .await?;
    Ok(())
}

/// Claims up to `limit` due starts for `lease_secs` (other relays skip them meanwhile).
pub async fn claim_due(
    db: &PgPool,
    limit: i64,
    lease_secs: i32,
) -> Result<Vec<PendingStart>, StoreError> {
    Ok(sqlx::query_as(
        "UPDATE workflow_outbox SET attempts = attempts + 1,
                next_attempt_at = now() + make_interval(secs => $2)
         WHERE id IN (SELECT id FROM workflow_outbox
                      WHERE started_at IS NULL AND next_attempt_at <= now()
                      ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING id, workflow_type, workflow_id, input, attempts",
    )
    .bind(limit)
    .bind(f64::from(lease_secs))
    .fetch_all(db)
    .await?)
}

/// The input a start not yet made should send now (the newest recorded for the
/// workflow id); `None` when it was made meanwhile or there is no such row.
pub async fn pending_input(db: &PgPool, workflow_id: &str) -> Result<Option<Value>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT input FROM workflow_outbox WHERE workflow_id = $1 AND started_at IS NULL",
    )
    .bind(workflow_id)
    .fetch_optional(db)
    .await?)
}

/// Marks the row done, unless its input changed meanwhile (then that newer input
/// still has to be sent).
pub async fn mark_started(db: &PgPool, workflow_id: &str, input: &Value) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE workflow_outbox SET started_at = now(), last_error = NULL
         WHERE workflow_id = $1 AND started_at IS NULL AND input = $2",
    )
    .bind(workflow_id)
    .bind(input)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn mark_failed(db: &PgPool, workflow_id: &str, error: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE workflow_outbox SET last_error = $2 WHERE workflow_id = $1")
        .bind(workflow_id)
        .bind(error.chars().take(2000).collect::<String>())
        .execute(db)
        .await?;
    Ok(())
}

/// The starts not made yet: how many, and how long the oldest has waited (seconds;
/// `0` when none). Cheap enough to run on every metrics scrape: both aggregates read
/// the partial index of pending rows (`workflow_outbox_pending_created_idx`).
pub async fn backlog(db: &PgPool) -> Result<(i64, f64), StoreError> {
    let (count, oldest): (i64, Option<f64>) = sqlx::query_as(
        "SELECT count(*), EXTRACT(EPOCH FROM now() - min(created_at))::float8 \
         FROM workflow_outbox WHERE started_at IS NULL",
    )
    .fetch_one(db)
    .await?;
    Ok((count, oldest.unwrap_or(0.0).max(0.0)))
}
