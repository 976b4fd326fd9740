//! Schedule generation: `POST /api/schedule/generate` starts a `schedule_generation`
//! workflow that plans study blocks into free time (a draft); the user reads the draft
//! (`GET /api/schedule/drafts/{id}`), then accepts it — creating the blocks, with their
//! reminders, through the same use-case as `POST /api/schedule` — or discards it.
//! The rules live in [`maigie_services::schedule`].

use axum::extract::State;
use axum::http::StatusCode;
use maigie_services::schedule::drafts;
pub use maigie_services::schedule::drafts::{DraftView, GenerateSchedule};
use uuid::Uuid;

use crate::auth::extractor::AuthUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::extract::{Json, Path};
use crate::state::AppState;

/// Draft a study schedule for a window (202: follow it on the WebSocket or poll it).
#[utoipa::path(post, path = "/api/schedule/generate", tag = "schedule", security(("bearer" = [])),
    request_body = GenerateSchedule,
    responses((status = 202, body = DraftView), (status = 422, body = ErrorBody),
        (status = 429, description = "`ai_quota_exceeded`: a draft counts as one AI message", body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn generate(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<GenerateSchedule>,
) -> ApiResult<(StatusCode, Json<DraftView>)> {
    let draft = drafts::generate(&state.services, &user.ctx(), body).await?;
    Ok((StatusCode::ACCEPTED, Json(draft)))
}

/// A draft and the blocks it would add.
#[utoipa::path(get, path = "/api/schedule/drafts/{id}", tag = "schedule", security(("bearer" = [])),
    responses((status = 200, body = DraftView), (status = 404, body = ErrorBody)))]
pub async fn get_draft(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<DraftView>> {
    Ok(Json(
        drafts::get_draft(&state.services, &user.ctx(), id).await?,
    ))
}

/// Accept a ready draft: its blocks are created (all or none; 409 `draft_conflicts`
/// when the schedule changed so that one would now overlap — generate again).
#[utoipa::path(post, path = "/api/schedule/drafts/{id}/accept", tag = "schedule", security(("bearer" = [])),
    responses((status = 200, body = DraftView), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`draft_not_ready`, `draft_conflicts`")))]
pub async fn accept_draft(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<DraftView>> {
    Ok(Json(
        drafts::accept_draft(&state.services, &user.ctx(), id).await?,
    ))
}

/// Discard a draft.
#[utoipa::path(post, path = "/api/schedule/drafts/{id}/discard", tag = "schedule", security(("bearer" = [])),
    responses((status = 200, body = DraftView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn discard_draft(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<DraftView>> {
    Ok(Json(
        drafts::discard_draft(&state.services, &user.ctx(), id).await?,
    ))
}
