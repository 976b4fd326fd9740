//! Connected users of this API instance: a broadcast channel per user for their live
//! events, the ends of their sessions (so sockets and streams of an ended session
//! close), and their WebSockets in the order they connected (so a new one over the
//! per-user cap replaces the oldest).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::ws::Utf8Bytes;
use maigie_store::EventEnvelope;
use maigie_store::events::EventId;
use maigie_store::session_cache::Control;
use tokio::sync::{Notify, broadcast, watch};
use uuid::Uuid;

use crate::auth::extractor::AuthUser;

/// Per-connection buffer: a client further behind than this is told to resync.
const BUFFER: usize = 256;
/// Single ended sessions remembered per connected user.
const ENDED_SESSIONS_KEPT: usize = 32;

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

/// What has ended among a user's sessions, as this instance heard it.
#[derive(Debug, Clone, Default)]
struct Ended {
    /// Sessions of earlier epochs have ended.
    epoch: i64,
    /// Single sessions that have ended (the latest few).
    sessions: VecDeque<Uuid>,
}

struct Entry {
    tx: broadcast::Sender<LiveEvent>,
    ended: watch::Sender<Ended>,
    /// WebSockets, oldest first, each with the signal that replaces it.
    sockets: VecDeque<(u64, Arc<Notify>)>,
}

/// The users connected here.
#[derive(Clone, Default)]
pub struct Hub {
    users: Arc<Mutex<HashMap<Uuid, Entry>>>,
    next_id: Arc<AtomicU64>,
}

/// Why a subscription has to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// The session it was opened with has ended.
    SessionEnded,
    /// A newer WebSocket of the user took its place (per-user cap).
    Replaced,
}

/// A connection's view of the user's live events; the hub forgets the user when
/// their last subscription is dropped.
pub struct Subscription {
    // Declared first, so dropped while `rx` still counts as a receiver.
    _release: Release,
    pub rx: broadcast::Receiver<LiveEvent>,
    /// Resolves when the connection has to stop.
    pub ending: Ending,
}

/// The signals that end a connection: its session ended, or a newer one replaced it.
pub struct Ending {
    epoch: i64,
    session: Option<Uuid>,
    ended: watch::Receiver<Ended>,
    replaced: Option<Arc<Notify>>,
}

impl Ending {
    fn has_ended(&self, ended: &Ended) -> bool {
        ended.epoch > self.epoch || self.session.is_some_and(|s| ended.sessions.contains(&s))
    }

    /// Resolves when the connection has to stop (its session ended, or a newer
    /// socket replaced it); pending otherwise.
    pub async fn closed(&mut self) -> Closed {
        loop {
            let ended = self.ended.borrow_and_update().clone();
            if self.has_ended(&ended) {
                return Closed::SessionEnded;
            }
            let replaced = self.replaced.clone();
            tokio::select! {
                changed = self.ended.changed() => {
                    if changed.is_err() {
                        return std::future::pending().await;
                    }
                }
                () = async {
                    match &replaced {
                        Some(n) => n.notified().await,
                        None => std::future::pending().await,
                    }
                } => return Closed::Replaced,
            }
        }
    }
}

struct Release {
    hub: Hub,
    user_id: Uuid,
    id: u64,
}

impl Drop for Release {
    fn drop(&mut self) {
        self.hub.release(self.user_id, self.id);
    }
}

impl Hub {
    /// Subscribes a connection of `user` (a server-sent stream: not counted against
    /// the socket cap).
    #[must_use]
    pub fn subscribe(&self, user: &AuthUser) -> Subscription {
        self.join(user, None)
    }

    /// Subscribes a WebSocket of `user`; if the user already has `cap` of them here,
    /// the oldest is told to close.
    #[must_use]
    pub fn subscribe_socket(&self, user: &AuthUser, cap: usize) -> Subscription {
        self.join(user, Some(cap.max(1)))
    }

