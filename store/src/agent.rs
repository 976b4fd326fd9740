//! The AI action log: actions, their steps (one per tool call, with the change set undo
//! needs), token usage and the monthly message allowance.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use sqlx::{PgExecutor, PgPool};
use uuid::Uuid;

use crate::StoreError;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActionRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub conversation_id: Option<Uuid>,
    pub message_id: Option<Uuid>,
    pub source: String,
    pub workflow_id: Option<String>,
    pub status: String,
    pub summary: Option<String>,
    pub requires_confirmation: bool,
    pub expires_at: Option<DateTime<Utc>>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub undone_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    pub provider: Option<String>,
    pub iterations: i32,
    pub pending_calls: Option<Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const ACTION: &str = "id, user_id, conversation_id, message_id, source, workflow_id, status, summary, \
    requires_confirmation, expires_at, confirmed_at, completed_at, undone_at, error, provider, \
    iterations, pending_calls, created_at, updated_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StepRow {
    pub id: Uuid,
    pub action_id: Uuid,
    pub step_index: i32,
    pub call_id: Option<String>,
    pub tool_name: String,
    pub arguments: Value,
    pub result: Option<Value>,
    pub status: String,
    pub error: Option<String>,
    pub changes: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const STEP: &str = "id, action_id, step_index, call_id, tool_name, arguments, result, status, error, \
    changes, created_at, updated_at";

/// Records a new action (status `running`) in the caller's transaction.
pub async fn create_action(
    db: impl PgExecutor<'_>,
    id: Uuid,
    user_id: Uuid,
    conversation_id: Option<Uuid>,
    message_id: Option<Uuid>,
    source: &str,
    workflow_id: Option<&str>,
) -> Result<ActionRow, StoreError> {
    let sql = format!(
        "INSERT INTO ai_actions (id, user_id, conversation_id, message_id, source, workflow_id, status)
         VALUES ($1, $2, $3, $4, $5, $6, 'running') RETURNING {ACTION}"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(user_id)
        .bind(conversation_id)
        .bind(message_id)
        .bind(source)
        .bind(workflow_id)
        .fetch_one(db)
        .await?)
}

