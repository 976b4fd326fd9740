//! The note writes, each one [`Work`](crate::Work) announcing its change.

use maigie_domain::EventKind;
use maigie_domain::notes::extract_summary;
use maigie_store::StoreError;
use maigie_store::notes as store;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{CreateNote, NoteView, UpdateNote};
use crate::error::{ServiceError, ServiceResult};
use crate::live::Deleted;
use crate::{Ctx, Services};

/// The longest summary the assistant writes, in characters.
const SUMMARY_CHARS: usize = 400;

/// A link to another user's course or topic is a field error, not a 404: the note
/// itself exists.
fn link_error(err: StoreError) -> ServiceError {
    match err {
        StoreError::Constraint(c) if c == store::COURSE_LINK => {
            ServiceError::invalid_field("course_id", "not_found", "No such course of yours.")
        }
        StoreError::Constraint(c) if c == store::TOPIC_LINK => {
            ServiceError::invalid_field("topic_id", "not_found", "No such topic of yours.")
        }
        other => other.into(),
    }
}

/// Creates a note.
pub async fn create(svc: &Services, ctx: &Ctx, body: CreateNote) -> ServiceResult<NoteView> {
    let new = body.parse()?;
    let mut work = svc.begin().await?;
    let row = store::create(work.conn(), ctx.user_id, &new)
        .await
        .map_err(link_error)?;
    let view = NoteView::from(row);
    work.announce(ctx.user_id, EventKind::NoteCreated, &view);
    work.commit(svc).await?;
    Ok(view)
}

/// Changes a note's title, content, links or tags.
pub async fn update(
    svc: &Services,
    ctx: &Ctx,
    id: Uuid,
    body: UpdateNote,
) -> ServiceResult<NoteView> {
    let changes = body.parse()?;
    let mut work = svc.begin().await?;
    let row = store::update(work.conn(), ctx.user_id, id, changes)
        .await
        .map_err(link_error)?;
    let view = NoteView::from(row);
    work.announce(ctx.user_id, EventKind::NoteUpdated, &view);
    work.commit(svc).await?;
    Ok(view)
}

/// Archives a note: it leaves the default list and search. Archiving it again keeps
/// its first `archived_at`.
pub async fn archive(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<NoteView> {
    set_archived(svc, ctx, id, true).await
}

/// Brings an archived note back.
pub async fn unarchive(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<NoteView> {
    set_archived(svc, ctx, id, false).await
}

async fn set_archived(
    svc: &Services,
    ctx: &Ctx,
    id: Uuid,
    archived: bool,
) -> ServiceResult<NoteView> {
    let mut work = svc.begin().await?;
    let row = store::set_archived(work.conn(), ctx.user_id, id, archived).await?;
    let view = NoteView::from(row);
    work.announce(ctx.user_id, EventKind::NoteUpdated, &view);
    work.commit(svc).await?;
    Ok(view)
}

/// Deletes a note.
pub async fn delete(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<()> {
    let mut work = svc.begin().await?;
    store::delete(work.conn(), ctx.user_id, id).await?;
    work.announce(ctx.user_id, EventKind::NoteDeleted, &Deleted { id });
    work.commit(svc).await
}

/// The summary written into a note.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoteSummary {
    pub id: Uuid,
    pub summary: String,
}

/// Writes the note's summary from its content (the assistant's "summarize" action).
/// Like the assistant's tool today, it announces no live event.
pub async fn summarize(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<NoteSummary> {
    let mut work = svc.begin().await?;
    let note = store::get(work.conn(), ctx.user_id, id).await?;
    let summary = extract_summary(&note.content, SUMMARY_CHARS);
    store::set_summary(work.conn(), ctx.user_id, id, &summary).await?;
    work.commit(svc).await?;
    Ok(NoteSummary { id, summary })
}
