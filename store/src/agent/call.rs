//! A tool call as the action's steps run it: the step, with what running and answering
//! it needs from its action and its user, in one read.

#[allow(clippy::wildcard_imports)]
use super::*;

/// Step `call_id` of an action, with the action's conversation (where the call's
/// answer goes) and the user's tier and time zone (whom the call runs for).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CallRow {
    #[sqlx(flatten)]
    pub step: StepRow,
    pub conversation_id: Option<Uuid>,
    pub tier: String,
    pub timezone: String,
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
