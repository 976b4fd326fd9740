//! The sessions' side in Redis, shared by every API instance: the cached session epoch
//! of each account (merged by taking the larger value, so it only moves forward), the
//! deny-list of single ended sessions, and the control channel that tells every
//! instance to close the sockets and streams of sessions that ended.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{EventBus, StoreError};

/// How long a cached epoch is trusted before it is read from PostgreSQL again: it
/// bounds how long a cache write lost during a Redis hiccup can matter.
pub const EPOCH_CACHE_SECS: u64 = 300;
/// How long an ended session stays on the deny-list: longer than any access token
/// lives (`JWT_ACCESS_TTL_SECS` is capped at a day).
pub const ENDED_SESSION_SECS: u64 = 2 * 86_400;
/// The epoch of an account that no longer exists: larger than any real one, and
/// exact in Lua's doubles (2^53 − 1).
pub const GONE_EPOCH: i64 = 9_007_199_254_740_991;

/// Sets the key to ARGV[1] unless it already holds a larger value; TTL ARGV[2].
const MAX_SET: &str = r"
local cur = tonumber(redis.call('GET', KEYS[1]) or '-1')
local new = tonumber(ARGV[1])
if new > cur then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return new
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return cur
";

/// What every API instance is told on the control channel of a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Control {
    /// Every session issued before this epoch has ended.
    Epoch(i64),
    /// This one session (refresh-token family) has ended.
    Session(Uuid),
}

impl EventBus {
    /// Where the account's current session epoch is cached.
    #[must_use]
    pub fn epoch_key(&self, user_id: Uuid) -> String {
        format!("{}:epoch:{user_id}", self.prefix)
    }

    /// Present while the session `family_id` is on the deny-list.
    #[must_use]
    pub fn ended_session_key(&self, family_id: Uuid) -> String {
        format!("{}:ended:{family_id}", self.prefix)
    }

    fn control_channel(&self, user_id: Uuid) -> String {
        format!("{}:control:{user_id}", self.prefix)
    }

    /// The pattern an API instance subscribes to for every user's control messages.
    #[must_use]
    pub fn control_pattern(&self) -> String {
        format!("{}:control:*", self.prefix)
    }

    /// The user a control channel name belongs to.
    #[must_use]
    pub fn user_of_control_channel(&self, channel: &str) -> Option<Uuid> {
        channel
            .strip_prefix(&self.prefix)?
            .strip_prefix(":control:")?
            .parse()
            .ok()
    }

    /// Caches `epoch` for the account unless a later one is cached already; answers
    /// the epoch cached now.
    pub async fn cache_epoch(&self, user_id: Uuid, epoch: i64) -> Result<i64, StoreError> {
        Ok(redis::Script::new(MAX_SET)
            .key(self.epoch_key(user_id))
            .arg(epoch)
            .arg(EPOCH_CACHE_SECS)
            .invoke_async(&mut self.conn.clone())
            .await?)
    }

    /// Every session of the account before `epoch` has ended: caches the epoch (so
    /// the next request with an older token is refused) and tells every instance.
    pub async fn sessions_ended(&self, user_id: Uuid, epoch: i64) -> Result<(), StoreError> {
        self.cache_epoch(user_id, epoch).await?;
        self.control(user_id, Control::Epoch(epoch)).await
    }

    /// One session has ended: its access tokens go on the deny-list and every
    /// instance is told.
    pub async fn session_ended(&self, user_id: Uuid, family_id: Uuid) -> Result<(), StoreError> {
        redis::cmd("SET")
            .arg(self.ended_session_key(family_id))
            .arg(1)
            .arg("EX")
            .arg(ENDED_SESSION_SECS)
            .query_async::<()>(&mut self.conn.clone())
            .await?;
        self.control(user_id, Control::Session(family_id)).await
    }

    async fn control(&self, user_id: Uuid, message: Control) -> Result<(), StoreError> {
        let payload = serde_json::to_string(&message)
            .map_err(|e| StoreError::MalformedEvent(e.to_string()))?;
        redis::cmd("PUBLISH")
            .arg(self.control_channel(user_id))
            .arg(payload)
            .query_async::<()>(&mut self.conn.clone())
            .await?;
        Ok(())
    }
}
