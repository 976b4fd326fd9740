//! Weekly plans → daily plans → plan items.
//!
//! The two kinds of plan share their shape (an owner, a date, a summary, a status),
//! so reading, listing and deleting one is the same statement on another table:
//! `kind.rs` holds those, keyed by [`PlanKind`]. What differs (a week's focus areas, a
//! day's link to its week) is in `weekly.rs` and `daily.rs`.
//!
//! Item positions are `0..n` without gaps within a daily plan. Every statement that
//! changes positions (`order.rs`) first locks the daily plan row (`FOR UPDATE`) in the
//! caller's transaction, so concurrent inserts, moves and deletes on the same day
//! queue up instead of computing from stale counts;
//! `plan_items_daily_plan_position_key` is DEFERRABLE INITIALLY DEFERRED, so shifting a
//! range in one UPDATE is fine.

macro_rules! weekly_columns {
    () => {
        "id, week_start, focus_areas, summary, status, is_ai_generated, created_at, updated_at"
    };
}

macro_rules! daily_columns {
    () => {
        "id, plan_date, weekly_plan_id, summary, status, is_ai_generated, created_at, updated_at"
    };
}

macro_rules! item_columns {
    () => {
        "id, daily_plan_id, title, notes, status, priority, position, goal_id, task_id, \
         created_at, updated_at"
    };
}

mod daily;
mod items;
mod kind;
mod order;
mod weekly;

pub use daily::{
    DailyChanges, DailyPlanRow, NewDailyPlan, create_daily, days_of_week, get_daily_by_date,
    update_daily,
};
pub use items::{ItemChanges, NewPlanItem, PlanItemRow, get_item, items_of, update_item};
pub use kind::{DateRange, PlanKind, PlanRow, delete, get, list};
pub use order::{Reorder, create_item, delete_item, move_item, reorder_items};
pub use weekly::{
    NewWeeklyPlan, WeeklyChanges, WeeklyPlanRow, create_weekly, update_weekly, week_start_of,
};

/// One weekly plan per user and week.
pub const WEEK_TAKEN: &str = "weekly_plans_user_week_key";
/// One daily plan per user and date.
pub const DAY_TAKEN: &str = "daily_plans_user_date_key";
/// The daily plan's weekly link points at no weekly plan of this user.
pub const WEEKLY_LINK: &str = "daily_plans_weekly_plan_fkey";
/// The item's goal link points at no goal of this user.
pub const GOAL_LINK: &str = "plan_items_goal_fkey";
/// The item's task link points at no task of this user.
pub const TASK_LINK: &str = "plan_items_task_fkey";
