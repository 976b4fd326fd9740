//! The user's knowledge for search and the assistant: sources cut into chunks and
//! embedded ([`index`], run by the `knowledge_index` workflow's activity), and the
//! hybrid search over them ([`search`]).
//!
//! A write to a source records, in its own transaction, that the source is pending
//! and a signal-with-start of its `knowledge_index` workflow ([`mark_changed`]): the
//! index follows every committed change, debounced, and never a rolled-back one.

pub mod index;
pub mod related;
pub mod retrieve;
pub mod search;

use maigie_domain::EventKind;
use maigie_store::knowledge::{self, Source};
use maigie_workflows::knowledge_index::{self, IndexInput, index_workflow_id};
use uuid::Uuid;

use crate::error::ServiceResult;
use crate::{Replace, Work};

/// The kinds of source search covers.
pub const SOURCE_TYPES: [&str; 7] = [
    "note", "task", "goal", "course", "module", "topic", "resource",
];

/// The source a live event says was written, when its text may have changed: every
/// write that a user sees live is one the index follows ([`crate::Work::commit`]
/// marks it). A deleted source needs nothing: the database forgets its chunks with it.
#[must_use]
pub(crate) fn written_source(kind: EventKind) -> Option<&'static str> {
    use EventKind as K;
    Some(match kind {
        K::NoteCreated | K::NoteUpdated => "note",
        K::TaskCreated | K::TaskUpdated => "task",
        K::GoalCreated | K::GoalUpdated => "goal",
        K::CourseCreated | K::CourseUpdated => "course",
        K::ModuleCreated | K::ModuleUpdated => "module",
        K::TopicCreated | K::TopicUpdated => "topic",
        K::ResourceCreated | K::ResourceUpdated => "resource",
        _ => return None,
    })
}

/// Records in `work` that a source changed (or is gone): it is pending, and its
/// indexing workflow is signalled (started if idle) once the work commits.
pub async fn mark_changed(
    work: &mut Work,
    debounce_ms: u64,
    user_id: Uuid,
    source_type: &'static str,
    source_id: Uuid,
) -> ServiceResult<()> {
    let source = Source {
        user_id,
        source_type,
        source_id,
    };
    knowledge::mark_pending(work.conn(), source).await?;
    let input = IndexInput {
        user_id,
        source_type: source_type.to_owned(),
        source_id,
        debounce_ms,
    };
    work.start_workflow(
        Some(user_id),
        knowledge_index::WORKFLOW_NAME,
        &index_workflow_id(source_type, source_id),
        &input,
        Replace::Latest,
    )
    .await
}

/// The embedder of services built without one: every call fails as unavailable, so
/// search answers by words only.
#[derive(Debug, Clone, Copy)]
pub struct NoEmbedder;

#[async_trait::async_trait]
impl maigie_embed::Embedder for NoEmbedder {
    fn model(&self) -> &str {
        "none"
    }

    fn dimension(&self) -> usize {
        0
    }

    fn max_tokens(&self) -> usize {
        256
    }

    async fn embed(&self, _texts: &[String]) -> Result<Vec<Vec<f32>>, maigie_embed::EmbedError> {
        Err(maigie_embed::EmbedError::Unavailable(
            "no embedding model is configured".to_owned(),
        ))
    }

    fn count_tokens(&self, text: &str) -> usize {
        text.split_whitespace().count()
    }
}