    fn join(&self, user: &AuthUser, cap: Option<usize>) -> Subscription {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = users.entry(user.id).or_insert_with(|| Entry {
            tx: broadcast::channel(BUFFER).0,
            ended: watch::channel(Ended::default()).0,
            sockets: VecDeque::new(),
        });
        let replaced = cap.map(|cap| {
            while entry.sockets.len() >= cap {
                if let Some((_, oldest)) = entry.sockets.pop_front() {
                    // A stored permit: the socket closes even if it is busy sending.
                    oldest.notify_one();
                }
            }
            let signal = Arc::new(Notify::new());
            entry.sockets.push_back((id, signal.clone()));
            signal
        });
        Subscription {
            _release: Release {
                hub: self.clone(),
                user_id: user.id,
                id,
            },
            rx: entry.tx.subscribe(),
            ending: Ending {
                epoch: user.sep,
                session: user.sid,
                ended: entry.ended.subscribe(),
                replaced,
            },
        }
    }

    /// Delivers an event to the user's connections on this instance, if any (encoded
    /// once for all of them).
    pub fn dispatch(&self, user_id: Uuid, event: LiveEvent) {
        let users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = users.get(&user_id) {
            // No receiver left is fine: `release` removes the entry shortly.
            let _ = entry.tx.send(event);
        }
    }

    /// Applies a control message: the connections of ended sessions close.
    pub fn control(&self, user_id: Uuid, message: Control) {
        let users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(entry) = users.get(&user_id) else {
            return;
        };
        entry.ended.send_modify(|ended| match message {
            Control::Epoch(epoch) => ended.epoch = ended.epoch.max(epoch),
            Control::Session(id) => {
                if ended.sessions.len() >= ENDED_SESSIONS_KEPT {
                    ended.sessions.pop_front();
                }
                ended.sessions.push_back(id);
            }
        });
    }

    /// Forgets a connection, and the user once their last connection here is gone.
    fn release(&self, user_id: Uuid, id: u64) {
        let mut users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(entry) = users.get_mut(&user_id) else {
            return;
        };
        entry.sockets.retain(|(socket, _)| *socket != id);
        // Called while the dropping subscription's receiver still exists: it counts
        // as gone.
        if entry.tx.receiver_count() <= 1 && entry.sockets.is_empty() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use maigie_domain::Tier;

    fn user() -> AuthUser {
        AuthUser {
            id: Uuid::new_v4(),
            tier: Tier::Free,
            jti: Uuid::new_v4(),
            iat: 0,
            exp: i64::MAX,
            sid: Some(Uuid::new_v4()),
            sep: 0,
            unverified: false,
            request_id: None,
        }
    }

    fn event(n: u64) -> LiveEvent {
        LiveEvent {
            position: format!("{n}-0").parse().ok(),
            text: Utf8Bytes::from(format!("{n}")),
        }
    }

    #[tokio::test]
    async fn a_lone_stream_gets_events_and_stays_open() {
        let hub = Hub::default();
        let me = user();
        let mut sub = hub.subscribe(&me);
        hub.dispatch(me.id, event(1));
        let got = sub.rx.recv().await.expect("event");
        assert_eq!(got.text.as_str(), "1");
        let still_open =
            tokio::time::timeout(std::time::Duration::from_millis(50), sub.ending.closed()).await;
        assert!(still_open.is_err(), "nothing ended it");
    }

    #[tokio::test]
    async fn the_user_stays_known_until_the_last_subscription_goes() {
        let hub = Hub::default();
        let me = user();
        let first = hub.subscribe(&me);
        let mut second = hub.subscribe_socket(&me, 5);
        drop(first);
        assert_eq!(hub.connected_users(), 1);
        hub.dispatch(me.id, event(2));
        assert_eq!(second.rx.recv().await.expect("event").text.as_str(), "2");
        drop(second);
        assert_eq!(hub.connected_users(), 0);
    }

    #[tokio::test]
    async fn an_ended_session_or_a_newer_socket_closes_a_subscription() {
        let hub = Hub::default();
        let me = user();
        let mut old = hub.subscribe_socket(&me, 1);
        let mut newer = hub.subscribe_socket(&me, 1);
        assert_eq!(old.ending.closed().await, Closed::Replaced);
        hub.control(me.id, Control::Session(me.sid.expect("sid")));
        assert_eq!(newer.ending.closed().await, Closed::SessionEnded);
        let mut later = hub.subscribe(&me);
        hub.control(me.id, Control::Epoch(1));
        assert_eq!(later.ending.closed().await, Closed::SessionEnded);
    }
}
