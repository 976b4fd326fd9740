//! `POST /api/chat/conversations/{id}/messages`: counts the message against the
//! month's allowance, stores it, starts its `ai_action` workflow and streams the
//! action's live events (`chat.delta`, `chat.tool_call`, `chat.confirmation_required`,
//! `chat.done`) as Server-Sent Events — the same events the user's WebSockets get.
//! The stream ends with `chat.done`, or with `chat.confirmation_required` (the rest
//! follows on the WebSocket once the user confirms or rejects).

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use futures_util::Stream;
use maigie_domain::Tier;
use maigie_store::agent as log;
use maigie_store::chat::{self, NewMessage};
use maigie_workflows::ai_action::{self, AiActionInput, AiActionWorkflow};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use temporalio_client::{WorkflowIdReusePolicy, WorkflowStartOptions};
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::extractor::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::http::extract::{Json, Path};
use crate::realtime::{Hub, LiveEvent};
use crate::state::AppState;

/// A message is at most this long.
const CONTENT_MAX: usize = 8_000;
/// A stream longer than this ends; the action goes on (watch it on the WebSocket).
const STREAM_LIMIT: Duration = Duration::from_secs(600);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendMessage {
    /// 1–8,000 characters.
    #[schema(example = "Add a task to revise chapter 3 tomorrow at 5pm")]
    pub content: String,
}

/// The first event of the stream (and the JSON answer when SSE was not asked for).
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageAccepted {
    pub action_id: Uuid,
    pub message_id: Uuid,
    pub conversation_id: Uuid,
    /// The Temporal workflow running the action (inspect it in the Temporal UI).
    pub workflow_id: String,
}

/// The first day of the month of `now` (UTC) and of the next one.
pub(crate) fn month_bounds() -> (NaiveDate, chrono::DateTime<Utc>) {
    let today = Utc::now().date_naive();
    let start = today.with_day(1).unwrap_or(today);
    let next = start
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(start);
    let resets = Utc.from_utc_datetime(&next.and_time(chrono::NaiveTime::MIN));
    (start, resets)
}

/// Counts the message, or refuses it when the tier's allowance is used up.
async fn count(state: &AppState, user_id: Uuid) -> ApiResult<NaiveDate> {
    let tier: Tier = maigie_store::users::tier(&state.db, user_id)
        .await?
        .parse()
        .unwrap_or(Tier::Free);
    let limit = state.settings.limits.for_tier(tier).ai_messages_per_month;
    let (month, resets_at) = month_bounds();
    let allowed = limit.map(|l| i32::try_from(l).unwrap_or(i32::MAX));
    match log::count_message(&state.db, user_id, month, allowed).await? {
        Some(_) => Ok(month),
        None => Err(ApiError::QuotaExceeded {
            limit: limit.unwrap_or(0),
            resets_at,
        }),
    }
}

