//! Module handlers, nested under their course.

use axum::extract::State;
use axum::http::StatusCode;
use maigie_domain::Validation;
use maigie_domain::courses::DESCRIPTION_MAX;
use maigie_domain::planning::optional_text;
use maigie_store::courses::{self, ModuleChanges, NewModule};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::views::{CourseDetail, Deleted, ModuleView};
use super::{MoveTo, moved, nullable, patch, publish_course_updated, text, title};
use crate::auth::extractor::AuthUser;
use crate::error::{ApiResult, ErrorBody};
use crate::events;
use crate::http::extract::{Json, Path};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateModule {
    /// 1–200 characters.
    #[schema(example = "Vector spaces")]
    pub title: Option<String>,
    /// At most 10 000 characters.
    pub description: Option<String>,
}

/// Fields to change; `null` clears the description.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateModule {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// `true` completes the module and all its topics; `false` reopens it and all its
    /// topics (a module with topics is completed exactly when all of them are).
    pub completed: Option<bool>,
}

async fn publish(state: &AppState, user: &AuthUser, kind: &str, view: &ModuleView) {
    events::publish(state, user.id, kind, view).await;
    publish_course_updated(state, user.id, view.course_id).await;
}

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
    let mut v = Validation::new();
    let title = title(&mut v, body.title.as_deref(), true);
    let description = text(
        &mut v,
        "description",
        body.description.as_deref(),
        DESCRIPTION_MAX,
    );
    v.finish()?;
    let new = NewModule {
        title: title.unwrap_or_default(),
        description,
    };
    let view = ModuleView::from(courses::create_module(&state.db, user.id, course_id, new).await?);
    publish(&state, &user, "module.created", &view).await;
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
    let tree = courses::find_module(&state.db, user.id, course_id, module_id).await?;
    Ok(Json(tree.into()))
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
    let mut v = Validation::new();
    let changes = ModuleChanges {
        title: title(&mut v, body.title.as_deref(), false),
        description: patch(&mut v, "description", body.description, |d: String| {
            optional_text(Some(&d), DESCRIPTION_MAX)
        })
        .map(Option::flatten),
        completed: body.completed,
    };
    v.finish()?;
    let tree = courses::update_module(&state.db, user.id, course_id, module_id, changes).await?;
    let view = ModuleView::from(tree);
    publish(&state, &user, "module.updated", &view).await;
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
    moved(courses::move_module(&state.db, user.id, course_id, module_id, body.position).await?)?;
    let detail = CourseDetail::from(courses::course_tree(&state.db, user.id, course_id).await?);
    if let Some(module) = detail.modules.iter().find(|m| m.id == module_id) {
        events::publish(&state, user.id, "module.updated", module).await;
    }
    events::publish(&state, user.id, "course.updated", &detail.course).await;
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
    courses::delete_module(&state.db, user.id, course_id, module_id).await?;
    let data = Deleted {
        id: module_id,
        course_id: Some(course_id),
        module_id: None,
    };
    events::publish(&state, user.id, "module.deleted", &data).await;
    publish_course_updated(&state, user.id, course_id).await;
    Ok(StatusCode::NO_CONTENT)
}
