//! The task writes. Each is one [`Work`]: the row, its goal's progress, its reminder
//! plan (outbox) and its live events, all or nothing.

use chrono_tz::Tz;
use maigie_domain::EventKind;
use maigie_domain::recurrence::Recurrence;
use maigie_domain::tasks::{Due, Occurrence, next_due};
use maigie_store::tasks::{self, TaskRow};
use maigie_store::{StoreError, goals};
use uuid::Uuid;

use super::{CompletedTask, CreateTask, TaskView, UpdateTask};
use crate::error::{ServiceError, ServiceResult};
use crate::live::Deleted;
use crate::{Ctx, Services, Work, reminders};

/// Another user's goal in a body is a field error (in a path it is a 404).
fn goal_link_error(err: StoreError) -> ServiceError {
    match err {
        StoreError::Constraint(c) if c == tasks::GOAL_FKEY => {
            ServiceError::invalid_field("goal_id", "not_found", "no such goal")
        }
        other => other.into(),
    }
}

/// Creates a task; under the goal `goal` (from a path: another user's is not found)
/// or the body's `goal_id`.
pub async fn create(
    svc: &Services,
    ctx: &Ctx,
    body: CreateTask,
    goal: Option<Uuid>,
) -> ServiceResult<TaskView> {
    if let Some(goal) = goal {
        goals::get(&svc.db, ctx.user_id, goal).await?;
    }
    let tz = svc.zone_for(ctx).await?;
    let fields = body.parse(tz, goal)?;
    let mut work = svc.begin().await?;
    let row = tasks::create(work.conn(), ctx.user_id, &fields)
        .await
        .map_err(goal_link_error)?;
    goals::refresh_progress(work.tx(), &row.goal_id.into_iter().collect::<Vec<_>>()).await?;
    reminders::sync_task(&mut work, ctx.user_id, row.id, None, Some(&row)).await?;
    let view = TaskView::try_from(row)?;
    work.announce(ctx.user_id, EventKind::TaskCreated, &view);
    work.commit(svc).await?;
    Ok(view)
}

/// Changes a task; `completed` in the patch completes or reopens it like
/// [`complete`] and [`reopen`].
pub async fn update(
    svc: &Services,
    ctx: &Ctx,
    id: Uuid,
    body: UpdateTask,
) -> ServiceResult<TaskView> {
    let tz = svc.zone_for(ctx).await?;
    let mut work = svc.begin().await?;
    let row = tasks::lock(work.tx(), ctx.user_id, id).await?;
    let (fields, completed) = body.apply(&row, tz)?;
    let mut updated = tasks::update(work.conn(), ctx.user_id, id, &fields)
        .await
        .map_err(goal_link_error)?;
    let mut next = None;
    if let Some(done) = completed {
        (updated, next) = set_completion(&mut work, ctx.user_id, updated, done, tz).await?;
    }
    let touched: Vec<Uuid> = [row.goal_id, updated.goal_id]
        .into_iter()
        .flatten()
        .collect();
    goals::refresh_progress(work.tx(), &touched).await?;
    reminders::sync_task(&mut work, ctx.user_id, id, Some(&row), Some(&updated)).await?;
    let view = TaskView::try_from(updated)?;
    work.announce(ctx.user_id, EventKind::TaskUpdated, &view);
    successor_view(&mut work, ctx.user_id, next).await?;
    work.commit(svc).await?;
    Ok(view)
}

