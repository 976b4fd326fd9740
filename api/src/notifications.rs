//! `/api/notifications`: the user's in-app notifications (reminders and more). The
//! rules live in [`maigie_services::notifications`]; these handlers extract, call
//! and answer.

use axum::extract::State;
use axum::http::StatusCode;
use maigie_services::notifications;
pub use maigie_services::notifications::{
    MarkedRead, NotificationListParams, NotificationPage, NotificationSettings, NotificationView,
};
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::extractor::AuthUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::extract::{Json, Path, Query};
use crate::state::AppState;
use crate::users::account_gone;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notifications))
        .routes(routes!(delete_notification))
        .routes(routes!(mark_read))
        .routes(routes!(mark_all_read))
        .routes(routes!(get_preferences, put_preferences))
}

/// The user's notification settings: channel switches (global and per kind) and
/// quiet hours (`HH:MM` in the user's time zone; e-mail is held until they end).
#[utoipa::path(get, path = "/api/notifications/preferences", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = NotificationSettings), (status = 401, body = ErrorBody)))]
pub async fn get_preferences(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<NotificationSettings>> {
    let settings = notifications::preferences(&state.services, &user.ctx())
        .await
        .map_err(account_gone)?;
    Ok(Json(settings))
}

/// Replace the notification settings. Keys: `email`, `websocket` (booleans), a kind
/// (`reminder`, `ai_action`, `billing`, `plan`, `system`) with its own switches, and
/// `quiet_hours` (`{"start": "22:00", "end": "07:00"}` or `null`).
#[utoipa::path(put, path = "/api/notifications/preferences", tag = "notifications", security(("bearer" = [])),
    request_body(content = Object, description = "The whole settings document."),
    responses((status = 200, body = NotificationSettings), (status = 401, body = ErrorBody),
        (status = 422, description = "`invalid_notification_settings`", body = ErrorBody)))]
pub async fn put_preferences(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<Value>,
) -> ApiResult<Json<NotificationSettings>> {
    let settings = notifications::set_preferences(&state.services, &user.ctx(), body)
        .await
        .map_err(account_gone)?;
    Ok(Json(settings))
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
    Ok(Json(
        notifications::list(&state.services, &user.ctx(), p).await?,
    ))
}

/// Mark one notification read.
#[utoipa::path(post, path = "/api/notifications/{id}/read", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = NotificationView), (status = 404, body = ErrorBody)))]
pub async fn mark_read(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<NotificationView>> {
    Ok(Json(
        notifications::mark_read(&state.services, &user.ctx(), id).await?,
    ))
}

/// Mark every notification read.
#[utoipa::path(post, path = "/api/notifications/read-all", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = MarkedRead)))]
pub async fn mark_all_read(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<MarkedRead>> {
    Ok(Json(
        notifications::mark_all_read(&state.services, &user.ctx()).await?,
    ))
}

/// Delete a notification (a reminder it came from is not sent again).
#[utoipa::path(delete, path = "/api/notifications/{id}", tag = "notifications", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_notification(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    notifications::delete(&state.services, &user.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
