//! Course handlers: list, create, read (with modules and topics), update, archive,
//! delete.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use maigie_domain::Validation;
use maigie_domain::courses::{
    COURSE_HOURS_MAX, DESCRIPTION_MAX, Difficulty, TargetDate, estimated_hours,
};
use maigie_store::courses::{self, CourseChanges, NewCourse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::views::{CourseDetail, CoursePage, CourseView, Deleted};
use super::{nullable, patch, text, title};
use crate::auth::extractor::AuthUser;
use crate::error::{ApiResult, ErrorBody};
use crate::events;
use crate::http::extract::{Json, Path, Query};
use crate::pagination;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCourse {
    /// 1–200 characters.
    #[schema(example = "Linear algebra")]
    pub title: Option<String>,
    /// At most 10 000 characters.
    pub description: Option<String>,
    /// `beginner`, `intermediate` or `advanced`.
    #[schema(example = "beginner")]
    pub difficulty: Option<String>,
    /// More than 0, at most 10 000.
    #[schema(example = 40.0)]
    pub estimated_hours: Option<f64>,
    /// YYYY-MM-DD.
    #[schema(value_type = Option<String>, example = "2026-06-30")]
    pub target_date: Option<String>,
}

/// Fields to change; `null` clears an optional field.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCourse {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, example = "advanced")]
    pub difficulty: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<f64>)]
    pub estimated_hours: Option<Option<f64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, example = "2026-06-30")]
    pub target_date: Option<Option<String>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListCourses {
    /// `true` lists archived courses only; by default only active ones are listed.
    pub archived: Option<bool>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

fn difficulty(raw: String) -> Result<&'static str, maigie_domain::InputError> {
    raw.parse::<Difficulty>().map(Difficulty::as_str)
}

fn hours(raw: f64) -> Result<f32, maigie_domain::courses::CourseInputError> {
    estimated_hours(raw, COURSE_HOURS_MAX)
}

fn parse_new(body: CreateCourse) -> ApiResult<NewCourse> {
    let mut v = Validation::new();
    let title = title(&mut v, body.title.as_deref(), true);
    let description = text(
        &mut v,
        "description",
        body.description.as_deref(),
        DESCRIPTION_MAX,
    );
    let difficulty = body
        .difficulty
        .and_then(|d| v.check("difficulty", difficulty(d)));
    let estimated_hours = body
        .estimated_hours
        .and_then(|h| v.check("estimated_hours", hours(h)));
    let target_date = body
        .target_date
        .and_then(|d| v.check("target_date", TargetDate::parse(&d)));
    v.finish()?;
    Ok(NewCourse {
        title: title.unwrap_or_default(),
        description,
        difficulty,
        estimated_hours,
        target_date,
    })
}

fn parse_changes(body: UpdateCourse) -> ApiResult<CourseChanges> {
    let mut v = Validation::new();
    let changes = CourseChanges {
        title: title(&mut v, body.title.as_deref(), false),
        description: patch(&mut v, "description", body.description, |d: String| {
            maigie_domain::planning::optional_text(Some(&d), DESCRIPTION_MAX)
        })
        .map(Option::flatten),
        difficulty: patch(&mut v, "difficulty", body.difficulty, difficulty),
        estimated_hours: patch(&mut v, "estimated_hours", body.estimated_hours, hours),
        target_date: patch(&mut v, "target_date", body.target_date, |d: String| {
            TargetDate::parse(&d)
        }),
    };
    v.finish()?;
    Ok(changes)
}

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
    let limit = pagination::limit(q.limit)?;
    let after = q
        .cursor
        .as_deref()
        .map(pagination::decode::<(DateTime<Utc>, Uuid)>)
        .transpose()?;
    let archived = q.archived.unwrap_or(false);
    let mut rows = courses::list_courses(&state.db, user.id, archived, after, limit + 1).await?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next_cursor = more
        .then(|| {
            rows.last()
                .map(|r| pagination::encode(&(r.created_at, r.id)))
        })
        .flatten();
    Ok(Json(CoursePage {
        items: rows.into_iter().map(CourseView::from).collect(),
        next_cursor,
    }))
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
    let new = parse_new(body)?;
    let view = CourseView::from(courses::create_course(&state.db, user.id, new).await?);
    events::publish(&state, user.id, "course.created", &view).await;
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
    let tree = courses::course_tree(&state.db, user.id, course_id).await?;
    Ok(Json(tree.into()))
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
    let changes = parse_changes(body)?;
    let row = courses::update_course(&state.db, user.id, course_id, changes).await?;
    let view = CourseView::from(row);
    events::publish(&state, user.id, "course.updated", &view).await;
    Ok(Json(view))
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
    courses::delete_course(&state.db, user.id, course_id).await?;
    let data = Deleted {
        id: course_id,
        course_id: None,
        module_id: None,
    };
    events::publish(&state, user.id, "course.deleted", &data).await;
    Ok(StatusCode::NO_CONTENT)
}

async fn set_archived(
    state: &AppState,
    user: &AuthUser,
    course_id: Uuid,
    archived: bool,
) -> ApiResult<Json<CourseView>> {
    let row = courses::set_archived(&state.db, user.id, course_id, archived).await?;
    let view = CourseView::from(row);
    events::publish(state, user.id, "course.updated", &view).await;
    Ok(Json(view))
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
    set_archived(&state, &user, course_id, true).await
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
    set_archived(&state, &user, course_id, false).await
}
