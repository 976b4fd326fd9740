//! `/api/notes`: markdown notes, linked to a course or topic, archivable, with
//! ranked full-text search and highlighted snippets.
//!
//! Snippets are safe to insert as HTML: the note text is HTML-escaped and the only
//! markup is `<mark>` around matches (how: `maigie_domain::notes`).

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use maigie_domain::notes::{self as rules, render_snippet};
use maigie_domain::{Tags, Title, Validation};
use maigie_store::StoreError;
use maigie_store::notes::{self as store, NewNote, NoteChanges, NoteFilter, NoteRow};
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
use crate::http::input::present;
use crate::pagination;
use crate::pagination::paginate;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notes, create_note))
        .routes(routes!(get_note, update_note, delete_note))
        .routes(routes!(archive_note))
        .routes(routes!(unarchive_note))
}

/// A note.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoteView {
    pub id: Uuid,
    #[schema(example = "Photosynthesis")]
    pub title: String,
    /// Markdown.
    pub content: String,
    /// Written by the assistant; read-only.
    pub summary: Option<String>,
    pub course_id: Option<Uuid>,
    pub topic_id: Option<Uuid>,
    pub tags: Vec<String>,
    /// Set while the note is archived.
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<NoteRow> for NoteView {
    fn from(r: NoteRow) -> Self {
        Self {
            id: r.id,
            title: r.title,
            content: r.content,
            summary: r.summary,
            course_id: r.course_id,
            topic_id: r.topic_id,
            tags: r.tags,
            archived_at: r.archived_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A note in a list; search results add `rank` and `snippet`.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoteListItem {
    #[serde(flatten)]
    pub note: NoteView,
    /// Search relevance (`ts_rank`), only when searching.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<f32>,
    /// Up to three fragments of the content, HTML-escaped, matches wrapped in
    /// `<mark>…</mark>`; only when searching.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "light drives <mark>photosynthesis</mark> in the …")]
    pub snippet: Option<String>,
}

/// A page of notes.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotePage {
    pub items: Vec<NoteListItem>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateNote {
    /// 1–200 characters.
    #[schema(example = "Photosynthesis")]
    pub title: String,
    /// Markdown, up to 200,000 characters.
    #[serde(default)]
    pub content: String,
    /// One of your courses.
    pub course_id: Option<Uuid>,
    /// One of your topics.
    pub topic_id: Option<Uuid>,
    /// Up to 20 tags of 1–50 characters.
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateNote {
    pub title: Option<String>,
    pub content: Option<String>,
    /// `null` unlinks.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub course_id: Option<Option<Uuid>>,
    /// `null` unlinks.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub topic_id: Option<Option<Uuid>>,
    pub tags: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct NoteListParams {
    /// Full-text query (web-search syntax: `"a phrase"`, `or`, `-word`); results are
    /// ordered by relevance and carry snippets.
    pub search: Option<String>,
    /// `true`: archived notes only; otherwise active notes only.
    #[serde(default)]
    pub archived: bool,
    pub course_id: Option<Uuid>,
    pub topic_id: Option<Uuid>,
    /// Notes carrying this tag (exact spelling).
    pub tag: Option<String>,
    pub cursor: Option<String>,
    /// 1–200 (default 50).
    pub limit: Option<i64>,
}

fn note_error(err: StoreError) -> ApiError {
    match err {
        StoreError::Constraint(c) if c == store::COURSE_LINK => {
            ApiError::invalid_field("course_id", "not_found", "No such course of yours.")
        }
        StoreError::Constraint(c) if c == store::TOPIC_LINK => {
            ApiError::invalid_field("topic_id", "not_found", "No such topic of yours.")
        }
        other => other.into(),
    }
}

/// List notes (most recently updated first) or search them (most relevant first).
#[utoipa::path(get, path = "/api/notes", tag = "notes", security(("bearer" = [])), params(NoteListParams),
    responses((status = 200, body = NotePage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_notes(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<NoteListParams>,
) -> ApiResult<Json<NotePage>> {
    let mut v = Validation::new();
    let search = v.check("search", rules::search_query(p.search.as_deref()));
    v.finish()?;
    let limit = pagination::limit(p.limit)?;
    let filter = NoteFilter {
        archived: p.archived,
        course_id: p.course_id,
        topic_id: p.topic_id,
        tag: p.tag,
    };
    let (items, next_cursor) = if let Some(query) = present(search)? {
        let after = p
            .cursor
            .as_deref()
            .map(pagination::decode::<(f32, Uuid)>)
            .transpose()?;
        let hits = store::search(&state.db, user.id, &query, &filter, after, limit + 1).await?;
        let (hits, next) = paginate(hits, limit, |h| (h.rank, h.note.id));
        let items = hits
            .into_iter()
            .map(|h| NoteListItem {
                note: h.note.into(),
                rank: Some(h.rank),
                snippet: Some(render_snippet(&h.headline)),
            })
            .collect();
        (items, next)
    } else {
        let after = p
            .cursor
            .as_deref()
            .map(pagination::decode::<(DateTime<Utc>, Uuid)>)
            .transpose()?;
        let rows = store::list(&state.db, user.id, &filter, after, limit + 1).await?;
        let (rows, next) = paginate(rows, limit, |r| (r.updated_at, r.id));
        let items = rows
            .into_iter()
            .map(|r| NoteListItem {
                note: r.into(),
                rank: None,
                snippet: None,
            })
            .collect();
        (items, next)
    };
    Ok(Json(NotePage { items, next_cursor }))
}

/// Create a note.
#[utoipa::path(post, path = "/api/notes", tag = "notes", security(("bearer" = [])), request_body = CreateNote,
    responses((status = 201, body = NoteView), (status = 422, body = ErrorBody)))]
pub async fn create_note(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<CreateNote>,
) -> ApiResult<(StatusCode, Json<NoteView>)> {
    let mut v = Validation::new();
    let title = v.check("title", Title::parse(&body.title));
    let content = v.check("content", rules::content(&body.content));
    let tags = v.check("tags", Tags::parse(&body.tags));
    v.finish()?;
    let new = NewNote {
        title: present(title)?.into_string(),
        content: present(content)?,
        course_id: body.course_id,
        topic_id: body.topic_id,
        tags: present(tags)?.into_vec(),
    };
    let row = store::create(&state.db, user.id, &new)
        .await
        .map_err(note_error)?;
    let view = NoteView::from(row);
    events::publish(&state, user.id, "note.created", &view).await;
    Ok((StatusCode::CREATED, Json(view)))
}

/// One note.
#[utoipa::path(get, path = "/api/notes/{id}", tag = "notes", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Note id")),
    responses((status = 200, body = NoteView), (status = 404, body = ErrorBody)))]
pub async fn get_note(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<NoteView>> {
    Ok(Json(store::get(&state.db, user.id, id).await?.into()))
}

/// Change a note's title, content, links or tags.
#[utoipa::path(patch, path = "/api/notes/{id}", tag = "notes", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Note id")), request_body = UpdateNote,
    responses((status = 200, body = NoteView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_note(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    Json(body): Json<UpdateNote>,
) -> ApiResult<Json<NoteView>> {
    let mut v = Validation::new();
    let title = body
        .title
        .as_deref()
        .and_then(|t| v.check("title", Title::parse(t)))
        .map(Title::into_string);
    let content = body
        .content
        .as_deref()
        .and_then(|c| v.check("content", rules::content(c)));
    let tags = body
        .tags
        .as_deref()
        .and_then(|t| v.check("tags", Tags::parse(t)))
        .map(Tags::into_vec);
    v.finish()?;
    let changes = NoteChanges {
        title,
        content,
        course_id: body.course_id,
        topic_id: body.topic_id,
        tags,
    };
    let row = store::update(&state.db, user.id, id, changes)
        .await
        .map_err(note_error)?;
    let view = NoteView::from(row);
    events::publish(&state, user.id, "note.updated", &view).await;
    Ok(Json(view))
}

async fn set_archived(
    state: &AppState,
    user: &AuthUser,
    id: Uuid,
    archived: bool,
) -> ApiResult<Json<NoteView>> {
    let view = NoteView::from(store::set_archived(&state.db, user.id, id, archived).await?);
    events::publish(state, user.id, "note.updated", &view).await;
    Ok(Json(view))
}

/// Archive a note: it leaves the default list and search (see `archived=true`).
#[utoipa::path(post, path = "/api/notes/{id}/archive", tag = "notes", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Note id")),
    responses((status = 200, body = NoteView), (status = 404, body = ErrorBody)))]
pub async fn archive_note(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<NoteView>> {
    set_archived(&state, &user, id, true).await
}

/// Bring an archived note back.
#[utoipa::path(post, path = "/api/notes/{id}/unarchive", tag = "notes", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Note id")),
    responses((status = 200, body = NoteView), (status = 404, body = ErrorBody)))]
pub async fn unarchive_note(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<NoteView>> {
    set_archived(&state, &user, id, false).await
}

/// Delete a note.
#[utoipa::path(delete, path = "/api/notes/{id}", tag = "notes", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Note id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_note(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    store::delete(&state.db, user.id, id).await?;
    events::publish(&state, user.id, "note.deleted", &json!({ "id": id })).await;
    Ok(StatusCode::NO_CONTENT)
}
