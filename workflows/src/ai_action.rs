//! `ai_action`: one chat message's agent loop, durable (`ai-action-<action id>`).
//!
//! Each turn is an activity (`ai.turn`: the model — or the offline parser — reads the
//! conversation and answers with text and/or tool calls, streaming deltas to the user).
//! Each tool call is an activity (`ai.run_tool`, idempotent per call). When a turn asks
//! for a destructive or bulk change, the workflow records that it waits
//! (`ai.await_confirmation`) and blocks on the `confirm` / `reject` signal, or gives up
//! after the confirmation timeout. The loop is bounded by `max_turns`; the last turn is
//! asked to answer without tools. `ai.finish` records the outcome and sends `chat.done`.

#[cfg(feature = "worker")]
use std::time::Duration;

use serde::{Deserialize, Serialize};
#[cfg(feature = "worker")]
use temporalio_common::RetryPolicy;
#[cfg(feature = "worker")]
use temporalio_macros::{workflow, workflow_methods};
#[cfg(feature = "worker")]
use temporalio_sdk::{
    ActivityOptions, SyncWorkflowContext, WorkflowContext, WorkflowContextView, WorkflowResult,
};
use uuid::Uuid;

#[cfg(feature = "worker")]
use crate::contracts::AgentActivities;

pub const WORKFLOW_NAME: &str = "ai_action";
pub const CONFIRM_SIGNAL: &str = "confirm";
pub const REJECT_SIGNAL: &str = "reject";
/// The progress query's name.
pub const PROGRESS_QUERY: &str = "progress";

#[must_use]
pub fn ai_action_workflow_id(action_id: Uuid) -> String {
    format!("ai-action-{action_id}")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AiActionInput {
    pub action_id: Uuid,
    pub user_id: Uuid,
    /// Model turns at most (tool iterations + the final answer).
    pub max_turns: u32,
    /// How long a confirmation is waited for.
    pub confirm_timeout_secs: u64,
}

/// Input of `ai.turn`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TurnInput {
    pub action_id: Uuid,
    pub user_id: Uuid,
    /// 0-based; keys the stored assistant message, so a retried turn is stored once.
    pub turn: u32,
    /// `false` on the last turn: the model must answer in text.
    pub tools_allowed: bool,
}

/// A tool call a turn asked for, recorded as a step of the action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedCall {
    pub call_id: String,
    pub tool: String,
    /// Destructive or bulk: the user confirms first.
    pub needs_confirmation: bool,
}

/// What a turn produced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TurnOutput {
    /// Valid calls to run, in order (invalid ones were answered with an error already).
    pub calls: Vec<PlannedCall>,
}

/// Input of `ai.run_tool` / `ai.skip_tool`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolInput {
    pub action_id: Uuid,
    pub user_id: Uuid,
    pub call_id: String,
    /// For `ai.skip_tool`: `rejected` or `expired`.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Input of `ai.await_confirmation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwaitInput {
    pub action_id: Uuid,
    pub user_id: Uuid,
    pub call_ids: Vec<String>,
    pub timeout_secs: u64,
}

/// Input of `ai.finish`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinishInput {
    pub action_id: Uuid,
    pub user_id: Uuid,
    /// completed, rejected or expired.
    pub status: String,
}

/// The user's decision on a pending confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    Confirm,
    Reject,
}

/// What the `progress` query answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub turn: u32,
    pub tools_run: u32,
    pub awaiting_confirmation: bool,
}

/// A bounded number of attempts: a tool the API keeps refusing with a 5xx, or a
/// database that stays down, ends the action as `failed` instead of retrying forever.
#[cfg(feature = "worker")]
fn retries() -> RetryPolicy {
    RetryPolicy::builder()
        .initial_interval(Duration::from_secs(1))
        .maximum_interval(Duration::from_secs(30))
        .maximum_attempts(8)
        .build()
}

#[cfg(feature = "worker")]
fn quick() -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(60))
        .retry_policy(retries())
        .build()
}

/// A model turn streams for a while; the heartbeat lets a dead worker's turn be
/// retried elsewhere within seconds instead of after the whole timeout.
#[cfg(feature = "worker")]
fn turn_options() -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(300))
        .heartbeat_timeout(Duration::from_secs(15))
        .retry_policy(retries())
        .build()
}

#[cfg(feature = "worker")]
#[workflow]
pub struct AiActionWorkflow {
    input: AiActionInput,
    decision: Option<Decision>,
    progress: Progress,
}

#[cfg(feature = "worker")]
#[workflow_methods]
impl AiActionWorkflow {
    #[init]
    pub fn new(_ctx: &WorkflowContextView, input: AiActionInput) -> Self {
        Self {
            input,
            decision: None,
            progress: Progress::default(),
        }
    }