/// Send a message: the answer streams as Server-Sent Events (`Accept: text/event-stream`,
/// the default) or, with `Accept: application/json`, is 202 with the action to follow
/// on the WebSocket.
#[utoipa::path(post, path = "/api/chat/conversations/{id}/messages", tag = "chat", security(("bearer" = [])),
    request_body = SendMessage,
    responses((status = 200, description = "text/event-stream of chat.* events"),
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
    let content = body.content.trim();
    if content.is_empty() || content.chars().count() > CONTENT_MAX {
        return Err(ApiError::invalid_field(
            "content",
            "invalid_length",
            "must be 1–8000 characters",
        ));
    }
    let conversation = chat::get_conversation(&state.db, user.id, id).await?;
    let month = count(&state, user.id).await?;
    let message = chat::add_message(
        &state.db,
        user.id,
        &NewMessage {
            conversation_id: id,
            role: "user",
            content,
            ..NewMessage::default()
        },
    )
    .await?;
    if conversation.title.is_none() {
        let title: String = content.chars().take(60).collect();
        let _ = chat::update_conversation(
            &state.db,
            user.id,
            id,
            chat::ConversationChange {
                title: Some(title.trim()),
                clear: false,
            },
        )
        .await;
    }
    let action_id = Uuid::new_v4();
    let workflow_id = ai_action::ai_action_workflow_id(action_id);
    log::create_action(
        &state.db,
        action_id,
        user.id,
        Some(id),
        Some(message.id),
        "chat",
        Some(&workflow_id),
    )
    .await?;
    let accepted = MessageAccepted {
        action_id,
        message_id: message.id,
        conversation_id: id,
        workflow_id,
    };
    // Subscribe before starting, so not even the first delta is missed.
    let live = Subscription::new(&state.hub, user.id);
    if let Err(err) = start(&state, user.id, &accepted).await {
        let _ = log::set_status(
            &state.db,
            action_id,
            "failed",
            None,
            None,
            Some(&err.to_string()),
        )
        .await;
        let _ = log::uncount_message(&state.db, user.id, month).await;
        tracing::warn!(%action_id, error = %err, "could not start the ai_action workflow");
        return Err(ApiError::Unavailable(
            "The assistant is unavailable right now; try again shortly.".into(),
        ));
    }
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json") && !a.contains("text/event-stream"));
    if wants_json {
        return Ok((StatusCode::ACCEPTED, Json(accepted)).into_response());
    }
    let first = Event::default()
        .event("chat.started")
        .data(json!(accepted).to_string());
    Ok(Sse::new(events(first, action_id, live))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response())
}

async fn start(
    state: &AppState,
    user_id: Uuid,
    accepted: &MessageAccepted,
) -> Result<(), temporalio_client::errors::WorkflowStartError> {
    let agent = &state.settings.agent;
    let input = AiActionInput {
        action_id: accepted.action_id,
        user_id,
        max_turns: agent.max_turns,
        confirm_timeout_secs: agent.confirm_timeout.as_secs(),
    };
    let options =
        WorkflowStartOptions::new(&state.settings.temporal_task_queue, &accepted.workflow_id)
            .id_reuse_policy(WorkflowIdReusePolicy::RejectDuplicate)
            .build();
    state
        .temporal
        .start_workflow(AiActionWorkflow::run, input, options)
        .await?;
    Ok(())
}

/// A hub subscription that lets the hub forget the user when dropped.
pub(crate) struct Subscription {
    hub: Hub,
    user_id: Uuid,
    pub(crate) rx: Option<broadcast::Receiver<LiveEvent>>,
}

impl Subscription {
    pub(crate) fn new(hub: &Hub, user_id: Uuid) -> Self {
        Self {
            hub: hub.clone(),
            user_id,
            rx: Some(hub.subscribe(user_id)),
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        drop(self.rx.take());
        self.hub.release(self.user_id);
    }
}

/// The action's events from the user's live stream, until it is done or waits.
fn events(
    first: Event,
    action_id: Uuid,
    mut live: Subscription,
) -> impl Stream<Item = Result<Event, Infallible>> {
    async_stream(move |tx| async move {
        let _ = tx.send(first).await;
        let deadline = tokio::time::Instant::now() + STREAM_LIMIT;
        let Some(rx) = live.rx.as_mut() else { return };
        loop {
            let next = tokio::time::timeout_at(deadline, rx.recv()).await;
            let event = match next {
                Err(_) | Ok(Err(RecvError::Closed)) => return,
                Ok(Err(RecvError::Lagged(_))) => continue,
                Ok(Ok(e)) => e,
            };
            let Ok(envelope) = serde_json::from_str::<Value>(event.text.as_str()) else {
                continue;
            };
            let kind = envelope["type"].as_str().unwrap_or("");
            if !kind.starts_with("chat.") || envelope["data"]["action_id"] != json!(action_id) {
                continue;
            }
            let sse = Event::default()
                .event(kind)
                .id(envelope["id"].as_str().unwrap_or(""))
                .data(envelope["data"].to_string());
            if tx.send(sse).await.is_err() {
                return;
            }
            if kind == "chat.done" || kind == "chat.confirmation_required" {
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
