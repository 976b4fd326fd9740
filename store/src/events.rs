//! The per-user event stream in Redis.
//!
//! Each event is appended to the user's Redis stream (bounded: the newest
//! [`RETAINED_EVENTS`], expiring after a day of silence) and published on the user's
//! pub/sub channel, in one Lua script so both see the same id. Stream ids increase
//! monotonically, so a client that reconnects with the last id it saw gets exactly
//! what it missed ([`EventBus::since`]) before live events resume.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use maigie_domain::UserEvent;
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::StoreError;

/// How many events a user's stream keeps (approximately: Redis trims lazily).
pub const RETAINED_EVENTS: usize = 1000;
/// A stream nobody writes to for this long disappears.
const RETENTION_SECS: u64 = 24 * 3600;

const PUBLISH_SCRIPT: &str = r"
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'e', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', KEYS[2], id .. ' ' .. ARGV[2])
return id
";

/// A stream position, `<milliseconds>-<sequence>`; `0` means "before everything".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct EventId(u64, u64);

impl EventId {
    pub const START: Self = Self(0, 0);
}

impl FromStr for EventId {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || StoreError::MalformedEvent(format!("bad event id {s:?}"));
        let (ms, seq) = s.split_once('-').unwrap_or((s, "0"));
        Ok(Self(
            ms.parse().map_err(|_| bad())?,
            seq.parse().map_err(|_| bad())?,
        ))
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.0, self.1)
    }
}

/// What a client receives: `{"id", "type", "data", "ts"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventEnvelope {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: Value,
    pub ts: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
struct Body {
    #[serde(rename = "type")]
    kind: String,
    data: Value,
    ts: DateTime<Utc>,
}

impl EventEnvelope {
    fn from_parts(id: &str, body: &str) -> Result<Self, StoreError> {
        let body: Body =
            serde_json::from_str(body).map_err(|e| StoreError::MalformedEvent(e.to_string()))?;
        Ok(Self {
            id: id.to_owned(),
            kind: body.kind,
            data: body.data,
            ts: body.ts,
        })
    }

    /// Parses a pub/sub payload (`"<id> <json>"`).
    pub fn from_live_payload(payload: &str) -> Result<Self, StoreError> {
        let (id, body) = payload
            .split_once(' ')
            .ok_or_else(|| StoreError::MalformedEvent("no id".into()))?;
        Self::from_parts(id, body)
    }

    /// The position of this event in its stream.
    pub fn position(&self) -> Result<EventId, StoreError> {
        self.id.parse()
    }
}

/// Publishes and replays user events. Cheap to clone.
#[derive(Clone)]
pub struct EventBus {
    pub(crate) conn: ConnectionManager,
    /// Key prefix of this deployment (`REDIS_KEY_PREFIX`).
    pub(crate) prefix: String,
}

impl EventBus {
    #[must_use]
    pub fn new(conn: ConnectionManager, prefix: String) -> Self {
        Self { conn, prefix }
    }

    fn stream_key(&self, user_id: Uuid) -> String {
        format!("{}:events:{user_id}", self.prefix)
    }

    fn live_channel(&self, user_id: Uuid) -> String {
        format!("{}:live:{user_id}", self.prefix)
    }

    /// The pattern an API instance subscribes to for every user's live events.
    #[must_use]
    pub fn live_pattern(&self) -> String {
        format!("{}:live:*", self.prefix)
    }

    /// The user a live channel name belongs to.
    #[must_use]
    pub fn user_of_channel(&self, channel: &str) -> Option<Uuid> {
        channel
            .strip_prefix(&self.prefix)?
            .strip_prefix(":live:")?
            .parse()
            .ok()
    }

    /// Appends the event to the user's stream and fans it out live.
    pub async fn publish(&self, event: &UserEvent) -> Result<EventEnvelope, StoreError> {
        let body = Body {
            kind: event.kind.as_str().to_owned(),
            data: event.data.clone(),
            ts: Utc::now(),
        };
        let json =
            serde_json::to_string(&body).map_err(|e| StoreError::MalformedEvent(e.to_string()))?;
        let id: String = redis::Script::new(PUBLISH_SCRIPT)
            .key(self.stream_key(event.user_id))
            .key(self.live_channel(event.user_id))
            .arg(RETAINED_EVENTS)
            .arg(&json)
            .arg(RETENTION_SECS)
            .invoke_async(&mut self.conn.clone())
            .await?;
        Ok(EventEnvelope {
            id,
            kind: body.kind,
            data: body.data,
            ts: body.ts,
        })
    }

    /// Up to `limit` retained events strictly after `after`, oldest first.
    pub async fn since(
        &self,
        user_id: Uuid,
        after: EventId,
        limit: usize,
    ) -> Result<Vec<EventEnvelope>, StoreError> {
        // `(` makes the start exclusive (Redis 6.2+).
        let start = if after == EventId::START {
            "-".to_owned()
        } else {
            format!("({after}")
        };
        let entries: Vec<(String, Vec<(String, String)>)> = redis::cmd("XRANGE")
            .arg(self.stream_key(user_id))
            .arg(start)
            .arg("+")
            .arg("COUNT")
            .arg(limit)
            .query_async(&mut self.conn.clone())
            .await?;
        entries
            .iter()
            .filter_map(|(id, fields)| {
                let body = fields.iter().find(|(k, _)| k == "e")?;
                Some(EventEnvelope::from_parts(id, &body.1))
            })
            .collect()
    }

    /// `PING`, for readiness checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let _: String = redis::cmd("PING")
            .query_async(&mut self.conn.clone())
            .await?;
        Ok(())
    }

    /// The underlying connection, for other Redis users (rate limiter, token deny-list).
    #[must_use]
    pub fn connection(&self) -> ConnectionManager {
        self.conn.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_order_by_time_then_sequence() {
        let a: EventId = "1700000000000-5".parse().expect("id");
        let b: EventId = "1700000000001-0".parse().expect("id");
        assert!(a < b);
        assert_eq!("0".parse::<EventId>().expect("id"), EventId::START);
        assert!("abc".parse::<EventId>().is_err());
        assert_eq!(a.to_string(), "1700000000000-5");
    }

    #[test]
    fn live_payloads_carry_id_and_body() {
        let env = EventEnvelope::from_live_payload(
            r#"1-2 {"type":"welcome","data":{"a":1},"ts":"2026-01-01T00:00:00Z"}"#,
        )
        .expect("payload");
        assert_eq!(env.id, "1-2");
        assert_eq!(env.kind, "welcome");
        assert!(EventEnvelope::from_live_payload("garbage").is_err());
    }
}
