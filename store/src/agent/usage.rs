//! Token usage of model calls and the monthly AI message allowance.

#[allow(clippy::wildcard_imports)]
use super::*;

/// Token usage of one model call, recorded once per `request_id`.
#[derive(Debug, Clone)]
pub struct UsageRecord<'a> {
    pub user_id: Uuid,
    pub conversation_id: Option<Uuid>,
    pub provider: &'a str,
    pub model: &'a str,
    /// What the call was for: `chat` (a model turn) or `schedule_generation`.
    pub kind: &'a str,
    pub prompt_tokens: i32,
    pub completion_tokens: i32,
    pub request_id: &'a str,
}

pub async fn record_usage(db: &PgPool, u: &UsageRecord<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO token_usage (user_id, conversation_id, provider, model, kind, prompt_tokens,
                                  completion_tokens, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT ON CONSTRAINT token_usage_request_id_key DO NOTHING",
    )
    .bind(u.user_id)
    .bind(u.conversation_id)
    .bind(u.provider)
    .bind(u.model)
    .bind(u.kind)
    .bind(u.prompt_tokens)
    .bind(u.completion_tokens)
    .bind(u.request_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Tokens by provider since `since`: (provider, prompt, completion, calls).
pub async fn usage_by_provider(
    db: &PgPool,
    user_id: Uuid,
    since: DateTime<Utc>,
) -> Result<Vec<(String, i64, i64, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT provider, COALESCE(sum(prompt_tokens), 0)::bigint, COALESCE(sum(completion_tokens), 0)::bigint,
                count(*)
         FROM token_usage WHERE user_id = $1 AND created_at >= $2
         GROUP BY provider ORDER BY provider",
    )
    .bind(user_id)
    .bind(since)
    .fetch_all(db)
    .await?)
}

/// Tokens by kind since `since`: (kind, prompt, completion, calls).
pub async fn usage_by_kind(
    db: &PgPool,
    user_id: Uuid,
    since: DateTime<Utc>,
) -> Result<Vec<(String, i64, i64, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT kind, COALESCE(sum(prompt_tokens), 0)::bigint, COALESCE(sum(completion_tokens), 0)::bigint,
                count(*)
         FROM token_usage WHERE user_id = $1 AND created_at >= $2
         GROUP BY kind ORDER BY kind",
    )
    .bind(user_id)
    .bind(since)
    .fetch_all(db)
    .await?)
}

/// Counts one message against the month's allowance unless `limit` is reached;
/// answers the new count, or `None` when the allowance is used up. `limit = None`:
/// unlimited (still counted).
pub async fn count_message(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    month: NaiveDate,
    limit: Option<i32>,
) -> Result<Option<i32>, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO ai_message_counts AS c (user_id, month, messages) VALUES ($1, $2, 1)
         ON CONFLICT (user_id, month) DO UPDATE SET messages = c.messages + 1
         WHERE $3::int IS NULL OR c.messages < $3
         RETURNING messages",
    )
    .bind(user_id)
    .bind(month)
    .bind(limit)
    .fetch_optional(db)
    .await?)
}

/// Gives back a counted message whose action could not start.
pub async fn uncount_message(
    db: &PgPool,
    user_id: Uuid,
    month: NaiveDate,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE ai_message_counts SET messages = GREATEST(messages - 1, 0) WHERE user_id = $1 AND month = $2",
    )
    .bind(user_id)
    .bind(month)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn messages_counted(
    db: &PgPool,
    user_id: Uuid,
    month: NaiveDate,
) -> Result<i32, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT messages FROM ai_message_counts WHERE user_id = $1 AND month = $2",
    )
    .bind(user_id)
    .bind(month)
    .fetch_optional(db)
    .await?
    .unwrap_or(0))
}

/// Tokens by conversation since `since`, the 20 largest: (conversation, prompt, completion).
pub async fn usage_by_conversation(
    db: &PgPool,
    user_id: Uuid,
    since: DateTime<Utc>,
) -> Result<Vec<(Uuid, i64, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT conversation_id, COALESCE(sum(prompt_tokens), 0)::bigint, COALESCE(sum(completion_tokens), 0)::bigint
         FROM token_usage WHERE user_id = $1 AND created_at >= $2 AND conversation_id IS NOT NULL
         GROUP BY conversation_id ORDER BY sum(prompt_tokens + completion_tokens) DESC, conversation_id LIMIT 20",
    )
    .bind(user_id)
    .bind(since)
    .fetch_all(db)
    .await?)
}

/// Seconds of audio heard or spoken for a user, recorded once per `request_id`.
#[derive(Debug, Clone)]
pub struct AudioUsage<'a> {
    pub user_id: Uuid,
    pub conversation_id: Option<Uuid>,
    pub provider: &'a str,
    pub model: &'a str,
    /// `stt` (speech to text) or `tts` (text to speech).
    pub kind: &'a str,
    pub audio_seconds: f32,
    pub request_id: &'a str,
}

pub async fn record_audio_usage(db: &PgPool, u: &AudioUsage<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO token_usage (user_id, conversation_id, provider, model, kind, audio_seconds, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT ON CONSTRAINT token_usage_request_id_key DO NOTHING",
    )
    .bind(u.user_id)
    .bind(u.conversation_id)
    .bind(u.provider)
    .bind(u.model)
    .bind(u.kind)
    .bind(u.audio_seconds)
    .bind(u.request_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Seconds of audio (speech to text and text to speech) since `since`.
pub async fn audio_seconds_since(
    db: &PgPool,
    user_id: Uuid,
    since: DateTime<Utc>,
) -> Result<f64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT COALESCE(sum(audio_seconds), 0)::float8 FROM token_usage
         WHERE user_id = $1 AND created_at >= $2 AND kind IN ('stt', 'tts')",
    )
    .bind(user_id)
    .bind(since)
    .fetch_one(db)
    .await?)
}
