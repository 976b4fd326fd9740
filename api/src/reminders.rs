//! Keeping each source's reminder workflow in step with the source.
//!
//! After every change that commits, the source's desired reminder is sent to its
//! `reminder-<type>-<id>` workflow (signal-with-start, through the outbox): for a task,
//! `due_at - reminder_minutes` while it is pending; for a schedule block,
//! `reminder_minutes` before its next occurrence (exceptions applied; the workflow
//! moves on to the following one itself). Reminders whose time passed more than a
//! minute before they were set are not scheduled (a reminder that is late because a
//! worker or Temporal was down still fires, late).

use chrono::{Duration, Utc};
use maigie_store::schedule::{self, BlockRow};
use maigie_store::tasks::TaskRow;
use maigie_workflows::reminder::{ReminderInput, ReminderPlan};
use uuid::Uuid;

use crate::state::AppState;
use crate::workflows;

/// Whether a task (as stored) wants a reminder at all.
fn wants_reminder(task: &TaskRow) -> bool {
    task.reminder_minutes.is_some() && task.due_at.is_some()
}

/// The plan for a task's reminder now.
fn plan_for(task: &TaskRow) -> ReminderPlan {
    let fire_at = match (task.completed, task.due_at, task.reminder_minutes) {
        (false, Some(due), Some(minutes)) => {
            let fire = due - Duration::minutes(i64::from(minutes));
            (fire > Utc::now() - Duration::minutes(1)).then(|| fire.timestamp_millis())
        }
        _ => None,
    };
    ReminderPlan {
        version: task.updated_at.timestamp_micros(),
        fire_at_ms: fire_at,
        occurrence_at_ms: task.due_at.map_or(0, |d| d.timestamp_millis()),
        title: task.title.clone(),
    }
}

/// Brings the reminder of task `id` in line with `after` (`None`: the task is gone).
/// `before` is the task as it was, so tasks that never had a reminder cost nothing.
pub async fn sync_task(
    state: &AppState,
    user_id: Uuid,
    id: Uuid,
    before: Option<&TaskRow>,
    after: Option<&TaskRow>,
) {
    let had = before.is_some_and(wants_reminder);
    let has = after.is_some_and(wants_reminder);
    if !had && !has {
        return;
    }
    let plan = match after {
        Some(task) => plan_for(task),
        None => ReminderPlan {
            version: Utc::now().timestamp_micros(),
            fire_at_ms: None,
            occurrence_at_ms: 0,
            title: String::new(),
        },
    };
    let input = ReminderInput {
        user_id,
        source_type: "task".into(),
        source_id: id,
        plan,
    };
    workflows::sync_reminder(state, &input).await;
}

/// Brings the reminder of block `id` in line with the block and its exceptions as
/// stored now. `had_reminder`: whether the block had `reminder_minutes` before the
/// change (so turning it off, or deleting the block, cancels it).
pub async fn sync_block(state: &AppState, user_id: Uuid, id: Uuid, had_reminder: bool) {
    let stored = match schedule::get(&state.db, user_id, id).await {
        Ok(row) => Some(row),
        Err(maigie_store::StoreError::NotFound) => None,
        Err(err) => {
            return tracing::warn!(block = %id, error = %err, "could not load a block's reminder");
        }
    };
    let has_reminder = stored
        .as_ref()
        .is_some_and(|b: &BlockRow| b.reminder_minutes.is_some());
    if !had_reminder && !has_reminder {
        return;
    }
    let next = match schedule::next_reminder(
        &state.db,
        user_id,
        id,
        None,
        Utc::now() - Duration::minutes(1),
    )
    .await
    {
        Ok(next) => next,
        Err(err) => {
            return tracing::warn!(block = %id, error = %err, "could not plan a block's reminder");
        }
    };
    let plan = match (next, &stored) {
        (Some(r), _) => ReminderPlan {
            version: r.version.timestamp_micros(),
            fire_at_ms: Some(r.fire_at.timestamp_millis()),
            occurrence_at_ms: r.occurrence_at.timestamp_millis(),
            title: r.title,
        },
        (None, stored) => ReminderPlan {
            version: stored
                .as_ref()
                .map_or_else(Utc::now, |b| b.updated_at)
                .timestamp_micros(),
            fire_at_ms: None,
            occurrence_at_ms: 0,
            title: String::new(),
        },
    };
    let input = ReminderInput {
        user_id,
        source_type: "schedule_block".into(),
        source_id: id,
        plan,
    };
    workflows::sync_reminder(state, &input).await;
}

/// Brings the reminder of task `id` in line with the task as stored now (after a
/// restore that bypassed the handlers, such as an AI action's undo). A task that no
/// longer exists, or no longer wants a reminder, gets its reminder cancelled.
pub async fn resync_task(state: &AppState, user_id: Uuid, id: Uuid) {
    match maigie_store::tasks::get(&state.db, user_id, id).await {
        Ok(row) if wants_reminder(&row) => sync_task(state, user_id, id, None, Some(&row)).await,
        Ok(_) | Err(maigie_store::StoreError::NotFound) => {
            let input = ReminderInput {
                user_id,
                source_type: "task".into(),
                source_id: id,
                plan: ReminderPlan {
                    version: Utc::now().timestamp_micros(),
                    fire_at_ms: None,
                    occurrence_at_ms: 0,
                    title: String::new(),
                },
            };
            workflows::sync_reminder(state, &input).await;
        }
        Err(err) => tracing::warn!(task = %id, error = %err, "could not load a task's reminder"),
    }
}
