//! Goals: create, read, change and delete, with progress derived from their tasks.
//!
//! A goal that is not started or in progress is *active*; a tier may cap how many
//! active goals a user holds (402 `tier_limit_reached`), checked under a per-user
//! advisory lock so two concurrent creates cannot both pass. Writes announce
//! `goal.created` / `goal.updated` / `goal.deleted`.

mod input;
mod read;
mod write;

use chrono::{DateTime, NaiveDate, Utc};
use maigie_domain::Priority;
use maigie_domain::goals::{GoalStatus, TimeHorizon, progress_from_tasks};
use maigie_store::goals::GoalRow;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

pub use input::{CreateGoal, UpdateGoal};
pub use read::{GoalListParams, GoalPage, get, list};
pub use write::{create, delete, update};

use crate::error::ServiceError;

/// A goal with its progress.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalView {
    pub id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub priority: Priority,
    pub status: GoalStatus,
    pub time_horizon: Option<TimeHorizon>,
    pub target_date: Option<NaiveDate>,
    /// 0–1: the share of completed tasks, or set by hand for a goal without tasks.
    pub progress: f32,
    pub task_count: i64,
    pub tasks_completed: i64,
    pub is_ai_generated: bool,
    pub completed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<GoalRow> for GoalView {
    type Error = ServiceError;
    fn try_from(r: GoalRow) -> Result<Self, ServiceError> {
        Ok(Self {
            id: r.id,
            priority: r.priority.parse().map_err(ServiceError::internal)?,
            status: r.status.parse().map_err(ServiceError::internal)?,
            time_horizon: r
                .time_horizon
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(ServiceError::internal)?,
            progress: progress_from_tasks(r.tasks_completed, r.task_count).unwrap_or(r.progress),
            title: r.title,
            description: r.description,
            target_date: r.target_date,
            task_count: r.task_count,
            tasks_completed: r.tasks_completed,
            is_ai_generated: r.is_ai_generated,
            completed_at: r.completed_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}
