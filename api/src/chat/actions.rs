//! `/api/chat/actions/{id}`: an action's progress and log; confirm or reject a
//! pending change (a signal to its workflow); undo what it did.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use maigie_store::agent::{self as log, ActionRow, StepRow};
use maigie_workflows::ai_action::AiActionWorkflow;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use temporalio_client::WorkflowSignalOptions;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::agent::steps;
use crate::auth::extractor::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::http::extract::{Json, Path, Query};
use crate::state::AppState;

/// One tool call of an action, with the rows it changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepView {
    pub call_id: Option<String>,
    pub tool: String,
    #[schema(value_type = Object)]
    pub arguments: Value,
    /// pending, completed, failed, skipped or undone.
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
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionView {
    pub id: Uuid,
    pub conversation_id: Option<Uuid>,
    pub message_id: Option<Uuid>,
    /// chat or mcp.
    pub source: String,
    /// running, awaiting_confirmation, completed, failed, rejected, expired or undone.
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

async fn view(state: &AppState, a: ActionRow) -> ApiResult<ActionView> {
    let steps = log::steps(&state.db, a.id).await?;
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
#[derive(Debug, Deserialize, IntoParams)]
pub struct ActionListParams {
    pub conversation_id: Option<Uuid>,
    /// running, awaiting_confirmation, completed, failed, rejected, expired or undone.
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

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionPage {
    pub items: Vec<ActionView>,
    pub next_cursor: Option<String>,
}

/// The action log: what the assistant (and MCP agents) did, newest first.
#[utoipa::path(get, path = "/api/chat/actions", tag = "chat", security(("bearer" = [])), params(ActionListParams),
    responses((status = 200, body = ActionPage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_actions(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<ActionListParams>,
) -> ApiResult<Json<ActionPage>> {
    if let Some(s) = q.status.as_deref()
        && !STATUSES.contains(&s)
    {
        return Err(ApiError::invalid_field(
            "status",
            "unknown_value",
            format!("must be one of {}", STATUSES.join(", ")),
        ));
    }
    let limit = crate::pagination::limit(q.limit)?;
    let before = q
        .cursor
        .as_deref()
        .map(crate::pagination::decode)
        .transpose()?;
    let rows = log::list_actions(
        &state.db,
        user.id,
        q.conversation_id,
        q.status.as_deref(),
        before,
        limit,
    )
    .await?;
    let (rows, next_cursor) = crate::pagination::paginate(rows, limit, |r| (r.created_at, r.id));
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(view(&state, row).await?);
    }
    Ok(Json(ActionPage { items, next_cursor }))
}

/// An action's progress and log.
#[utoipa::path(get, path = "/api/chat/actions/{id}", tag = "chat", security(("bearer" = [])),
    responses((status = 200, body = ActionView), (status = 404, body = ErrorBody)))]
pub async fn get_action(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<ActionView>> {
    let action = log::get_action(&state.db, user.id, id).await?;
    Ok(Json(view(&state, action).await?))
}

/// Sends the user's decision to the waiting workflow.
async fn decide(
    state: &AppState,
    user: &AuthUser,
    id: Uuid,
    confirm: bool,
) -> ApiResult<ActionView> {
    let action = log::get_action(&state.db, user.id, id).await?;
    if action.status == "awaiting_confirmation"
        && action.expires_at.is_some_and(|e| e <= Utc::now())
    {
        return Err(ApiError::conflict(
            "confirmation_expired",
            "The confirmation window has passed.",
        ));
    }
    // Taken before the signal, once: a repeated or late decision is refused here.
    if !log::take_decision(&state.db, user.id, id).await? {
        return Err(ApiError::conflict(
            "not_awaiting_confirmation",
            format!(
                "The action is {}, not waiting for a confirmation.",
                action.status
            ),
        ));
    }
    let workflow_id = action.workflow_id.clone().ok_or(ApiError::NotFound)?;
    let handle = state
        .temporal
        .get_workflow_handle::<AiActionWorkflow>(workflow_id);
    let sent = if confirm {
        handle
            .signal(
                AiActionWorkflow::confirm,
                (),
                WorkflowSignalOptions::default(),
            )
            .await
    } else {
        handle
            .signal(
                AiActionWorkflow::reject,
                (),
                WorkflowSignalOptions::default(),
            )
            .await
    };
    if let Err(e) = sent {
        tracing::warn!(action_id = %id, error = %e, "could not signal the ai_action workflow");
        log::return_decision(&state.db, id).await?;
        return Err(ApiError::Unavailable(
            "The assistant is unavailable right now; try again shortly.".into(),
        ));
    }
    let action = log::get_action(&state.db, user.id, id).await?;
    view(state, action).await
}

/// Confirm the pending change: the action goes on.
#[utoipa::path(post, path = "/api/chat/actions/{id}/confirm", tag = "chat", security(("bearer" = [])),
    responses((status = 202, body = ActionView), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`not_awaiting_confirmation`, `confirmation_expired`")))]
pub async fn confirm_action(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<(StatusCode, Json<ActionView>)> {
    Ok((
        StatusCode::ACCEPTED,
        Json(decide(&state, &user, id, true).await?),
    ))
}

/// Reject the pending change: nothing is changed and the assistant says so.
#[utoipa::path(post, path = "/api/chat/actions/{id}/reject", tag = "chat", security(("bearer" = [])),
    responses((status = 202, body = ActionView), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`not_awaiting_confirmation`, `confirmation_expired`")))]
pub async fn reject_action(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<(StatusCode, Json<ActionView>)> {
    Ok((
        StatusCode::ACCEPTED,
        Json(decide(&state, &user, id, false).await?),
    ))
}

/// Undo everything the action changed (refused, changing nothing, when a row was
/// edited since).
#[utoipa::path(post, path = "/api/chat/actions/{id}/undo", tag = "chat", security(("bearer" = [])),
    responses((status = 200, body = ActionView), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`undo_conflict`, `already_undone`, `action_in_progress`, `nothing_to_undo`")))]
pub async fn undo_action(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<ActionView>> {
    let changes = steps::undo(&state, user.id, id).await?;
    let entities: Vec<Value> = changes
        .iter()
        .map(|c| serde_json::json!({"entity": c.entity, "id": c.id}))
        .collect();
    crate::events::publish(
        &state,
        user.id,
        "ai_action.undone",
        &serde_json::json!({"action_id": id, "restored": entities}),
    )
    .await;
    let action = log::get_action(&state.db, user.id, id).await?;
    Ok(Json(view(&state, action).await?))
}
