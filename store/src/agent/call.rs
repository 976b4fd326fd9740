//! What an action's turns and tool calls need from its action and its user, read
//! with the step in one query: the conversation they answer in and whom they run for.

#[allow(clippy::wildcard_imports)]
use super::*;

/// The user an action runs for, as stored: tier and time zone names.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CallerRow {
    pub tier: String,
    pub timezone: String,
}

/// An action's conversation (where its answers go) and the user it runs for.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActionCaller {
    pub conversation_id: Option<Uuid>,
    #[sqlx(flatten)]
    pub caller: CallerRow,
}

/// Step `call_id` of an action, with the action's conversation and its user.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CallRow {
    #[sqlx(flatten)]
    pub step: StepRow,
    pub conversation_id: Option<Uuid>,
    #[sqlx(flatten)]
    pub caller: CallerRow,
}

/// The conversation and user of `user_id`'s action `action_id` (a turn's start;
/// [`StoreError::NotFound`] if the action is not theirs).
pub async fn action_caller(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    action_id: Uuid,
) -> Result<ActionCaller, StoreError> {
    sqlx::query_as(
        "SELECT a.conversation_id, u.tier, u.timezone
         FROM ai_actions a JOIN users u ON u.id = a.user_id
         WHERE a.id = $1 AND a.user_id = $2",
    )
    .bind(action_id)
    .bind(user_id)
    .fetch_optional(db)
    .await?
    .ok_or(StoreError::NotFound)
}

/// The call `call_id` of `user_id`'s action `action_id` ([`StoreError::NotFound`] if
/// the action is not theirs or has no such call).
pub async fn call(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    action_id: Uuid,
    call_id: &str,
) -> Result<CallRow, StoreError> {
    sqlx::query_as(
        "SELECT s.id, s.action_id, s.step_index, s.call_id, s.tool_name, s.arguments, s.result,
                s.status, s.error, s.changes, s.created_at, s.updated_at,
                a.conversation_id, u.tier, u.timezone
         FROM ai_action_steps s
         JOIN ai_actions a ON a.id = s.action_id
         JOIN users u ON u.id = a.user_id
         WHERE s.action_id = $1 AND s.call_id = $2 AND a.user_id = $3",
    )
    .bind(action_id)
    .bind(call_id)
    .bind(user_id)
    .fetch_optional(db)
    .await?
    .ok_or(StoreError::NotFound)
}
