//! One user's WebSocket, read by a task of its own that notes when each event about a
//! voice message arrived (keyed by the message's `action_id`, which `voice.*` and
//! `chat.*` events all carry), so a waiting sender never misses an event that came
//! before its `202` did.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::Value;
use tokio::sync::Notify;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;

/// What the socket said about one voice message, with the receipt times.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// `voice.transcript`: when, and the text heard.
    pub transcript: Option<(Instant, String)>,
    /// `chat.done`: when, its `status` and the answer's text.
    pub done: Option<(Instant, String, String)>,
    /// `voice.audio`: when, the signed link and the answer's length in seconds.
    pub audio: Option<(Instant, String, f64)>,
    /// `voice.failed`: `stage/code: message`.
    pub failed: Option<String>,
    /// `voice.pending` came (the speech server was down).
    pub pending: bool,
    /// `chat.confirmation_required` came (the answer waits for the user).
    pub confirmation: bool,
}

impl Seen {
    /// Nothing more will come without the user: spoken, failed or asking.
    fn ended(&self) -> bool {
        self.audio.is_some() || self.failed.is_some() || self.confirmation
    }
}

/// The events of one user's socket, by action.
pub struct Tracker {
    seen: Mutex<HashMap<String, Seen>>,
    notify: Notify,
}

impl Tracker {
    /// Opens `ws://…/ws?access_token=…` and reads it until it closes.
    pub async fn open(url: &str) -> anyhow::Result<Arc<Self>> {
        let (mut socket, _) = connect_async(url).await?;
        let tracker = Arc::new(Self {
            seen: Mutex::new(HashMap::new()),
            notify: Notify::new(),
        });
        let reader = Arc::clone(&tracker);
        tokio::spawn(async move {
            // Pings are answered by tungstenite while we read.
            while let Some(Ok(message)) = socket.next().await {
                let at = Instant::now();
                if let Message::Text(text) = message {
                    reader.record(text.as_str(), at);
                }
            }
        });
        Ok(tracker)
    }

    fn record(&self, text: &str, at: Instant) {
        let Ok(event) = serde_json::from_str::<Value>(text) else {
            return;
        };
        let data = &event["data"];
        let Some(action) = data["action_id"].as_str() else {
            return;
        };
        let string = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        {
            let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
            let entry = seen.entry(action.to_owned()).or_default();
            match event["type"].as_str().unwrap_or_default() {
                "voice.transcript" => entry.transcript = Some((at, string(&data["text"]))),
                "chat.done" => {
                    entry.done = Some((at, string(&data["status"]), string(&data["content"])));
                }
                "voice.audio" => {
                    let secs = data["duration_secs"].as_f64().unwrap_or(0.0);
                    entry.audio = Some((at, string(&data["url"]), secs));
                }
                "voice.failed" => {
                    entry.failed = Some(format!(
                        "{}/{}: {}",
                        string(&data["stage"]),
                        string(&data["code"]),
                        string(&data["message"])
                    ));
                }
                "voice.pending" => entry.pending = true,
                "chat.confirmation_required" => entry.confirmation = true,
                _ => return,
            }
        }
        self.notify.notify_waiters();
    }

    /// Waits until the message answered by `action` ended (see [`Seen`]) or `timeout`
    /// passed; answers what was seen either way (`None`: nothing at all).
    pub async fn wait_end(&self, action: &str, timeout: Duration) -> (bool, Option<Seen>) {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let seen = self
                .seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(action)
                .cloned();
            if seen.as_ref().is_some_and(Seen::ended) {
                return (true, seen);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return (false, seen);
            }
        }
    }
}
