//! Live events: collected while a use-case runs, published after its transaction
//! commits (so nobody hears of a change that was rolled back), by one mechanism for
//! every entry point.

use std::sync::Mutex;

use async_trait::async_trait;
use maigie_domain::{EventKind, UserEvent};
use maigie_store::EventBus;
use serde::Serialize;
use uuid::Uuid;

/// Where committed changes are announced (the user's Redis stream in production).
#[async_trait]
pub trait EventSink: Send + Sync {
    /// Publishes one event. A failure is the sink's to log: the change is saved, and
    /// clients resync by reloading or by replaying from their last event id.
    async fn publish(&self, event: &UserEvent);

    /// Every session of the user issued before `epoch` has ended: instances refuse
    /// their tokens and close their sockets and streams. A failure is the sink's to
    /// log: the ended sessions are in PostgreSQL, which the check falls back to.
    async fn sessions_ended(&self, user_id: Uuid, epoch: i64) {
        let _ = (user_id, epoch);
    }

    /// One session (a refresh-token family) of the user has ended.
    async fn session_ended(&self, user_id: Uuid, session_id: Uuid) {
        let _ = (user_id, session_id);
    }
}

#[async_trait]
impl EventSink for EventBus {
    async fn publish(&self, event: &UserEvent) {
        if let Err(err) = EventBus::publish(self, event).await {
            tracing::warn!(error = %err, kind = %event.kind, "could not publish a live event");
        }
    }

    async fn sessions_ended(&self, user_id: Uuid, epoch: i64) {
        if let Err(err) = EventBus::sessions_ended(self, user_id, epoch).await {
            tracing::error!(error = %err, %user_id, "could not announce the end of the sessions");
        }
    }

    async fn session_ended(&self, user_id: Uuid, session_id: Uuid) {
        if let Err(err) = EventBus::session_ended(self, user_id, session_id).await {
            tracing::error!(error = %err, %user_id, %session_id, "could not announce the end of a session");
        }
    }
}

/// An end of sessions, as a [`RecordedEvents`] saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndedSessions {
    /// Every session before this epoch.
    Before { user_id: Uuid, epoch: i64 },
    /// One session.
    One { user_id: Uuid, session_id: Uuid },
}

/// A sink that remembers what it was given (for tests below HTTP).
#[derive(Debug, Default)]
pub struct RecordedEvents {
    events: Mutex<Vec<UserEvent>>,
    ended: Mutex<Vec<EndedSessions>>,
}

impl RecordedEvents {
    /// The events published so far.
    #[must_use]
    pub fn taken(&self) -> Vec<UserEvent> {
        self.events.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// The ends of sessions announced so far.
    #[must_use]
    pub fn ended_sessions(&self) -> Vec<EndedSessions> {
        self.ended.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl EventSink for RecordedEvents {
    async fn publish(&self, event: &UserEvent) {
        if let Ok(mut events) = self.events.lock() {
            events.push(event.clone());
        }
    }

    async fn sessions_ended(&self, user_id: Uuid, epoch: i64) {
        if let Ok(mut ended) = self.ended.lock() {
            ended.push(EndedSessions::Before { user_id, epoch });
        }
    }

    async fn session_ended(&self, user_id: Uuid, session_id: Uuid) {
        if let Ok(mut ended) = self.ended.lock() {
            ended.push(EndedSessions::One {
                user_id,
                session_id,
            });
        }
    }
}

/// Builds `{type: kind, data}` for `user_id`; `None` (logged) if `data` cannot be
/// serialised, which would be a bug in a view type.
pub(crate) fn event(user_id: Uuid, kind: EventKind, data: &impl Serialize) -> Option<UserEvent> {
    match serde_json::to_value(data) {
        Ok(data) => Some(UserEvent {
            user_id,
            kind,
            data,
        }),
        Err(err) => {
            tracing::warn!(error = %err, %kind, "could not serialise a live event");
            None
        }
    }
}
