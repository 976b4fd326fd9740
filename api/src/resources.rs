//! `/api/resources` (the catalogue) and `/api/users/me/resources` (what the user
//! saved, with progress, rating, notes and completion).
//!
//! Visibility: resources a user adds are private to them; public ones are visible
//! to all. Another user's private resource answers 404 everywhere, saving included.
//! Only your own private resources can be changed or deleted.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use maigie_domain::notes::search_query;
use maigie_domain::planning::optional_text;
use maigie_domain::resources::{
    self as rules, Difficulty, ResourceType, SOURCE_MAX, TEXT_MAX, TITLE_MAX, URL_MAX,
};
use maigie_domain::{InputError, Title, Validation};
use maigie_store::resources::{
    self as store, RankedResource, ResourceChanges, ResourceCursor, ResourceFields, ResourceFilter,
    ResourceRow, SavedChanges, SavedRow,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::extractor::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::events;
use crate::http::extract::{Json, Path, Query};
use crate::http::input::nullable;
use crate::http::input::{parse_enum, present};
use crate::pagination;
use crate::pagination::paginate;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_resources, create_resource))
        .routes(routes!(get_resource, update_resource, delete_resource))
        .routes(routes!(list_saved, save_resource))
        .routes(routes!(get_saved, update_saved, unsave_resource))
}

/// An absolute `http`/`https` URL with a host, at most 2048 characters, parsed
/// with the WHATWG parser (`url` crate) and stored in its normalised form.
///
/// Lives here rather than in the domain crate because only this crate depends on
/// `url`.
pub fn web_url(raw: &str) -> Result<String, InputError> {
    let invalid = || InputError::UnknownVariant("an http(s) URL".to_owned());
    let trimmed = raw.trim();
    if trimmed.chars().count() > URL_MAX {
        return Err(InputError::TooLong { max: URL_MAX });
    }
    let url = url::Url::parse(trimmed).map_err(|_| invalid())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(invalid());
    }
    let out = url.as_str().to_owned();
    if out.chars().count() > URL_MAX {
        return Err(InputError::TooLong { max: URL_MAX });
    }
    Ok(out)
}

/// Records a URL error under `field` with its own code (`invalid_url`).
fn check_url(v: &mut Validation, field: &str, raw: &str) -> Option<String> {
    match web_url(raw) {
        Ok(url) => Some(url),
        Err(InputError::TooLong { max }) => {
            v.push(
                field,
                "too_long",
                format!("must be at most {max} characters"),
            );
            None
        }
        Err(_) => {
            v.push(
                field,
                "invalid_url",
                "must be an absolute http:// or https:// URL",
            );
            None
        }
    }
}

fn check_minutes(v: &mut Validation, raw: Option<i64>) -> Option<Option<i32>> {
    match raw {
        None => Some(None),
        Some(m) => v
            .check("duration_minutes", rules::duration_minutes(m))
            .map(Some),
    }
}

