//! `knowledge_backfill`: indexes every source that is not indexed with the current
//! embedding model — notes written before search existed, or all of them after a
//! change of model or dimension. It works in pages (`knowledge.backfill_page`), keeps
//! its cursor in workflow state (a killed worker's replacement resumes from the last
//! finished page), answers its progress to the `progress` query, and continues as
//! new every few dozen pages to keep its history short. An operator starts it (one
//! at a time: its id is fixed):
//!
//! ```sh
//! temporal workflow start --type knowledge_backfill --task-queue maigie \
//!   --workflow-id knowledge-backfill --input '{"page_size": 100}'
//! # one user's: --input '{"page_size": 100, "user_id": "<uuid>"}'
//! temporal workflow query --workflow-id knowledge-backfill --name progress
//! ```

#[cfg(feature = "worker")]
use std::time::Duration;

use serde::{Deserialize, Serialize};
#[cfg(feature = "worker")]
use temporalio_macros::{workflow, workflow_methods};
#[cfg(feature = "worker")]
use temporalio_sdk::{
    ActivityOptions, ContinueAsNewOptions, WorkflowContext, WorkflowContextView, WorkflowResult,
};
use uuid::Uuid;

#[cfg(feature = "worker")]
use crate::contracts::KnowledgeActivities;

/// Workflow type name.
pub const WORKFLOW_NAME: &str = "knowledge_backfill";
/// The one backfill's id.
pub const WORKFLOW_ID: &str = "knowledge-backfill";
/// Pages per run before continuing as new.
#[cfg(feature = "worker")]
const PAGES_PER_RUN: u64 = 50;

/// What the backfill starts (or continues) with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackfillInput {
    /// Sources per page (default 100).
    #[serde(default = "default_page_size")]
    pub page_size: u32,
    /// Only this user's sources (default: everyone's).
    #[serde(default)]
    pub user_id: Option<Uuid>,
    /// Where a continued run resumes (the last source of the last page).
    #[serde(default)]
    pub after: Option<Uuid>,
    /// Sources indexed by earlier runs of this backfill.
    #[serde(default)]
    pub indexed: u64,
}

fn default_page_size() -> u32 {
    100
}

/// One page to index: sources after `after`, at most `limit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackfillPage {
    pub user_id: Option<Uuid>,
    pub after: Option<Uuid>,
    pub limit: u32,
}

/// What a page did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageDone {
    /// The last source of the page (`None`: the page was empty).
    pub last: Option<Uuid>,
    pub indexed: u32,
    /// Fewer than `limit` sources were left: this was the last page.
    pub finished: bool,
}

/// Where the backfill stands (the `progress` query, and the result).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackfillProgress {
    pub indexed: u64,
    pub pages: u64,
    pub after: Option<Uuid>,
    pub finished: bool,
}

#[cfg(feature = "worker")]
#[workflow]
pub struct KnowledgeBackfillWorkflow {
    input: BackfillInput,
    progress: BackfillProgress,
}

#[cfg(feature = "worker")]
#[workflow_methods]
impl KnowledgeBackfillWorkflow {
    #[init]
    pub fn new(_ctx: &WorkflowContextView, input: BackfillInput) -> Self {
        let progress = BackfillProgress {
            indexed: input.indexed,
            pages: 0,
            after: input.after,
            finished: false,
        };
        Self { input, progress }
    }

    /// Indexes page after page until none is left.
    #[run(name = "knowledge_backfill")]
    pub async fn run(ctx: &mut WorkflowContext<Self>) -> WorkflowResult<BackfillProgress> {
        let limit = ctx.state(|s| s.input.page_size.clamp(1, 1000));
        let user_id = ctx.state(|s| s.input.user_id);
        for _ in 0..PAGES_PER_RUN {
            let after = ctx.state(|s| s.progress.after);
            let done = ctx
                .execute_activity(
                    KnowledgeActivities::backfill_page,
                    BackfillPage {
                        user_id,
                        after,
                        limit,
                    },
                    page_options(),
                )
                .await?;
            ctx.state_mut(|s| {
                s.progress.pages += 1;
                s.progress.indexed += u64::from(done.indexed);
                s.progress.after = done.last.or(s.progress.after);
                s.progress.finished = done.finished;
            });
            if done.finished {
                return Ok(ctx.state(|s| s.progress.clone()));
            }
        }
        let next = ctx.state(|s| BackfillInput {
            page_size: s.input.page_size,
            user_id: s.input.user_id,
            after: s.progress.after,
            indexed: s.progress.indexed,
        });
        ctx.continue_as_new(next, ContinueAsNewOptions::default())?;
        Ok(ctx.state(|s| s.progress.clone()))
    }

    /// How far it got.
    #[query(name = "progress")]
    pub fn progress(&self, _ctx: &WorkflowContextView) -> BackfillProgress {
        self.progress.clone()
    }
}

/// A page may take minutes; its heartbeat lets the page of a worker that died be
/// retried elsewhere within seconds instead of after the whole timeout.
#[cfg(feature = "worker")]
fn page_options() -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(600))
        .heartbeat_timeout(Duration::from_secs(10))
        .build()
}
