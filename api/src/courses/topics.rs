//! Topic handlers, nested under their course and module.

use axum::extract::State;
use axum::http::StatusCode;
use maigie_domain::Validation;
use maigie_domain::courses::{TOPIC_HOURS_MAX, content, estimated_hours};
use maigie_store::courses::{self, NewTopic, TopicChanges, TopicPath};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::views::{Deleted, ModuleView, TopicView};
use super::{MoveTo, moved, nullable, patch, publish_course_updated, title};
use crate::auth::extractor::AuthUser;
use crate::error::{ApiResult, ErrorBody};
use crate::events;
use crate::http::extract::{Json, Path};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTopic {
    /// 1–200 characters.
    #[schema(example = "Linear independence")]
    pub title: Option<String>,
    /// Markdown, at most 100 000 characters.
    pub content: Option<String>,
    /// More than 0, at most 1 000.
    #[schema(example = 1.5)]
    pub estimated_hours: Option<f64>,
}

/// Fields to change; `null` clears an optional field.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTopic {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub content: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<f64>)]
    pub estimated_hours: Option<Option<f64>>,
    /// Completes (`true`) or reopens (`false`, clearing `completed_at`) the topic.
    pub completed: Option<bool>,
}

fn hours(raw: f64) -> Result<f32, maigie_domain::courses::CourseInputError> {
    estimated_hours(raw, TOPIC_HOURS_MAX)
}

async fn publish(state: &AppState, user: &AuthUser, kind: &str, view: &TopicView) {
    events::publish(state, user.id, kind, view).await;
    publish_course_updated(state, user.id, view.course_id).await;
}

/// Add a topic at the end of the module.
#[utoipa::path(post, path = "/api/courses/{course_id}/modules/{module_id}/topics", tag = "courses",
    security(("bearer" = [])), params(("course_id" = Uuid, Path), ("module_id" = Uuid, Path)),
    request_body = CreateTopic,
    responses((status = 201, body = TopicView), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_topic(
    State(state): State<AppState>,
    user: AuthUser,
    Path((course_id, module_id)): Path<(Uuid, Uuid)>,
    Json(body): Json<CreateTopic>,
) -> ApiResult<(StatusCode, Json<TopicView>)> {
    let mut v = Validation::new();
    let title = title(&mut v, body.title.as_deref(), true);
    let content = v
        .check("content", content(body.content.as_deref()))
        .flatten();
    let estimated_hours = body
        .estimated_hours
        .and_then(|h| v.check("estimated_hours", hours(h)));
    v.finish()?;
    let new = NewTopic {
        title: title.unwrap_or_default(),
        content,
        estimated_hours,
    };
    let row = courses::create_topic(&state.db, user.id, course_id, module_id, new).await?;
    let view = TopicView::from(row);
    publish(&state, &user, "topic.created", &view).await;
    Ok((StatusCode::CREATED, Json(view)))
}

/// A topic.
#[utoipa::path(get, path = "/api/courses/{course_id}/modules/{module_id}/topics/{topic_id}",
    tag = "courses", security(("bearer" = [])),
    params(("course_id" = Uuid, Path), ("module_id" = Uuid, Path), ("topic_id" = Uuid, Path)),
    responses((status = 200, body = TopicView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_topic(
    State(state): State<AppState>,
    user: AuthUser,
    Path((course_id, module_id, topic_id)): Path<(Uuid, Uuid, Uuid)>,
) -> ApiResult<Json<TopicView>> {
    let ids = TopicPath {
        course_id,
        module_id,
        topic_id,
    };
    Ok(Json(
        courses::find_topic(&state.db, user.id, ids).await?.into(),
    ))
}

/// Edit, complete or reopen a topic.
#[utoipa::path(patch, path = "/api/courses/{course_id}/modules/{module_id}/topics/{topic_id}",
    tag = "courses", security(("bearer" = [])),
    params(("course_id" = Uuid, Path), ("module_id" = Uuid, Path), ("topic_id" = Uuid, Path)),
    request_body = UpdateTopic,
    responses((status = 200, body = TopicView), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_topic(
    State(state): State<AppState>,
    user: AuthUser,
    Path((course_id, module_id, topic_id)): Path<(Uuid, Uuid, Uuid)>,
    Json(body): Json<UpdateTopic>,
) -> ApiResult<Json<TopicView>> {
    let mut v = Validation::new();
    let changes = TopicChanges {
        title: title(&mut v, body.title.as_deref(), false),
        content: patch(&mut v, "content", body.content, |c: String| {
            content(Some(&c))
        })
        .map(Option::flatten),
        estimated_hours: patch(&mut v, "estimated_hours", body.estimated_hours, hours),
        completed: body.completed,
    };
    v.finish()?;
    let ids = TopicPath {
        course_id,
        module_id,
        topic_id,
    };
    let view = TopicView::from(courses::update_topic(&state.db, user.id, ids, changes).await?);
    publish(&state, &user, "topic.updated", &view).await;
    Ok(Json(view))
}

/// Move a topic to another position in its module; answers the module.
#[utoipa::path(post, path = "/api/courses/{course_id}/modules/{module_id}/topics/{topic_id}/move",
    tag = "courses", security(("bearer" = [])),
    params(("course_id" = Uuid, Path), ("module_id" = Uuid, Path), ("topic_id" = Uuid, Path)),
    request_body = MoveTo,
    responses((status = 200, body = ModuleView), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, description = "`position` out of range.", body = ErrorBody)))]
pub async fn move_topic(
    State(state): State<AppState>,
    user: AuthUser,
    Path((course_id, module_id, topic_id)): Path<(Uuid, Uuid, Uuid)>,
    Json(body): Json<MoveTo>,
) -> ApiResult<Json<ModuleView>> {
    let ids = TopicPath {
        course_id,
        module_id,
        topic_id,
    };
    moved(courses::move_topic(&state.db, user.id, ids, body.position).await?)?;
    let module =
        ModuleView::from(courses::find_module(&state.db, user.id, course_id, module_id).await?);
    if let Some(topic) = module.topics.iter().find(|t| t.id == topic_id) {
        events::publish(&state, user.id, "topic.updated", topic).await;
    }
    events::publish(&state, user.id, "module.updated", &module).await;
    Ok(Json(module))
}

/// Delete a topic; the topics after it move up.
#[utoipa::path(delete, path = "/api/courses/{course_id}/modules/{module_id}/topics/{topic_id}",
    tag = "courses", security(("bearer" = [])),
    params(("course_id" = Uuid, Path), ("module_id" = Uuid, Path), ("topic_id" = Uuid, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_topic(
    State(state): State<AppState>,
    user: AuthUser,
    Path((course_id, module_id, topic_id)): Path<(Uuid, Uuid, Uuid)>,
) -> ApiResult<StatusCode> {
    let ids = TopicPath {
        course_id,
        module_id,
        topic_id,
    };
    courses::delete_topic(&state.db, user.id, ids).await?;
    let data = Deleted {
        id: topic_id,
        course_id: Some(course_id),
        module_id: Some(module_id),
    };
    events::publish(&state, user.id, "topic.deleted", &data).await;
    publish_course_updated(&state, user.id, course_id).await;
    Ok(StatusCode::NO_CONTENT)
}