pub async fn get_action(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
) -> Result<ActionRow, StoreError> {
    let sql = format!("SELECT {ACTION} FROM ai_actions WHERE id = $1 AND user_id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Links the action to the user's message it answers (a voice message's transcript,
/// stored once heard).
pub async fn set_message(
    db: impl PgExecutor<'_>,
    id: Uuid,
    message_id: Uuid,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE ai_actions SET message_id = $2 WHERE id = $1")
        .bind(id)
        .bind(message_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Moves an action to `status`; `pending` lists the calls waiting for confirmation.
pub async fn set_status(
    db: impl PgExecutor<'_>,
    id: Uuid,
    status: &str,
    pending: Option<Value>,
    expires_at: Option<DateTime<Utc>>,
    error: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE ai_actions SET status = $2,
            requires_confirmation = requires_confirmation OR $2 = 'awaiting_confirmation',
            pending_calls = $3, expires_at = COALESCE($4, expires_at),
            confirmed_at = CASE WHEN status = 'awaiting_confirmation' AND $2 = 'running'
                                THEN clock_timestamp() ELSE confirmed_at END,
            completed_at = CASE WHEN $2 IN ('completed', 'failed', 'rejected', 'expired')
                                THEN COALESCE(completed_at, clock_timestamp()) ELSE completed_at END,
            error = COALESCE($5, error)
         WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(pending)
    .bind(expires_at)
    .bind(error)
    .execute(db)
    .await?;
    Ok(())
}

/// Notes a model turn: its provider, and the summary (the assistant's text so far).
pub async fn note_turn(
    db: impl PgExecutor<'_>,
    id: Uuid,
    provider: &str,
    turn: i32,
    summary: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE ai_actions SET provider = $2, iterations = GREATEST(iterations, $3 + 1),
                summary = COALESCE(left($4, 2000), summary)
         WHERE id = $1",
    )
    .bind(id)
    .bind(provider)
    .bind(turn)
    .bind(summary)
    .execute(db)
    .await?;
    Ok(())
}

/// Adds the sources an answer of the action cited (a JSON array), each once.
pub async fn add_sources(
    db: impl PgExecutor<'_>,
    id: Uuid,
    sources: &Value,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE ai_actions SET sources = (
             SELECT jsonb_agg(DISTINCT e)
               FROM jsonb_array_elements(coalesce(sources, '[]'::jsonb) || $2) AS e)
          WHERE id = $1",
    )
    .bind(id)
    .bind(sources)
    .execute(db)
    .await?;
    Ok(())
}

/// The sources the action's answers cited (a JSON array), if any.
pub async fn sources(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<Value>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT sources FROM ai_actions WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?
            .flatten(),
    )
}

/// Records a tool call as a pending step, once per call id.
pub async fn add_step(
    conn: &mut sqlx::PgConnection,
    user_id: Uuid,
    action_id: Uuid,
    call_id: &str,
    tool: &str,
    arguments: &Value,
) -> Result<StepRow, StoreError> {
    let sql = format!(
        "INSERT INTO ai_action_steps (user_id, action_id, step_index, call_id, tool_name, arguments)
         VALUES ($1, $2, (SELECT count(*) FROM ai_action_steps WHERE action_id = $2), $3, $4, $5)
         ON CONFLICT ON CONSTRAINT ai_action_steps_action_call_key DO NOTHING
         RETURNING {STEP}"
    );
    match sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .bind(action_id)
        .bind(call_id)
        .bind(tool)
        .bind(arguments)
        .fetch_optional(&mut *conn)
        .await?
    {
        Some(row) => Ok(row),
        None => step(conn, action_id, call_id).await,
    }
}

pub async fn step(
    db: impl PgExecutor<'_>,
    action_id: Uuid,
    call_id: &str,
) -> Result<StepRow, StoreError> {
    let sql = format!("SELECT {STEP} FROM ai_action_steps WHERE action_id = $1 AND call_id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(action_id)
        .bind(call_id)
        .fetch_optional(db)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn steps(db: impl PgExecutor<'_>, action_id: Uuid) -> Result<Vec<StepRow>, StoreError> {
    let sql =
        format!("SELECT {STEP} FROM ai_action_steps WHERE action_id = $1 ORDER BY step_index");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(action_id)
        .fetch_all(db)
        .await?)
}

/// Records how a step ended: `completed` (with its result and change set), `failed`
/// (with the error) or `skipped`.
pub async fn finish_step(
    db: impl PgExecutor<'_>,
    step_id: Uuid,
    status: &str,
    result: Option<&Value>,
    error: Option<&str>,
    changes: &Value,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE ai_action_steps SET status = $2, result = $3, error = left($4, 10000), changes = $5,
                started_at = COALESCE(started_at, clock_timestamp()), finished_at = clock_timestamp()
         WHERE id = $1",
    )
    .bind(step_id)
    .bind(status)
    .bind(result)
    .bind(error)
    .bind(changes)
    .execute(db)
    .await?;
    Ok(())
}

/// Marks the action and its completed steps as undone, in the undo's transaction.
pub async fn mark_undone(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    action_id: Uuid,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE ai_action_steps SET status = 'undone' WHERE action_id = $1 AND status = 'completed'")
        .bind(action_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE ai_actions SET status = 'undone', undone_at = clock_timestamp() WHERE id = $1",
    )
    .bind(action_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes the user's decision on a pending confirmation: moves the action from
/// `awaiting_confirmation` (not expired) to `running`. False when it was not waiting,
/// so a repeated or late decision changes nothing.
pub async fn take_decision(db: &PgPool, user_id: Uuid, id: Uuid) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE ai_actions SET status = 'running', confirmed_at = clock_timestamp()
         WHERE id = $1 AND user_id = $2 AND status = 'awaiting_confirmation'
           AND (expires_at IS NULL OR expires_at > clock_timestamp())",
    )
    .bind(id)
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Puts a decision back (the signal could not be delivered).
pub async fn return_decision(db: &PgPool, id: Uuid) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE ai_actions SET status = 'awaiting_confirmation', confirmed_at = NULL
         WHERE id = $1 AND status = 'running'",
    )
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// Remembers the row a step is about to change, before the call, so a retried step
/// (the worker died after the change) still knows what it was.
pub async fn stash_before(db: &PgPool, step_id: Uuid, stash: &Value) -> Result<(), StoreError> {
    sqlx::query("UPDATE ai_action_steps SET before = $2, status = 'running' WHERE id = $1 AND before IS NULL")
        .bind(step_id)
        .bind(stash)
        .execute(db)
        .await?;
    Ok(())
}

/// What [`stash_before`] remembered.
pub async fn stashed_before(db: &PgPool, step_id: Uuid) -> Result<Option<Value>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT before FROM ai_action_steps WHERE id = $1")
            .bind(step_id)
            .fetch_optional(db)
            .await?
            .flatten(),
    )
}

/// Locks the action for an undo and answers its status.
pub async fn lock_action(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    user_id: Uuid,
    id: Uuid,
) -> Result<String, StoreError> {
    sqlx::query_scalar("SELECT status FROM ai_actions WHERE id = $1 AND user_id = $2 FOR UPDATE")
        .bind(id)
        .bind(user_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The user's actions, newest first, optionally of one conversation or status, before
/// the `(created_at, id)` position `before`; `limit + 1` rows.
pub async fn list_actions(
    db: &PgPool,
    user_id: Uuid,
    conversation_id: Option<Uuid>,
    status: Option<&str>,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<ActionRow>, StoreError> {
    let sql = format!(
        "SELECT {ACTION} FROM ai_actions
         WHERE user_id = $1 AND ($2::uuid IS NULL OR conversation_id = $2)
           AND ($3::text IS NULL OR status = $3)
           AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5))
         ORDER BY created_at DESC, id DESC LIMIT $6"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .bind(conversation_id)
        .bind(status)
        .bind(before.map(|b| b.0))
        .bind(before.map(|b| b.1))
        .bind(limit + 1)
        .fetch_all(db)
        .await?)
}

mod call;
mod usage;

pub use call::{ActionCaller, CallRow, CallerRow, action_caller, call};
pub use usage::{
    AudioUsage, UsageRecord, audio_seconds_since, count_message, messages_counted,
    record_audio_usage, record_usage, uncount_message, usage_by_conversation, usage_by_kind,
    usage_by_provider,
};
