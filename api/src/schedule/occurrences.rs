//! One occurrence of a series: move, retitle, cancel or complete it without touching
//! the others (stored as an exception keyed by the start the rule generated); and
//! the conflicts listing.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use maigie_domain::schedule::{Occurrence, Series};
use maigie_domain::{Title, Validation};
use maigie_store::schedule::{self, BlockRow, ExceptionRow};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::WindowParams;
use super::expand::{self, Tx, conflict_response, conflicts_with, series_of};
use super::input::{OverlapParams, instant};
use super::views::{ConflictList, OccurrenceView};
use crate::auth::extractor::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::http::extract::{Json, Path, Query};
use crate::http::input::nullable;
use crate::state::AppState;
use maigie_services::reminders;

/// Changes to one occurrence of a recurring block.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOccurrence {
    /// New start (RFC 3339); alone, the occurrence keeps its length.
    pub start_at: Option<String>,
    /// New end (RFC 3339).
    pub end_at: Option<String>,
    /// This occurrence's own title; `null` goes back to the block's.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    /// `true` cancels this occurrence only (alone: nothing else may change with it);
    /// `false` restores it.
    pub cancelled: Option<bool>,
    pub completed: Option<bool>,
}

/// The occurrence in the path, its block and its current exception; 404 unless the
/// rule generates that start.
async fn load(
    db: &mut Tx<'_>,
    user_id: Uuid,
    id: Uuid,
    raw: &str,
) -> ApiResult<(BlockRow, Series, ExceptionRow)> {
    let mut v = Validation::new();
    let at = instant(&mut v, "occurrence_start", raw);
    v.finish()?;
    let at = at.ok_or(ApiError::NotFound)?;
    let block = schedule::get(&mut **db, user_id, id).await?;
    let series = series_of(&block)?;
    if !series.has_occurrence(at).map_err(ApiError::internal)? {
        return Err(ApiError::NotFound);
    }
    let existing = schedule::exceptions_of(&mut **db, user_id, &[id])
        .await?
        .into_iter()
        .find(|e| e.occurrence_start == at);
    let exception = existing.unwrap_or(ExceptionRow {
        block_id: id,
        occurrence_start: at,
        cancelled: false,
        override_start_at: None,
        override_end_at: None,
        override_title: None,
        completed_at: None,
        updated_at: Utc::now(),
    });
    Ok((block, series, exception))
}

fn view(block: &BlockRow, series: &Series, e: &ExceptionRow) -> ApiResult<OccurrenceView> {
    let moved = e.override_start_at.zip(e.override_end_at);
    let (start, end) =
        moved.unwrap_or((e.occurrence_start, e.occurrence_start + series.duration()));
    let occurrence = Occurrence {
        block_id: block.id,
        occurrence_start: e.occurrence_start,
        start,
        end,
        title: e.override_title.clone(),
        moved: moved.is_some(),
        completed_at: e.completed_at,
    };
    let mut view = OccurrenceView::new(&occurrence, block)?;
    view.cancelled = e.cancelled;
    Ok(view)
}

/// Applies the changes to the exception; answers whether the time changed.
fn merge(
    body: UpdateOccurrence,
    e: &mut ExceptionRow,
    series: &Series,
    now: DateTime<Utc>,
) -> ApiResult<bool> {
    let mut v = Validation::new();
    let others = body.start_at.is_some()
        || body.end_at.is_some()
        || body.title.is_some()
        || body.completed.is_some();
    if body.cancelled == Some(true) {
        if others {
            v.push(
                "cancelled",
                "conflicting_fields",
                "cancel alone, without other changes",
            );
            v.finish()?;
        }
        *e = ExceptionRow {
            cancelled: true,
            override_start_at: None,
            override_end_at: None,
            override_title: None,
            completed_at: None,
            ..e.clone()
        };
        return Ok(false);
    }
    e.cancelled = false;
    let original = (e.occurrence_start, e.occurrence_start + series.duration());
    let current = e
        .override_start_at
        .zip(e.override_end_at)
        .unwrap_or(original);
    let start = body
        .start_at
        .as_deref()
        .and_then(|r| instant(&mut v, "start_at", r));
    let end = body
        .end_at
        .as_deref()
        .and_then(|r| instant(&mut v, "end_at", r));
    let title = match &body.title {
        Some(Some(raw)) => v
            .check("title", Title::parse(raw))
            .map(|t| Some(t.into_string())),
        Some(None) => Some(None),
        None => None,
    };
    v.finish()?;
    let new_start = start.unwrap_or(current.0);
    let new_end = end.unwrap_or_else(|| new_start + (current.1 - current.0));
    if new_end <= new_start {
        return Err(ApiError::invalid_field(
            "end_at",
            "end_before_start",
            "must be after start_at",
        ));
    }
    let span = (new_start, new_end);
    let moved = span != current;
    (e.override_start_at, e.override_end_at) = if span == original {
        (None, None)
    } else {
        (Some(span.0), Some(span.1))
    };
    if let Some(t) = title {
        e.override_title = t;
    }
    if let Some(done) = body.completed {
        e.completed_at = done.then(|| e.completed_at.unwrap_or(now));
    }
    Ok(moved)
}

