//! `voice_message`: a recording posted to a conversation, answered like a typed message
//! and spoken back (`voice-message-<id>`).
//!
//! 1. `voice.hear` transcribes the stored recording, stores the transcript as the
//!    user's message (`source: voice`) and sends `voice.transcript`. It is idempotent:
//!    a retry reads the stored transcript back and counts no second time. While the
//!    speech server is down it fails retryably (bounded), and the user gets
//!    `voice.pending` once. Audio it cannot hear answers `heard: false`.
//! 2. The `ai_action` workflow answers as a child, with the same id and signals as a
//!    typed message's (`ai-action-<action id>`): confirmations and undo work the same.
//! 3. `voice.speak` speaks the answer, stores it and sends `voice.audio` with a signed
//!    URL.
//!
//! Whatever fails, `voice.fail` records why and sends `voice.failed`.

#[cfg(feature = "worker")]
use std::time::Duration;

use serde::{Deserialize, Serialize};
#[cfg(feature = "worker")]
use temporalio_common::RetryPolicy;
#[cfg(feature = "worker")]
use temporalio_macros::{workflow, workflow_methods};
#[cfg(feature = "worker")]
use temporalio_sdk::{
    ActivityOptions, ChildWorkflowOptions, WorkflowContext, WorkflowContextView,
    WorkflowIdReusePolicy, WorkflowResult,
};
use uuid::Uuid;

#[cfg(feature = "worker")]
use crate::ai_action::{AiActionInput, AiActionWorkflow, ai_action_workflow_id};
#[cfg(feature = "worker")]
use crate::contracts::VoiceActivities;
#[cfg(feature = "worker")]
use crate::visibility::Visibility;

pub const WORKFLOW_NAME: &str = "voice_message";

#[must_use]
pub fn voice_message_workflow_id(id: Uuid) -> String {
    format!("voice-message-{id}")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoiceMessageInput {
    pub voice_message_id: Uuid,
    pub user_id: Uuid,
    /// The `ai_action` that answers (created with the message).
    pub action_id: Uuid,
    pub max_turns: u32,
    pub confirm_timeout_secs: u64,
}

/// Input of every voice activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoiceStep {
    pub voice_message_id: Uuid,
    pub user_id: Uuid,
}

/// What `voice.hear` made of the recording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heard {
    /// Something was said: the assistant answers it.
    pub heard: bool,
    /// Why not (`audio_silent`, `audio_undecodable`, `audio_too_long`…).
    pub code: Option<String>,
    pub message: Option<String>,
}

/// Input of `voice.fail`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoiceFailure {
    pub voice_message_id: Uuid,
    pub user_id: Uuid,
    /// `transcribe`, `answer` or `speak`.
    pub stage: String,
    pub code: String,
    pub message: String,
}

/// While the speech server is down, `voice.hear` is retried for about five minutes.
#[cfg(feature = "worker")]
fn hear_options() -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(180))
        .heartbeat_timeout(Duration::from_secs(10))
        .retry_policy(
            RetryPolicy::builder()
                .initial_interval(Duration::from_secs(2))
                .backoff_coefficient(2.0)
                .maximum_interval(Duration::from_secs(60))
                .maximum_attempts(8)
                .build(),
        )
        .build()
}

#[cfg(feature = "worker")]
fn quick() -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(60))
        .retry_policy(
            RetryPolicy::builder()
                .initial_interval(Duration::from_secs(1))
                .maximum_interval(Duration::from_secs(30))
                .maximum_attempts(6)
                .build(),
        )
        .build()
}

#[cfg(feature = "worker")]
#[workflow]
pub struct VoiceMessageWorkflow {
    input: VoiceMessageInput,
}

#[cfg(feature = "worker")]
#[workflow_methods]
impl VoiceMessageWorkflow {
    #[init]
    pub fn new(_ctx: &WorkflowContextView, input: VoiceMessageInput) -> Self {
        Self { input }
    }

    /// Answers `completed` or `failed`.
    #[run(name = "voice_message")]
    pub async fn run(ctx: &mut WorkflowContext<Self>) -> WorkflowResult<String> {
        let input = ctx.state(|s| s.input.clone());
        let step = VoiceStep {
            voice_message_id: input.voice_message_id,
            user_id: input.user_id,
        };
        let heard = match ctx
            .execute_activity(VoiceActivities::hear, step.clone(), hear_options())
            .await
        {
            Ok(heard) => heard,
            Err(_) => Heard {
                heard: false,
                code: Some("voice_unavailable".to_owned()),
                message: Some(
                    "The speech service could not be reached; please send the message again."
                        .to_owned(),
                ),
            },
        };
        if !heard.heard {
            let failure = VoiceFailure {
                voice_message_id: input.voice_message_id,
                user_id: input.user_id,
                stage: "transcribe".to_owned(),
                code: heard.code.unwrap_or_else(|| "audio_undecodable".to_owned()),
                message: heard
                    .message
                    .unwrap_or_else(|| "Nothing could be heard in the recording.".to_owned()),
            };
            ctx.execute_activity(VoiceActivities::fail, failure, quick())
                .await?;
            return Ok("failed".to_owned());
        }
        let action = AiActionInput {
            action_id: input.action_id,
            user_id: input.user_id,
            max_turns: input.max_turns,
            confirm_timeout_secs: input.confirm_timeout_secs,
        };
        let visibility = Visibility::ai_action(&action);
        let options = ChildWorkflowOptions::builder()
            .workflow_id(ai_action_workflow_id(input.action_id))
            .id_reuse_policy(WorkflowIdReusePolicy::RejectDuplicate)
            .search_attributes(visibility.search_attributes())
            .static_summary(visibility.summary)
            .build();
        // A child that cannot start or fails has recorded its own outcome (`chat.done`
        // with `failed`); the answer, if any, is still spoken.
        if let Ok(started) = ctx
            .start_child_workflow(AiActionWorkflow::run, action, options)
            .await
        {
            let _ = started.result().await;
        }
        if ctx
            .execute_activity(VoiceActivities::speak, step, quick())
            .await
            .is_err()
        {
            let failure = VoiceFailure {
                voice_message_id: input.voice_message_id,
                user_id: input.user_id,
                stage: "speak".to_owned(),
                code: "voice_unavailable".to_owned(),
                message: "The answer could not be spoken; it is in the conversation as text."
                    .to_owned(),
            };
            ctx.execute_activity(VoiceActivities::fail, failure, quick())
                .await?;
            return Ok("failed".to_owned());
        }
        Ok("completed".to_owned())
    }
}
