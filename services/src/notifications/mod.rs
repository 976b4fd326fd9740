//! The user's in-app notifications (reminders and more): list, mark read, delete,
//! and the notification settings kept in the profile's preferences.
//!
//! Recording and delivering notifications is the workflows' business (activities);
//! these are the user's own reads and writes. Writes announce
//! `notification.updated` / `notification.all_read` / `notification.deleted` /
//! `notification.preferences_updated`.

mod preferences;
mod read;
mod write;

use chrono::{DateTime, Utc};
use maigie_store::notifications::NotificationRow;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

pub use preferences::{NotificationSettings, preferences, profile_error, set_preferences};
pub use read::{NotificationListParams, NotificationPage, list};
pub use write::{MarkedRead, delete, mark_all_read, mark_read};

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

impl From<NotificationRow> for NotificationView {
    fn from(r: NotificationRow) -> Self {
        Self {
            id: r.id,
            kind: r.kind,
            title: r.title,
            body: r.body,
            data: r.data,
            source_type: r.source_type,
            source_id: r.source_id,
            read_at: r.read_at,
            created_at: r.created_at,
        }
    }
}
