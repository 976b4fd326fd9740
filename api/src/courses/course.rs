//! Course handlers: list, create, read (with modules and topics), update, archive,
//! delete.

use axum::extract::State;
use axum::http::StatusCode;
use maigie_services::courses;
use uuid::Uuid;

use super::{CourseDetail, CoursePage, CourseView, CreateCourse, ListCourses, UpdateCourse};
use crate::auth::extractor::AuthUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::extract::{Json, Path, Query};
use crate::state::AppState;

/// The caller's courses, newest first, with progress and hours.
#[utoipa::path(get, path = "/api/courses", tag = "courses", security(("bearer" = [])),
    params(ListCourses),
    responses((status = 200, body = CoursePage), (status = 400, description = "`invalid_cursor`.", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_courses(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<ListCourses>,
) -> ApiResult<Json<CoursePage>> {
    Ok(Json(courses::list(&state.services, &user.ctx(), q).await?))
}

/// Create a course (with no modules yet).
#[utoipa::path(post, path = "/api/courses", tag = "courses", security(("bearer" = [])),
    request_body = CreateCourse,
    responses((status = 201, body = CourseView), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_course(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<CreateCourse>,
) -> ApiResult<(StatusCode, Json<CourseView>)> {
    let view = courses::create(&state.services, &user.ctx(), body).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// A course with its modules and topics in order.
#[utoipa::path(get, path = "/api/courses/{course_id}", tag = "courses", security(("bearer" = [])),
    params(("course_id" = Uuid, Path)),
    responses((status = 200, body = CourseDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_course(
    State(state): State<AppState>,
    user: AuthUser,
    Path(course_id): Path<Uuid>,
) -> ApiResult<Json<CourseDetail>> {
    Ok(Json(
        courses::get(&state.services, &user.ctx(), course_id).await?,
    ))
}

/// Change a course's title, description, difficulty, estimate or target date.
#[utoipa::path(patch, path = "/api/courses/{course_id}", tag = "courses", security(("bearer" = [])),
    params(("course_id" = Uuid, Path)), request_body = UpdateCourse,
    responses((status = 200, body = CourseView), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_course(
    State(state): State<AppState>,
    user: AuthUser,
    Path(course_id): Path<Uuid>,
    Json(body): Json<UpdateCourse>,
) -> ApiResult<Json<CourseView>> {
    Ok(Json(
        courses::update(&state.services, &user.ctx(), course_id, body).await?,
    ))
}

/// Delete a course with its modules and topics.
#[utoipa::path(delete, path = "/api/courses/{course_id}", tag = "courses", security(("bearer" = [])),
    params(("course_id" = Uuid, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_course(
    State(state): State<AppState>,
    user: AuthUser,
    Path(course_id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    courses::delete(&state.services, &user.ctx(), course_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Archive a course: it leaves the default list (see `?archived=true`). Idempotent.
#[utoipa::path(post, path = "/api/courses/{course_id}/archive", tag = "courses", security(("bearer" = [])),
    params(("course_id" = Uuid, Path)),
    responses((status = 200, body = CourseView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn archive_course(
    State(state): State<AppState>,
    user: AuthUser,
    Path(course_id): Path<Uuid>,
) -> ApiResult<Json<CourseView>> {
    Ok(Json(
        courses::archive(&state.services, &user.ctx(), course_id).await?,
    ))
}

/// Bring an archived course back to the default list. Idempotent.
#[utoipa::path(post, path = "/api/courses/{course_id}/unarchive", tag = "courses", security(("bearer" = [])),
    params(("course_id" = Uuid, Path)),
    responses((status = 200, body = CourseView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unarchive_course(
    State(state): State<AppState>,
    user: AuthUser,
    Path(course_id): Path<Uuid>,
) -> ApiResult<Json<CourseView>> {
    Ok(Json(
        courses::unarchive(&state.services, &user.ctx(), course_id).await?,
    ))
}