/// Completes a task (idempotent). A recurring task gets exactly one next occurrence,
/// however many times this is retried or clicked.
pub async fn complete(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<CompletedTask> {
    change_completion(svc, ctx, id, true).await
}

/// Marks a completed task as not done. An occurrence it already spawned is kept.
pub async fn reopen(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<CompletedTask> {
    change_completion(svc, ctx, id, false).await
}

/// Deletes a task (its reminder is cancelled).
pub async fn delete(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<()> {
    let mut work = svc.begin().await?;
    let before = tasks::lock(work.tx(), ctx.user_id, id).await?;
    let goal = tasks::delete(work.conn(), ctx.user_id, id).await?;
    goals::refresh_progress(work.tx(), &goal.into_iter().collect::<Vec<_>>()).await?;
    reminders::sync_task(&mut work, ctx.user_id, id, Some(&before), None).await?;
    work.announce(ctx.user_id, EventKind::TaskDeleted, &Deleted { id });
    work.commit(svc).await
}

/// A next occurrence: `(row, created now)`.
type Next = Option<(TaskRow, bool)>;

/// Completes or reopens a locked task; completing a recurring one inserts its next
/// occurrence unless it already has one.
async fn set_completion(
    work: &mut Work,
    user_id: Uuid,
    row: TaskRow,
    done: bool,
    tz: Tz,
) -> ServiceResult<(TaskRow, Next)> {
    if row.completed == done {
        return Ok((row, None));
    }
    let row = tasks::set_completed(work.conn(), row.id, done).await?;
    if !done {
        return Ok((row, None));
    }
    let (Some(rule), Some(anchor), Some(completed_at)) = (
        row.recurrence_rule.as_deref(),
        row.recurrence_anchor,
        row.completed_at,
    ) else {
        return Ok((row, None));
    };
    let Some(due) = row.due_at.map(Due::At).or(row.due_date.map(Due::On)) else {
        return Ok((row, None));
    };
    let recurrence = Recurrence::parse(rule).map_err(ServiceError::internal)?;
    let mode = row
        .recurrence_mode
        .parse()
        .map_err(ServiceError::internal)?;
    let occurrence = Occurrence {
        recurrence: &recurrence,
        mode,
        due,
        anchor,
        index: u32::try_from(row.occurrence_index).unwrap_or(1),
    };
    let Some(next) = next_due(&occurrence, completed_at, tz) else {
        return Ok((row, None));
    };
    let existing = tasks::successor(work.conn(), row.id).await?;
    let (due_at, due_date) = match next {
        Due::At(at) => (Some(at), None),
        Due::On(day) => (None, Some(day)),
    };
    let successor = tasks::insert_next(work.tx(), user_id, &row, due_at, due_date).await?;
    Ok((row, Some((successor, existing.is_none()))))
}

/// The next occurrence as a view; a new one gets its reminder and is announced.
async fn successor_view(
    work: &mut Work,
    user_id: Uuid,
    next: Next,
) -> ServiceResult<Option<TaskView>> {
    let Some((row, created)) = next else {
        return Ok(None);
    };
    if created {
        reminders::sync_task(work, user_id, row.id, None, Some(&row)).await?;
    }
    let view = TaskView::try_from(row)?;
    if created {
        work.announce(user_id, EventKind::TaskCreated, &view);
    }
    Ok(Some(view))
}

async fn change_completion(
    svc: &Services,
    ctx: &Ctx,
    id: Uuid,
    done: bool,
) -> ServiceResult<CompletedTask> {
    let tz = svc.zone_for(ctx).await?;
    let mut work = svc.begin().await?;
    let before = tasks::lock(work.tx(), ctx.user_id, id).await?;
    let changed = before.completed != done;
    let (row, next) = set_completion(&mut work, ctx.user_id, before.clone(), done, tz).await?;
    // A retried completion answers the successor created the first time.
    let next = match next {
        Some(n) => Some(n),
        None if done => tasks::successor(work.conn(), row.id)
            .await?
            .map(|s| (s, false)),
        None => None,
    };
    goals::refresh_progress(work.tx(), &row.goal_id.into_iter().collect::<Vec<_>>()).await?;
    if changed {
        reminders::sync_task(&mut work, ctx.user_id, id, Some(&before), Some(&row)).await?;
    }
    let task = TaskView::try_from(row)?;
    if changed {
        work.announce(ctx.user_id, EventKind::TaskUpdated, &task);
    }
    let next_occurrence = successor_view(&mut work, ctx.user_id, next).await?;
    work.commit(svc).await?;
    Ok(CompletedTask {
        task,
        next_occurrence,
    })
}
