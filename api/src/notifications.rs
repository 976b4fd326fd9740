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
        .routes(routes!(get_preferences, put_preferences))
}

/// Notification settings (stored in `preferences.notifications` of the profile).
/// Missing switches are on; a kind's switch overrides the global one.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"email": true, "websocket": true, "reminder": {"email": false},
    "quiet_hours": {"start": "22:00", "end": "07:00"}}))]
#[schema(value_type = Object)]
pub struct NotificationSettings(Value);

fn effective(stored: &Value) -> Value {
    let mut doc = match stored {
        Value::Object(m) => m.clone(),
        _ => serde_json::Map::new(),
    };
    for channel in maigie_domain::notifications::CHANNELS {
        doc.entry(channel).or_insert(Value::Bool(true));
    }
    doc.entry("quiet_hours").or_insert(Value::Null);
    Value::Object(doc)
}

async fn stored_settings(state: &AppState, user: &AuthUser) -> ApiResult<Value> {
    let row = maigie_store::users::find_by_id(&state.db, user.id)
        .await?
        .ok_or_else(|| {
            ApiError::unauthorized("account_not_found", "The account no longer exists.")
        })?;
    Ok(row.preferences["notifications"].clone())
}

/// The user's notification settings: channel switches (global and per kind) and
/// quiet hours (`HH:MM` in the user's time zone; e-mail is held until they end).
#[utoipa::path(get, path = "/api/notifications/preferences", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = NotificationSettings), (status = 401, body = ErrorBody)))]
pub async fn get_preferences(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<NotificationSettings>> {
    Ok(Json(NotificationSettings(effective(
        &stored_settings(&state, &user).await?,
    ))))
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
    use maigie_domain::validation::ParseError;
    if let Err(e) = maigie_domain::notifications::check_settings(&body) {
        return Err(ApiError::invalid_field(
            "preferences",
            e.code(),
            e.to_string(),
        ));
    }
    let row = maigie_store::users::update_profile(
        &state.db,
        user.id,
        maigie_store::users::ProfileChanges {
            name: None,
            timezone: None,
            preferences: Some(json!({ "notifications": body })),
        },
    )
    .await
    .map_err(crate::users::profile_error)?;
    let settings = effective(&row.preferences["notifications"]);
    events::publish(
        &state,
        user.id,
        "notification.preferences_updated",
        &settings,
    )
    .await;
    Ok(Json(NotificationSettings(settings)))
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
