//! What the plan use-cases answer: plans, their details (with children), items and
//! pages.

use chrono::{DateTime, NaiveDate, Utc};
use maigie_domain::Priority;
use maigie_domain::plans::{ItemStatus, PlanStatus};
use maigie_store::plans::{DailyPlanRow, PlanItemRow, WeeklyPlanRow};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ServiceError;

/// A weekly plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WeeklyPlanView {
    pub id: Uuid,
    /// Always a Monday.
    #[schema(example = "2026-03-02")]
    pub week_start: NaiveDate,
    #[schema(example = json!(["calculus", "spanish"]))]
    pub focus_areas: Vec<String>,
    pub summary: Option<String>,
    pub status: PlanStatus,
    pub is_ai_generated: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<WeeklyPlanRow> for WeeklyPlanView {
    type Error = ServiceError;
    fn try_from(r: WeeklyPlanRow) -> Result<Self, ServiceError> {
        Ok(Self {
            id: r.id,
            week_start: r.week_start,
            focus_areas: r.focus_areas,
            summary: r.summary,
            status: r.status.parse().map_err(ServiceError::internal)?,
            is_ai_generated: r.is_ai_generated,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// A weekly plan with the daily plans linked to it, by date.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WeeklyPlanDetail {
    #[serde(flatten)]
    pub plan: WeeklyPlanView,
    pub daily_plans: Vec<DailyPlanView>,
}

/// A daily plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DailyPlanView {
    pub id: Uuid,
    #[schema(example = "2026-03-03")]
    pub plan_date: NaiveDate,
    pub weekly_plan_id: Option<Uuid>,
    pub summary: Option<String>,
    pub status: PlanStatus,
    pub is_ai_generated: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<DailyPlanRow> for DailyPlanView {
    type Error = ServiceError;
    fn try_from(r: DailyPlanRow) -> Result<Self, ServiceError> {
        Ok(Self {
            id: r.id,
            plan_date: r.plan_date,
            weekly_plan_id: r.weekly_plan_id,
            summary: r.summary,
            status: r.status.parse().map_err(ServiceError::internal)?,
            is_ai_generated: r.is_ai_generated,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// A daily plan with its items in order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DailyPlanDetail {
    #[serde(flatten)]
    pub plan: DailyPlanView,
    pub items: Vec<PlanItemView>,
}

/// One thing to do on a day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanItemView {
    pub id: Uuid,
    pub daily_plan_id: Uuid,
    #[schema(example = "Revise chapter 4")]
    pub title: String,
    pub notes: Option<String>,
    pub status: ItemStatus,
    pub priority: Priority,
    /// 0-based, without gaps within the day.
    pub position: i32,
    pub goal_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<PlanItemRow> for PlanItemView {
    type Error = ServiceError;
    fn try_from(r: PlanItemRow) -> Result<Self, ServiceError> {
        Ok(Self {
            id: r.id,
            daily_plan_id: r.daily_plan_id,
            title: r.title,
            notes: r.notes,
            status: r.status.parse().map_err(ServiceError::internal)?,
            priority: r.priority.parse().map_err(ServiceError::internal)?,
            position: r.position,
            goal_id: r.goal_id,
            task_id: r.task_id,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// A page of weekly plans.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WeeklyPlanPage {
    pub items: Vec<WeeklyPlanView>,
    pub next_cursor: Option<String>,
}

/// A page of daily plans.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DailyPlanPage {
    pub items: Vec<DailyPlanView>,
    pub next_cursor: Option<String>,
}

/// Converts rows to views, failing on a row the domain cannot read.
pub(crate) fn views<R, V: TryFrom<R, Error = ServiceError>>(
    rows: Vec<R>,
) -> Result<Vec<V>, ServiceError> {
    rows.into_iter().map(V::try_from).collect()
}
