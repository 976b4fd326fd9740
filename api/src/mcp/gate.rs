//! In front of the SDK's transport: every request to `/mcp` shows a live MCP token
//! (else 401 with our error body), a POST carries one JSON-RPC message (else the
//! protocol's error: -32700 for what is not JSON, -32600 for a batch or what is no
//! message), and each request costs one request of the user's rate limit. The token
//! rides on in the request's extensions: the SDK hands the HTTP parts to the tool
//! handlers ([`super::server`]), which act for it.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use maigie_services::mcp_tokens::{self, McpCaller};
use rmcp::model::ClientJsonRpcMessage;
use serde_json::{Value, json};

use super::budget;
use crate::error::ApiError;
use crate::state::AppState;

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;

pub(super) async fn gate(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let McpCaller { token, tier } = match authenticate(&app, req.headers()).await {
        Ok(caller) => caller,
        Err(refused) => return refused.into_response(),
    };
    // The access log names the user of MCP requests too.
    crate::http::access::identify(token.user_id);
    let (parts, body) = req.into_parts();
    let body = if parts.method == Method::POST {
        match one_message(body, app.settings.body_limit_bytes).await {
            Ok(bytes) => Body::from(bytes),
            Err(refused) => return refused,
        }
    } else {
        body
    };
    if let Err(refused) = budget::charge(&app, &token, &tier).await {
        return refused.into_response();
    }
    let mut req = Request::from_parts(parts, body);
    req.extensions_mut().insert(token);
    next.run(req).await
}

async fn authenticate(app: &AppState, headers: &HeaderMap) -> Result<McpCaller, ApiError> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let token = match bearer {
        Some(t) => mcp_tokens::authenticate(&app.services, t.trim()).await?,
        None => None,
    };
    token.ok_or_else(|| {
        ApiError::unauthorized(
            "invalid_token",
            "Send an MCP token as `Authorization: Bearer mcp_…`.",
        )
    })
}

/// The body, when it is one JSON-RPC message the SDK can read. JSON-RPC batches
/// were removed from MCP in revision 2025-06-18 (and the SDK reads none).
async fn one_message(body: Body, limit: usize) -> Result<axum::body::Bytes, Response> {
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(err) => return Err(unreadable(&err, limit)),
    };
    let Ok(value) = serde_json::from_slice::<Value>(&bytes) else {
        return Err(rpc_error(&Value::Null, PARSE_ERROR, "Parse error"));
    };
    if value.is_array() {
        let message = "Invalid Request: send one JSON-RPC message per POST (MCP has no batches)";
        return Err(rpc_error(&Value::Null, INVALID_REQUEST, message));
    }
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    if serde_json::from_value::<ClientJsonRpcMessage>(value).is_err() {
        return Err(rpc_error(&id, INVALID_REQUEST, "Invalid Request"));
    }
    Ok(bytes)
}

fn unreadable(err: &axum::Error, limit: usize) -> Response {
    let source = std::error::Error::source(err);
    if source.is_some_and(|e| e.is::<http_body_util::LengthLimitError>()) {
        let message = format!("The message exceeds {limit} bytes.");
        return ApiError::client(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", message)
            .into_response();
    }
    ApiError::bad_request("unreadable_body", "The request body could not be read.").into_response()
}

fn rpc_error(id: &Value, code: i64, message: &str) -> Response {
    let body = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}
