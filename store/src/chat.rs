//! Conversations and their messages. A message written by a workflow activity carries a
//! dedupe key, so a retried activity stores it once.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgExecutor, PgPool};
use uuid::Uuid;

use crate::StoreError;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConversationRow {
    pub id: Uuid,
    pub title: Option<String>,
    pub context_type: Option<String>,
    pub context_id: Option<Uuid>,
    pub last_message_at: DateTime<Utc>,
    pub cleared_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const CONVERSATION: &str =
    "id, title, context_type, context_id, last_message_at, cleared_at, created_at, updated_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageRow {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub role: String,
    pub content: String,
    pub tool_calls: Option<Value>,
    pub tool_call_id: Option<String>,
    /// What an assistant's answer drew on (`[{source_type, source_id, title}]`).
    pub sources: Option<Value>,
    /// `chat` (typed), `voice` (heard from a voice message) or `mcp`.
    pub source: String,
    pub created_at: DateTime<Utc>,
}

const MESSAGE: &str =
    "id, conversation_id, role, content, tool_calls, tool_call_id, sources, source, created_at";

/// A message to store.
#[derive(Debug, Clone, Default)]
pub struct NewMessage<'a> {
    pub conversation_id: Uuid,
    pub role: &'a str,
    pub content: &'a str,
    pub tool_calls: Option<Value>,
    pub tool_call_id: Option<&'a str>,
    pub prompt_tokens: Option<i32>,
    pub completion_tokens: Option<i32>,
    pub dedupe_key: Option<&'a str>,
    pub sources: Option<Value>,
    /// Where the message came from (`chat` when `None`).
    pub source: Option<&'a str>,
}

pub async fn create_conversation(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    title: Option<&str>,
    context: Option<(&str, Option<Uuid>)>,
) -> Result<ConversationRow, StoreError> {
    let sql = format!(
        "INSERT INTO conversations (user_id, title, context_type, context_id)
         VALUES ($1, $2, $3, $4) RETURNING {CONVERSATION}"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .bind(title)
        .bind(context.map(|c| c.0))
        .bind(context.and_then(|c| c.1))
        .fetch_one(db)
        .await?)
}

