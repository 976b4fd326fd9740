//! Topic handlers, nested under their course and module.

use axum::extract::State;
use axum::http::StatusCode;
use maigie_services::courses::{self, TopicPath};
use uuid::Uuid;

use super::{CreateTopic, ModuleView, MoveTo, TopicView, UpdateTopic};
use crate::auth::extractor::AuthUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::extract::{Json, Path};
use crate::state::AppState;

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
    let ctx = user.ctx();
    let view = courses::create_topic(&state.services, &ctx, course_id, module_id, body).await?;
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
        courses::get_topic(&state.services, &user.ctx(), ids).await?,
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
    let ids = TopicPath {
        course_id,
        module_id,
        topic_id,
    };
    Ok(Json(
        courses::update_topic(&state.services, &user.ctx(), ids, body).await?,
    ))
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
    let module = courses::move_topic(&state.services, &user.ctx(), ids, body.position).await?;
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
    courses::delete_topic(&state.services, &user.ctx(), ids).await?;
    Ok(StatusCode::NO_CONTENT)
}
