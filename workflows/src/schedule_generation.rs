//! `schedule_generation`: drafts a study schedule (`schedule-draft-<draft id>`).
//!
//! `schedule.plan` loads the user's goals, due tasks, course topics, busy time and
//! study hours and runs the deterministic planner (same input, same plan; `now` is the
//! draft's creation time); `schedule.explain` has the model — or the offline writer —
//! explain it and marks the draft ready. The user accepts or discards it over HTTP.

#[cfg(feature = "worker")]
use std::time::Duration;

use serde::{Deserialize, Serialize};
#[cfg(feature = "worker")]
use temporalio_macros::{workflow, workflow_methods};
#[cfg(feature = "worker")]
use temporalio_sdk::{ActivityOptions, WorkflowContext, WorkflowContextView, WorkflowResult};
use uuid::Uuid;

#[cfg(feature = "worker")]
use crate::contracts::AgentActivities;

pub const WORKFLOW_NAME: &str = "schedule_generation";

#[must_use]
pub fn draft_workflow_id(draft_id: Uuid) -> String {
    format!("schedule-draft-{draft_id}")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftInput {
    pub draft_id: Uuid,
    pub user_id: Uuid,
}

/// What the planner produced, in numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSummary {
    pub blocks: u32,
    pub unplaced: u32,
    pub minutes: u32,
}

#[cfg(feature = "worker")]
#[workflow]
pub struct ScheduleGenerationWorkflow {
    input: DraftInput,
}

#[cfg(feature = "worker")]
#[workflow_methods]
impl ScheduleGenerationWorkflow {
    #[init]
    pub fn new(_ctx: &WorkflowContextView, input: DraftInput) -> Self {
        Self { input }
    }

    #[run(name = "schedule_generation")]
    pub async fn run(ctx: &mut WorkflowContext<Self>) -> WorkflowResult<PlanSummary> {
        let input = ctx.state(|s| s.input.clone());
        let options = ActivityOptions::start_to_close_timeout(Duration::from_secs(120));
        let summary = ctx
            .execute_activity(
                AgentActivities::plan_schedule,
                input.clone(),
                options.clone(),
            )
            .await?;
        ctx.execute_activity(AgentActivities::explain_schedule, input, options)
            .await?;
        Ok(summary)
    }
}
