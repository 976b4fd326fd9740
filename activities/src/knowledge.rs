//! The search index's activity: `knowledge.index_source`, an adapter over
//! [`maigie_services::knowledge::index`] holding the embedding model (loaded once
//! per worker).

use std::sync::Arc;

use maigie_embed::Embedder;
use maigie_services::knowledge::index::{self, IndexError, index_source};
use maigie_store::PgPool;
use maigie_store::knowledge::Source;
use maigie_workflows::contracts::knowledge_markers;
use maigie_workflows::knowledge_backfill::{BackfillPage, PageDone};
use maigie_workflows::knowledge_index::{IndexInput, IndexOutcome};
use temporalio_macros::activities;
use temporalio_sdk::ApplicationFailure;
use temporalio_sdk::activities::{ActivityContext, ActivityError};
use tracing::info;

use crate::heartbeat::beating;

/// The search index's activities.
pub struct KnowledgeIndexActivities {
    db: PgPool,
    embedder: Arc<dyn Embedder>,
}

impl KnowledgeIndexActivities {
    #[must_use]
    pub fn new(db: PgPool, embedder: Arc<dyn Embedder>) -> Self {
        Self { db, embedder }
    }
}

#[activities]
impl KnowledgeIndexActivities {
    #[activity(definition = knowledge_markers::IndexSource)]
    pub async fn index_source(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: IndexInput,
    ) -> Result<IndexOutcome, ActivityError> {
        let source = Source {
            user_id: input.user_id,
            source_type: &input.source_type,
            source_id: input.source_id,
        };
        let done = index_source(&self.db, self.embedder.as_ref(), source)
            .await
            .map_err(failure)?;
        info!(
            source_type = %input.source_type,
            source_id = %input.source_id,
            chunks = done.chunks,
            embedded = done.embedded,
            "source indexed"
        );
        Ok(IndexOutcome {
            chunks: u32::try_from(done.chunks).unwrap_or(u32::MAX),
            embedded: u32::try_from(done.embedded).unwrap_or(u32::MAX),
        })
    }

    #[activity(definition = knowledge_markers::BackfillPage)]
    pub async fn backfill_page(
        self: Arc<Self>,
        ctx: ActivityContext,
        input: BackfillPage,
    ) -> Result<PageDone, ActivityError> {
        let page = beating(
            ctx,
            index::backfill_page(
                &self.db,
                self.embedder.as_ref(),
                input.user_id,
                input.after,
                input.limit,
            ),
        )
        .await;
        let page = page.map_err(failure)?;
        info!(
            indexed = page.indexed,
            finished = page.finished,
            "backfill page indexed"
        );
        Ok(PageDone {
            last: page.last,
            indexed: u32::try_from(page.indexed).unwrap_or(u32::MAX),
            finished: page.finished,
        })
    }
}

/// A provider or database that is down is retried; anything else would fail the same
/// way again.
fn failure(err: IndexError) -> ActivityError {
    if err.is_retryable() {
        ActivityError::from(err)
    } else {
        ActivityError::application(ApplicationFailure::non_retryable(err))
    }
}
