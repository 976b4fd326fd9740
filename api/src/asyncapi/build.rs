//! The document itself: info, channels, operations, messages and schemas.

#[allow(clippy::wildcard_imports)]
use super::*;
use maigie_services::chat::send::MessageAccepted;
use maigie_services::live;
use serde_json::Map;

use crate::realtime::Resync;

pub(super) fn build() -> Value {
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

pub(super) fn host_variable() -> Value {
    json!({
        "default": "127.0.0.1:8080",
        "description": "The host (and port) of `PUBLIC_BASE_URL`.",
        "examples": ["127.0.0.1:8080", "localhost:8080"],
    })
}