fn not_recurring() -> ApiError {
    ApiError::invalid_field(
        "occurrence_start",
        "not_recurring",
        "This block does not repeat: change it with PATCH /api/schedule/{id}.",
    )
}

/// Edit or cancel one occurrence of a recurring block; the series is untouched.
#[utoipa::path(patch, path = "/api/schedule/{id}/occurrences/{occurrence_start}", tag = "schedule",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("occurrence_start" = String, Path, description = "The start the rule generated (RFC 3339)."), OverlapParams),
    request_body = UpdateOccurrence,
    responses((status = 200, body = OccurrenceView), (status = 401, body = ErrorBody),
        (status = 404, description = "No such block, or the rule has no occurrence at that start.", body = ErrorBody),
        (status = 409, description = "`schedule_conflict`", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_occurrence(
    State(state): State<AppState>,
    user: AuthUser,
    Path((id, occurrence_start)): Path<(Uuid, String)>,
    Query(q): Query<OverlapParams>,
    Json(body): Json<UpdateOccurrence>,
) -> ApiResult<Response> {
    let mut work = state.services.begin().await?;
    schedule::lock_user_schedule(work.conn(), user.id).await?;
    let (block, series, mut e) = load(work.tx(), user.id, id, &occurrence_start).await?;
    if series.rule.is_none() {
        return Err(not_recurring());
    }
    let moved = merge(body, &mut e, &series, Utc::now())?;
    if moved && !q.allow_overlap.unwrap_or(false) {
        let current = view(&block, &series, &e)?;
        let mine = vec![Occurrence {
            block_id: id,
            occurrence_start: e.occurrence_start,
            start: current.start_at,
            end: current.end_at,
            title: None,
            moved: true,
            completed_at: None,
        }];
        let window = (current.start_at, current.end_at);
        let conflicts = conflicts_with(work.tx(), user.id, mine, window).await?;
        if !conflicts.is_empty() {
            return Ok(conflict_response(&conflicts));
        }
    }
    let saved = schedule::put_exception(work.conn(), user.id, &e).await?;
    reminders::sync_block(&mut work, user.id, id, block.reminder_minutes.is_some()).await?;
    let view = view(&block, &series, &saved)?;
    work.announce(user.id, "schedule_occurrence.updated", &view);
    work.commit(&state.services).await?;
    Ok(Json(view).into_response())
}

/// Mark one occurrence done (a one-off block: the block itself).
#[utoipa::path(post, path = "/api/schedule/{id}/occurrences/{occurrence_start}/complete", tag = "schedule",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("occurrence_start" = String, Path, description = "The start the rule generated (RFC 3339).")),
    responses((status = 200, body = OccurrenceView), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "The occurrence is cancelled.", body = ErrorBody)))]
pub async fn complete_occurrence(
    State(state): State<AppState>,
    user: AuthUser,
    Path((id, occurrence_start)): Path<(Uuid, String)>,
) -> ApiResult<Json<OccurrenceView>> {
    let now = Utc::now();
    let mut work = state.services.begin().await?;
    let (mut block, series, mut e) = load(work.tx(), user.id, id, &occurrence_start).await?;
    if series.rule.is_none() {
        let mut fields = schedule::BlockFields::from(&block);
        fields.completed_at = Some(block.completed_at.unwrap_or(now));
        block = schedule::update(work.conn(), user.id, id, &fields).await?;
    } else {
        if e.cancelled {
            return Err(ApiError::invalid_field(
                "occurrence_start",
                "cancelled",
                "This occurrence is cancelled; restore it first.",
            ));
        }
        e.completed_at = Some(e.completed_at.unwrap_or(now));
        e = schedule::put_exception(work.conn(), user.id, &e).await?;
    }
    reminders::sync_block(&mut work, user.id, id, block.reminder_minutes.is_some()).await?;
    let view = view(&block, &series, &e)?;
    work.announce(user.id, "schedule_occurrence.updated", &view);
    work.commit(&state.services).await?;
    Ok(Json(view))
}

/// Pairs of the user's occurrences (of different blocks) that overlap in a window.
#[utoipa::path(get, path = "/api/schedule/conflicts", tag = "schedule", security(("bearer" = [])),
    params(WindowParams),
    responses((status = 200, body = ConflictList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_conflicts(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<WindowParams>,
) -> ApiResult<Json<ConflictList>> {
    let (from, to) = q.parse()?;
    let mut tx = state.db.begin().await.map_err(ApiError::internal)?;
    let expanded = expand::window(&mut tx, user.id, from, to, None).await?;
    let (items, truncated) = expand::pairs(&expanded)?;
    Ok(Json(ConflictList {
        items,
        truncated: truncated || expanded.truncated,
    }))
}
