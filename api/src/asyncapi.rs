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
use maigie_services::chat::send::MessageAccepted;
use maigie_services::live::{self, DataSchema};
use maigie_store::events::RETAINED_EVENTS;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;

use crate::chat::send::{CHAT_STARTED, KEEP_ALIVE, STREAM_LIMIT};
use crate::pages;
use crate::realtime::{CLOSE_CODES, REPLAY_LIMIT, Resync};
use crate::state::AppState;

/// Where the document is served.
pub const JSON_PATH: &str = "/asyncapi.json";
/// Where its page is served.
pub const PAGE_PATH: &str = "/asyncapi";

/// The AsyncAPI specification version the document follows.
pub const ASYNCAPI_VERSION: &str = "3.0.0";

const WS_CHANNEL: &str = "userEvents";
const SSE_CHANNEL: &str = "chatAnswer";
const PING: &str = "ping";
const PONG: &str = "pong";
const RESYNC: &str = "resync";

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
fn ws_key(kind: EventKind) -> &'static str {
    kind.as_str()
}

/// The key of a Server-Sent Events message in the document.
fn sse_key(event: &str) -> String {
    format!("sse.{event}")
}

/// Named schemas of the document, checked for clashes (two types of one name).
#[derive(Default)]
struct Schemas(BTreeMap<String, Value>);

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

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn message_ref(key: &str) -> Value {
    json!({ "$ref": format!("#/components/messages/{key}") })
}

fn channel_message_ref(channel: &str, key: &str) -> Value {
    json!({ "$ref": format!("#/channels/{channel}/messages/{key}") })
}

/// The tag of an event: what it is about (`task` for `task.created`).
fn tag_of(kind: EventKind) -> &'static str {
    kind.as_str()
        .split_once('.')
        .map_or(kind.as_str(), |(entity, _)| entity)
}

