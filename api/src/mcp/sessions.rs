//! Sessions that outlive their instance: the SDK keeps a session's worker in the
//! memory of the instance that ran `initialize`, and stores the client's
//! `initialize` parameters here (Redis, shared by every instance). A request for a
//! session this instance does not hold loads them and replays the handshake, so a
//! client behind a load balancer keeps its `Mcp-Session-Id`. Our sessions hold no
//! other state (tools answer from the database), so nothing else needs sharing.
//!
//! An entry lives [`TTL_SECS`] from the handshake; after it — or when Redis cannot
//! answer — an unknown session is a 404 and the client starts a new one, as the
//! transport prescribes. `DELETE` removes the entry and the answering instance's copy;
//! another instance that restored the session keeps its copy until it idles out (5
//! min): harmless, as a session carries no authority (each request shows its token).

use redis::AsyncCommands;
use rmcp::transport::streamable_http_server::session::{
    SessionState, SessionStore, SessionStoreError,
};

use crate::state::AppState;

/// A day: long for a conversation, short enough that stale entries go by themselves.
const TTL_SECS: u64 = 24 * 60 * 60;

pub(super) struct RedisSessions {
    app: AppState,
}

impl RedisSessions {
    pub(super) fn new(app: AppState) -> Self {
        Self { app }
    }

    fn key(&self, session_id: &str) -> String {
        self.app.redis_key(&format!("mcp:session:{session_id}"))
    }
}

#[async_trait::async_trait]
impl SessionStore for RedisSessions {
    async fn load(&self, session_id: &str) -> Result<Option<SessionState>, SessionStoreError> {
        let found: redis::RedisResult<Option<String>> =
            self.app.redis.clone().get(self.key(session_id)).await;
        match found {
            Ok(Some(json)) => Ok(serde_json::from_str(&json).ok()),
            Ok(None) => Ok(None),
            Err(err) => {
                // Not a 500: the client can start a new session.
                tracing::warn!(error = %err, "MCP session store unavailable; session unknown");
                Ok(None)
            }
        }
    }

    async fn store(&self, session_id: &str, state: &SessionState) -> Result<(), SessionStoreError> {
        let json = serde_json::to_string(state)?;
        let key = self.key(session_id);
        self.app
            .redis
            .clone()
            .set_ex::<_, _, ()>(key, json, TTL_SECS)
            .await?;
        Ok(())
    }

    async fn delete(&self, session_id: &str) -> Result<(), SessionStoreError> {
        self.app
            .redis
            .clone()
            .del::<_, ()>(self.key(session_id))
            .await?;
        Ok(())
    }
}
