//! Marking notifications read and deleting them, each one [`Work`](crate::Work).

use maigie_domain::EventKind;
use maigie_store::notifications;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::NotificationView;
use crate::error::ServiceResult;
use crate::live::Deleted;
use crate::{Ctx, Services};

/// The answer to marking everything read.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedRead {
    /// How many notifications were unread.
    pub marked: u64,
}

/// Marks one notification read (keeps the first read time).
pub async fn mark_read(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<NotificationView> {
    let mut work = svc.begin().await?;
    let row = notifications::mark_read(work.conn(), ctx.user_id, id).await?;
    let view = NotificationView::from(row);
    work.announce(ctx.user_id, EventKind::NotificationUpdated, &view);
    work.commit(svc).await?;
    Ok(view)
}

/// Marks every notification read.
pub async fn mark_all_read(svc: &Services, ctx: &Ctx) -> ServiceResult<MarkedRead> {
    let mut work = svc.begin().await?;
    let marked = notifications::mark_all_read(work.conn(), ctx.user_id).await?;
    work.announce(
        ctx.user_id,
        EventKind::NotificationAllRead,
        &MarkedRead { marked },
    );
    work.commit(svc).await?;
    Ok(MarkedRead { marked })
}

/// Deletes a notification (a reminder it came from is not sent again).
pub async fn delete(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<()> {
    let mut work = svc.begin().await?;
    notifications::delete(work.conn(), ctx.user_id, id).await?;
    work.announce(ctx.user_id, EventKind::NotificationDeleted, &Deleted { id });
    work.commit(svc).await
}
