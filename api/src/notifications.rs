//! `/api/notifications`: the user's in-app notifications (reminders and more).

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use maigie_store::notifications::{self, NotificationRow};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::extractor::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::events;
use crate::http::extract::{Json, Path, Query};
use crate::pagination;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notifications))
        .routes(routes!(delete_notification))
        .routes(routes!(mark_read))
        .routes(routes!(mark_all_read))
}

/// A notification.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: Uuid,
    /// reminder, ai_action, billing, plan or system.
    pub kind: String,
    pub title: String,
    pub body: Option<String>,
    /// Kind-specific details; reminders carry `due_at`, `fire_at` and `late`.
    #[schema(value_type = Object)]
    pub data: Value,
    pub source_type: Option<String>,
    pub source_id: Option<Uuid>,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<NotificationRow> for NotificationView {
    type Error = ApiError;
    fn try_from(r: NotificationRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: r.id,
            kind: r.kind,
            title: r.title,
            body: r.body,
            data: r.data,
            source_type: r.source_type,
            source_id: r.source_id,
            read_at: r.read_at,
            created_at: r.created_at,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
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

/// List notifications, newest first.
#[utoipa::path(get, path = "/api/notifications", tag = "notifications", security(("bearer" = [])),
    params(NotificationListParams),
    responses((status = 200, body = NotificationPage), (status = 400, body = ErrorBody)))]
pub async fn list_notifications(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<NotificationListParams>,
) -> ApiResult<Json<NotificationPage>> {
    let limit = pagination::limit(p.limit)?;
    let after = p
        .cursor
        .as_deref()
        .map(pagination::decode::<(DateTime<Utc>, Uuid)>)
        .transpose()?;
    let rows = notifications::list(
        &state.db,
        user.id,
        p.unread.unwrap_or(false),
        after,
        limit + 1,
    )
    .await?;
    let (rows, next_cursor) = pagination::paginate(rows, limit, |r| (r.created_at, r.id));
    Ok(Json(NotificationPage {
        items: pagination::views(rows)?,
        next_cursor,
        unread_count: notifications::unread_count(&state.db, user.id).await?,
    }))
}

/// Mark one notification read.
#[utoipa::path(post, path = "/api/notifications/{id}/read", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = NotificationView), (status = 404, body = ErrorBody)))]
pub async fn mark_read(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<NotificationView>> {
    let view = NotificationView::try_from(notifications::mark_read(&state.db, user.id, id).await?)?;
    events::publish(&state, user.id, "notification.updated", &view).await;
    Ok(Json(view))
}

/// The answer to marking everything read.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedRead {
    /// How many notifications were unread.
    pub marked: u64,
}

/// Mark every notification read.
#[utoipa::path(post, path = "/api/notifications/read-all", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = MarkedRead)))]
pub async fn mark_all_read(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<MarkedRead>> {
    let marked = notifications::mark_all_read(&state.db, user.id).await?;
    events::publish(
        &state,
        user.id,
        "notification.all_read",
        &json!({ "marked": marked }),
    )
    .await;
    Ok(Json(MarkedRead { marked }))
}

/// Delete a notification (a reminder it came from is not sent again).
#[utoipa::path(delete, path = "/api/notifications/{id}", tag = "notifications", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_notification(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    notifications::delete(&state.db, user.id, id).await?;
    events::publish(
        &state,
        user.id,
        "notification.deleted",
        &json!({ "id": id }),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}
