//! `/api/resources` (the catalogue) and `/api/users/me/resources` (what the user
//! saved, with progress, rating, notes and completion). The rules and live events
//! live in [`maigie_services::resources`]; these handlers extract, call and answer.
//!
//! Visibility: resources a user adds are private to them; public ones are visible
//! to all. Another user's private resource answers 404 everywhere, saving included.
//! Only your own private resources can be changed or deleted.

use axum::extract::State;
use axum::http::StatusCode;
use maigie_services::resources;
use maigie_services::resources::recommend::{self, RecommendParams, RecommendedPage};
pub use maigie_services::resources::{
    CreateResource, ResourceListItem, ResourceListParams, ResourcePage, ResourceView, SaveResource,
    SavedListParams, SavedResourcePage, SavedResourceView, UpdateResource, UpdateSavedResource,
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
        .routes(routes!(list_resources, create_resource))
        .routes(routes!(get_resource, update_resource, delete_resource))
        .routes(routes!(list_saved, save_resource))
        .routes(routes!(get_saved, update_saved, unsave_resource))
        .routes(routes!(recommended_resources))
}

/// Resources for what you are working on: catalogue entries you can see and have not
/// saved, closest in meaning to your active courses and open goals, best first, each
/// with the course or goal it helps with (`because`). Empty without active courses or
/// goals. `mode` says `fulltext` when meaning could not be used.
#[utoipa::path(get, path = "/api/resources/recommended", tag = "resources", security(("bearer" = [])),
    params(RecommendParams),
    responses((status = 200, body = RecommendedPage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn recommended_resources(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<RecommendParams>,
) -> ApiResult<Json<RecommendedPage>> {
    let page = recommend::recommended(&state.services, &user.ctx(), p).await?;
    Ok(Json(page))
}

/// Browse the catalogue you can see: newest first, or most relevant first with
/// `search`.
#[utoipa::path(get, path = "/api/resources", tag = "resources", security(("bearer" = [])), params(ResourceListParams),
    responses((status = 200, body = ResourcePage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_resources(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<ResourceListParams>,
) -> ApiResult<Json<ResourcePage>> {
    Ok(Json(
        resources::list(&state.services, &user.ctx(), p).await?,
    ))
}

/// Add a resource to the catalogue, private to you.
#[utoipa::path(post, path = "/api/resources", tag = "resources", security(("bearer" = [])), request_body = CreateResource,
    responses((status = 201, body = ResourceView), (status = 422, body = ErrorBody)))]
pub async fn create_resource(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<CreateResource>,
) -> ApiResult<(StatusCode, Json<ResourceView>)> {
    let view = resources::create(&state.services, &user.ctx(), body).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// One resource you can see.
#[utoipa::path(get, path = "/api/resources/{id}", tag = "resources", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Resource id")),
    responses((status = 200, body = ResourceView), (status = 404, body = ErrorBody)))]
pub async fn get_resource(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<ResourceView>> {
    Ok(Json(
        resources::get(&state.services, &user.ctx(), id).await?,
    ))
}

/// Change one of your private resources.
#[utoipa::path(patch, path = "/api/resources/{id}", tag = "resources", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Resource id")), request_body = UpdateResource,
    responses((status = 200, body = ResourceView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_resource(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    Json(body): Json<UpdateResource>,
) -> ApiResult<Json<ResourceView>> {
    Ok(Json(
        resources::update(&state.services, &user.ctx(), id, body).await?,
    ))
}

/// Delete one of your private resources (and your save of it).
#[utoipa::path(delete, path = "/api/resources/{id}", tag = "resources", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Resource id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_resource(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    resources::delete(&state.services, &user.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Your saved resources, most recently saved first.
#[utoipa::path(get, path = "/api/users/me/resources", tag = "resources", security(("bearer" = [])), params(SavedListParams),
    responses((status = 200, body = SavedResourcePage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_saved(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<SavedListParams>,
) -> ApiResult<Json<SavedResourcePage>> {
    Ok(Json(
        resources::list_saved(&state.services, &user.ctx(), p).await?,
    ))
}

/// Save a resource you can see. Saving it again answers 200 with the existing save,
/// unchanged.
#[utoipa::path(post, path = "/api/users/me/resources", tag = "resources", security(("bearer" = [])),
    request_body = SaveResource,
    responses((status = 201, body = SavedResourceView), (status = 200, body = SavedResourceView, description = "Already saved"),
              (status = 404, body = ErrorBody)))]
pub async fn save_resource(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<SaveResource>,
) -> ApiResult<(StatusCode, Json<SavedResourceView>)> {
    let saved = resources::save(&state.services, &user.ctx(), body).await?;
    let status = if saved.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(saved.view)))
}

/// One of your saves, by resource id.
#[utoipa::path(get, path = "/api/users/me/resources/{resource_id}", tag = "resources", security(("bearer" = [])),
    params(("resource_id" = Uuid, Path, description = "Resource id")),
    responses((status = 200, body = SavedResourceView), (status = 404, body = ErrorBody)))]
pub async fn get_saved(
    State(state): State<AppState>,
    user: AuthUser,
    Path(resource_id): Path<Uuid>,
) -> ApiResult<Json<SavedResourceView>> {
    Ok(Json(
        resources::get_saved(&state.services, &user.ctx(), resource_id).await?,
    ))
}

/// Record progress, a rating, notes or completion.
#[utoipa::path(patch, path = "/api/users/me/resources/{resource_id}", tag = "resources", security(("bearer" = [])),
    params(("resource_id" = Uuid, Path, description = "Resource id")), request_body = UpdateSavedResource,
    responses((status = 200, body = SavedResourceView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_saved(
    State(state): State<AppState>,
    user: AuthUser,
    Path(resource_id): Path<Uuid>,
    Json(body): Json<UpdateSavedResource>,
) -> ApiResult<Json<SavedResourceView>> {
    let ctx = user.ctx();
    let view = resources::update_saved(&state.services, &ctx, resource_id, body).await?;
    Ok(Json(view))
}

/// Unsave a resource.
#[utoipa::path(delete, path = "/api/users/me/resources/{resource_id}", tag = "resources", security(("bearer" = [])),
    params(("resource_id" = Uuid, Path, description = "Resource id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn unsave_resource(
    State(state): State<AppState>,
    user: AuthUser,
    Path(resource_id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    resources::unsave(&state.services, &user.ctx(), resource_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
