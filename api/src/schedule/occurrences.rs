//! Per-occurrence edits and the conflicts listing (rules in
//! [`maigie_services::schedule`]).

use axum::extract::State;
pub use maigie_services::schedule::UpdateOccurrence;
use maigie_services::schedule::{self, ConflictList, OccurrenceView, OverlapParams, WindowParams};
use uuid::Uuid;

use crate::auth::extractor::AuthUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::extract::{Json, Path, Query};
use crate::state::AppState;

/// Edit or cancel one occurrence of a recurring block; the series is untouched.
#[utoipa::path(patch, path = "/api/schedule/{id}/occurrences/{occurrence_start}", tag = "schedule",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("occurrence_start" = String, Path, description = "The start the rule generated (RFC 3339)."), OverlapParams),
    request_body = UpdateOccurrence,
    responses((status = 200, body = OccurrenceView), (status = 401, body = ErrorBody),
        (status = 404, description = "No such block, or the rule has no occurrence at that start.", body = ErrorBody),
        (status = 409, description = "`schedule_conflict`", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_occurrence(
    State(state): State<AppState>,
    user: AuthUser,
    Path((id, occurrence_start)): Path<(Uuid, String)>,
    Query(q): Query<OverlapParams>,
    Json(body): Json<UpdateOccurrence>,
) -> ApiResult<Json<OccurrenceView>> {
    let at = (id, occurrence_start.as_str());
    Ok(Json(
        schedule::update_occurrence(&state.services, &user.ctx(), at, body, &q).await?,
    ))
}

/// Mark one occurrence done (a one-off block: the block itself).
#[utoipa::path(post, path = "/api/schedule/{id}/occurrences/{occurrence_start}/complete", tag = "schedule",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("occurrence_start" = String, Path, description = "The start the rule generated (RFC 3339).")),
    responses((status = 200, body = OccurrenceView), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "The occurrence is cancelled.", body = ErrorBody)))]
pub async fn complete_occurrence(
    State(state): State<AppState>,
    user: AuthUser,
    Path((id, occurrence_start)): Path<(Uuid, String)>,
) -> ApiResult<Json<OccurrenceView>> {
    let at = (id, occurrence_start.as_str());
    Ok(Json(
        schedule::complete_occurrence(&state.services, &user.ctx(), at).await?,
    ))
}

/// Pairs of the user's occurrences (of different blocks) that overlap in a window.
#[utoipa::path(get, path = "/api/schedule/conflicts", tag = "schedule", security(("bearer" = [])),
    params(WindowParams),
    responses((status = 200, body = ConflictList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_conflicts(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<WindowParams>,
) -> ApiResult<Json<ConflictList>> {
    Ok(Json(
        schedule::conflicts(&state.services, &user.ctx(), &q).await?,
    ))
}
