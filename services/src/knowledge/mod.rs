//! The user's knowledge for search and the assistant: sources cut into chunks and
//! embedded ([`index`], run by the `knowledge_index` workflow's activity), and the
//! hybrid search over them ([`search`]).
//!
//! A write to a source records, in its own transaction, that the source is pending
//! and a signal-with-start of its `knowledge_index` workflow ([`mark_changed`]): the
//! index follows every committed change, debounced, and never a rolled-back one.

pub mod index;
pub mod search;

use maigie_store::knowledge::{self, Source};
use maigie_workflows::knowledge_index::{self, IndexInput, index_workflow_id};
use uuid::Uuid;

use crate::error::ServiceResult;
use crate::{Replace, Work};

/// The kinds of source search covers today.
pub const SOURCE_TYPES: [&str; 1] = ["note"];

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
