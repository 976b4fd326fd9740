//! Reading notifications: a page, newest first, with the unread count.

use chrono::{DateTime, Utc};
use maigie_store::notifications;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::NotificationView;
use crate::error::ServiceResult;
use crate::{Ctx, Services, pagination};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationListParams {
    /// Only unread notifications.
    pub unread: Option<bool>,
    pub cursor: Option<String>,
    /// 1–200 (default 50).
    pub limit: Option<i64>,
}

/// A page of notifications, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPage {
    pub items: Vec<NotificationView>,
    pub next_cursor: Option<String>,
    /// Unread notifications in all.
    pub unread_count: i64,
}

/// A page of the caller's notifications, newest first.
pub async fn list(
    svc: &Services,
    ctx: &Ctx,
    p: NotificationListParams,
) -> ServiceResult<NotificationPage> {
    let limit = pagination::limit(p.limit)?;
    let after = p
        .cursor
        .as_deref()
        .map(pagination::decode::<(DateTime<Utc>, Uuid)>)
        .transpose()?;
    let unread_only = p.unread.unwrap_or(false);
    let rows = notifications::list(&svc.db, ctx.user_id, unread_only, after, limit + 1).await?;
    let (rows, next_cursor) = pagination::paginate(rows, limit, |r| (r.created_at, r.id));
    Ok(NotificationPage {
        items: rows.into_iter().map(NotificationView::from).collect(),
        next_cursor,
        unread_count: notifications::unread_count(&svc.db, ctx.user_id).await?,
    })
}
