//! Sending a notification, once per channel whatever the retries: the notification
//! and one `deliveries` row per channel are recorded in one transaction, each
//! idempotently (unique keys); then each channel still pending is sent and marked by
//! how it went. Reminders and dunning e-mails go through here.

use chrono::{DateTime, Duration, Utc};
use maigie_domain::{EventKind, UserEvent};
use maigie_store::notifications::{self, DeliveryKey, NewNotification, NotificationRow};
use maigie_store::{EventBus, PgPool, StoreError};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::mail::Mailer;

/// The dependencies a delivery uses.
pub struct Channels<'a> {
    pub db: &'a PgPool,
    pub events: &'a EventBus,
    pub mailer: &'a Mailer,
    pub public_base_url: &'a str,
    /// A reminder delivered more than this after its time says it is late.
    pub late_after: Duration,
}

/// The notification as clients see it (same shape as the API's).
#[must_use]
pub fn notification_json(n: &NotificationRow) -> Value {
    json!({
        "id": n.id, "kind": n.kind, "title": n.title, "body": n.body, "data": n.data,
        "source_type": n.source_type, "source_id": n.source_id, "read_at": n.read_at,
        "created_at": n.created_at,
    })
}

/// A notification and the channels it goes out on.
pub(crate) struct Outgoing<'a> {
    pub notification: NewNotification<'a>,
    /// Which occurrence the deliveries are of.
    pub key: DeliveryKey<'a>,
    pub fire_at: DateTime<Utc>,
    pub late: bool,
    pub channels: &'a [&'a str],
    /// Channels the user turned off: recorded as skipped.
    pub off: &'a [&'a str],
}

/// Records the notification and its deliveries (once); answers the notification and
/// the deliveries still to send, `(id, channel)`.
pub(crate) async fn record(
    db: &PgPool,
    out: &Outgoing<'_>,
) -> Result<(NotificationRow, Vec<(Uuid, String)>), StoreError> {
    let mut tx = db.begin().await?;
    let (notification, _) = notifications::record_once(&mut tx, &out.notification).await?;
    let pending = notifications::pending_deliveries(
        &mut tx,
        &out.key,
        notification.id,
        out.fire_at,
        out.late,
        out.channels,
        out.off,
    )
    .await?;
    tx.commit().await?;
    Ok((notification, pending))
}

/// `notification.created` on the user's open sockets.
pub(crate) async fn send_event(
    events: &EventBus,
    user_id: Uuid,
    n: &NotificationRow,
) -> Result<(), String> {
    let event = UserEvent {
        user_id,
        kind: EventKind::NotificationCreated,
        data: notification_json(n),
    };
    events
        .publish(&event)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Marks a delivery by how sending it went; answers why it failed.
pub(crate) async fn settle(
    db: &PgPool,
    delivery_id: Uuid,
    sent: Result<(), String>,
) -> Result<Option<String>, StoreError> {
    match sent {
        Ok(()) => {
            notifications::mark_sent(db, delivery_id).await?;
            Ok(None)
        }
        Err(reason) => {
            notifications::mark_failed(db, delivery_id, &reason).await?;
            Ok(Some(reason))
        }
    }
}
