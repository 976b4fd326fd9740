//! One occurrence of a series: move, retitle, cancel or complete it without touching
//! the others (stored as an exception keyed by the start the rule generated); and
//! the occurrences and conflicts of a window.

use chrono::{DateTime, Utc};
use maigie_domain::EventKind;
use maigie_domain::schedule::{Occurrence, Series};
use maigie_domain::{Title, Validation};
use maigie_store::schedule::{self, BlockRow, ExceptionRow};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::WindowParams;
use super::expand::{self, Tx, conflict_error, conflicts_with, series_of};
use super::input::{OverlapParams, instant};
use super::views::{ConflictList, OccurrenceList, OccurrenceView};
use crate::error::{ServiceError, ServiceResult};
use crate::input::nullable;
use crate::{Ctx, Services, reminders};

/// Changes to one occurrence of a recurring block.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
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
) -> ServiceResult<(BlockRow, Series, ExceptionRow)> {
    let mut v = Validation::new();
    let at = instant(&mut v, "occurrence_start", raw);
    v.finish()?;
    let at = at.ok_or(ServiceError::NotFound)?;
    let block = schedule::get(&mut **db, user_id, id).await?;
    let series = series_of(&block)?;
    if !series.has_occurrence(at).map_err(ServiceError::internal)? {
        return Err(ServiceError::NotFound);
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

fn view(block: &BlockRow, series: &Series, e: &ExceptionRow) -> ServiceResult<OccurrenceView> {
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
) -> ServiceResult<bool> {
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
        return Err(ServiceError::invalid_field(
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

fn not_recurring() -> ServiceError {
    ServiceError::invalid_field(
        "occurrence_start",
        "not_recurring",
        "This block does not repeat: change it with PATCH /api/schedule/{id}.",
    )
}

/// Occurrences of the user's blocks in a window (recurring ones expanded in their
/// zone; cancelled occurrences left out, moved ones at their new time).
pub async fn occurrences(
    svc: &Services,
    ctx: &Ctx,
    q: &WindowParams,
) -> ServiceResult<OccurrenceList> {
    let (from, to) = q.parse()?;
    let mut tx = svc.snapshot().await?;
    let expanded = expand::window(&mut tx, ctx.user_id, from, to, None).await?;
    let items = expanded
        .occurrences
        .iter()
        .map(|o| expanded.view(o))
        .collect::<ServiceResult<_>>()?;
    Ok(OccurrenceList {
        items,
        truncated: expanded.truncated,
    })
}

/// Pairs of the user's occurrences (of different blocks) that overlap in a window.
pub async fn conflicts(svc: &Services, ctx: &Ctx, q: &WindowParams) -> ServiceResult<ConflictList> {
    let (from, to) = q.parse()?;
    let mut tx = svc.snapshot().await?;
    let expanded = expand::window(&mut tx, ctx.user_id, from, to, None).await?;
    let (items, truncated) = expand::pairs(&expanded)?;
    Ok(ConflictList {
        items,
        truncated: truncated || expanded.truncated,
    })
}

/// Edits or cancels one occurrence of a recurring block; the series is untouched.
pub async fn update_occurrence(
    svc: &Services,
    ctx: &Ctx,
    (id, occurrence_start): (Uuid, &str),
    body: UpdateOccurrence,
    q: &OverlapParams,
) -> ServiceResult<OccurrenceView> {
    let mut work = svc.begin().await?;
    schedule::lock_user_schedule(work.conn(), ctx.user_id).await?;
    let (block, series, mut e) = load(work.tx(), ctx.user_id, id, occurrence_start).await?;
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
        let conflicts = conflicts_with(work.tx(), ctx.user_id, mine, window).await?;
        if !conflicts.is_empty() {
            return Err(conflict_error(&conflicts));
        }
    }
    let saved = schedule::put_exception(work.conn(), ctx.user_id, &e).await?;
    reminders::sync_block(&mut work, ctx.user_id, id, block.reminder_minutes.is_some()).await?;
    let view = view(&block, &series, &saved)?;
    work.announce(ctx.user_id, EventKind::ScheduleOccurrenceUpdated, &view);
    work.commit(svc).await?;
    Ok(view)
}

/// Marks one occurrence done (a one-off block: the block itself).
pub async fn complete_occurrence(
    svc: &Services,
    ctx: &Ctx,
    (id, occurrence_start): (Uuid, &str),
) -> ServiceResult<OccurrenceView> {
    let now = Utc::now();
    let mut work = svc.begin().await?;
    let (mut block, series, mut e) = load(work.tx(), ctx.user_id, id, occurrence_start).await?;
    if series.rule.is_none() {
        let mut fields = schedule::BlockFields::from(&block);
        fields.completed_at = Some(block.completed_at.unwrap_or(now));
        block = schedule::update(work.conn(), ctx.user_id, id, &fields).await?;
    } else {
        if e.cancelled {
            return Err(ServiceError::invalid_field(
                "occurrence_start",
                "cancelled",
                "This occurrence is cancelled; restore it first.",
            ));
        }
        e.completed_at = Some(e.completed_at.unwrap_or(now));
        e = schedule::put_exception(work.conn(), ctx.user_id, &e).await?;
    }
    reminders::sync_block(&mut work, ctx.user_id, id, block.reminder_minutes.is_some()).await?;
    let view = view(&block, &series, &e)?;
    work.announce(ctx.user_id, EventKind::ScheduleOccurrenceUpdated, &view);
    work.commit(svc).await?;
    Ok(view)
}
