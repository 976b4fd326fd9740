//! Keeping each task's reminder workflow in step with the task.
//!
//! After every change that commits, the task's desired reminder — fire at
//! `due_at - reminder_minutes` while the task is pending, or nothing — is sent to its
//! `reminder-task-<id>` workflow (signal-with-start, through the outbox). Reminders
//! whose time passed more than a minute before they were set are not scheduled
//! (a reminder that is late because a worker or Temporal was down still fires, late).

use chrono::{Duration, Utc};
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
