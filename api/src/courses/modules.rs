//! Module handlers, nested under their course.

use axum::extract::State;
use axum::http::StatusCode;
use maigie_services::courses;
use uuid::Uuid;

use super::{CourseDetail, CreateModule, ModuleView, MoveTo, UpdateModule};
use crate::auth::extractor::AuthUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::extract::{Json, Path};
use crate::state::AppState;

/// Add a module at the end of the course.
#[utoipa::path(post, path = "/api/courses/{course_id}/modules", tag = "courses", security(("bearer" = [])),
    params(("course_id" = Uuid, Path)), request_body = CreateModule,
    responses((status = 201, body = ModuleView), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_module(
    State(state): State<AppState>,
    user: AuthUser,
    Path(course_id): Path<Uuid>,
    Json(body): Json<CreateModule>,
) -> ApiResult<(StatusCode, Json<ModuleView>)> {
    let view = courses::create_module(&state.services, &user.ctx(), course_id, body).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// A module with its topics in order.
#[utoipa::path(get, path = "/api/courses/{course_id}/modules/{module_id}", tag = "courses",
    security(("bearer" = [])), params(("course_id" = Uuid, Path), ("module_id" = Uuid, Path)),
    responses((status = 200, body = ModuleView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_module(
    State(state): State<AppState>,
    user: AuthUser,
    Path((course_id, module_id)): Path<(Uuid, Uuid)>,
) -> ApiResult<Json<ModuleView>> {
    Ok(Json(
        courses::get_module(&state.services, &user.ctx(), course_id, module_id).await?,
    ))
}

/// Rename, describe, complete or reopen a module.
#[utoipa::path(patch, path = "/api/courses/{course_id}/modules/{module_id}", tag = "courses",
    security(("bearer" = [])), params(("course_id" = Uuid, Path), ("module_id" = Uuid, Path)),
    request_body = UpdateModule,
    responses((status = 200, body = ModuleView), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_module(
    State(state): State<AppState>,
    user: AuthUser,
    Path((course_id, module_id)): Path<(Uuid, Uuid)>,
    Json(body): Json<UpdateModule>,
) -> ApiResult<Json<ModuleView>> {
    let view =
        courses::update_module(&state.services, &user.ctx(), course_id, module_id, body).await?;
    Ok(Json(view))
}

/// Move a module to another position in its course; answers the whole course.
#[utoipa::path(post, path = "/api/courses/{course_id}/modules/{module_id}/move", tag = "courses",
    security(("bearer" = [])), params(("course_id" = Uuid, Path), ("module_id" = Uuid, Path)),
    request_body = MoveTo,
    responses((status = 200, body = CourseDetail), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, description = "`position` out of range.", body = ErrorBody)))]
pub async fn move_module(
    State(state): State<AppState>,
    user: AuthUser,
    Path((course_id, module_id)): Path<(Uuid, Uuid)>,
    Json(body): Json<MoveTo>,
) -> ApiResult<Json<CourseDetail>> {
    let ctx = user.ctx();
    let detail =
        courses::move_module(&state.services, &ctx, course_id, module_id, body.position).await?;
    Ok(Json(detail))
}

/// Delete a module with its topics; the modules after it move up.
#[utoipa::path(delete, path = "/api/courses/{course_id}/modules/{module_id}", tag = "courses",
    security(("bearer" = [])), params(("course_id" = Uuid, Path), ("module_id" = Uuid, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_module(
    State(state): State<AppState>,
    user: AuthUser,
    Path((course_id, module_id)): Path<(Uuid, Uuid)>,
) -> ApiResult<StatusCode> {
    courses::delete_module(&state.services, &user.ctx(), course_id, module_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
