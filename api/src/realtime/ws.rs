//! `GET /ws`: one authenticated WebSocket per client session.
//!
//! Protocol (also in the README): authenticate with `?access_token=` or
//! `Authorization: Bearer`; pass `?last_event_id=<id>` to first receive every retained
//! event after that id (`0` for all retained), in order, then live events, with no
//! duplicates. Each event is a text frame `{"id","type","data","ts"}`. The server pings
//! every `WS_PING_SECS` and drops a peer that has not answered by the next ping;
//! clients may also send `{"type":"ping"}` and get `{"type":"pong"}`. A client too far
//! behind gets `{"type":"resync"}` and the socket closes (code 4008): reconnect with
//! the last id seen. On server shutdown the socket closes with 1001.
//!
//! A socket lives no longer than its session: it closes with 4001 when its access
//! token expires, with 4003 when the session ends (sign-out everywhere, password
//! change, the session ended from the sessions list, account deleted) on whichever
//! instance that happens, and with 4009 when the user opens more than
//! `WS_MAX_CONNECTIONS_PER_USER` sockets on one instance (the oldest goes). Clients
//! reconnect with a fresh token and `last_event_id`, and miss nothing.

use axum::Router;
use std::time::Duration;

use axum::Extension;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use maigie_store::EventEnvelope;
use maigie_store::events::EventId;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use super::{Closed, Subscription};
use crate::auth::extractor::{AuthUser, authenticate, bearer};
use crate::auth::gate::{self, Checked};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::Query;
use crate::state::AppState;

/// At most this many missed events are replayed on reconnect.
const REPLAY_LIMIT: usize = 1000;
/// Read buffer per socket.
const READ_BUFFER_BYTES: usize = 4 * 1024;
/// Largest message a client may send (they send `{"type":"ping"}`).
const MAX_CLIENT_MESSAGE_BYTES: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route("/ws", get(upgrade))
}

#[derive(Debug, Deserialize)]
struct WsParams {
    access_token: Option<String>,
    last_event_id: Option<String>,
}

async fn upgrade(
    State(state): State<AppState>,
    Query(params): Query<WsParams>,
    headers: HeaderMap,
    checked: Option<Extension<Checked>>,
    ws: WebSocketUpgrade,
) -> ApiResult<Response> {
    let header_token = bearer(&headers).map(str::to_owned);
    let token = header_token.or(params.access_token).ok_or_else(|| {
        ApiError::unauthorized("missing_token", "Pass `access_token` or a bearer header.")
    })?;
    let user = authenticate(&state, &token, checked.as_deref()).await?;
    let after = params
        .last_event_id
        .as_deref()
        .map(str::parse::<EventId>)
        .transpose()
        .map_err(|_| {
            ApiError::bad_request(
                "invalid_last_event_id",
                "`last_event_id` must look like `1700000000000-0`.",
            )
        })?;
    // Clients send only pings: a small read buffer and message cap keep an idle
    // connection cheap (tungstenite's default read buffer is 128 KiB per socket).
    Ok(ws
        .read_buffer_size(READ_BUFFER_BYTES)
        .max_message_size(MAX_CLIENT_MESSAGE_BYTES)
        .on_upgrade(move |socket| session(socket, state, user, after)))
}

async fn send_event(socket: &mut WebSocket, event: &EventEnvelope) -> bool {
    match serde_json::to_string(event) {
        Ok(text) => socket.send(Message::Text(text.into())).await.is_ok(),
        Err(_) => true,
    }
}

async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    let _ = socket.send(Message::Close(Some(frame))).await;
}

/// Decrements the connection gauge however the session ends.
struct Counted;

impl Counted {
    fn new() -> Self {
        crate::metrics::websocket(1.0);
        Self
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        crate::metrics::websocket(-1.0);
    }
}

async fn session(mut socket: WebSocket, state: AppState, user: AuthUser, after: Option<EventId>) {
    let _counted = Counted::new();
    // Subscribe before reading the backlog, so nothing falls between the two; the
    // position check below drops what arrives twice.
    let mut live = state
        .hub
        .subscribe_socket(&user, state.settings.ws_max_per_user);
    // The session may have ended between the upgrade's check and the subscription
    // (its control message then found no subscriber here): look once more.
    if let Ok((Some(standing), _)) = gate::run(&state, Some(&user.claims()), None).await
        && standing != gate::Standing::Live
    {
        return close(&mut socket, 4003, "session ended").await;
    }
    let mut last = after.unwrap_or(EventId::START);
    if let Some(after) = after {
        match state.events.since(user.id, after, REPLAY_LIMIT).await {
            Ok(backlog) => {
                for event in &backlog {
                    if !send_event(&mut socket, event).await {
                        return;
                    }
                    last = event.position().unwrap_or(last);
                }
            }
            Err(err) => tracing::warn!(error = %err, "replay failed"),
        }
    }
    run(&mut socket, &state, &user, &mut live, last).await;
}

/// When the token stops being a credential, as an instant of this clock.
fn expiry(user: &AuthUser) -> tokio::time::Instant {
    let left = u64::try_from(user.exp - chrono::Utc::now().timestamp()).unwrap_or(0);
    tokio::time::Instant::now() + Duration::from_secs(left)
}

async fn run(
    socket: &mut WebSocket,
    state: &AppState,
    user: &AuthUser,
    live: &mut Subscription,
    mut last: EventId,
) {
    let mut shutdown = state.shutdown.clone();
    let mut ping = tokio::time::interval(state.settings.ws_ping_interval);
    ping.tick().await;
    let mut awaiting_pong = false;
    let expires = tokio::time::sleep_until(expiry(user));
    tokio::pin!(expires);
    loop {
        tokio::select! {
            _ = shutdown.changed() => return close(socket, 1001, "server shutting down").await,
            () = &mut expires => {
                return close(socket, 4001, "token expired; reconnect with a fresh token and last_event_id").await;
            }
            closed = live.ending.closed() => {
                return match closed {
                    Closed::SessionEnded => close(socket, 4003, "session ended").await,
                    Closed::Replaced => close(socket, 4009, "replaced by a newer connection").await,
                };
            }
            _ = ping.tick() => {
                if awaiting_pong {
                    return close(socket, 1011, "no pong").await;
                }
                // A backstop for a control message this instance missed (its
                // subscription was down): the session's standing, once per ping.
                if let Ok((Some(standing), _)) = gate::run(state, Some(&user.claims()), None).await
                    && standing != gate::Standing::Live
                {
                    return close(socket, 4003, "session ended").await;
                }
                awaiting_pong = true;
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    return;
                }
            }
            received = live.rx.recv() => match received {
                Ok(event) => {
                    let position = event.position.unwrap_or(last);
                    if position > last {
                        if socket.send(Message::Text(event.text)).await.is_err() {
                            return;
                        }
                        last = position;
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    let resync = json!({ "type": "resync", "data": { "missed": missed, "last_event_id": last.to_string() } });
                    let _ = socket.send(Message::Text(resync.to_string().into())).await;
                    return close(socket, 4008, "too far behind; reconnect with last_event_id").await;
                }
                Err(RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Pong(_))) => awaiting_pong = false,
                Some(Ok(Message::Text(text))) => {
                    awaiting_pong = false;
                    let is_ping = serde_json::from_str::<serde_json::Value>(&text)
                        .is_ok_and(|v| v["type"] == "ping");
                    if is_ping {
                        let pong = json!({ "type": "pong" }).to_string();
                        if socket.send(Message::Text(pong.into())).await.is_err() {
                            return;
                        }
                    }
                }
                Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
        }
    }
}
