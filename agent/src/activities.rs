//! The `ai_action` workflow's activities, bound to their contracts in
//! `maigie_workflows::contracts::AgentActivities`.

use std::sync::Arc;

use maigie_workflows::ai_action::{AwaitInput, FinishInput, ToolInput, TurnInput, TurnOutput};
use maigie_workflows::contracts::agent_markers;
use maigie_workflows::schedule_generation::{DraftInput, PlanSummary};
use temporalio_macros::activities;
use temporalio_sdk::ApplicationFailure;
use temporalio_sdk::activities::{ActivityContext, ActivityError};

use crate::turn::TurnError;
use crate::{Agent, drafting, steps, turn};

/// The agent's activities, holding the [`Agent`].
pub struct AgentActivities {
    agent: Agent,
}

impl AgentActivities {
    #[must_use]
    pub fn new(agent: Agent) -> Self {
        Self { agent }
    }
}

fn failure(err: TurnError) -> ActivityError {
    match err {
        TurnError::Permanent(_) => {
            ActivityError::application(ApplicationFailure::non_retryable(err))
        }
        TurnError::Transient(_) => err.into(),
    }
}

#[activities]
impl AgentActivities {
    #[activity(definition = agent_markers::Turn)]
    pub async fn turn(
        self: Arc<Self>,
        ctx: ActivityContext,
        input: TurnInput,
    ) -> Result<TurnOutput, ActivityError> {
        let beat_ctx = ctx.clone();
        let turn_no = input.turn;
        let beat = move || {
            let ctx = beat_ctx.clone();
            tokio::spawn(async move {
                let _ = ctx.record_heartbeat(turn_no).await;
            });
        };
        let out = turn::run(&self.agent, &input, &beat)
            .await
            .map_err(failure)?;
        tracing::info!(action_id = %input.action_id, turn = input.turn, calls = out.calls.len(), "model turn done");
        Ok(out)
    }

    #[activity(definition = agent_markers::AwaitConfirmation)]
    pub async fn await_confirmation(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: AwaitInput,
    ) -> Result<(), ActivityError> {
        steps::await_confirmation(&self.agent, &input)
            .await
            .map_err(failure)
    }

    #[activity(definition = agent_markers::RunTool)]
    pub async fn run_tool(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: ToolInput,
    ) -> Result<(), ActivityError> {
        steps::run_tool(&self.agent, &input)
            .await
            .map_err(failure)?;
        tracing::info!(action_id = %input.action_id, call = %input.call_id, "tool call done");
        Ok(())
    }

    #[activity(definition = agent_markers::SkipTool)]
    pub async fn skip_tool(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: ToolInput,
    ) -> Result<(), ActivityError> {
        steps::skip_tool(&self.agent, &input).await.map_err(failure)
    }

    #[activity(definition = agent_markers::PlanSchedule)]
    pub async fn plan_schedule(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: DraftInput,
    ) -> Result<PlanSummary, ActivityError> {
        let s = drafting::plan(&self.agent, &input).await.map_err(failure)?;
        tracing::info!(draft_id = %input.draft_id, blocks = s.blocks, unplaced = s.unplaced, "schedule planned");
        Ok(s)
    }

    #[activity(definition = agent_markers::ExplainSchedule)]
    pub async fn explain_schedule(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: DraftInput,
    ) -> Result<(), ActivityError> {
        drafting::explain(&self.agent, &input)
            .await
            .map_err(failure)
    }

    #[activity(definition = agent_markers::Finish)]
    pub async fn finish(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: FinishInput,
    ) -> Result<(), ActivityError> {
        steps::finish(&self.agent, &input).await.map_err(failure)
    }
}
