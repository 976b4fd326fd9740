//! `/api/notes`: markdown notes, linked to a course or topic, archivable, with
//! ranked full-text search and highlighted snippets. The rules live in
//! [`maigie_services::notes`]; these handlers extract, call and answer.

use axum::extract::State;
use axum::http::StatusCode;
use maigie_services::knowledge::related::{self, RelatedPage, RelatedParams};
use maigie_services::notes;
pub use maigie_services::notes::{
    CreateNote, NoteListItem, NoteListParams, NotePage, NoteView, UpdateNote,
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
        .routes(routes!(list_notes, create_note))
        .routes(routes!(get_note, update_note, delete_note))
        .routes(routes!(archive_note))
        .routes(routes!(unarchive_note))
        .routes(routes!(related_to_note))
}

/// Your items closest in meaning to this note (notes, tasks, goals, courses, modules,
/// topics, resources you added; filter with `types`), closest first. `mode` says
/// `fulltext` when meaning could not be used and the note's title words ranked instead.
#[utoipa::path(get, path = "/api/notes/{id}/related", tag = "notes", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Note id"), RelatedParams),
    responses((status = 200, body = RelatedPage), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn related_to_note(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    Query(p): Query<RelatedParams>,
) -> ApiResult<Json<RelatedPage>> {
    let page = related::related(&state.services, &user.ctx(), "note", id, p).await?;
    Ok(Json(page))
}

/// List notes (most recently updated first) or search them (most relevant first).
#[utoipa::path(get, path = "/api/notes", tag = "notes", security(("bearer" = [])), params(NoteListParams),
    responses((status = 200, body = NotePage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_notes(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<NoteListParams>,
) -> ApiResult<Json<NotePage>> {
    Ok(Json(notes::list(&state.services, &user.ctx(), p).await?))
}

/// Create a note.
#[utoipa::path(post, path = "/api/notes", tag = "notes", security(("bearer" = [])), request_body = CreateNote,
    responses((status = 201, body = NoteView), (status = 422, body = ErrorBody)))]
pub async fn create_note(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<CreateNote>,
) -> ApiResult<(StatusCode, Json<NoteView>)> {
    let view = notes::create(&state.services, &user.ctx(), body).await?;
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
    Ok(Json(notes::get(&state.services, &user.ctx(), id).await?))
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
    Ok(Json(
        notes::update(&state.services, &user.ctx(), id, body).await?,
    ))
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
    Ok(Json(
        notes::archive(&state.services, &user.ctx(), id).await?,
    ))
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
    Ok(Json(
        notes::unarchive(&state.services, &user.ctx(), id).await?,
    ))
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
    notes::delete(&state.services, &user.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