/// A catalogue entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceView {
    pub id: Uuid,
    #[schema(example = "The Rust Book")]
    pub title: String,
    #[schema(value_type = String, example = "book")]
    pub resource_type: ResourceType,
    #[schema(example = "https://doc.rust-lang.org/book/")]
    pub url: String,
    pub source: Option<String>,
    #[schema(value_type = Option<String>, example = "beginner")]
    pub difficulty: Option<Difficulty>,
    pub duration_minutes: Option<i32>,
    pub thumbnail_url: Option<String>,
    pub description: Option<String>,
    /// Visible to everyone; otherwise only to its creator.
    pub is_public: bool,
    /// Whether you created it (and so may change or delete it while private).
    pub created_by_me: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ResourceView {
    fn new(r: ResourceRow, me: Uuid) -> ApiResult<Self> {
        Ok(Self {
            id: r.id,
            title: r.title,
            resource_type: r.resource_type.parse().map_err(ApiError::internal)?,
            url: r.url,
            source: r.source,
            difficulty: r
                .difficulty
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(ApiError::internal)?,
            duration_minutes: r.duration_minutes,
            thumbnail_url: r.thumbnail_url,
            description: r.description,
            is_public: r.is_public,
            created_by_me: r.created_by == Some(me),
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// A resource in a list; `rank` only when searching.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceListItem {
    #[serde(flatten)]
    pub resource: ResourceView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<f32>,
}

/// A page of resources.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourcePage {
    pub items: Vec<ResourceListItem>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateResource {
    /// 1–300 characters.
    #[schema(example = "The Rust Book")]
    pub title: String,
    /// article, video, course, book, podcast, exercise, documentation or other.
    #[schema(example = "book")]
    pub resource_type: String,
    /// http:// or https://, at most 2048 characters.
    #[schema(example = "https://doc.rust-lang.org/book/")]
    pub url: String,
    /// 1–200 characters, e.g. "YouTube".
    pub source: Option<String>,
    /// beginner, intermediate or advanced.
    pub difficulty: Option<String>,
    /// 0–100,000.
    pub duration_minutes: Option<i64>,
    /// http:// or https://.
    pub thumbnail_url: Option<String>,
    /// Up to 10,000 characters.
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateResource {
    pub title: Option<String>,
    pub resource_type: Option<String>,
    pub url: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub source: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub difficulty: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub duration_minutes: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub thumbnail_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
}

impl CreateResource {
    fn parse(&self) -> ApiResult<ResourceFields> {
        let mut v = Validation::new();
        let title = v.check("title", Title::parse_max(&self.title, TITLE_MAX));
        let kind: Option<ResourceType> = v.check("resource_type", self.resource_type.parse());
        let url = check_url(&mut v, "url", &self.url);
        let source = v.check("source", optional_text(self.source.as_deref(), SOURCE_MAX));
        let difficulty: Option<Difficulty> =
            parse_enum(&mut v, "difficulty", self.difficulty.as_deref());
        let minutes = check_minutes(&mut v, self.duration_minutes);
        let thumbnail = match self.thumbnail_url.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(raw) => check_url(&mut v, "thumbnail_url", raw).map(Some),
        };
        let description = v.check(
            "description",
            optional_text(self.description.as_deref(), TEXT_MAX),
        );
        v.finish()?;
        Ok(ResourceFields {
            title: present(title)?.into_string(),
            resource_type: present(kind)?.as_str(),
            url: present(url)?,
            source: present(source)?,
            difficulty: difficulty.map(Difficulty::as_str),
            duration_minutes: present(minutes)?,
            thumbnail_url: present(thumbnail)?,
            description: present(description)?,
        })
    }
}

impl UpdateResource {
    fn parse(&self) -> ApiResult<ResourceChanges> {
        let mut v = Validation::new();
        let title = self
            .title
            .as_deref()
            .and_then(|t| v.check("title", Title::parse_max(t, TITLE_MAX)))
            .map(Title::into_string);
        let kind: Option<ResourceType> =
            parse_enum(&mut v, "resource_type", self.resource_type.as_deref());
        let url = self
            .url
            .as_deref()
            .and_then(|u| check_url(&mut v, "url", u));
        let source = self.source.as_ref().map(|s| {
            v.check("source", optional_text(s.as_deref(), SOURCE_MAX))
                .flatten()
        });
        let difficulty = self.difficulty.as_ref().map(|d| {
            parse_enum::<Difficulty>(&mut v, "difficulty", d.as_deref()).map(Difficulty::as_str)
        });
        let minutes = self
            .duration_minutes
            .map(|m| check_minutes(&mut v, m).flatten());
        let thumbnail = self.thumbnail_url.as_ref().map(|t| match t.as_deref() {
            None => None,
            Some(raw) => check_url(&mut v, "thumbnail_url", raw),
        });
        let description = self.description.as_ref().map(|d| {
            v.check("description", optional_text(d.as_deref(), TEXT_MAX))
                .flatten()
        });
        v.finish()?;
        Ok(ResourceChanges {
            title,
            resource_type: kind.map(ResourceType::as_str),
            url,
            source,
            difficulty,
            duration_minutes: minutes,
            thumbnail_url: thumbnail,
            description,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ResourceListParams {
    /// Full-text query (web-search syntax); results are then ordered by relevance.
    pub search: Option<String>,
    /// article, video, course, book, podcast, exercise, documentation or other.
    pub resource_type: Option<String>,
    /// beginner, intermediate or advanced.
    pub difficulty: Option<String>,
    /// `true`: only the resources you created.
    #[serde(default)]
    pub mine: bool,
    pub cursor: Option<String>,
    /// 1–200 (default 50).
    pub limit: Option<i64>,
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
    let mut v = Validation::new();
    let search = v.check("search", search_query(p.search.as_deref()));
    let kind: Option<ResourceType> =
        parse_enum(&mut v, "resource_type", p.resource_type.as_deref());
    let difficulty: Option<Difficulty> = parse_enum(&mut v, "difficulty", p.difficulty.as_deref());
    v.finish()?;
    let limit = pagination::limit(p.limit)?;
    let filter = ResourceFilter {
        resource_type: kind.map(ResourceType::as_str),
        difficulty: difficulty.map(Difficulty::as_str),
        mine: p.mine,
        search: present(search)?,
    };
    let searching = filter.search.is_some();
    let after = match p.cursor.as_deref() {
        None => None,
        Some(c) if searching => {
            let (rank, id) = pagination::decode::<(f32, Uuid)>(c)?;
            Some(ResourceCursor::Rank(rank, id))
        }
        Some(c) => {
            let (at, id) = pagination::decode::<(DateTime<Utc>, Uuid)>(c)?;
            Some(ResourceCursor::Created(at, id))
        }
    };
    let rows = store::list(&state.db, user.id, &filter, after, limit + 1).await?;
    let (rows, next_cursor) = paginate(rows, limit, |r: &RankedResource| {
        if searching {
            json!([r.rank, r.resource.id])
        } else {
            json!([r.resource.created_at, r.resource.id])
        }
    });
    let items = rows
        .into_iter()
        .map(|r| {
            Ok(ResourceListItem {
                rank: searching.then_some(r.rank),
                resource: ResourceView::new(r.resource, user.id)?,
            })
        })
        .collect::<ApiResult<_>>()?;
    Ok(Json(ResourcePage { items, next_cursor }))
}

/// Add a resource to the catalogue, private to you.
#[utoipa::path(post, path = "/api/resources", tag = "resources", security(("bearer" = [])), request_body = CreateResource,
    responses((status = 201, body = ResourceView), (status = 422, body = ErrorBody)))]
pub async fn create_resource(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<CreateResource>,
) -> ApiResult<(StatusCode, Json<ResourceView>)> {
    let fields = body.parse()?;
    let row = store::create(&state.db, user.id, &fields).await?;
    let view = ResourceView::new(row, user.id)?;
    events::publish(&state, user.id, "resource.created", &view).await;
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
    let row = store::get_visible(&state.db, user.id, id).await?;
    Ok(Json(ResourceView::new(row, user.id)?))
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
    let changes = body.parse()?;
    let row = store::update_own(&state.db, user.id, id, changes).await?;
    let view = ResourceView::new(row, user.id)?;
    events::publish(&state, user.id, "resource.updated", &view).await;
    Ok(Json(view))
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
    store::delete_own(&state.db, user.id, id).await?;
    events::publish(&state, user.id, "resource.deleted", &json!({ "id": id })).await;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------
// Saved resources
// ---------------------------------------------------------------------------------

/// A resource you saved, with your progress.
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedResourceView {
    pub resource: ResourceView,
    /// 0–1; 1 when completed.
    pub progress: f32,
    /// 1–5.
    pub rating: Option<i32>,
    pub notes: Option<String>,
    pub completed: bool,
    pub completed_at: Option<DateTime<Utc>>,
    pub saved_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl SavedResourceView {
    fn new(r: SavedRow, me: Uuid) -> ApiResult<Self> {
        Ok(Self {
            resource: ResourceView::new(r.resource, me)?,
            progress: r.progress,
            rating: r.rating,
            notes: r.notes,
            completed: r.completed_at.is_some(),
            completed_at: r.completed_at,
            saved_at: r.saved_at,
            updated_at: r.saved_updated_at,
        })
    }
}

/// A page of saved resources.
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedResourcePage {
    pub items: Vec<SavedResourceView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveResource {
    pub resource_id: Uuid,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSavedResource {
    /// 0–1. Below 1 reopens a completed resource.
    pub progress: Option<f64>,
    /// 1–5; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub rating: Option<Option<i64>>,
    /// Up to 10,000 characters; `null` clears them.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    /// `true` sets `completed_at` and progress 1; `false` reopens.
    pub completed: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SavedListParams {
    /// `true`: completed only; `false`: not completed only; absent: all.
    pub completed: Option<bool>,
    pub cursor: Option<String>,
    /// 1–200 (default 50).
    pub limit: Option<i64>,
}

/// Your saved resources, most recently saved first.
#[utoipa::path(get, path = "/api/users/me/resources", tag = "resources", security(("bearer" = [])), params(SavedListParams),
    responses((status = 200, body = SavedResourcePage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_saved(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<SavedListParams>,
) -> ApiResult<Json<SavedResourcePage>> {
    let limit = pagination::limit(p.limit)?;
    let after = p
        .cursor
        .as_deref()
        .map(pagination::decode::<(DateTime<Utc>, Uuid)>)
        .transpose()?;
    let rows = store::list_saved(&state.db, user.id, p.completed, after, limit + 1).await?;
    let (rows, next_cursor) = paginate(rows, limit, |r| (r.saved_at, r.resource.id));
    let items = rows
        .into_iter()
        .map(|r| SavedResourceView::new(r, user.id))
        .collect::<ApiResult<_>>()?;
    Ok(Json(SavedResourcePage { items, next_cursor }))
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
    let (row, created) = store::save(&state.db, user.id, body.resource_id).await?;
    let view = SavedResourceView::new(row, user.id)?;
    if created {
        events::publish(&state, user.id, "saved_resource.created", &view).await;
        Ok((StatusCode::CREATED, Json(view)))
    } else {
        Ok((StatusCode::OK, Json(view)))
    }
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
    let row = store::get_saved(&state.db, user.id, resource_id).await?;
    Ok(Json(SavedResourceView::new(row, user.id)?))
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
    let mut v = Validation::new();
    let progress = body
        .progress
        .and_then(|p| v.check("progress", rules::progress(p)));
    let rating = body
        .rating
        .map(|r| r.and_then(|r| v.check("rating", rules::rating(r))));
    let notes = body.notes.as_ref().map(|n| {
        v.check("notes", optional_text(n.as_deref(), TEXT_MAX))
            .flatten()
    });
    if body.completed == Some(true) && progress.is_some_and(|p| p < 1.0) {
        v.push(
            "progress",
            "conflicts_with_completed",
            "A completed resource has progress 1.",
        );
    }
    v.finish()?;
    let changes = SavedChanges {
        progress,
        rating,
        notes,
        completed: body.completed,
    };
    let row = store::update_saved(&state.db, user.id, resource_id, changes).await?;
    let view = SavedResourceView::new(row, user.id)?;
    events::publish(&state, user.id, "saved_resource.updated", &view).await;
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
    store::unsave(&state.db, user.id, resource_id).await?;
    events::publish(
        &state,
        user.id,
        "saved_resource.deleted",
        &json!({ "resource_id": resource_id }),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_http_urls_are_accepted() {
        assert_eq!(
            web_url(" https://Example.com/a b ").as_deref(),
            Ok("https://example.com/a%20b")
        );
        assert!(web_url("http://example.com").is_ok());
        for bad in [
            "javascript:alert(1)",
            "ftp://example.com/x",
            "example.com",
            "https://",
            "data:text/html,hi",
            "",
        ] {
            assert!(web_url(bad).is_err(), "{bad}");
        }
        let long = format!("https://example.com/{}", "a".repeat(URL_MAX));
        assert_eq!(web_url(&long), Err(InputError::TooLong { max: URL_MAX }));
    }
}