/// One event on the socket: `{"id","type","data","ts"}`.
fn ws_message(kind: EventKind, data: &Value) -> Value {
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
fn sse_message(event: &str, summary: &str, data: &Value, with_id: bool) -> Value {
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

fn close_codes_markdown() -> String {
    let mut text = String::from("| code | reason | meaning |\n|---|---|---|\n");
    for c in CLOSE_CODES {
        let _ = writeln!(text, "| {} | {} | {} |", c.code, c.reason, c.meaning);
    }
    text
}

fn ws_description() -> String {
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

fn sse_description() -> String {
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

fn info_description() -> String {
    "Maigie's real-time API. Every change a user makes (through the REST API, the AI \
     assistant or MCP), every reminder and every step of the assistant is published to the \
     user's event stream and pushed to their open WebSockets (`GET /ws`); the assistant's \
     answer to a chat message is also streamed as Server-Sent Events. The REST API is \
     described by the OpenAPI document (`/openapi.json`, `/docs`).\n\n\
     Payload schemas are JSON Schema, generated from the Rust types the server sends."
        .to_owned()
}

fn build() -> Value {
    let mut schemas = Schemas::default();
    let mut messages = Map::new();
    let mut ws_channel_messages = Map::new();
    let mut ws_events = Vec::new();
    let mut sse_channel_messages = Map::new();
    let mut sse_events = Vec::new();

    // The user's stream.
    for kind in EventKind::ALL.iter().copied() {
        let data = live::data_schema(kind);
        schemas.add_data(&data);
        let data_ref = schema_ref(&data.name);
        messages.insert(ws_key(kind).to_owned(), ws_message(kind, &data_ref));
        ws_channel_messages.insert(ws_key(kind).to_owned(), message_ref(ws_key(kind)));
        ws_events.push(channel_message_ref(WS_CHANNEL, ws_key(kind)));
        if kind.is_chat() {
            let key = sse_key(kind.as_str());
            messages.insert(
                key.clone(),
                sse_message(kind.as_str(), &kind.description(), &data_ref, true),
            );
            sse_channel_messages.insert(kind.as_str().to_owned(), message_ref(&key));
            sse_events.push(channel_message_ref(SSE_CHANNEL, kind.as_str()));
        }
    }
    let resync = schemas.add_type::<Resync>();
    messages.insert(
        RESYNC.to_owned(),
        json!({
            "name": RESYNC,
            "title": RESYNC,
            "summary": "The client fell too far behind: the socket closes with 4008 next. \
                        Reconnect with `last_event_id`.",
            "contentType": "application/json",
            "payload": {
                "type": "object",
                "required": ["type", "data"],
                "additionalProperties": false,
                "properties": {
                    "type": { "type": "string", "const": RESYNC },
                    "data": resync,
                },
            },
        }),
    );
    ws_channel_messages.insert(RESYNC.to_owned(), message_ref(RESYNC));
    ws_events.push(channel_message_ref(WS_CHANNEL, RESYNC));
    for (key, summary) in [
        (
            PING,
            "A heartbeat from the client (optional: answering the server's ping frames \
             is enough). The server answers `pong`.",
        ),
        (PONG, "The server's answer to a client's `ping`."),
    ] {
        messages.insert(
            key.to_owned(),
            json!({
                "name": key,
                "title": key,
                "summary": summary,
                "contentType": "application/json",
                "payload": {
                    "type": "object",
                    "required": ["type"],
                    "properties": { "type": { "type": "string", "const": key } },
                },
            }),
        );
        ws_channel_messages.insert(key.to_owned(), message_ref(key));
    }

    // The chat answer's stream: `chat.started`, then the action's `chat.*` events.
    let accepted = schemas.add_type::<MessageAccepted>();
    let started = sse_key(CHAT_STARTED);
    messages.insert(
        started.clone(),
        sse_message(
            CHAT_STARTED,
            "The message is stored and its action started: the first event of the stream \
             (it has no `id:`; the same data is the 202 answer with `Accept: application/json`).",
            &accepted,
            false,
        ),
    );
    sse_channel_messages.insert(CHAT_STARTED.to_owned(), message_ref(&started));
    sse_events.insert(0, channel_message_ref(SSE_CHANNEL, CHAT_STARTED));

    let mut components_schemas = Map::new();
    components_schemas.insert(
        "EventId".to_owned(),
        json!({
            "type": "string",
            "pattern": "^[0-9]+-[0-9]+$",
            "description": "An event's position in the user's stream: `<milliseconds>-<sequence>`, \
                            increasing. Pass the last one processed as `last_event_id`.",
            "examples": ["1700000000000-0"],
        }),
    );
    components_schemas.extend(schemas.0);

    let close_codes: Vec<Value> = CLOSE_CODES
        .iter()
        .map(|c| json!({ "code": c.code, "reason": c.reason, "description": c.meaning }))
        .collect();

    json!({
        "asyncapi": ASYNCAPI_VERSION,
        "id": "urn:maigie:realtime",
        "info": {
            "title": "Maigie real-time API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": info_description(),
            "license": { "name": "MIT" },
        },
        "defaultContentType": "application/json",
        "servers": {
            "ws": {
                "host": "{host}",
                "protocol": "ws",
                "title": "The API's WebSocket endpoint",
                "description": "`ws://` on a local machine; `wss://` where `PUBLIC_BASE_URL` is https.",
                "variables": { "host": host_variable() },
                "security": [
                    { "$ref": "#/components/securitySchemes/accessToken" },
                    { "$ref": "#/components/securitySchemes/bearer" },
                ],
            },
            "http": {
                "host": "{host}",
                "protocol": "http",
                "title": "The API over HTTP (Server-Sent Events)",
                "description": "`http://` on a local machine; `https://` where `PUBLIC_BASE_URL` is https.",
                "variables": { "host": host_variable() },
                "security": [{ "$ref": "#/components/securitySchemes/bearer" }],
            },
        },
        "channels": {
            WS_CHANNEL: {
                "address": "/ws",
                "title": "The user's live events",
                "summary": "GET /ws: every event of the signed-in user, resumable.",
                "description": ws_description(),
                "servers": [{ "$ref": "#/servers/ws" }],
                "messages": ws_channel_messages,
                "bindings": {
                    "ws": {
                        "method": "GET",
                        "query": {
                            "type": "object",
                            "properties": {
                                "access_token": {
                                    "type": "string",
                                    "description": "An access token (or send `Authorization: Bearer`).",
                                },
                                "last_event_id": {
                                    "type": "string",
                                    "pattern": "^[0-9]+(-[0-9]+)?$",
                                    "description": "Replay the retained events after this id first \
                                                    (`0`: all retained).",
                                },
                            },
                        },
                        "headers": {
                            "type": "object",
                            "properties": {
                                "Authorization": {
                                    "type": "string",
                                    "description": "`Bearer <access token>` (or pass `access_token`).",
                                },
                            },
                        },
                        "bindingVersion": "0.1.0",
                    },
                },
                "x-close-codes": close_codes,
            },
            SSE_CHANNEL: {
                "address": "/api/chat/conversations/{id}/messages",
                "title": "The chat answer",
                "summary": "POST a message to the assistant; the answer streams back as Server-Sent Events.",
                "description": sse_description(),
                "servers": [{ "$ref": "#/servers/http" }],
                "parameters": {
                    "id": { "description": "The conversation's id (a UUID)." },
                },
                "messages": sse_channel_messages,
            },
        },
        "operations": {
            "sendUserEvents": {
                "action": "send",
                "channel": { "$ref": format!("#/channels/{WS_CHANNEL}") },
                "title": "Push the user's events",
                "summary": "The server sends each of the user's events (replayed first, then live), \
                            and `resync` before closing a socket that fell behind.",
                "messages": ws_events,
            },
            "receivePing": {
                "action": "receive",
                "channel": { "$ref": format!("#/channels/{WS_CHANNEL}") },
                "title": "Answer a client's ping",
                "summary": "A client's `{\"type\":\"ping\"}` is answered with `{\"type\":\"pong\"}`.",
                "messages": [channel_message_ref(WS_CHANNEL, PING)],
                "reply": {
                    "channel": { "$ref": format!("#/channels/{WS_CHANNEL}") },
                    "messages": [channel_message_ref(WS_CHANNEL, PONG)],
                },
            },
            "sendChatAnswer": {
                "action": "send",
                "channel": { "$ref": format!("#/channels/{SSE_CHANNEL}") },
                "title": "Stream the assistant's answer",
                "summary": "The answer to a chat message, as Server-Sent Events.",
                "bindings": { "http": { "method": "POST", "bindingVersion": "0.3.0" } },
                "messages": sse_events,
            },
        },
        "components": {
            "schemas": components_schemas,
            "messages": messages,
            "securitySchemes": {
                "accessToken": {
                    "type": "httpApiKey",
                    "name": "access_token",
                    "in": "query",
                    "description": "An access token (from `POST /api/auth/login`, `register` or \
                                    `refresh`) in the query: for browsers' WebSockets.",
                },
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "`Authorization: Bearer <access token>`.",
                },
            },
        },
    })
}

fn host_variable() -> Value {
    json!({
        "default": "127.0.0.1:8080",
        "description": "The host (and port) of `PUBLIC_BASE_URL`.",
        "examples": ["127.0.0.1:8080", "localhost:8080"],
    })
}

/// The page: the document made readable (no script, no external asset).
fn render(doc: &Value) -> String {
    let esc = pages::escape;
    let text = |v: &Value| v.as_str().unwrap_or("").to_owned();
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>{}</h1><p class=\"meta\">AsyncAPI {} · version {} · \
         <a href=\"{JSON_PATH}\">asyncapi.json</a> · <a href=\"/docs\">REST API (OpenAPI)</a> · \
         <a href=\"/\">home</a></p>{}",
        esc(&text(&doc["info"]["title"])),
        esc(&text(&doc["asyncapi"])),
        esc(&text(&doc["info"]["version"])),
        pages::markdown(&text(&doc["info"]["description"])),
    );
    let channels = doc["channels"].as_object().cloned().unwrap_or_default();
    body.push_str("<nav><h2>Channels</h2><ul>");
    for (key, channel) in &channels {
        let _ = write!(
            body,
            "<li><a href=\"#channel-{key}\"><code>{}</code></a> — {}</li>",
            esc(&text(&channel["address"])),
            esc(&text(&channel["title"])),
        );
    }
    body.push_str("</ul></nav>");
    for (key, channel) in &channels {
        let _ = write!(
            body,
            "<section id=\"channel-{key}\"><h2><code>{}</code> — {}</h2>{}<h3>Messages</h3>",
            esc(&text(&channel["address"])),
            esc(&text(&channel["title"])),
            pages::markdown(&text(&channel["description"])),
        );
        body.push_str(
            "<table><thead><tr><th>message</th><th>what it means</th></tr></thead><tbody>",
        );
        let refs = channel["messages"].as_object().cloned().unwrap_or_default();
        for (name, r) in &refs {
            let target = text(&r["$ref"]);
            let id = target.rsplit('/').next().unwrap_or(name).to_owned();
            let message = &doc["components"]["messages"][&id];
            let _ = write!(
                body,
                "<tr><td><a href=\"#message-{}\"><code>{}</code></a></td><td>{}</td></tr>",
                esc(&id),
                esc(name),
                esc(&text(&message["summary"])),
            );
        }
        body.push_str("</tbody></table></section>");
    }
    body.push_str("<section><h2>Messages and their payloads</h2>");
    let messages = doc["components"]["messages"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (id, message) in &messages {
        let payload = serde_json::to_string_pretty(&message["payload"]).unwrap_or_default();
        let _ = write!(
            body,
            "<article id=\"message-{}\"><h3><code>{}</code></h3><p>{}</p><pre>{}</pre></article>",
            esc(id),
            esc(&text(&message["title"])),
            esc(&text(&message["summary"])),
            link_refs(&esc(&payload)),
        );
    }
    body.push_str("</section><section><h2>Schemas</h2>");
    let schemas = doc["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (name, schema) in &schemas {
        let pretty = serde_json::to_string_pretty(schema).unwrap_or_default();
        let _ = write!(
            body,
            "<article id=\"schema-{0}\"><h3><code>{0}</code></h3><pre>{1}</pre></article>",
            esc(name),
            link_refs(&esc(&pretty)),
        );
    }
    body.push_str("</section>");
    pages::layout("Maigie real-time API (AsyncAPI)", &body)
}

/// Turns `"#/components/schemas/X"` in escaped JSON into a link to X's section.
fn link_refs(escaped: &str) -> String {
    const PREFIX: &str = "&quot;#/components/schemas/";
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped;
    while let Some(at) = rest.find(PREFIX) {
        out.push_str(&rest[..at]);
        let after = &rest[at + PREFIX.len()..];
        let end = after.find("&quot;").unwrap_or(after.len());
        let name = &after[..end];
        let _ = write!(
            out,
            "&quot;<a href=\"#schema-{name}\">#/components/schemas/{name}</a>"
        );
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_kind_is_a_message_of_the_socket_and_chat_kinds_of_the_stream() {
        let doc = document();
        let ws = doc["channels"][WS_CHANNEL]["messages"]
            .as_object()
            .expect("messages");
        let sse = doc["channels"][SSE_CHANNEL]["messages"]
            .as_object()
            .expect("messages");
        for kind in EventKind::ALL {
            assert!(ws.contains_key(kind.as_str()), "{kind} missing on /ws");
            assert_eq!(
                sse.contains_key(kind.as_str()),
                kind.is_chat(),
                "{kind} on the chat stream"
            );
            let message = &doc["components"]["messages"][kind.as_str()];
            assert_eq!(
                message["payload"]["properties"]["type"]["const"],
                kind.as_str()
            );
        }
        assert!(sse.contains_key(CHAT_STARTED));
        for extra in [RESYNC, PING, PONG] {
            assert!(ws.contains_key(extra), "{extra}");
        }
    }

    #[test]
    fn every_reference_resolves() {
        let doc = document();
        let text = serde_json::to_string(doc).expect("json");
        let mut rest = text.as_str();
        while let Some(at) = rest.find("\"$ref\":\"#/") {
            rest = &rest[at + "\"$ref\":\"#/".len()..];
            let end = rest.find('"').expect("end of ref");
            let pointer = format!("/{}", &rest[..end]);
            assert!(
                doc.pointer(&pointer).is_some(),
                "{pointer} does not resolve"
            );
        }
    }

    #[test]
    fn the_close_codes_are_listed() {
        let codes: Vec<u64> = document()["channels"][WS_CHANNEL]["x-close-codes"]
            .as_array()
            .expect("codes")
            .iter()
            .filter_map(|c| c["code"].as_u64())
            .collect();
        for code in [1001, 1011, 4001, 4003, 4008, 4009] {
            assert!(codes.contains(&code), "{code}");
        }
    }

    /// `docs/asyncapi.json` is the document; `UPDATE_ASYNCAPI=1` rewrites it.
    #[test]
    fn the_repositorys_copy_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/asyncapi.json");
        let expected = document_text();
        if std::env::var("UPDATE_ASYNCAPI").is_ok_and(|v| v == "1") {
            std::fs::write(path, &expected).expect("write docs/asyncapi.json");
        }
        let copy = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            copy == expected,
            "docs/asyncapi.json is stale: run `UPDATE_ASYNCAPI=1 cargo test -p maigie-api asyncapi`"
        );
    }

    #[test]
    fn the_page_lists_every_message() {
        let page = render(document());
        for kind in EventKind::ALL {
            assert!(page.contains(&format!("id=\"message-{kind}\"")), "{kind}");
        }
        assert!(!page.contains("<script"), "no script");
        assert!(!page.contains("src=\"http"), "no external asset");
        assert!(!page.contains("href=\"http"), "no external link");
    }
}
