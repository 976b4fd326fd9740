//! `/api/analytics`: the user's computed days and a live summary
//! ([`maigie_services::analytics`]).

use axum::extract::State;
use maigie_services::analytics::{self, DailyPage, DailyParams, Summary};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::extractor::AuthUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::extract::{Json, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(daily))
        .routes(routes!(summary))
}

/// The user's computed days between `from` and `to` (at most 366 days).
#[utoipa::path(get, path = "/api/analytics/daily", tag = "analytics", security(("bearer" = [])),
    params(DailyParams),
    responses((status = 200, body = DailyPage), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn daily(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<DailyParams>,
) -> ApiResult<Json<DailyPage>> {
    Ok(Json(
        analytics::daily(&state.services, &user.ctx(), q).await?,
    ))
}

/// Today's figures (live) and totals over the last 7 and 30 days.
#[utoipa::path(get, path = "/api/analytics/summary", tag = "analytics", security(("bearer" = [])),
    responses((status = 200, body = Summary), (status = 401, body = ErrorBody)))]
pub async fn summary(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<Summary>> {
    Ok(Json(
        analytics::summary(&state.services, &user.ctx()).await?,
    ))
}
