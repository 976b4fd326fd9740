//! `/api/tasks` (and `/api/goals/{id}/tasks`): tasks with filters, search, sorting,
//! cursor pagination and RFC 5545 recurrence. The rules live in
//! [`maigie_services::tasks`]; these handlers extract, call and answer.

use axum::extract::State;
use axum::http::StatusCode;
use maigie_services::tasks;
pub use maigie_services::tasks::{
    CompletedTask, CreateTask, TaskListParams, TaskPage, TaskView, UpdateTask,
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
        .routes(routes!(list_tasks, create_task))
        .routes(routes!(get_task, update_task, delete_task))
        .routes(routes!(complete_task))
        .routes(routes!(reopen_task))
        .routes(routes!(list_goal_tasks, create_goal_task))
}

/// Create a task.
#[utoipa::path(post, path = "/api/tasks", tag = "tasks", security(("bearer" = [])), request_body = CreateTask,
    responses((status = 201, body = TaskView), (status = 422, description = "Invalid fields, e.g. `invalid_rrule` with the parser's reason.", body = ErrorBody)))]
pub async fn create_task(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<CreateTask>,
) -> ApiResult<(StatusCode, Json<TaskView>)> {
    let view = tasks::create(&state.services, &user.ctx(), body, None).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Create a task under a goal.
#[utoipa::path(post, path = "/api/goals/{id}/tasks", tag = "goals", security(("bearer" = [])), request_body = CreateTask,
    responses((status = 201, body = TaskView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_goal_task(
    State(state): State<AppState>,
    user: AuthUser,
    Path(goal_id): Path<Uuid>,
    Json(body): Json<CreateTask>,
) -> ApiResult<(StatusCode, Json<TaskView>)> {
    let view = tasks::create(&state.services, &user.ctx(), body, Some(goal_id)).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// One task.
#[utoipa::path(get, path = "/api/tasks/{id}", tag = "tasks", security(("bearer" = [])),
    responses((status = 200, body = TaskView), (status = 404, body = ErrorBody)))]
pub async fn get_task(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<TaskView>> {
    Ok(Json(tasks::get(&state.services, &user.ctx(), id).await?))
}

/// Update a task; `completed: true` completes it like `POST …/complete`.
#[utoipa::path(patch, path = "/api/tasks/{id}", tag = "tasks", security(("bearer" = [])), request_body = UpdateTask,
    responses((status = 200, body = TaskView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_task(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    Json(body): Json<UpdateTask>,
) -> ApiResult<Json<TaskView>> {
    Ok(Json(
        tasks::update(&state.services, &user.ctx(), id, body).await?,
    ))
}

/// Complete a task (idempotent). A recurring task gets exactly one next occurrence,
/// however many times this is retried or clicked.
#[utoipa::path(post, path = "/api/tasks/{id}/complete", tag = "tasks", security(("bearer" = [])),
    responses((status = 200, body = CompletedTask), (status = 404, body = ErrorBody)))]
pub async fn complete_task(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<CompletedTask>> {
    Ok(Json(
        tasks::complete(&state.services, &user.ctx(), id).await?,
    ))
}

/// Mark a completed task as not done. An occurrence it already spawned is kept.
#[utoipa::path(post, path = "/api/tasks/{id}/reopen", tag = "tasks", security(("bearer" = [])),
    responses((status = 200, body = CompletedTask), (status = 404, body = ErrorBody)))]
pub async fn reopen_task(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<CompletedTask>> {
    Ok(Json(tasks::reopen(&state.services, &user.ctx(), id).await?))
}

/// Delete a task.
#[utoipa::path(delete, path = "/api/tasks/{id}", tag = "tasks", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_task(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    tasks::delete(&state.services, &user.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List tasks with filters, search, sort and cursor pagination.
#[utoipa::path(get, path = "/api/tasks", tag = "tasks", security(("bearer" = [])), params(TaskListParams),
    responses((status = 200, body = TaskPage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_tasks(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<TaskListParams>,
) -> ApiResult<Json<TaskPage>> {
    Ok(Json(
        tasks::list(&state.services, &user.ctx(), p, None).await?,
    ))
}

/// A goal's tasks (same options as `/api/tasks`).
#[utoipa::path(get, path = "/api/goals/{id}/tasks", tag = "goals", security(("bearer" = [])), params(TaskListParams),
    responses((status = 200, body = TaskPage), (status = 404, body = ErrorBody)))]
pub async fn list_goal_tasks(
    State(state): State<AppState>,
    user: AuthUser,
    Path(goal_id): Path<Uuid>,
    Query(p): Query<TaskListParams>,
) -> ApiResult<Json<TaskPage>> {
    Ok(Json(
        tasks::list(&state.services, &user.ctx(), p, Some(goal_id)).await?,
    ))
}
