//! `POST /api/chat/conversations/{id}/messages`: the message is counted, stored and
//! its `ai_action` workflow started by [`maigie_services::chat::send`]; this handler
//! streams the action's live events (`chat.delta`, `chat.tool_call`,
//! `chat.confirmation_required`, `chat.done`) as Server-Sent Events — the same events
//! the user's WebSockets get. The stream ends with `chat.done`, or with
//! `chat.confirmation_required` (the rest follows on the WebSocket once the user
//! confirms or rejects).

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use maigie_domain::EventKind;
use maigie_services::chat;
pub use maigie_services::chat::send::{MessageAccepted, SendMessage};
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

use crate::auth::extractor::AuthUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::extract::{Json, Path};
use crate::http::wants_json_only;
use crate::realtime::Subscription;
use crate::state::AppState;

/// One Server-Sent Event of a streamed answer (the schema of each event of the
/// `text/event-stream` response).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Documents the stream; the events are written by `events` below.
pub struct ChatStreamEvent {
    event: ChatEventName,
    /// The event's payload as JSON text: `chat.started` carries the `MessageAccepted`,
    /// the others `{action_id, …}` (see the AsyncAPI document).
    data: String,
    /// The live stream's id of the event (resume the WebSocket from it); absent on
    /// `chat.started`.
    id: Option<String>,
}

/// The events of a streamed answer, in the order they can come.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub enum ChatEventName {
    #[schema(rename = "chat.started")]
    Started,
    #[schema(rename = "chat.delta")]
    Delta,
    #[schema(rename = "chat.tool_call")]
    ToolCall,
    #[schema(rename = "chat.confirmation_required")]
    ConfirmationRequired,
    #[schema(rename = "chat.done")]
    Done,
}

/// A stream longer than this ends; the action goes on (watch it on the WebSocket).
pub(crate) const STREAM_LIMIT: Duration = Duration::from_secs(600);
/// A comment line keeps an idle stream open through proxies this often.
pub(crate) const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// The stream's first event (data: [`MessageAccepted`]); the rest are the action's
/// `chat.*` live events (`EventKind::is_chat`).
pub const CHAT_STARTED: &str = "chat.started";

/// Send a message: the answer streams as Server-Sent Events (`Accept: text/event-stream`,
/// the default) or, with `Accept: application/json`, is 202 with the action to follow
/// on the WebSocket.
#[utoipa::path(post, path = "/api/chat/conversations/{id}/messages", tag = "chat", security(("bearer" = [])),
    request_body = SendMessage,
    responses((status = 200, content_type = "text/event-stream", body = ChatStreamEvent,
               description = "Server-Sent Events, in order: `chat.started` (data: the \
                              `MessageAccepted`), `chat.delta` (`{text}`), `chat.tool_call`, \
                              `chat.confirmation_required`, `chat.done`; each `data` is JSON. \
                              See the AsyncAPI document (`/asyncapi.json`) for every payload."),
              (status = 202, body = MessageAccepted), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody, description = "`ai_quota_exceeded`, with `resets_at`")))]
pub async fn send_message(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    Json(body): Json<SendMessage>,
) -> ApiResult<Response> {
    // Subscribed before the workflow starts, so not even the first delta is missed.
    let live = state.hub.subscribe(&user);
    let accepted = chat::send::send(&state.services, &user.ctx(), id, &body).await?;
    // The same rule tells the idempotency layer this answer streams.
    if wants_json_only(&headers) {
        return Ok((StatusCode::ACCEPTED, Json(accepted)).into_response());
    }
    let first = Event::default()
        .event(CHAT_STARTED)
        .data(json!(accepted).to_string());
    Ok(Sse::new(events(first, accepted.action_id, live))
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response())
}

/// The action's events from the user's live stream, until it is done or waits.
fn events(
    first: Event,
    action_id: Uuid,
    live: Subscription,
) -> impl Stream<Item = Result<Event, Infallible>> {
    async_stream(move |tx| async move {
        // The whole subscription moves in (a closure would capture only the fields it
        // uses, and the hub would forget the user when the rest is dropped here).
        let mut live = live;
        let _ = tx.send(first).await;
        let deadline = tokio::time::Instant::now() + STREAM_LIMIT;
        loop {
            // A stream of a session that ends stops with it.
            let next = tokio::select! {
                next = tokio::time::timeout_at(deadline, live.rx.recv()) => next,
                _ = live.ending.closed() => return,
            };
            let event = match next {
                Err(_) | Ok(Err(RecvError::Closed)) => return,
                Ok(Err(RecvError::Lagged(_))) => continue,
                Ok(Ok(e)) => e,
            };
            let Ok(envelope) = serde_json::from_str::<Value>(event.text.as_str()) else {
                continue;
            };
            let kind = envelope["type"].as_str().unwrap_or("");
            let is_chat = kind.parse::<EventKind>().is_ok_and(EventKind::is_chat);
            if !is_chat || envelope["data"]["action_id"] != json!(action_id) {
                continue;
            }
            let sse = Event::default()
                .event(kind)
                .id(envelope["id"].as_str().unwrap_or(""))
                .data(envelope["data"].to_string());
            if tx.send(sse).await.is_err() {
                return;
            }
            if kind == EventKind::ChatDone.as_str()
                || kind == EventKind::ChatConfirmationRequired.as_str()
            {
                return;
            }
        }
    })
}

/// A stream fed by a task through a small channel (no extra dependency).
fn async_stream<F, Fut>(body: F) -> impl Stream<Item = Result<Event, Infallible>>
where
    F: FnOnce(tokio::sync::mpsc::Sender<Event>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    tokio::spawn(body(tx));
    futures_util::stream::unfold(
        rx,
        |mut rx| async move { rx.recv().await.map(|e| (Ok(e), rx)) },
    )
}
