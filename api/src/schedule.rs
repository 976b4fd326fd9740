//! `/api/schedule`: schedule blocks (one-off or recurring series), their
//! occurrences in a window, per-occurrence edits, and conflicts. The rules live in
//! [`maigie_services::schedule`]; these handlers extract, call and answer.

pub mod generate;
mod occurrences;

use axum::extract::State;
use axum::http::StatusCode;
use maigie_services::schedule;
pub use maigie_services::schedule::{
    BlockListParams, BlockPage, BlockView, CreateBlock, OccurrenceList, OverlapParams, UpdateBlock,
    WindowParams,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::extractor::AuthUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::extract::{Json, Path, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_occurrences, create_block))
        .routes(routes!(list_blocks))
        .routes(routes!(get_block, update_block, delete_block))
        .routes(routes!(occurrences::list_conflicts))
        .routes(routes!(occurrences::update_occurrence))
        .routes(routes!(occurrences::complete_occurrence))
        .routes(routes!(generate::generate))
        .routes(routes!(generate::get_draft))
        .routes(routes!(generate::accept_draft))
        .routes(routes!(generate::discard_draft))
}

/// Occurrences of the user's blocks in a window (recurring ones expanded in their
/// zone; cancelled occurrences left out, moved ones at their new time).
#[utoipa::path(get, path = "/api/schedule", tag = "schedule", security(("bearer" = [])),
    params(WindowParams),
    responses((status = 200, body = OccurrenceList), (status = 401, body = ErrorBody),
        (status = 422, description = "Missing or malformed `from`/`to`, or a window over 366 days.", body = ErrorBody)))]
pub async fn list_occurrences(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<WindowParams>,
) -> ApiResult<Json<OccurrenceList>> {
    Ok(Json(
        schedule::occurrences(&state.services, &user.ctx(), &q).await?,
    ))
}

/// Create a block. Overlapping another of the user's blocks (any occurrence within
/// 90 days for a series) answers 409 `schedule_conflict` unless `allow_overlap=true`.
#[utoipa::path(post, path = "/api/schedule", tag = "schedule", security(("bearer" = [])),
    params(OverlapParams), request_body = CreateBlock,
    responses((status = 201, body = BlockView), (status = 401, body = ErrorBody),
        (status = 409, description = "`schedule_conflict`; `details.conflicts` lists the occurrences in the way.", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_block(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<OverlapParams>,
    Json(body): Json<CreateBlock>,
) -> ApiResult<(StatusCode, Json<BlockView>)> {
    let view = schedule::create(&state.services, &user.ctx(), body, &q).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// The user's blocks themselves (series, not occurrences), by first start.
#[utoipa::path(get, path = "/api/schedule/blocks", tag = "schedule", security(("bearer" = [])),
    params(BlockListParams),
    responses((status = 200, body = BlockPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list_blocks(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<BlockListParams>,
) -> ApiResult<Json<BlockPage>> {
    Ok(Json(schedule::list(&state.services, &user.ctx(), q).await?))
}

#[utoipa::path(get, path = "/api/schedule/{id}", tag = "schedule", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = BlockView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_block(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<BlockView>> {
    Ok(Json(schedule::get(&state.services, &user.ctx(), id).await?))
}

/// Change a block. Moving it (start, end, zone or rule) checks conflicts like
/// creation does and drops its per-occurrence exceptions.
#[utoipa::path(patch, path = "/api/schedule/{id}", tag = "schedule", security(("bearer" = [])),
    params(("id" = Uuid, Path), OverlapParams), request_body = UpdateBlock,
    responses((status = 200, body = BlockView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "`schedule_conflict`", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_block(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    Query(q): Query<OverlapParams>,
    Json(body): Json<UpdateBlock>,
) -> ApiResult<Json<BlockView>> {
    Ok(Json(
        schedule::update(&state.services, &user.ctx(), id, body, &q).await?,
    ))
}

/// Delete a block with all its occurrences.
#[utoipa::path(delete, path = "/api/schedule/{id}", tag = "schedule", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_block(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    schedule::delete(&state.services, &user.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
