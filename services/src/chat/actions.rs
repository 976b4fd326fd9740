//! The action log: an action's progress and steps; confirm or reject a pending
//! change (a signal to its workflow); undo what it did ([`super::undo`]).

use chrono::{DateTime, Utc};
use maigie_domain::EventKind;
use maigie_store::agent::{self as log, ActionRow, StepRow};
use maigie_workflows::ai_action;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::events::ChatDone;
use crate::error::{ServiceError, ServiceResult};
use crate::{Ctx, Services, pagination};

/// One tool call of an action, with the rows it changed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StepView {
    pub call_id: Option<String>,
    pub tool: String,
    #[schema(value_type = Object)]
    pub arguments: Value,
    /// pending, completed, failed, skipped or undone.
    #[schema(value_type = crate::schema_enums::StepStatus)]
    pub status: String,
    #[schema(value_type = Option<Object>)]
    pub result: Option<Value>,
    pub error: Option<String>,
    /// `[{entity, id, before, after}]`: `before` null = created, `after` null = deleted.
    #[schema(value_type = Vec<Object>)]
    pub changes: Value,
    pub updated_at: DateTime<Utc>,
}

impl From<StepRow> for StepView {
    fn from(s: StepRow) -> Self {
        Self {
            call_id: s.call_id,
            tool: s.tool_name,
            arguments: s.arguments,
            status: s.status,
            result: s.result,
            error: s.error,
            changes: s.changes,
            updated_at: s.updated_at,
        }
    }
}

/// An AI action: one message's work.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActionView {
    pub id: Uuid,
    pub conversation_id: Option<Uuid>,
    pub message_id: Option<Uuid>,
    /// chat, voice or mcp.
    #[schema(value_type = crate::schema_enums::ActionSource)]
    pub source: String,
    /// running, awaiting_confirmation, completed, failed, rejected, expired or undone.
    #[schema(value_type = crate::schema_enums::ActionStatus)]
    pub status: String,
    /// The Temporal workflow (search it in the Temporal UI).
    pub workflow_id: Option<String>,
    /// The assistant's last answer.
    pub summary: Option<String>,
    /// Which provider answered (`offline` for the built-in parser).
    pub provider: Option<String>,
    /// Model turns so far.
    pub iterations: i32,
    /// The calls waiting for your confirmation.
    #[schema(value_type = Option<Vec<Object>>)]
    pub pending_calls: Option<Value>,
    pub expires_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub undone_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    pub steps: Vec<StepView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The action with its steps.
pub async fn view(svc: &Services, a: ActionRow) -> ServiceResult<ActionView> {
    let steps = log::steps(&svc.db, a.id).await?;
    Ok(ActionView {
        id: a.id,
        conversation_id: a.conversation_id,
        message_id: a.message_id,
        source: a.source,
        status: a.status,
        workflow_id: a.workflow_id,
        summary: a.summary,
        provider: a.provider,
        iterations: a.iterations,
        pending_calls: a.pending_calls,
        expires_at: a.expires_at,
        completed_at: a.completed_at,
        undone_at: a.undone_at,
        error: a.error,
        steps: steps.into_iter().map(Into::into).collect(),
        created_at: a.created_at,
        updated_at: a.updated_at,
    })
}

/// Filters of the action log.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActionListParams {
    pub conversation_id: Option<Uuid>,
    /// running, awaiting_confirmation, completed, failed, rejected, expired or undone.
    #[param(value_type = Option<crate::schema_enums::ActionStatus>)]
    pub status: Option<String>,
    pub cursor: Option<String>,
    /// 1–200 (default 50).
    pub limit: Option<i64>,
}

const STATUSES: [&str; 7] = [
    "running",
    "awaiting_confirmation",
    "completed",
    "failed",
    "rejected",
    "expired",
    "undone",
];

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActionPage {
    pub items: Vec<ActionView>,
    pub next_cursor: Option<String>,
}

/// The action log: what the assistant (and MCP agents) did, newest first.
pub async fn list(svc: &Services, ctx: &Ctx, q: ActionListParams) -> ServiceResult<ActionPage> {
    if let Some(s) = q.status.as_deref()
        && !STATUSES.contains(&s)
    {
        return Err(ServiceError::invalid_field(
            "status",
            "unknown_value",
            format!("must be one of {}", STATUSES.join(", ")),
        ));
    }
    let limit = pagination::limit(q.limit)?;
    let before = q.cursor.as_deref().map(pagination::decode).transpose()?;
    let rows = log::list_actions(
        &svc.db,
        ctx.user_id,
        q.conversation_id,
        q.status.as_deref(),
        before,
        limit,
    )
    .await?;
    let (rows, next_cursor) = pagination::paginate(rows, limit, |r| (r.created_at, r.id));
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(view(svc, row).await?);
    }
    Ok(ActionPage { items, next_cursor })
}

/// One action with its log.
pub async fn get(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<ActionView> {
    let action = log::get_action(&svc.db, ctx.user_id, id).await?;
    view(svc, action).await
}

/// Sends the user's decision (`confirm` or not) to the waiting workflow. The decision
/// is taken once, before the signal: a repeated or late one is refused; a signal
/// that cannot be sent gives the decision back.
pub async fn decide(
    svc: &Services,
    ctx: &Ctx,
    id: Uuid,
    confirm: bool,
) -> ServiceResult<ActionView> {
    let action = log::get_action(&svc.db, ctx.user_id, id).await?;
    if action.status == "awaiting_confirmation"
        && action.expires_at.is_some_and(|e| e <= Utc::now())
    {
        return Err(ServiceError::conflict(
            "confirmation_expired",
            "The confirmation window has passed.",
        ));
    }
    if !log::take_decision(&svc.db, ctx.user_id, id).await? {
        return Err(ServiceError::conflict(
            "not_awaiting_confirmation",
            format!(
                "The action is {}, not waiting for a confirmation.",
                action.status
            ),
        ));
    }
    let workflow_id = action.workflow_id.clone().ok_or(ServiceError::NotFound)?;
    let signal = if confirm {
        ai_action::CONFIRM_SIGNAL
    } else {
        ai_action::REJECT_SIGNAL
    };
    if let Err(e) = svc
        .signal(ai_action::WORKFLOW_NAME, &workflow_id, signal)
        .await
    {
        tracing::warn!(action_id = %id, error = %e, "could not signal the ai_action workflow");
        log::return_decision(&svc.db, id).await?;
        return Err(ServiceError::Unavailable(
            "The assistant is unavailable right now; try again shortly.".into(),
        ));
    }
    get(svc, ctx, id).await
}

/// Ends an action: records its final `status` (and why, when it failed) and sends
/// `chat.done` with its answer and sources. Every way an action ends (its workflow,
/// a voice message that was never heard) goes through here.
pub async fn end(
    svc: &Services,
    user_id: Uuid,
    action_id: Uuid,
    status: &str,
    error: Option<&str>,
) -> ServiceResult<()> {
    log::set_status(&svc.db, action_id, status, None, None, error).await?;
    let action = log::get_action(&svc.db, user_id, action_id).await?;
    let sources = log::sources(&svc.db, action.id)
        .await?
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    let done = ChatDone {
        action_id: action.id,
        conversation_id: action.conversation_id,
        status: status.to_owned(),
        content: action.summary,
        sources,
    };
    svc.publish(user_id, EventKind::ChatDone, &done).await;
    Ok(())
}
