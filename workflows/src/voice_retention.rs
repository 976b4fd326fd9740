//! `voice_retention`: deletes voice messages older than the retention period and the
//! audio objects queued for deletion (those of deleted messages, conversations and
//! accounts), in pages of `voice.purge` until a page finds nothing. A Temporal Schedule
//! runs it hourly (`voice-retention-<task queue>`); deleting an account starts one at
//! once (`voice-purge-<user id>`), so its audio goes within seconds.

#[cfg(feature = "worker")]
use std::time::Duration;

use serde::{Deserialize, Serialize};
#[cfg(feature = "worker")]
use temporalio_common::RetryPolicy;
#[cfg(feature = "worker")]
use temporalio_macros::{workflow, workflow_methods};
#[cfg(feature = "worker")]
use temporalio_sdk::{ActivityOptions, WorkflowContext, WorkflowContextView, WorkflowResult};
use uuid::Uuid;

#[cfg(feature = "worker")]
use crate::contracts::VoiceActivities;

pub const WORKFLOW_NAME: &str = "voice_retention";
/// Pages per run at most (a backlog larger than that waits for the next run).
#[cfg(feature = "worker")]
const MAX_PAGES: u32 = 200;

/// The schedule's id on `task_queue`.
#[must_use]
pub fn schedule_id(task_queue: &str) -> String {
    format!("voice-retention-{task_queue}")
}

/// The id of the purge started when `user_id`'s account is deleted.
#[must_use]
pub fn account_purge_id(user_id: Uuid) -> String {
    format!("voice-purge-{user_id}")
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionInput {
    /// Objects (and expired messages) per page; default 100.
    #[serde(default)]
    pub page_size: Option<u32>,
    /// Only this user's audio (an account deletion's purge); default everyone's.
    #[serde(default)]
    pub user_id: Option<Uuid>,
}

/// Input of `voice.purge`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeInput {
    pub page_size: u32,
    #[serde(default)]
    pub user_id: Option<Uuid>,
}

/// What one `voice.purge` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purged {
    pub messages_expired: u64,
    pub objects_deleted: u64,
}

#[cfg(feature = "worker")]
fn options() -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(120))
        .retry_policy(
            RetryPolicy::builder()
                .initial_interval(Duration::from_secs(5))
                .maximum_interval(Duration::from_secs(120))
                .maximum_attempts(10)
                .build(),
        )
        .build()
}

#[cfg(feature = "worker")]
#[workflow]
pub struct VoiceRetentionWorkflow {
    input: RetentionInput,
}

#[cfg(feature = "worker")]
#[workflow_methods]
impl VoiceRetentionWorkflow {
    #[init]
    pub fn new(_ctx: &WorkflowContextView, input: RetentionInput) -> Self {
        Self { input }
    }

    /// Answers the totals.
    #[run(name = "voice_retention")]
    pub async fn run(ctx: &mut WorkflowContext<Self>) -> WorkflowResult<Purged> {
        let input = ctx.state(|s| s.input.clone());
        let page_size = input.page_size.unwrap_or(100).clamp(1, 1_000);
        let mut total = Purged::default();
        for _ in 0..MAX_PAGES {
            let page = ctx
                .execute_activity(
                    VoiceActivities::purge,
                    PurgeInput {
                        page_size,
                        user_id: input.user_id,
                    },
                    options(),
                )
                .await?;
            total.messages_expired += page.messages_expired;
            total.objects_deleted += page.objects_deleted;
            if page.messages_expired == 0 && page.objects_deleted == 0 {
                break;
            }
        }
        Ok(total)
    }
}
