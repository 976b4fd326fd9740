//! Plans: weekly plans → daily plans → plan items.
//!
//! Weeks start on Monday (see `maigie_domain::plans`); a weekly plan created without
//! `week_start` is for the current week in the user's time zone. A daily plan may
//! link to the weekly plan whose week contains its date. Item positions are `0..n`
//! without gaps; inserts, moves, deletes and reorders keep them so.
//!
//! The two kinds of plan are one module keyed by kind ([`Plan`], [`PlanKind`]):
//! reading one with its children, listing, deleting and announcing are written once
//! (`kind.rs`); only what differs has its own file (`weekly.rs`, `daily.rs`).
//!
//! Every write is one [`crate::Work`] and announces, after commit, what it changed:
//! `weekly_plan.created|updated|deleted`, `daily_plan.created|updated|deleted` (a
//! move or reorder of items announces their day as `daily_plan.updated`) and
//! `plan_item.created|updated|deleted`.

mod daily;
mod input;
mod item_input;
mod items;
mod kind;
mod views;
mod weekly;

use maigie_store::StoreError;
use maigie_store::plans as store;

pub use daily::{create_daily, daily_by_date, list_daily, update_daily};
pub use input::{
    CreateDailyPlan, CreateWeeklyPlan, DailyListParams, PageParams, UpdateDailyPlan,
    UpdateWeeklyPlan,
};
pub use item_input::{CreatePlanItem, MovePlanItem, ReorderPlanItems, UpdatePlanItem};
pub use items::{create_item, delete_item, get_item, move_item, reorder_items, update_item};
pub use kind::{Plan, delete, get};
pub use maigie_store::plans::PlanKind;
pub use views::{
    DailyPlanDetail, DailyPlanPage, DailyPlanView, PlanItemView, WeeklyPlanDetail, WeeklyPlanPage,
    WeeklyPlanView,
};
pub use weekly::{create_weekly, list_weekly, update_weekly};

use crate::error::ServiceError;

/// A link in a body to something that is not the caller's.
fn link_error(field: &str, what: &str) -> ServiceError {
    ServiceError::invalid_field(field, "not_found", format!("No such {what} of yours."))
}

/// Maps the plan constraints to precise client errors.
fn plan_error(err: StoreError) -> ServiceError {
    match err {
        StoreError::Conflict(c) if c == store::WEEK_TAKEN => ServiceError::conflict(
            "plan_exists",
            "You already have a weekly plan for that week.",
        ),
        StoreError::Conflict(c) if c == store::DAY_TAKEN => ServiceError::conflict(
            "daily_plan_exists",
            "You already have a daily plan for that date.",
        ),
        StoreError::Constraint(c) if c == store::WEEKLY_LINK => {
            link_error("weekly_plan_id", "weekly plan")
        }
        StoreError::Constraint(c) if c == store::GOAL_LINK => link_error("goal_id", "goal"),
        StoreError::Constraint(c) if c == store::TASK_LINK => link_error("task_id", "task"),
        other => other.into(),
    }
}
