//! Daily analytics on a Temporal Schedule.
//!
//! Every hour the schedule starts `analytics_dispatch`, which asks which calendar day
//! has just ended in each time zone that has users (`analytics.due_days`) and starts
//! one `daily_analytics` child per zone and day, id `analytics-<queue>-<zone>-<day>`: the
//! first dispatch after a zone's midnight computes its day, later ones find the id
//! taken and skip it. `daily_analytics` walks the zone's users in pages
//! (`analytics.aggregate`), each page replacing the users' rows for that day, so
//! re-running a day (e.g. `temporal workflow start --type daily_analytics ...`) is
//! idempotent.

#[cfg(feature = "worker")]
use std::time::Duration;

use serde::{Deserialize, Serialize};
#[cfg(feature = "worker")]
use temporalio_macros::{workflow, workflow_methods};
#[cfg(feature = "worker")]
use temporalio_sdk::{
    ActivityOptions, ChildWorkflowOptions, ParentClosePolicy, WorkflowContext, WorkflowContextView,
    WorkflowIdReusePolicy, WorkflowResult,
};
#[cfg(feature = "worker")]
use uuid::Uuid;

#[cfg(feature = "worker")]
use crate::contracts::{AggregateInput, CommonActivities};
#[cfg(feature = "worker")]
use crate::visibility::Visibility;

pub const DISPATCH_WORKFLOW: &str = "analytics_dispatch";
pub const DAY_WORKFLOW: &str = "daily_analytics";
/// Users computed per activity call.
pub const PAGE_SIZE: u32 = 200;

/// The schedule's id for a task queue (each deployment, and each test app, has its own).
#[must_use]
pub fn schedule_id(task_queue: &str) -> String {
    format!("daily-analytics-{task_queue}")
}

/// One calendar day in one time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneDay {
    /// IANA zone name, e.g. `Europe/Paris`.
    pub timezone: String,
    /// `YYYY-MM-DD`.
    pub day: String,
}

/// Deterministic id of the run computing `zd` for the deployment on `task_queue`.
#[must_use]
pub fn day_workflow_id(task_queue: &str, zd: &ZoneDay) -> String {
    format!("analytics-{task_queue}-{}-{}", zd.timezone, zd.day)
}

/// What the schedule starts the dispatcher with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DispatchInput {
    /// The deployment's task queue: part of the day workflows' ids.
    #[serde(default)]
    pub task_queue: String,
}

#[cfg(feature = "worker")]
fn activity_options() -> ActivityOptions {
    ActivityOptions::start_to_close_timeout(Duration::from_secs(120))
}

#[cfg(feature = "worker")]
#[workflow]
pub struct AnalyticsDispatchWorkflow {
    input: DispatchInput,
}

#[cfg(feature = "worker")]
#[workflow_methods]
impl AnalyticsDispatchWorkflow {
    #[init]
    pub fn new(_ctx: &WorkflowContextView, input: DispatchInput) -> Self {
        Self { input }
    }

    /// Starts the day's computation for every zone whose day just ended; answers how
    /// many it started.
    #[run(name = "analytics_dispatch")]
    pub async fn run(ctx: &mut WorkflowContext<Self>) -> WorkflowResult<u32> {
        let input = ctx.state(|s| s.input.clone());
        let due = ctx
            .execute_activity(
                CommonActivities::due_days,
                input.clone(),
                activity_options(),
            )
            .await?;
        let mut started = 0;
        for zd in due {
            // Only the child's id and type are checked on replay: histories recorded
            // before the attributes and summary were added replay unchanged.
            let visibility = Visibility::analytics_day(&zd);
            let options = ChildWorkflowOptions::builder()
                .workflow_id(day_workflow_id(&input.task_queue, &zd))
                .parent_close_policy(ParentClosePolicy::Abandon)
                .id_reuse_policy(WorkflowIdReusePolicy::RejectDuplicate)
                .search_attributes(visibility.search_attributes())
                .static_summary(visibility.summary)
                .build();
            // Taken id: that day is already computed (or being computed).
            if ctx
                .start_child_workflow(DailyAnalyticsWorkflow::run, zd, options)
                .await
                .is_ok()
            {
                started += 1;
            }
        }
        Ok(started)
    }
}

#[cfg(feature = "worker")]
#[workflow]
pub struct DailyAnalyticsWorkflow {
    input: ZoneDay,
}

#[cfg(feature = "worker")]
#[workflow_methods]
impl DailyAnalyticsWorkflow {
    #[init]
    pub fn new(_ctx: &WorkflowContextView, input: ZoneDay) -> Self {
        Self { input }
    }

    /// Computes the day for every user of the zone; answers how many.
    #[run(name = "daily_analytics")]
    pub async fn run(ctx: &mut WorkflowContext<Self>) -> WorkflowResult<u64> {
        let zd = ctx.state(|s| s.input.clone());
        let mut after: Option<Uuid> = None;
        let mut total = 0;
        loop {
            let page = ctx
                .execute_activity(
                    CommonActivities::aggregate_day,
                    AggregateInput {
                        timezone: zd.timezone.clone(),
                        day: zd.day.clone(),
                        after,
                        limit: PAGE_SIZE,
                    },
                    activity_options(),
                )
                .await?;
            total += u64::from(page.computed);
            match page.last {
                Some(last) if page.computed == PAGE_SIZE => after = Some(last),
                _ => return Ok(total),
            }
        }
    }
}
