//! One Redis subscription per API instance (every user's live events and session
//! control messages), dispatching to the local hub.

use std::time::Duration;

use futures_util::StreamExt;
use maigie_store::session_cache::Control;
use maigie_store::{EventBus, EventEnvelope};
use tokio::sync::watch;

use super::{Hub, LiveEvent};

/// Forwards every live event from Redis to this instance's connections, resubscribing
/// after Redis errors, until shutdown. Events published while the subscription is
/// down are not lost: clients replay them from the stream when they reconnect.
pub async fn run_fanout(
    client: redis::Client,
    events: EventBus,
    hub: Hub,
    mut shutdown: watch::Receiver<bool>,
) {
    let pattern = events.live_pattern();
    let control = events.control_pattern();
    loop {
        let session = async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.psubscribe(&pattern).await?;
            pubsub.psubscribe(&control).await?;
            tracing::info!(%pattern, %control, "subscribed to live events and session control");
            let mut messages = pubsub.on_message();
            while let Some(msg) = messages.next().await {
                let channel = msg.get_channel_name();
                if let Some(user_id) = events.user_of_control_channel(channel) {
                    let payload: String = msg.get_payload()?;
                    match serde_json::from_str::<Control>(&payload) {
                        Ok(message) => hub.control(user_id, message),
                        Err(err) => {
                            tracing::warn!(error = %err, "dropped a malformed control message")
                        }
                    }
                    continue;
                }
                let Some(user_id) = events.user_of_channel(channel) else {
                    continue;
                };
                let payload: String = msg.get_payload()?;
                match EventEnvelope::from_live_payload(&payload) {
                    Ok(event) => {
                        if let Some(live) = LiveEvent::encode(&event) {
                            hub.dispatch(user_id, live);
                        }
                    }
                    Err(err) => tracing::warn!(error = %err, "dropped a malformed live event"),
                }
            }
            Ok::<(), redis::RedisError>(())
        };
        tokio::select! {
            result = session => {
                if let Err(err) = result {
                    tracing::warn!(error = %err, "live event subscription lost; retrying");
                }
            }
            _ = shutdown.changed() => return,
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = shutdown.changed() => return,
        }
    }
}
