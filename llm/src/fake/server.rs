//! The fake's HTTP side: routing, failure scripting, reply planning and SSE delivery.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::StreamExt;
use serde_json::{Value, json};

use super::wire::{Planned, chunks, completion_tokens, prompt_tokens, whole_reply};
use super::{DEFAULT_FOLLOWUP, DEFAULT_REPLY, FakeReply, Script, Shared, lock};

pub(super) fn router(script: Shared) -> Router {
    Router::new()
        .route("/v1/chat/completions", post(chat))
        .route("/v1/models", get(models))
        .with_state(script)
}

async fn models() -> Json<Value> {
    Json(json!({
        "object": "list",
        "data": [{ "id": "fake-model", "object": "model", "created": 0, "owned_by": "maigie" }],
    }))
}

struct Settings {
    fail_status: Option<u16>,
    hang: Duration,
    per_chunk: Duration,
    cut_after: Option<usize>,
}

async fn chat(State(script): State<Shared>, body: Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "request body is not JSON");
    };
    let (settings, planned) = {
        let mut s = lock(&script);
        s.requests.push(request.clone());
        let settings = Settings {
            fail_status: s.fail_status,
            hang: s.hang,
            per_chunk: s.per_chunk,
            cut_after: s.cut_after,
        };
        // A failing request must not use up a scripted Sequence step.
        let planned = settings
            .fail_status
            .is_none()
            .then(|| plan(&mut s, &request));
        (settings, planned)
    };
    if !settings.hang.is_zero() {
        tokio::time::sleep(settings.hang).await;
    }
    let Some(planned) = planned else {
        let status = settings
            .fail_status
            .and_then(|s| StatusCode::from_u16(s).ok());
        return error(
            status.unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "scripted failure",
        );
    };
    let model = request["model"]
        .as_str()
        .unwrap_or("fake-model")
        .to_string();
    let usage = json!({
        "prompt_tokens": prompt_tokens(&request),
        "completion_tokens": completion_tokens(&planned),
        "total_tokens": prompt_tokens(&request) + completion_tokens(&planned),
    });
    if request["stream"].as_bool() != Some(true) {
        return Json(whole_reply(&model, planned, usage)).into_response();
    }
    let include_usage = request["stream_options"]["include_usage"].as_bool() == Some(true);
    let mut events: Vec<String> = chunks(&model, planned)
        .iter()
        .map(|c| format!("data: {c}\n\n"))
        .collect();
    if include_usage {
        let last = json!({ "id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0,
                           "model": model, "choices": [], "usage": usage });
        events.push(format!("data: {last}\n\n"));
    }
    events.push("data: [DONE]\n\n".to_string());
    sse(events, settings.per_chunk, settings.cut_after)
}

fn error(status: StatusCode, message: &str) -> Response {
    let kind = if status.is_server_error() {
        "server_error"
    } else {
        "invalid_request_error"
    };
    (
        status,
        Json(json!({ "error": { "message": message, "type": kind, "param": null, "code": null } })),
    )
        .into_response()
}

/// Picks the reply: tool results get the follow-up of the rule matching the last user message;
/// otherwise the first rule whose text the last user message contains, or the default.
fn plan(script: &mut Script, request: &Value) -> Planned {
    let messages = request["messages"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let last_role = messages
        .last()
        .and_then(|m| m["role"].as_str())
        .unwrap_or_default();
    let last_user = messages
        .iter()
        .rev()
        .find(|m| m["role"] == "user")
        .map(text_of)
        .unwrap_or_default();
    let last_user = last_user.to_lowercase();
    let rule = script
        .rules
        .iter_mut()
        .find(|r| last_user.contains(&r.when));
    let reply = match (rule, last_role) {
        (rule, "tool") => FakeReply::Text(
            rule.and_then(|r| r.after_tools.clone())
                .unwrap_or(DEFAULT_FOLLOWUP.into()),
        ),
        (Some(rule), _) => {
            rule.hits += 1;
            step(&rule.reply, rule.hits - 1)
        }
        (None, _) => FakeReply::Text(DEFAULT_REPLY.to_string()),
    };
    match reply {
        FakeReply::ToolCalls(calls) => Planned::Calls(
            calls
                .into_iter()
                .map(|(name, arguments)| {
                    script.next_call_id += 1;
                    (
                        format!("call_fake_{}", script.next_call_id),
                        name,
                        arguments,
                    )
                })
                .collect(),
        ),
        FakeReply::Text(text) => Planned::Text(text),
        FakeReply::Sequence(_) => Planned::Text(DEFAULT_REPLY.to_string()),
    }
}

/// The `hit`-th step of a (possibly nested) sequence; the last step repeats.
fn step(reply: &FakeReply, hit: usize) -> FakeReply {
    match reply {
        FakeReply::Sequence(steps) => match steps.get(hit).or(steps.last()) {
            Some(next) => step(next, hit),
            None => FakeReply::Text(DEFAULT_REPLY.to_string()),
        },
        other => other.clone(),
    }
}

/// Message text, whether sent as a string or as an array of text parts.
pub(super) fn text_of(message: &Value) -> String {
    match &message["content"] {
        Value::String(text) => text.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p["text"].as_str())
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

fn sse(events: Vec<String>, per_chunk: Duration, cut_after: Option<usize>) -> Response {
    let stream =
        futures::stream::iter(events.into_iter().enumerate()).then(move |(i, event)| async move {
            if i > 0 && !per_chunk.is_zero() {
                tokio::time::sleep(per_chunk).await;
            }
            if cut_after.is_some_and(|n| i >= n) {
                // Pausing lets the server flush the chunks before; then an error from the body
                // stream makes it abort the connection.
                tokio::time::sleep(Duration::from_millis(20)).await;
                return Err(std::io::Error::other("scripted stream cut"));
            }
            Ok(event)
        });
    let headers = [
        (header::CONTENT_TYPE, "text/event-stream"),
        (header::CACHE_CONTROL, "no-cache"),
    ];
    (headers, Body::from_stream(stream)).into_response()
}
