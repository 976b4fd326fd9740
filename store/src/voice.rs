//! Voice messages (`voice_messages`) and the audio objects waiting to be deleted from
//! the audio store (`audio_deletions`, filled by a trigger when a voice message goes;
//! see `migrations/0022_voice_messages.sql`).

use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool};
use uuid::Uuid;

use crate::StoreError;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VoiceMessageRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub conversation_id: Uuid,
    pub action_id: Uuid,
    pub workflow_id: String,
    pub status: String,
    pub audio_key: String,
    pub audio_format: String,
    pub audio_bytes: i32,
    pub language: Option<String>,
    pub transcript: Option<String>,
    pub duration_secs: Option<f32>,
    pub message_id: Option<Uuid>,
    pub answer_audio_key: Option<String>,
    pub answer_format: Option<String>,
    pub answer_duration_secs: Option<f32>,
    pub pending_notified_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, user_id, conversation_id, action_id, workflow_id, status, audio_key,
    audio_format, audio_bytes, language, transcript, duration_secs, message_id, answer_audio_key,
    answer_format, answer_duration_secs, pending_notified_at, error, created_at, updated_at";

/// A voice message as posted.
#[derive(Debug, Clone)]
pub struct NewVoiceMessage<'a> {
    pub id: Uuid,
    pub user_id: Uuid,
    pub conversation_id: Uuid,
    pub action_id: Uuid,
    pub workflow_id: &'a str,
    pub audio_key: &'a str,
    pub audio_format: &'a str,
    pub audio_bytes: i32,
    pub language: Option<&'a str>,
}

/// Records the message (its upload is taken off the deletion queue by the same
/// transaction, with [`unqueue_deletion`]).
pub async fn insert(
    tx: &mut sqlx::PgConnection,
    m: &NewVoiceMessage<'_>,
) -> Result<VoiceMessageRow, StoreError> {
    let sql = format!(
        "INSERT INTO voice_messages (id, user_id, conversation_id, action_id, workflow_id,
                                     audio_key, audio_format, audio_bytes, language)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLUMNS}"
    );
    let row = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(m.id)
        .bind(m.user_id)
        .bind(m.conversation_id)
        .bind(m.action_id)
        .bind(m.workflow_id)
        .bind(m.audio_key)
        .bind(m.audio_format)
        .bind(m.audio_bytes)
        .bind(m.language)
        .fetch_one(&mut *tx)
        .await?;
    Ok(row)
}

/// The user's voice message.
pub async fn get(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
) -> Result<VoiceMessageRow, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM voice_messages WHERE id = $1 AND user_id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await?
        .ok_or(StoreError::NotFound)
}

/// A voice message by id alone (a signed audio URL names no user).
pub async fn by_id(db: &PgPool, id: Uuid) -> Result<VoiceMessageRow, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM voice_messages WHERE id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Records what was heard (once: a second call keeps the first transcript) and the
/// user's message holding it; the message moves on to `answering`.
pub async fn set_transcript(
    db: impl PgExecutor<'_>,
    id: Uuid,
    transcript: &str,
    duration_secs: f32,
    language: Option<&str>,
    message_id: Uuid,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE voice_messages
            SET transcript = $2, duration_secs = $3, language = COALESCE($4, language),
                message_id = $5, status = 'answering'
          WHERE id = $1 AND transcript IS NULL",
    )
    .bind(id)
    .bind(transcript)
    .bind(duration_secs)
    .bind(language)
    .bind(message_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Marks that `voice.pending` was sent; `true` the first time only.
pub async fn mark_pending_notified(db: &PgPool, id: Uuid) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE voice_messages SET pending_notified_at = now()
          WHERE id = $1 AND pending_notified_at IS NULL",
    )
    .bind(id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves the message to `status` (`speaking`, `completed`, `failed`), with the reason
/// of a failure.
pub async fn set_status(
    db: impl PgExecutor<'_>,
    id: Uuid,
    status: &str,
    error: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE voice_messages SET status = $2, error = COALESCE($3, error) WHERE id = $1")
        .bind(id)
        .bind(status)
        .bind(error)
        .execute(db)
        .await?;
    Ok(())
}

/// Records the spoken answer's object (already stored, and queued for deletion until
/// this commits). `false` when the message is gone (its account was deleted meanwhile):
/// the queued deletion then removes the object.
pub async fn set_answer(
    tx: &mut sqlx::PgConnection,
    id: Uuid,
    key: &str,
    format: &str,
    duration_secs: f32,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE voice_messages
            SET answer_audio_key = $2, answer_format = $3, answer_duration_secs = $4
          WHERE id = $1",
    )
    .bind(id)
    .bind(key)
    .bind(format)
    .bind(duration_secs)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 1 {
        unqueue_deletion(&mut *tx, key).await?;
    }
    Ok(done.rows_affected() == 1)
}

/// Queues `key` for deletion at `not_before`: done before an upload, so an object whose
/// row never commits does not stay behind.
pub async fn queue_deletion(
    db: impl PgExecutor<'_>,
    key: &str,
    not_before: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audio_deletions (audio_key, not_before) VALUES ($1, $2)
         ON CONFLICT (audio_key) DO UPDATE SET not_before = EXCLUDED.not_before",
    )
    .bind(key)
    .bind(not_before)
    .execute(db)
    .await?;
    Ok(())
}

/// Takes `key` off the deletion queue (in the transaction that records its owner).
pub async fn unqueue_deletion(db: impl PgExecutor<'_>, key: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM audio_deletions WHERE audio_key = $1")
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}

/// Deletes up to `limit` voice messages created before `before` (their audio is
/// queued for deletion by the trigger); answers how many.
pub async fn delete_older_than(
    db: &PgPool,
    before: DateTime<Utc>,
    limit: i64,
    user_id: Option<Uuid>,
) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "DELETE FROM voice_messages WHERE id IN (
             SELECT id FROM voice_messages
              WHERE created_at < $1 AND ($3::uuid IS NULL OR user_id = $3)
              ORDER BY created_at LIMIT $2)",
    )
    .bind(before)
    .bind(limit)
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Up to `limit` audio objects due for deletion (those under `prefix` only, when given).
pub async fn due_deletions(
    db: &PgPool,
    limit: i64,
    prefix: Option<&str>,
) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT audio_key FROM audio_deletions
          WHERE not_before <= now() AND ($2::text IS NULL OR starts_with(audio_key, $2))
          ORDER BY not_before LIMIT $1",
    )
    .bind(limit)
    .bind(prefix)
    .fetch_all(db)
    .await?)
}

/// Forgets deletions that are done. A key queued again meanwhile (`not_before` moved
/// later) stays.
pub async fn deletions_done(db: &PgPool, keys: &[String]) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM audio_deletions WHERE audio_key = ANY($1) AND not_before <= now()")
        .bind(keys)
        .execute(db)
        .await?;
    Ok(())
}

/// Whether the user has any voice message (their audio needs purging when they go).
pub async fn any_for_user(db: impl PgExecutor<'_>, user_id: Uuid) -> Result<bool, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM voice_messages WHERE user_id = $1)")
            .bind(user_id)
            .fetch_one(db)
            .await?,
    )
}
