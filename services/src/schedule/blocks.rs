//! Blocks themselves (series, not occurrences): create, read, list, change, delete.

use chrono::{DateTime, Utc};
use maigie_domain::EventKind;
use maigie_domain::schedule::{Exception, Series, occurrences as expand_series};
use maigie_store::StoreError;
use maigie_store::schedule::{self, BlockFields};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::expand::{MAX_OCCURRENCES, Tx, conflict_error, conflicts_with, horizon};
use super::input::{CreateBlock, OverlapParams, UpdateBlock};
use super::views::{BlockPage, BlockView};
use crate::error::{ServiceError, ServiceResult};
use crate::live::Deleted;
use crate::{Ctx, Services, pagination, reminders};

/// A foreign-key refusal names the link at fault: another user's (or no) course,
/// goal or task.
fn link_error(err: StoreError) -> ServiceError {
    let field = match &err {
        StoreError::Constraint(c) if c == schedule::COURSE_FKEY => "course_id",
        StoreError::Constraint(c) if c == schedule::GOAL_FKEY => "goal_id",
        StoreError::Constraint(c) if c == schedule::TASK_FKEY => "task_id",
        _ => return err.into(),
    };
    ServiceError::invalid_field(field, "not_found", "No such item of yours.")
}

/// Refuses timing that overlaps the user's other blocks, unless overlap is allowed.
async fn check_overlap(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    block_id: Uuid,
    series: &Series,
    exceptions: &[Exception],
    q: &OverlapParams,
) -> ServiceResult<()> {
    if q.allow_overlap.unwrap_or(false) {
        return Ok(());
    }
    let window = horizon(series, Utc::now());
    let mine = expand_series(
        block_id,
        series,
        exceptions,
        window.0,
        window.1,
        MAX_OCCURRENCES,
    )
    .map_err(ServiceError::internal)?;
    let conflicts = conflicts_with(tx, ctx.user_id, mine, window).await?;
    if conflicts.is_empty() {
        Ok(())
    } else {
        Err(conflict_error(&conflicts))
    }
}

/// Creates a block. Overlapping another of the user's blocks (any occurrence within
/// 90 days for a series) is a `schedule_conflict` unless `allow_overlap` is set.
pub async fn create(
    svc: &Services,
    ctx: &Ctx,
    body: CreateBlock,
    q: &OverlapParams,
) -> ServiceResult<BlockView> {
    let user_tz = schedule::user_timezone(&svc.db, ctx.user_id).await?;
    let parsed = body.parse(&user_tz)?;
    let mut work = svc.begin().await?;
    schedule::lock_user_schedule(work.conn(), ctx.user_id).await?;
    check_overlap(work.tx(), ctx, Uuid::nil(), &parsed.series, &[], q).await?;
    let row = schedule::insert(work.conn(), ctx.user_id, &parsed.fields)
        .await
        .map_err(link_error)?;
    reminders::sync_block(&mut work, ctx.user_id, row.id, false).await?;
    let view = BlockView::try_from(&row)?;
    work.announce(ctx.user_id, EventKind::ScheduleBlockCreated, &view);
    work.commit(svc).await?;
    Ok(view)
}

/// One block of the caller's.
pub async fn get(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<BlockView> {
    BlockView::try_from(&schedule::get(&svc.db, ctx.user_id, id).await?)
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BlockListParams {
    pub cursor: Option<String>,
    /// 1–200 (default 50).
    pub limit: Option<i64>,
}

/// The user's blocks themselves (series, not occurrences), by first start.
pub async fn list(svc: &Services, ctx: &Ctx, q: BlockListParams) -> ServiceResult<BlockPage> {
    let limit = pagination::limit(q.limit)?;
    let after = q
        .cursor
        .as_deref()
        .map(pagination::decode::<(DateTime<Utc>, Uuid)>)
        .transpose()?;
    let rows = schedule::list(&svc.db, ctx.user_id, after, limit + 1).await?;
    let (rows, next_cursor) = pagination::paginate(rows, limit, |r| (r.start_at, r.id));
    let items = rows
        .iter()
        .map(BlockView::try_from)
        .collect::<ServiceResult<_>>()?;
    Ok(BlockPage { items, next_cursor })
}

/// Changes a block. Moving it (start, end, zone or rule) checks conflicts like
/// creation does and drops its per-occurrence exceptions.
pub async fn update(
    svc: &Services,
    ctx: &Ctx,
    id: Uuid,
    body: UpdateBlock,
    q: &OverlapParams,
) -> ServiceResult<BlockView> {
    let mut work = svc.begin().await?;
    schedule::lock_user_schedule(work.conn(), ctx.user_id).await?;
    let row = schedule::get(work.conn(), ctx.user_id, id).await?;
    let current = BlockFields::from(&row);
    let parsed = body.apply(current.clone(), Utc::now())?;
    let f = &parsed.fields;
    let moved = f.start_at != current.start_at
        || f.end_at != current.end_at
        || f.timezone != current.timezone
        || f.recurrence_rule != current.recurrence_rule;
    if moved {
        check_overlap(work.tx(), ctx, id, &parsed.series, &[], q).await?;
        schedule::clear_exceptions(work.conn(), ctx.user_id, id).await?;
    }
    let had_reminder = current.reminder_minutes.is_some();
    let row = schedule::update(work.conn(), ctx.user_id, id, f)
        .await
        .map_err(link_error)?;
    reminders::sync_block(&mut work, ctx.user_id, id, had_reminder).await?;
    let view = BlockView::try_from(&row)?;
    work.announce(ctx.user_id, EventKind::ScheduleBlockUpdated, &view);
    work.commit(svc).await?;
    Ok(view)
}

/// Deletes a block with all its occurrences (its reminder is cancelled).
pub async fn delete(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<()> {
    let mut work = svc.begin().await?;
    let had_reminder = schedule::get(work.conn(), ctx.user_id, id)
        .await?
        .reminder_minutes
        .is_some();
    schedule::delete(work.conn(), ctx.user_id, id).await?;
    reminders::sync_block(&mut work, ctx.user_id, id, had_reminder).await?;
    work.announce(
        ctx.user_id,
        EventKind::ScheduleBlockDeleted,
        &Deleted { id },
    );
    work.commit(svc).await
}
