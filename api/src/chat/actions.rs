//! `/api/chat/actions/{id}`: an action's progress and log; confirm or reject a
//! pending change; undo what it did (rules in [`maigie_services::chat`]).

use axum::extract::State;
use axum::http::StatusCode;
pub use maigie_services::chat::actions::{ActionListParams, ActionPage, ActionView, StepView};
use maigie_services::chat::{actions, undo};
use uuid::Uuid;

use crate::auth::extractor::AuthUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::extract::{Json, Path, Query};
use crate::state::AppState;

/// The action log: what the assistant (and MCP agents) did, newest first.
#[utoipa::path(get, path = "/api/chat/actions", tag = "chat", security(("bearer" = [])), params(ActionListParams),
    responses((status = 200, body = ActionPage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_actions(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<ActionListParams>,
) -> ApiResult<Json<ActionPage>> {
    Ok(Json(actions::list(&state.services, &user.ctx(), q).await?))
}

/// An action's progress and log.
#[utoipa::path(get, path = "/api/chat/actions/{id}", tag = "chat", security(("bearer" = [])),
    responses((status = 200, body = ActionView), (status = 404, body = ErrorBody)))]
pub async fn get_action(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<ActionView>> {
    Ok(Json(actions::get(&state.services, &user.ctx(), id).await?))
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
    let view = actions::decide(&state.services, &user.ctx(), id, true).await?;
    Ok((StatusCode::ACCEPTED, Json(view)))
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
    let view = actions::decide(&state.services, &user.ctx(), id, false).await?;
    Ok((StatusCode::ACCEPTED, Json(view)))
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
    Ok(Json(undo::undo(&state.services, &user.ctx(), id).await?))
}
