//! Tasks: create, read, change, complete (a recurring task gets exactly one next
//! occurrence, whatever the retries), reopen, delete, and filtered lists.
//!
//! Every write keeps the task's goal progress and its reminder plan in the same
//! transaction, and announces `task.created` / `task.updated` / `task.deleted`.

mod input;
mod list;
mod write;

use chrono::{DateTime, NaiveDate, Utc};
use maigie_domain::Priority;
use maigie_domain::recurrence::RecurrenceMode;
use maigie_store::tasks::TaskRow;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

pub use input::{CreateTask, UpdateTask};
pub use list::{TaskListParams, TaskPage, get, list};
pub use write::{complete, create, delete, reopen, update};

use crate::error::ServiceError;

/// A task.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskView {
    pub id: Uuid,
    pub goal_id: Option<Uuid>,
    pub title: String,
    pub description: Option<String>,
    pub priority: Priority,
    pub tags: Vec<String>,
    /// Due at an instant…
    pub due_at: Option<DateTime<Utc>>,
    /// …or on a whole day in the user's time zone (never both).
    pub due_date: Option<NaiveDate>,
    /// RFC 5545, normalised: `RRULE:…` and optional `EXDATE:…` lines.
    #[schema(example = "RRULE:FREQ=WEEKLY;BYDAY=MO")]
    pub recurrence_rule: Option<String>,
    pub recurrence_mode: RecurrenceMode,
    /// The occurrence this one follows.
    pub recurrence_parent_id: Option<Uuid>,
    /// 1-based position in its series.
    pub occurrence_index: i32,
    /// Minutes before `due_at` when a reminder is sent (WebSocket and e-mail).
    pub reminder_minutes: Option<i32>,
    pub completed: bool,
    pub completed_at: Option<DateTime<Utc>>,
    pub is_ai_generated: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<TaskRow> for TaskView {
    type Error = ServiceError;
    fn try_from(r: TaskRow) -> Result<Self, ServiceError> {
        Ok(Self {
            id: r.id,
            goal_id: r.goal_id,
            priority: r.priority.parse().map_err(ServiceError::internal)?,
            recurrence_mode: r.recurrence_mode.parse().map_err(ServiceError::internal)?,
            title: r.title,
            description: r.description,
            tags: r.tags,
            due_at: r.due_at,
            due_date: r.due_date,
            recurrence_rule: r.recurrence_rule,
            recurrence_parent_id: r.recurrence_parent_id,
            occurrence_index: r.occurrence_index,
            reminder_minutes: r.reminder_minutes,
            completed: r.completed,
            completed_at: r.completed_at,
            is_ai_generated: r.is_ai_generated,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// The answer to completing (or reopening) a task.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompletedTask {
    pub task: TaskView,
    /// The next occurrence of a recurring task (the same one however often you retry).
    pub next_occurrence: Option<TaskView>,
}
