//! `reminder`: one durable timer per reminder source (a task, or a schedule block
//! before each occurrence), delivered through the `reminders.deliver` activity.
//!
//! The timer is updatable: a `reschedule` signal carries the whole new plan (or no
//! fire time, which cancels). Plans carry a version — the source's `updated_at` — so a
//! signal that arrives after a newer one is ignored. Time comes from
//! `ctx.workflow_time()` only, so replays are deterministic.

#[cfg(feature = "worker")]
use std::time::{Duration, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
#[cfg(feature = "client")]
use temporalio_common::search_attributes::{SearchAttributeKey, Timestamp};
#[cfg(feature = "worker")]
use temporalio_macros::{workflow, workflow_methods};
#[cfg(feature = "worker")]
use temporalio_sdk::{
    ActivityOptions, ContinueAsNewOptions, SyncWorkflowContext, WorkflowContext,
    WorkflowContextView, WorkflowResult,
};
use uuid::Uuid;

#[cfg(feature = "worker")]
use crate::contracts::{CommonActivities, DeliverReminderInput, NextReminderInput};

/// Workflow type name.
pub const WORKFLOW_NAME: &str = "reminder";
/// Signal that replaces the plan.
pub const RESCHEDULE_SIGNAL: &str = "reschedule";
/// A reminder that fires later than this after its time is marked late.
pub const LATE_AFTER_MS: i64 = 60_000;

/// Search attributes (registered from `temporal/search-attributes.txt`): find a
/// user's pending reminders in the Temporal UI/CLI, e.g.
/// `temporal workflow list --query 'UserId="<id>" AND ExecutionStatus="Running"'`.
#[cfg(feature = "client")]
pub const USER_ID: SearchAttributeKey<String> = crate::visibility::USER_ID;
/// `task` or `schedule_block`.
#[cfg(feature = "client")]
pub const REMINDER_KIND: SearchAttributeKey<String> = SearchAttributeKey::keyword("ReminderKind");
/// The moment reminded of; kept current as the reminder is rescheduled.
#[cfg(feature = "client")]
pub const DUE_AT: SearchAttributeKey<Timestamp> = SearchAttributeKey::datetime("DueAt");
/// The source type whose reminders repeat (one per occurrence).
pub const RECURRING_SOURCE: &str = "schedule_block";
/// Patch id of the `DueAt` upserts (histories recorded before it replay without them).
#[cfg(feature = "worker")]
const DUE_AT_PATCH: &str = "reminder-due-at-search-attribute";

/// Deterministic id: one reminder workflow per source, so it is never scheduled twice.
#[must_use]
pub fn reminder_workflow_id(source_type: &str, source_id: Uuid) -> String {
    format!("reminder-{source_type}-{source_id}")
}

/// When and what to remind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReminderPlan {
    /// Orders plans: a plan older than the current one is ignored.
    pub version: i64,
    /// When to fire (Unix ms); `None` cancels the reminder.
    pub fire_at_ms: Option<i64>,
    /// The moment reminded of (the task's due), Unix ms.
    pub occurrence_at_ms: i64,
    pub title: String,
}

/// What the workflow is started with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReminderInput {
    pub user_id: Uuid,
    /// `task` (or `schedule_block`).
    pub source_type: String,
    pub source_id: Uuid,
    pub plan: ReminderPlan,
}

/// How a reminder ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReminderOutcome {
    Delivered,
    Cancelled,
}

#[cfg(feature = "worker")]
#[workflow]
pub struct ReminderWorkflow {
    input: ReminderInput,
    /// Counts accepted plan changes, to wake the timer loop.
    changes: u64,
}