pub async fn get_conversation(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
) -> Result<ConversationRow, StoreError> {
    let sql = format!(
        "SELECT {CONVERSATION} FROM conversations
         WHERE id = $1 AND user_id = $2 AND archived_at IS NULL"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The user's conversations, most recently active first, after the `(last_message_at,
/// id)` position `after`; `limit + 1` rows so the caller knows whether more follow.
pub async fn list_conversations(
    db: &PgPool,
    user_id: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<ConversationRow>, StoreError> {
    let sql = format!(
        "SELECT {CONVERSATION} FROM conversations
         WHERE user_id = $1 AND archived_at IS NULL
           AND ($2::timestamptz IS NULL OR (last_message_at, id) < ($2, $3))
         ORDER BY last_message_at DESC, id DESC LIMIT $4"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .bind(after.map(|a| a.0))
        .bind(after.map(|a| a.1))
        .bind(limit + 1)
        .fetch_all(db)
        .await?)
}

/// A change to a conversation: a new title, and/or hiding the history so far from the
/// user and from the model's context (`clear`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ConversationChange<'a> {
    pub title: Option<&'a str>,
    pub clear: bool,
}

pub async fn update_conversation(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
    change: ConversationChange<'_>,
) -> Result<ConversationRow, StoreError> {
    let sql = format!(
        "UPDATE conversations SET title = COALESCE($3, title),
                cleared_at = CASE WHEN $4 THEN clock_timestamp() ELSE cleared_at END
         WHERE id = $1 AND user_id = $2 AND archived_at IS NULL RETURNING {CONVERSATION}"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(user_id)
        .bind(change.title)
        .bind(change.clear)
        .fetch_optional(db)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Gives an untitled conversation `title` (a later message leaves it as it is).
pub async fn title_if_untitled(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
    title: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE conversations SET title = $3
         WHERE id = $1 AND user_id = $2 AND title IS NULL AND archived_at IS NULL",
    )
    .bind(id)
    .bind(user_id)
    .bind(title)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn delete_conversation(db: &PgPool, user_id: Uuid, id: Uuid) -> Result<(), StoreError> {
    let done = sqlx::query("DELETE FROM conversations WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(db)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// [`add_message_on`] on a connection of the pool.
pub async fn add_message(
    db: &sqlx::PgPool,
    user_id: Uuid,
    m: &NewMessage<'_>,
) -> Result<MessageRow, StoreError> {
    let mut conn = db.acquire().await?;
    add_message_on(&mut conn, user_id, m).await
}

/// Stores a message (once per dedupe key) and bumps the conversation; answers the
/// stored message (the earlier one on a repeat). One statement: the insert and the
/// bump commit together, in one round trip.
pub async fn add_message_on(
    conn: &mut sqlx::PgConnection,
    user_id: Uuid,
    m: &NewMessage<'_>,
) -> Result<MessageRow, StoreError> {
    let sql = format!(
        "WITH inserted AS (
             INSERT INTO chat_messages (conversation_id, user_id, role, content, tool_calls,
                                        tool_call_id, prompt_tokens, completion_tokens,
                                        dedupe_key, sources, source)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, COALESCE($11, 'chat'))
             ON CONFLICT ON CONSTRAINT chat_messages_dedupe_key_key DO NOTHING
             RETURNING {MESSAGE}),
         bumped AS (
             UPDATE conversations SET last_message_at = clock_timestamp()
             WHERE id = $1 AND EXISTS (SELECT 1 FROM inserted))
         SELECT {MESSAGE} FROM inserted
         UNION ALL
         SELECT {MESSAGE} FROM chat_messages
         WHERE dedupe_key = $9 AND NOT EXISTS (SELECT 1 FROM inserted)"
    );
    let stored: Option<MessageRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(m.conversation_id)
        .bind(user_id)
        .bind(m.role)
        .bind(m.content)
        .bind(&m.tool_calls)
        .bind(m.tool_call_id)
        .bind(m.prompt_tokens)
        .bind(m.completion_tokens)
        .bind(m.dedupe_key)
        .bind(&m.sources)
        .bind(m.source)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(row) = stored {
        return Ok(row);
    }
    // The same key was being stored concurrently: that message committed after this
    // statement's snapshot was taken, so a new statement reads it.
    let sql = format!("SELECT {MESSAGE} FROM chat_messages WHERE dedupe_key = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(m.dedupe_key)
        .fetch_one(&mut *conn)
        .await?)
}

/// A page of the visible history, newest first, before the `(created_at, id)` position
/// `before`; `limit + 1` rows.
pub async fn history(
    db: &PgPool,
    user_id: Uuid,
    conversation_id: Uuid,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<MessageRow>, StoreError> {
    let sql = format!(
        "SELECT {MESSAGE} FROM chat_messages m
         WHERE conversation_id = $1 AND user_id = $2
           AND created_at >= COALESCE((SELECT cleared_at FROM conversations WHERE id = $1), '-infinity')
           AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4))
         ORDER BY created_at DESC, id DESC LIMIT $5"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(conversation_id)
        .bind(user_id)
        .bind(before.map(|b| b.0))
        .bind(before.map(|b| b.1))
        .bind(limit + 1)
        .fetch_all(db)
        .await?)
}

/// The newest `limit` visible messages, oldest first: the model's context.
pub async fn recent(
    db: &PgPool,
    user_id: Uuid,
    conversation_id: Uuid,
    limit: i64,
) -> Result<Vec<MessageRow>, StoreError> {
    let mut rows = history(db, user_id, conversation_id, None, limit - 1).await?;
    rows.reverse();
    Ok(rows)
}

/// The message stored under `key`, if any.
pub async fn by_dedupe_key(db: &PgPool, key: &str) -> Result<Option<MessageRow>, StoreError> {
    let sql = format!("SELECT {MESSAGE} FROM chat_messages WHERE dedupe_key = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(key)
        .fetch_optional(db)
        .await?)
}
