//! `knowledge_index`: keeps one source's search chunks (a note today) in step with
//! its text. Every write to the source signals `changed` (signal-with-start from the
//! outbox, recorded in the write's transaction); the workflow waits until the edits
//! pause for the debounce interval, then runs `knowledge.index_source` once for the
//! text as it is then — five edits in a second are embedded once, with the last
//! text. An edit during the activity runs it again; a deleted source has its chunks
//! removed by the same activity. A provider that is down is retried with backoff and
//! the source stays `pending` meanwhile.

#[cfg(feature = "worker")]
use std::time::Duration;

use serde::{Deserialize, Serialize};
#[cfg(feature = "worker")]
use temporalio_macros::{workflow, workflow_methods};
#[cfg(feature = "worker")]
use temporalio_sdk::{
    ActivityOptions, ContinueAsNewOptions, SyncWorkflowContext, WorkflowContext,
    WorkflowContextView, WorkflowResult,
};
use uuid::Uuid;

#[cfg(feature = "worker")]
use crate::contracts::KnowledgeActivities;

/// Workflow type name.
pub const WORKFLOW_NAME: &str = "knowledge_index";
/// Signal sent on every change to the source.
pub const CHANGED_SIGNAL: &str = "changed";
/// Rounds of indexing before the workflow continues as new (keeps its history short
/// for a source edited all day).
#[cfg(feature = "worker")]
const ROUNDS_PER_RUN: u32 = 100;

/// One workflow per source.
#[must_use]
pub fn index_workflow_id(source_type: &str, source_id: Uuid) -> String {
    format!("knowledge-index-{source_type}-{source_id}")
}

/// What the workflow is started with (and what its activity is given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexInput {
    pub user_id: Uuid,
    /// `note` (next: `resource`, `task`, `goal`, `course`, `module`, `topic`).
    pub source_type: String,
    pub source_id: Uuid,
    /// How long edits must pause before the source is indexed.
    pub debounce_ms: u64,
}

/// What one indexing round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexOutcome {
    /// Chunks the source has now (0: gone or empty).
    pub chunks: u32,
    /// Of those, how many were embedded in this round (the others were unchanged).
    pub embedded: u32,
}

#[cfg(feature = "worker")]
#[workflow]
pub struct KnowledgeIndexWorkflow {
    input: IndexInput,
    /// Counts `changed` signals.
    changes: u64,
}

#[cfg(feature = "worker")]
#[workflow_methods]
impl KnowledgeIndexWorkflow {
    #[init]
    pub fn new(_ctx: &WorkflowContextView, input: IndexInput) -> Self {
        // The start itself is a change (signal-with-start delivers the signal too;
        // counting from one keeps a plain start indexing once as well).
        Self { input, changes: 1 }
    }

    /// Debounces, indexes, and repeats while changes keep coming.
    #[run(name = "knowledge_index")]
    pub async fn run(ctx: &mut WorkflowContext<Self>) -> WorkflowResult<IndexOutcome> {
        let debounce = Duration::from_millis(ctx.state(|s| s.input.debounce_ms).max(1));
        let mut last = IndexOutcome {
            chunks: 0,
            embedded: 0,
        };
        for _ in 0..ROUNDS_PER_RUN {
            // Quiet for a whole interval: no change arrived while the timer ran.
            loop {
                let seen = ctx.state(|s| s.changes);
                temporalio_sdk::workflows::select! {
                    _ = ctx.timer(debounce) => {}
                    _ = ctx.wait_condition(move |s: &Self| s.changes != seen) => continue,
                }
                if ctx.state(|s| s.changes) == seen {
                    break;
                }
            }
            let seen = ctx.state(|s| s.changes);
            let input = ctx.state(|s| s.input.clone());
            last = ctx
                .execute_activity(KnowledgeActivities::index_source, input, index_options())
                .await?;
            if ctx.state(|s| s.changes) == seen {
                return Ok(last);
            }
        }
        let input = ctx.state(|s| s.input.clone());
        ctx.continue_as_new(input, ContinueAsNewOptions::default())?;
        Ok(last)
    }

    /// The source changed (the input carries the current settings).
    #[signal(name = "changed")]
    pub fn changed(&mut self, _ctx: &mut SyncWorkflowContext<Self>, input: IndexInput) {
        self.input = input;
        self.changes += 1;
    }
}

/// Embedding can take a while for a long source; the provider may be down for long:
/// retried with Temporal's default backoff, without end (the source stays pending).
#[cfg(feature = "worker")]
fn index_options() -> ActivityOptions {
    ActivityOptions::start_to_close_timeout(Duration::from_secs(120))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_workflow_per_source() {
        let id = Uuid::nil();
        assert_eq!(
            index_workflow_id("note", id),
            "knowledge-index-note-00000000-0000-0000-0000-000000000000"
        );
    }
}
