//! `/api/goals`: goals, and their tasks at `/api/goals/{id}/tasks`. The rules (the
//! tier's active-goal limit, status and progress) live in
//! [`maigie_services::goals`]; these handlers extract, call and answer.

use axum::extract::State;
use axum::http::StatusCode;
use maigie_services::goals;
pub use maigie_services::goals::{CreateGoal, GoalListParams, GoalPage, GoalView, UpdateGoal};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::extractor::AuthUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::extract::{Json, Path, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_goals, create_goal))
        .routes(routes!(get_goal, update_goal, delete_goal))
}

/// List goals, newest first.
#[utoipa::path(get, path = "/api/goals", tag = "goals", security(("bearer" = [])), params(GoalListParams),
    responses((status = 200, body = GoalPage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_goals(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<GoalListParams>,
) -> ApiResult<Json<GoalPage>> {
    Ok(Json(goals::list(&state.services, &user.ctx(), p).await?))
}

/// Create a goal.
#[utoipa::path(post, path = "/api/goals", tag = "goals", security(("bearer" = [])), request_body = CreateGoal,
    responses((status = 201, body = GoalView),
        (status = 402, description = "`tier_limit_reached`: the plan's active-goal limit", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_goal(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<CreateGoal>,
) -> ApiResult<(StatusCode, Json<GoalView>)> {
    let view = goals::create(&state.services, &user.ctx(), body).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// One goal.
#[utoipa::path(get, path = "/api/goals/{id}", tag = "goals", security(("bearer" = [])),
    responses((status = 200, body = GoalView), (status = 404, body = ErrorBody)))]
pub async fn get_goal(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<GoalView>> {
    Ok(Json(goals::get(&state.services, &user.ctx(), id).await?))
}

/// Update a goal.
#[utoipa::path(patch, path = "/api/goals/{id}", tag = "goals", security(("bearer" = [])), request_body = UpdateGoal,
    responses((status = 200, body = GoalView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_goal(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    Json(body): Json<UpdateGoal>,
) -> ApiResult<Json<GoalView>> {
    Ok(Json(
        goals::update(&state.services, &user.ctx(), id, body).await?,
    ))
}

/// Delete a goal; its tasks stay, unlinked.
#[utoipa::path(delete, path = "/api/goals/{id}", tag = "goals", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_goal(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    goals::delete(&state.services, &user.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
