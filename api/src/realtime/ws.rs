//! `GET /ws`: one authenticated WebSocket per client session.
//!
//! Protocol (also in the README and the AsyncAPI document, `GET /asyncapi.json`,
//! which takes the close codes from [`CLOSE_CODES`]): authenticate with `?access_token=` or
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
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;
use utoipa::ToSchema;

use super::{Closed, Subscription};
use crate::auth::extractor::{AuthUser, authenticate, bearer};
use crate::auth::gate::{self, Checked};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::Query;
use crate::state::AppState;

/// At most this many missed events are replayed on reconnect.
pub const REPLAY_LIMIT: usize = 1000;
/// Read buffer per socket.
const READ_BUFFER_BYTES: usize = 4 * 1024;
/// Largest message a client may send (they send `{"type":"ping"}`).
const MAX_CLIENT_MESSAGE_BYTES: usize = 64 * 1024;

/// A way the server closes a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloseCode {
    pub code: u16,
    /// The reason in the close frame.
    pub reason: &'static str,
    /// When it happens, and what a client does then.
    pub meaning: &'static str,
}

/// The server is shutting down.
pub const GOING_AWAY: CloseCode = CloseCode {
    code: 1001,
    reason: "server shutting down",
    meaning: "The API instance is shutting down (a restart or deploy). Reconnect (to another \
              instance) with `last_event_id`.",
};
/// The peer did not answer a ping in time.
pub const NO_PONG: CloseCode = CloseCode {
    code: 1011,
    reason: "no pong",
    meaning: "The client neither answered the last ping frame with a pong nor sent a text \
              message within one ping interval (`WS_PING_SECS`, 20 s by default). Reconnect \
              with `last_event_id`.",
};
/// The access token expired.
pub const TOKEN_EXPIRED: CloseCode = CloseCode {
    code: 4001,
    reason: "token expired; reconnect with a fresh token and last_event_id",
    meaning: "The access token the socket was opened with expired. Refresh the token \
              (`POST /api/auth/refresh`) and reconnect with `last_event_id`: nothing is missed.",
};
/// The session ended.
pub const SESSION_ENDED: CloseCode = CloseCode {
    code: 4003,
    reason: "session ended",
    meaning: "The session ended: signed out everywhere, password changed, the session was \
              ended from the sessions list, or the account was deleted. Its tokens are refused \
              from now on: reconnect only with the tokens of a new sign-in (or those the \
              password change answered).",
};
/// The client fell too far behind.
pub const TOO_FAR_BEHIND: CloseCode = CloseCode {
    code: 4008,
    reason: "too far behind; reconnect with last_event_id",
    meaning: "The client read too slowly and more than 256 events queued up; a `resync` \
              message precedes the close. Reconnect with `last_event_id` (the last id \
              processed) to get the missed events from the stream.",
};
/// A newer socket of the user replaced this one.
pub const REPLACED: CloseCode = CloseCode {
    code: 4009,
    reason: "replaced by a newer connection",
    meaning: "The user opened more than `WS_MAX_CONNECTIONS_PER_USER` (10) sockets on one API \
              instance; the oldest closes. Reconnect only if this client still needs one.",
};

/// Every close code the server sends, in order of code.
pub const CLOSE_CODES: [CloseCode; 6] = [
    GOING_AWAY,
    NO_PONG,
    TOKEN_EXPIRED,
    SESSION_ENDED,
    TOO_FAR_BEHIND,
    REPLACED,
];

/// The `data` of the `resync` message sent before closing with [`TOO_FAR_BEHIND`].
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Resync {
    /// Live events this socket dropped.
    pub missed: u64,
    /// The id of the last event sent on this socket: reconnect with it.
    #[schema(example = "1700000000000-0")]
    pub last_event_id: String,
}

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

async fn close(socket: &mut WebSocket, how: CloseCode) {
    let frame = CloseFrame {
        code: how.code,
        reason: how.reason.into(),
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
        return close(&mut socket, SESSION_ENDED).await;
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
            _ = shutdown.changed() => return close(socket, GOING_AWAY).await,
            () = &mut expires => {
                return close(socket, TOKEN_EXPIRED).await;
            }
            closed = live.ending.closed() => {
                return match closed {
                    Closed::SessionEnded => close(socket, SESSION_ENDED).await,
                    Closed::Replaced => close(socket, REPLACED).await,
                };
            }
            _ = ping.tick() => {
                if awaiting_pong {
                    return close(socket, NO_PONG).await;
                }
                // A backstop for a control message this instance missed (its
                // subscription was down): the session's standing, once per ping.
                if let Ok((Some(standing), _)) = gate::run(state, Some(&user.claims()), None).await
                    && standing != gate::Standing::Live
                {
                    return close(socket, SESSION_ENDED).await;
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
                    let data = Resync { missed, last_event_id: last.to_string() };
                    let resync = json!({ "type": "resync", "data": data });
                    let _ = socket.send(Message::Text(resync.to_string().into())).await;
                    return close(socket, TOO_FAR_BEHIND).await;
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
