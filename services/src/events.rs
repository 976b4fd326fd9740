//! Live events: collected while a use-case runs, published after its transaction
//! commits (so nobody hears of a change that was rolled back), by one mechanism for
//! every entry point.

use std::sync::Mutex;

use async_trait::async_trait;
use maigie_domain::UserEvent;
use maigie_store::EventBus;
use serde::Serialize;
use uuid::Uuid;

/// Where committed changes are announced (the user's Redis stream in production).
#[async_trait]
pub trait EventSink: Send + Sync {
    /// Publishes one event. A failure is the sink's to log: the change is saved, and
    /// clients resync by reloading or by replaying from their last event id.
    async fn publish(&self, event: &UserEvent);
}

#[async_trait]
impl EventSink for EventBus {
    async fn publish(&self, event: &UserEvent) {
        if let Err(err) = EventBus::publish(self, event).await {
            tracing::warn!(error = %err, kind = %event.kind, "could not publish a live event");
        }
    }
}

/// A sink that remembers what it was given (for tests below HTTP).
#[derive(Debug, Default)]
pub struct RecordedEvents(Mutex<Vec<UserEvent>>);

impl RecordedEvents {
    /// The events published so far.
    #[must_use]
    pub fn taken(&self) -> Vec<UserEvent> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl EventSink for RecordedEvents {
    async fn publish(&self, event: &UserEvent) {
        if let Ok(mut events) = self.0.lock() {
            events.push(event.clone());
        }
    }
}

/// Builds `{type: kind, data}` for `user_id`; `None` (logged) if `data` cannot be
/// serialised, which would be a bug in a view type.
pub(crate) fn event(user_id: Uuid, kind: &str, data: &impl Serialize) -> Option<UserEvent> {
    match serde_json::to_value(data) {
        Ok(data) => Some(UserEvent {
            user_id,
            kind: kind.to_owned(),
            data,
        }),
        Err(err) => {
            tracing::warn!(error = %err, kind, "could not serialise a live event");
            None
        }
    }
}
