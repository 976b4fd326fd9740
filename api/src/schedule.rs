//! `/api/schedule`: schedule blocks (one-off or recurring series), their
//! occurrences in a window, per-occurrence edits, and conflicts. The time-zone and
//! DST policy is documented in [`maigie_domain::schedule`].

mod expand;
pub mod generate;
mod input;
mod occurrences;
pub mod views;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use maigie_domain::Validation;
use maigie_domain::schedule::{self as rules, Exception, Series, occurrences as expand_series};
use maigie_domain::validation::ParseError;
use maigie_store::StoreError;
use maigie_store::schedule::{self, BlockFields};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use self::expand::{MAX_OCCURRENCES, Tx, conflict_response, conflicts_with, horizon};
pub(crate) use self::expand::{exception_of, series_of};

/// The user's occurrences overlapping `[from, to)` (for the schedule generator).
pub(crate) async fn expand_window(
    tx: &mut Tx<'_>,
    user_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ApiResult<expand::Expanded> {
    expand::window(tx, user_id, from, to, None).await
}
use self::input::{CreateBlock, OverlapParams, UpdateBlock, instant};
use self::views::{BlockPage, BlockView, OccurrenceList, OccurrenceView};
use crate::auth::extractor::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::http::extract::{Json, Path, Query};
use crate::pagination;
use crate::state::AppState;
use maigie_services::reminders;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_occurrences, create_block))
        .routes(routes!(list_blocks))
        .routes(routes!(get_block, update_block, delete_block))
        .routes(routes!(occurrences::list_conflicts))
        .routes(routes!(occurrences::update_occurrence))
        .routes(routes!(occurrences::complete_occurrence))
        .routes(routes!(generate::generate))
        .routes(routes!(generate::get_draft))
        .routes(routes!(generate::accept_draft))
        .routes(routes!(generate::discard_draft))
}

/// A `[from, to)` window, at most 366 days.
#[derive(Debug, Deserialize, IntoParams)]
pub struct WindowParams {
    /// RFC 3339 (inclusive).
    pub from: Option<String>,
    /// RFC 3339 (exclusive); at most 366 days after `from`.
    pub to: Option<String>,
}

impl WindowParams {
    fn parse(&self) -> ApiResult<(DateTime<Utc>, DateTime<Utc>)> {
        let mut v = Validation::new();
        let mut get = |field: &str, raw: &Option<String>| match raw {
            Some(raw) => instant(&mut v, field, raw),
            None => {
                v.push(field, "required", "is required (RFC 3339)");
                None
            }
        };
        let (from, to) = (get("from", &self.from), get("to", &self.to));
        v.finish()?;
        let (Some(from), Some(to)) = (from, to) else {
            return Err(ApiError::invalid_field("from", "required", "is required"));
        };
        rules::window(from, to).map_err(|e| ApiError::invalid_field("to", e.code(), e.to_string()))
    }
}

/// A foreign-key refusal names the link at fault: another user's (or no) course,
/// goal or task.
fn link_error(err: StoreError) -> ApiError {
    let field = match &err {
        StoreError::Constraint(c) if c == schedule::COURSE_FKEY => "course_id",
        StoreError::Constraint(c) if c == schedule::GOAL_FKEY => "goal_id",
        StoreError::Constraint(c) if c == schedule::TASK_FKEY => "task_id",
        _ => return err.into(),
    };
    ApiError::invalid_field(field, "not_found", "No such item of yours.")
}

/// Occurrences of the block's new timing that overlap the user's other blocks.
async fn timing_conflicts(
    db: &mut Tx<'_>,
    user_id: Uuid,
    block_id: Uuid,
    series: &Series,
    exceptions: &[Exception],
) -> ApiResult<Vec<OccurrenceView>> {
    let window = horizon(series, Utc::now());
    let mine = expand_series(
        block_id,
        series,
        exceptions,
        window.0,
        window.1,
        MAX_OCCURRENCES,
    )
    .map_err(ApiError::internal)?;
    conflicts_with(db, user_id, mine, window).await
}

/// Occurrences of the user's blocks in a window (recurring ones expanded in their
/// zone; cancelled occurrences left out, moved ones at their new time).
#[utoipa::path(get, path = "/api/schedule", tag = "schedule", security(("bearer" = [])),
    params(WindowParams),
    responses((status = 200, body = OccurrenceList), (status = 401, body = ErrorBody),
        (status = 422, description = "Missing or malformed `from`/`to`, or a window over 366 days.", body = ErrorBody)))]
pub async fn list_occurrences(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<WindowParams>,
) -> ApiResult<Json<OccurrenceList>> {
    let (from, to) = q.parse()?;
    let mut tx = state.db.begin().await.map_err(ApiError::internal)?;
    let expanded = expand::window(&mut tx, user.id, from, to, None).await?;
    let items = expanded
        .occurrences
        .iter()
        .map(|o| expanded.view(o))
        .collect::<ApiResult<_>>()?;
    Ok(Json(OccurrenceList {
        items,
        truncated: expanded.truncated,
    }))
}

