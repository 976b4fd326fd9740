//! Notes: markdown notes, linked to one of the user's courses or topics, archivable,
//! with ranked full-text search and highlighted snippets, and a summary written by
//! the assistant.
//!
//! Snippets are safe to insert as HTML: the note text is HTML-escaped and the only
//! markup is `<mark>` around matches (how: `maigie_domain::notes`). Writes announce
//! `note.created` / `note.updated` / `note.deleted`.

mod input;
mod read;
mod write;

use chrono::{DateTime, Utc};
use maigie_store::notes::NoteRow;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

pub use input::{CreateNote, UpdateNote};
pub use read::{NoteListItem, NoteListParams, NotePage, get, list};
pub use write::{NoteSummary, archive, create, delete, summarize, unarchive, update};

/// A note.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoteView {
    pub id: Uuid,
    #[schema(example = "Photosynthesis")]
    pub title: String,
    /// Markdown.
    pub content: String,
    /// Written by the assistant; read-only.
    pub summary: Option<String>,
    pub course_id: Option<Uuid>,
    pub topic_id: Option<Uuid>,
    pub tags: Vec<String>,
    /// Set while the note is archived.
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<NoteRow> for NoteView {
    fn from(r: NoteRow) -> Self {
        Self {
            id: r.id,
            title: r.title,
            content: r.content,
            summary: r.summary,
            course_id: r.course_id,
            topic_id: r.topic_id,
            tags: r.tags,
            archived_at: r.archived_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}
