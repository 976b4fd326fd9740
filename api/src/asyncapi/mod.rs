//! The AsyncAPI 3.0 document of the real-time API: the user's event stream on
//! `GET /ws` and the chat answer's Server-Sent Events. Built from the code's own
//! lists — every [`EventKind`], the schema of each event's `data` from the type its
//! publisher sends ([`maigie_services::live::data_schema`]), the close codes of the
//! socket ([`CLOSE_CODES`]) — so it cannot drift from what is sent. Served as
//! `GET /asyncapi.json` and as a page, `GET /asyncapi`; kept in the repository as
//! `docs/asyncapi.json` (a test checks the copy is current).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::LazyLock;

use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use maigie_domain::EventKind;
use maigie_services::live::DataSchema;
use maigie_store::events::RETAINED_EVENTS;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;

use crate::chat::send::{CHAT_STARTED, KEEP_ALIVE, STREAM_LIMIT};
use crate::pages;
use crate::realtime::{CLOSE_CODES, REPLAY_LIMIT};
use crate::state::AppState;

/// Where the document is served.
pub const JSON_PATH: &str = "/asyncapi.json";
/// Where its page is served.
pub const PAGE_PATH: &str = "/asyncapi";

/// The AsyncAPI specification version the document follows.
pub const ASYNCAPI_VERSION: &str = "3.0.0";

pub(super) const WS_CHANNEL: &str = "userEvents";
pub(super) const SSE_CHANNEL: &str = "chatAnswer";
pub(super) const PING: &str = "ping";
pub(super) const PONG: &str = "pong";
pub(super) const RESYNC: &str = "resync";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(JSON_PATH, get(json_document))
        .route(PAGE_PATH, get(page))
}

static DOCUMENT: LazyLock<Value> = LazyLock::new(build);
static PAGE: LazyLock<String> = LazyLock::new(|| render(&DOCUMENT));

async fn json_document() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_string_pretty(&*DOCUMENT).unwrap_or_default(),
    )
        .into_response()
}

async fn page() -> Html<&'static str> {
    Html(PAGE.as_str())
}

/// The document (built once).
#[must_use]
pub fn document() -> &'static Value {
    &DOCUMENT
}

/// The document as the repository keeps it (`docs/asyncapi.json`): pretty JSON with a
/// final newline.
#[must_use]
pub fn document_text() -> String {
    let mut text = serde_json::to_string_pretty(document()).unwrap_or_default();
    text.push('\n');
    text
}

/// The key of a WebSocket message in the document: the event type.
pub(super) fn ws_key(kind: EventKind) -> &'static str {
    kind.as_str()
}

/// The key of a Server-Sent Events message in the document.
pub(super) fn sse_key(event: &str) -> String {
    format!("sse.{event}")
}

/// Named schemas of the document, checked for clashes (two types of one name).
#[derive(Default)]
pub(super) struct Schemas(BTreeMap<String, Value>);

impl Schemas {
    fn add(&mut self, name: &str, schema: &RefOr<Schema>) {
        let value = serde_json::to_value(schema).unwrap_or(Value::Null);
        if let Some(old) = self.0.insert(name.to_owned(), value.clone()) {
            assert_eq!(old, value, "two schemas are named {name}");
        }
    }

    fn add_data(&mut self, data: &DataSchema) {
        for (name, schema) in &data.components {
            self.add(name, schema);
        }
    }

    fn add_type<T: ToSchema>(&mut self) -> Value {
        let name = T::name();
        let mut all = vec![(name.to_string(), T::schema())];
        T::schemas(&mut all);
        for (n, s) in &all {
            self.add(n, s);
        }
        schema_ref(&name)
    }
}

pub(super) fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

pub(super) fn message_ref(key: &str) -> Value {
    json!({ "$ref": format!("#/components/messages/{key}") })
}

pub(super) fn channel_message_ref(channel: &str, key: &str) -> Value {
    json!({ "$ref": format!("#/channels/{channel}/messages/{key}") })
}

/// The tag of an event: what it is about (`task` for `task.created`).
pub(super) fn tag_of(kind: EventKind) -> &'static str {
    kind.as_str()
        .split_once('.')
        .map_or(kind.as_str(), |(entity, _)| entity)
}

/// One event on the socket: `{"id","type","data","ts"}`.
pub(super) fn ws_message(kind: EventKind, data: &Value) -> Value {
    json!({
        "name": kind.as_str(),
        "title": kind.as_str(),
        "summary": kind.description(),
        "contentType": "application/json",
        "tags": [{ "name": tag_of(kind) }],
        "payload": {
            "type": "object",
            "required": ["id", "type", "data", "ts"],
            "additionalProperties": false,
            "properties": {
                "id": schema_ref("EventId"),
                "type": { "type": "string", "const": kind.as_str() },
                "data": data,
                "ts": { "type": "string", "format": "date-time", "description": "When it was published." },
            },
        },
    })
}