/// Create a block. Overlapping another of the user's blocks (any occurrence within
/// 90 days for a series) answers 409 `schedule_conflict` unless `allow_overlap=true`.
#[utoipa::path(post, path = "/api/schedule", tag = "schedule", security(("bearer" = [])),
    params(OverlapParams), request_body = CreateBlock,
    responses((status = 201, body = BlockView), (status = 401, body = ErrorBody),
        (status = 409, description = "`schedule_conflict`; `details.conflicts` lists the occurrences in the way.", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_block(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<OverlapParams>,
    Json(body): Json<CreateBlock>,
) -> ApiResult<Response> {
    let user_tz = schedule::user_timezone(&state.db, user.id).await?;
    let parsed = body.parse(&user_tz)?;
    let mut work = state.services.begin().await?;
    schedule::lock_user_schedule(work.conn(), user.id).await?;
    if !q.allow_overlap.unwrap_or(false) {
        let conflicts =
            timing_conflicts(work.tx(), user.id, Uuid::nil(), &parsed.series, &[]).await?;
        if !conflicts.is_empty() {
            return Ok(conflict_response(&conflicts));
        }
    }
    let row = schedule::insert(work.conn(), user.id, &parsed.fields)
        .await
        .map_err(link_error)?;
    reminders::sync_block(&mut work, user.id, row.id, false).await?;
    let view = BlockView::try_from(&row)?;
    work.announce(user.id, "schedule_block.created", &view);
    work.commit(&state.services).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct BlockListParams {
    pub cursor: Option<String>,
    /// 1–200 (default 50).
    pub limit: Option<i64>,
}

/// The user's blocks themselves (series, not occurrences), by first start.
#[utoipa::path(get, path = "/api/schedule/blocks", tag = "schedule", security(("bearer" = [])),
    params(BlockListParams),
    responses((status = 200, body = BlockPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list_blocks(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<BlockListParams>,
) -> ApiResult<Json<BlockPage>> {
    let limit = pagination::limit(q.limit)?;
    let after = q
        .cursor
        .as_deref()
        .map(pagination::decode::<(DateTime<Utc>, Uuid)>)
        .transpose()?;
    let mut rows = schedule::list(&state.db, user.id, after, limit + 1).await?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next_cursor = rows
        .last()
        .filter(|_| more)
        .map(|r| pagination::encode(&(r.start_at, r.id)));
    let items = rows
        .iter()
        .map(BlockView::try_from)
        .collect::<ApiResult<_>>()?;
    Ok(Json(BlockPage { items, next_cursor }))
}

#[utoipa::path(get, path = "/api/schedule/{id}", tag = "schedule", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = BlockView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_block(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<BlockView>> {
    let row = schedule::get(&state.db, user.id, id).await?;
    Ok(Json(BlockView::try_from(&row)?))
}

/// Change a block. Moving it (start, end, zone or rule) checks conflicts like
/// creation does and drops its per-occurrence exceptions.
#[utoipa::path(patch, path = "/api/schedule/{id}", tag = "schedule", security(("bearer" = [])),
    params(("id" = Uuid, Path), OverlapParams), request_body = UpdateBlock,
    responses((status = 200, body = BlockView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "`schedule_conflict`", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_block(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    Query(q): Query<OverlapParams>,
    Json(body): Json<UpdateBlock>,
) -> ApiResult<Response> {
    let mut work = state.services.begin().await?;
    schedule::lock_user_schedule(work.conn(), user.id).await?;
    let row = schedule::get(work.conn(), user.id, id).await?;
    let current = BlockFields::from(&row);
    let parsed = body.apply(current.clone(), Utc::now())?;
    let f = &parsed.fields;
    let moved = f.start_at != current.start_at
        || f.end_at != current.end_at
        || f.timezone != current.timezone
        || f.recurrence_rule != current.recurrence_rule;
    if moved {
        if !q.allow_overlap.unwrap_or(false) {
            let conflicts = timing_conflicts(work.tx(), user.id, id, &parsed.series, &[]).await?;
            if !conflicts.is_empty() {
                return Ok(conflict_response(&conflicts));
            }
        }
        schedule::clear_exceptions(work.conn(), user.id, id).await?;
    }
    let had_reminder = current.reminder_minutes.is_some();
    let row = schedule::update(work.conn(), user.id, id, f)
        .await
        .map_err(link_error)?;
    reminders::sync_block(&mut work, user.id, id, had_reminder).await?;
    let view = BlockView::try_from(&row)?;
    work.announce(user.id, "schedule_block.updated", &view);
    work.commit(&state.services).await?;
    Ok(Json(view).into_response())
}

/// Delete a block with all its occurrences.
#[utoipa::path(delete, path = "/api/schedule/{id}", tag = "schedule", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_block(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    let mut work = state.services.begin().await?;
    let had_reminder = schedule::get(work.conn(), user.id, id)
        .await?
        .reminder_minutes
        .is_some();
    schedule::delete(work.conn(), user.id, id).await?;
    reminders::sync_block(&mut work, user.id, id, had_reminder).await?;
    work.announce(user.id, "schedule_block.deleted", &json!({ "id": id }));
    work.commit(&state.services).await?;
    Ok(StatusCode::NO_CONTENT)
}
