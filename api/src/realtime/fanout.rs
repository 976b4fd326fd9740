//! One Redis pattern subscription per API instance, dispatching to the local hub.

use std::time::Duration;

use futures_util::StreamExt;
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
    loop {
        let session = async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.psubscribe(&pattern).await?;
            tracing::info!(%pattern, "subscribed to live events");
            let mut messages = pubsub.on_message();
            while let Some(msg) = messages.next().await {
                let Some(user_id) = events.user_of_channel(msg.get_channel_name()) else {
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
