//! Events pushed to a user's real-time channel.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// An event for one user's WebSocket channel. `kind` is a dotted name such as
/// `welcome` or `task.created`; the transport adds the id and timestamp.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserEvent {
    pub user_id: Uuid,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: Value,
}