    #[run(name = "ai_action")]
    pub async fn run(ctx: &mut WorkflowContext<Self>) -> WorkflowResult<String> {
        let input = ctx.state(|s| s.input.clone());
        match Self::work(ctx, &input).await {
            Ok(status) => Ok(status),
            Err(err) => {
                // Record the failure, so the action is not left `running` (undo of the
                // steps that did run stays possible).
                let finish = FinishInput {
                    action_id: input.action_id,
                    user_id: input.user_id,
                    status: "failed".to_owned(),
                };
                ctx.execute_activity(AgentActivities::finish, finish, quick())
                    .await?;
                Err(err)
            }
        }
    }

    /// The loop: turns, confirmations, tool calls; then `ai.finish`.
    async fn work(
        ctx: &mut WorkflowContext<Self>,
        input: &AiActionInput,
    ) -> WorkflowResult<String> {
        let max_turns = input.max_turns.max(1);
        let mut status = "completed";
        for turn in 0..max_turns {
            ctx.state_mut(|s| s.progress.turn = turn);
            let out = ctx
                .execute_activity(
                    AgentActivities::turn,
                    TurnInput {
                        action_id: input.action_id,
                        user_id: input.user_id,
                        turn,
                        tools_allowed: turn + 1 < max_turns && status == "completed",
                    },
                    turn_options(),
                )
                .await?;
            if out.calls.is_empty() {
                break;
            }
            let decision = if out.calls.iter().any(|c| c.needs_confirmation) {
                Self::confirmation(ctx, input, &out.calls).await?
            } else {
                Some(Decision::Confirm)
            };
            for call in &out.calls {
                let tool = ToolInput {
                    action_id: input.action_id,
                    user_id: input.user_id,
                    call_id: call.call_id.clone(),
                    reason: None,
                };
                match decision {
                    Some(Decision::Confirm) => {
                        ctx.execute_activity(AgentActivities::run_tool, tool, quick())
                            .await?;
                        ctx.state_mut(|s| s.progress.tools_run += 1);
                    }
                    Some(Decision::Reject) | None => {
                        let reason = if decision.is_some() {
                            "rejected"
                        } else {
                            "expired"
                        };
                        status = reason;
                        let tool = ToolInput {
                            reason: Some(reason.to_owned()),
                            ..tool
                        };
                        ctx.execute_activity(AgentActivities::skip_tool, tool, quick())
                            .await?;
                    }
                }
            }
            if status == "expired" {
                // Nobody is waiting for an answer any more.
                break;
            }
        }
        ctx.execute_activity(
            AgentActivities::finish,
            FinishInput {
                action_id: input.action_id,
                user_id: input.user_id,
                status: status.to_owned(),
            },
            quick(),
        )
        .await?;
        Ok(status.to_owned())
    }

    /// Records the wait, then waits for the user's decision (`None`: timed out).
    async fn confirmation(
        ctx: &mut WorkflowContext<Self>,
        input: &AiActionInput,
        calls: &[PlannedCall],
    ) -> WorkflowResult<Option<Decision>> {
        ctx.state_mut(|s| {
            s.decision = None;
            s.progress.awaiting_confirmation = true;
        });
        ctx.execute_activity(
            AgentActivities::await_confirmation,
            AwaitInput {
                action_id: input.action_id,
                user_id: input.user_id,
                call_ids: calls.iter().map(|c| c.call_id.clone()).collect(),
                timeout_secs: input.confirm_timeout_secs,
            },
            quick(),
        )
        .await?;
        temporalio_sdk::workflows::select! {
            _ = ctx.wait_condition(|s: &Self| s.decision.is_some()) => {}
            _ = ctx.timer(Duration::from_secs(input.confirm_timeout_secs)) => {}
        }
        ctx.state_mut(|s| s.progress.awaiting_confirmation = false);
        Ok(ctx.state(|s| s.decision))
    }

    /// The user confirmed the pending change.
    #[signal(name = "confirm")]
    pub fn confirm(&mut self, _ctx: &mut SyncWorkflowContext<Self>, _unit: ()) {
        if self.progress.awaiting_confirmation && self.decision.is_none() {
            self.decision = Some(Decision::Confirm);
        }
    }

    /// The user declined the pending change.
    #[signal(name = "reject")]
    pub fn reject(&mut self, _ctx: &mut SyncWorkflowContext<Self>, _unit: ()) {
        if self.progress.awaiting_confirmation && self.decision.is_none() {
            self.decision = Some(Decision::Reject);
        }
    }

    /// Where the action is.
    #[query(name = "progress")]
    pub fn progress(&self, _ctx: &WorkflowContextView) -> Progress {
        self.progress.clone()
    }
}