/// One Server-Sent Event of the chat answer: `event:` is the type, `id:` the event's
/// id in the user's stream, `data:` the JSON.
pub(super) fn sse_message(event: &str, summary: &str, data: &Value, with_id: bool) -> Value {
    let mut headers = json!({
        "type": "object",
        "description": "The SSE fields of the event (`event:`, `id:`); `data:` is the payload.",
        "required": ["event"],
        "properties": {
            "event": { "type": "string", "const": event },
        },
    });
    if with_id {
        headers["required"] = json!(["event", "id"]);
        headers["properties"]["id"] = schema_ref("EventId");
    }
    json!({
        "name": event,
        "title": format!("{event} (Server-Sent Event)"),
        "summary": summary,
        "contentType": "application/json",
        "headers": headers,
        "payload": data,
    })
}

pub(super) fn close_codes_markdown() -> String {
    let mut text = String::from("| code | reason | meaning |\n|---|---|---|\n");
    for c in CLOSE_CODES {
        let _ = writeln!(text, "| {} | {} | {} |", c.code, c.reason, c.meaning);
    }
    text
}

pub(super) fn ws_description() -> String {
    format!(
        "One authenticated WebSocket per client session, carrying the user's live events.\n\n\
         **Authenticate** with `?access_token=<access token>` (browsers cannot set headers \
         on a WebSocket) or `Authorization: Bearer <access token>`. A missing or invalid \
         token refuses the upgrade with 401 (`missing_token`, `invalid_token`, `token_expired`, \
         `session_ended`…); a malformed \
         `last_event_id` with 400 `invalid_last_event_id`; too many handshakes with 429.\n\n\
         **Events** are text frames `{{\"id\", \"type\", \"data\", \"ts\"}}`, one per message \
         below; `id` is the event's position in the user's stream (`<ms>-<seq>`, increasing).\n\n\
         **Resume** with `?last_event_id=<id>`: the socket first replays every retained event \
         after that id, in order (at most {REPLAY_LIMIT}), then sends live events, with no \
         duplicates. `last_event_id=0` replays everything retained; without it only live \
         events come. The stream keeps about the last {RETAINED_EVENTS} events of a user, \
         for a day after the last one. A client keeps the id of the last event it processed \
         and reconnects with it after any close, so it misses nothing.\n\n\
         **Heartbeat.** The server sends a WebSocket ping frame every `WS_PING_SECS` (20 s); \
         a peer that has neither answered with a pong (browsers do it themselves) nor sent a \
         text message by the next ping is closed with 1011. A client may also send \
         `{{\"type\":\"ping\"}}` and gets `{{\"type\":\"pong\"}}` (for clients that cannot see \
         ping frames). Nothing else is read from the client.\n\n\
         **Too far behind.** A client that reads too slowly gets `{{\"type\":\"resync\"}}` and \
         the socket closes with 4008: reconnect with `last_event_id`.\n\n\
         **Close codes** sent by the server (also as `x-close-codes`):\n\n{}",
        close_codes_markdown()
    )
}

pub(super) fn sse_description() -> String {
    format!(
        "`POST /api/chat/conversations/{{id}}/messages` with `{{\"content\"}}` and \
         `Accept: text/event-stream` (the default) answers 200 `text/event-stream`: first \
         `{CHAT_STARTED}` (the action and its workflow), then the action's `chat.*` live \
         events as they are published — the same events the user's WebSockets get, with the \
         same ids (`id:`). The stream ends after `chat.done`, or after \
         `chat.confirmation_required` (confirm or reject with \
         `POST /api/chat/actions/{{id}}/confirm|reject`; the rest of the answer arrives on the \
         WebSocket), when the session ends, or after {} s (the action goes on). A comment line \
         (`:`) keeps an idle stream open every {} s.\n\n\
         **Resume.** The stream itself cannot be resumed (it answers a POST): after a \
         disconnect, open `GET /ws` with `last_event_id` set to the last `id:` received and \
         follow the action there (events with its `action_id`). With \
         `Accept: application/json` the answer is 202 with the `{CHAT_STARTED}` data and every \
         event goes to the WebSocket only.",
        STREAM_LIMIT.as_secs(),
        KEEP_ALIVE.as_secs(),
    )
}

pub(super) fn info_description() -> String {
    "Maigie's real-time API. Every change a user makes (through the REST API, the AI \
     assistant or MCP), every reminder and every step of the assistant is published to the \
     user's event stream and pushed to their open WebSockets (`GET /ws`); the assistant's \
     answer to a chat message is also streamed as Server-Sent Events. The REST API is \
     described by the OpenAPI document (`/openapi.json`, `/docs`).\n\n\
     Payload schemas are JSON Schema, generated from the Rust types the server sends."
        .to_owned()
}

mod build;
mod page;
#[cfg(test)]
mod tests;

use build::build;
use page::render;
