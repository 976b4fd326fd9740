//! Live updates: after a change commits, the user's channel hears about it.

use maigie_domain::{EventKind, UserEvent};
use serde::Serialize;
use uuid::Uuid;

use crate::state::AppState;

/// Publishes `{type: kind, data}` to the user's stream. Call it after commit. A
/// failure is logged, not returned: the change is saved, and clients resync by
/// reloading or by replaying from their last event id.
pub async fn publish(state: &AppState, user_id: Uuid, kind: EventKind, data: &impl Serialize) {
    let data = match serde_json::to_value(data) {
        Ok(v) => v,
        Err(err) => {
            tracing::warn!(error = %err, %kind, "could not serialise a live event");
            return;
        }
    };
    let event = UserEvent {
        user_id,
        kind,
        data,
    };
    if let Err(err) = state.events.publish(&event).await {
        tracing::warn!(error = %err, %kind, "could not publish a live event");
    }
}