#[cfg(feature = "worker")]
fn millis(ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

#[cfg(feature = "worker")]
async fn deliver(
    ctx: &mut WorkflowContext<ReminderWorkflow>,
    input: &DeliverReminderInput,
) -> WorkflowResult<Option<i64>> {
    Ok(ctx
        .execute_activity(
            CommonActivities::deliver_reminder,
            input.clone(),
            ActivityOptions::start_to_close_timeout(Duration::from_secs(30)),
        )
        .await?)
}

#[cfg(feature = "worker")]
fn now_ms(ctx: &WorkflowContext<ReminderWorkflow>) -> i64 {
    ctx.workflow_time()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(feature = "worker")]
#[workflow_methods]
impl ReminderWorkflow {
    #[init]
    pub fn new(_ctx: &WorkflowContextView, input: ReminderInput) -> Self {
        Self { input, changes: 0 }
    }

    /// Waits until the plan's time (following reschedules), then delivers once; holds
    /// e-mail through the user's quiet hours; for a recurring source, continues as new
    /// with the next occurrence's plan so each run's history stays small.
    #[run(name = "reminder")]
    pub async fn run(ctx: &mut WorkflowContext<Self>) -> WorkflowResult<ReminderOutcome> {
        let mut shown_due = None;
        loop {
            let seen = ctx.state(|s| s.changes);
            let due = ctx.state(|s| s.input.plan.occurrence_at_ms);
            if shown_due != Some(due) && ctx.patched(DUE_AT_PATCH) {
                let at = Timestamp::new(
                    due.div_euclid(1000),
                    i32::try_from(due.rem_euclid(1000) * 1_000_000).unwrap_or(0),
                );
                ctx.upsert_search_attributes([DUE_AT.value_set(at)]);
                shown_due = Some(due);
            }
            let Some(fire_at) = ctx.state(|s| s.input.plan.fire_at_ms) else {
                return Ok(ReminderOutcome::Cancelled);
            };
            let wait = fire_at - now_ms(ctx);
            if wait > 0 {
                temporalio_sdk::workflows::select! {
                    _ = ctx.timer(millis(wait)) => {}
                    _ = ctx.wait_condition(move |s: &Self| s.changes != seen) => continue,
                }
                if ctx.state(|s| s.changes) != seen {
                    continue;
                }
            }
            let input = ctx.state(|s| s.input.clone());
            let delivery = DeliverReminderInput {
                user_id: input.user_id,
                source_type: input.source_type.clone(),
                source_id: input.source_id,
                title: input.plan.title.clone(),
                occurrence_at_ms: input.plan.occurrence_at_ms,
                fire_at_ms: fire_at,
                late: now_ms(ctx) - fire_at > LATE_AFTER_MS,
            };
            let mut held = deliver(ctx, &delivery).await?;
            // E-mail held by quiet hours: wait for their end (or a change to the
            // source, which may cancel it), then send what is still pending.
            while let Some(until) = held {
                let noticed = ctx.state(|s| s.changes);
                let wait = until - now_ms(ctx);
                if wait > 0 {
                    temporalio_sdk::workflows::select! {
                        _ = ctx.timer(millis(wait)) => {}
                        _ = ctx.wait_condition(move |s: &Self| s.changes != noticed) => {}
                    }
                }
                held = deliver(ctx, &delivery).await?;
            }
            // A change that arrived while delivering is for a later plan.
            if ctx.state(|s| s.changes) != seen {
                continue;
            }
            if input.source_type == RECURRING_SOURCE {
                let next = ctx
                    .execute_activity(
                        CommonActivities::next_reminder,
                        NextReminderInput {
                            user_id: input.user_id,
                            source_type: input.source_type.clone(),
                            source_id: input.source_id,
                            after_ms: input.plan.occurrence_at_ms,
                        },
                        ActivityOptions::start_to_close_timeout(Duration::from_secs(30)),
                    )
                    .await?;
                if ctx.state(|s| s.changes) != seen {
                    continue;
                }
                if let Some(plan) = next {
                    ctx.continue_as_new(
                        ReminderInput { plan, ..input },
                        ContinueAsNewOptions::default(),
                    )?;
                }
            }
            return Ok(ReminderOutcome::Delivered);
        }
    }

    /// Replaces the plan unless it is older than the current one.
    #[signal(name = "reschedule")]
    pub fn reschedule(&mut self, _ctx: &mut SyncWorkflowContext<Self>, plan: ReminderPlan) {
        if plan.version >= self.input.plan.version {
            self.input.plan = plan;
            self.changes += 1;
        }
    }

    /// The current plan.
    #[query(name = "plan")]
    pub fn plan(&self, _ctx: &WorkflowContextView) -> ReminderPlan {
        self.input.plan.clone()
    }
}
