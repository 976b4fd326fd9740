//! Connected users of this API instance and a broadcast channel per user.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::ws::Utf8Bytes;
use maigie_store::EventEnvelope;
use maigie_store::events::EventId;
use tokio::sync::broadcast;
use uuid::Uuid;

/// Per-connection buffer: a client further behind than this is told to resync.
const BUFFER: usize = 256;

/// A live event as every socket sends it: encoded once, shared by reference.
#[derive(Debug, Clone)]
pub struct LiveEvent {
    /// Its place in the user's stream (`None` for an id that does not parse).
    pub position: Option<EventId>,
    /// The JSON text frame.
    pub text: Utf8Bytes,
}

impl LiveEvent {
    /// Encodes `event` for the wire.
    #[must_use]
    pub fn encode(event: &EventEnvelope) -> Option<Self> {
        let text = serde_json::to_string(event).ok()?;
        Some(Self {
            position: event.position().ok(),
            text: Utf8Bytes::from(text),
        })
    }
}

/// The users connected here, each with a broadcast channel to their sockets.
#[derive(Clone, Default)]
pub struct Hub {
    users: Arc<Mutex<HashMap<Uuid, broadcast::Sender<LiveEvent>>>>,
}

impl Hub {
    /// Subscribes a new connection of `user_id`.
    #[must_use]
    pub fn subscribe(&self, user_id: Uuid) -> broadcast::Receiver<LiveEvent> {
        let mut users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        users
            .entry(user_id)
            .or_insert_with(|| broadcast::channel(BUFFER).0)
            .subscribe()
    }

    /// Delivers an event to the user's connections on this instance, if any (encoded
    /// once for all of them).
    pub fn dispatch(&self, user_id: Uuid, event: LiveEvent) {
        let users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(tx) = users.get(&user_id) {
            // No receiver left is fine: `release` removes the entry shortly.
            let _ = tx.send(event);
        }
    }

    /// Forgets a user once their last connection here is gone.
    pub fn release(&self, user_id: Uuid) {
        let mut users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        if users
            .get(&user_id)
            .is_some_and(|tx| tx.receiver_count() == 0)
        {
            users.remove(&user_id);
        }
    }

    /// Users with at least one connection here.
    #[must_use]
    pub fn connected_users(&self) -> usize {
        self.users
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}
