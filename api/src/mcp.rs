//! The MCP endpoint (`POST /mcp`, streamable HTTP transport answering JSON): external
//! agents use the same tools as our chat agent, authenticated by MCP tokens
//! (`/api/mcp/tokens`) whose scopes (`read`, `write`, `delete`) bound what they may
//! call and see (the rule lives in the agent's tool layer, shared with chat: see
//! `maigie_agent::registry`). Every call that changes data is recorded as an AI action
//! (source `mcp`), so the user sees it in the action log and can undo it. Every
//! JSON-RPC message, one by one in a batch, costs one request of the user's rate limit.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use maigie_store::agent as log;
use maigie_store::mcp::{self, McpTokenRow};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::extractor::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::http::extract::{Json, Path};
use crate::state::AppState;
use maigie_agent::exec::{Caller, Outcome};
use maigie_agent::registry::{self, Scope, Scopes, ToolDef};
use maigie_agent::{schema, tools};
use maigie_services::Source;

mod budget;

/// The protocol revisions we speak (newest first).
const PROTOCOLS: [&str; 3] = ["2025-06-18", "2025-03-26", "2024-11-05"];
const SCOPES: [&str; 3] = ["read", "write", "delete"];
/// Messages per JSON-RPC batch at most (each may be a tool call).
const MAX_BATCH: usize = 20;

/// What `/mcp` runs on: the app's state (its use-cases are what the tools call).
#[derive(Clone)]
struct McpState {
    app: AppState,
}

/// The `/mcp` route (a service of its own, mounted by [`crate::app`]).
pub fn endpoint(app: AppState) -> Router {
    Router::new()
        .route("/mcp", post(handle).get(no_stream).delete(no_stream))
        .with_state(McpState { app })
}

/// The token management routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMcpToken {
    /// 1–100 characters, e.g. the agent's name.
    pub name: String,
    /// Any of read, write, delete.
    pub scopes: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct McpTokenView {
    pub id: Uuid,
    pub name: String,
    pub scopes: Vec<String>,
    /// Shown once, on creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

fn view(r: McpTokenRow, token: Option<String>) -> McpTokenView {
    McpTokenView {
        id: r.id,
        name: r.name,
        scopes: r.scopes,
        token,
        last_used_at: r.last_used_at,
        created_at: r.created_at,
    }
}

/// Create a token for an external agent (the secret is shown only now).
#[utoipa::path(post, path = "/api/mcp/tokens", tag = "mcp", security(("bearer" = [])), request_body = CreateMcpToken,
    responses((status = 201, body = McpTokenView), (status = 422, body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<CreateMcpToken>,
) -> ApiResult<(StatusCode, Json<McpTokenView>)> {
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::invalid_field(
            "name",
            "invalid_length",
            "must be 1–100 characters",
        ));
    }
    let mut scopes: Vec<String> = Vec::new();
    for s in &body.scopes {
        if !SCOPES.contains(&s.as_str()) {
            return Err(ApiError::invalid_field(
                "scopes",
                "unknown_value",
                "each scope is read, write or delete",
            ));
        }
        if !scopes.contains(s) {
            scopes.push(s.clone());
        }
    }
    if scopes.is_empty() {
        return Err(ApiError::invalid_field(
            "scopes",
            "required",
            "give at least one scope",
        ));
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!("mcp_{}", URL_SAFE_NO_PAD.encode(bytes));
    let row = mcp::create(&state.db, user.id, name, &hash(&token), &scopes).await?;
    Ok((StatusCode::CREATED, Json(view(row, Some(token)))))
}

/// Your MCP tokens (without their secrets).
#[utoipa::path(get, path = "/api/mcp/tokens", tag = "mcp", security(("bearer" = [])),
    responses((status = 200, body = Vec<McpTokenView>)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<Vec<McpTokenView>>> {
    let rows = mcp::list(&state.db, user.id).await?;
    Ok(Json(rows.into_iter().map(|r| view(r, None)).collect()))
}

/// Revoke a token: it stops working at once.
#[utoipa::path(delete, path = "/api/mcp/tokens/{id}", tag = "mcp", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    mcp::revoke(&state.db, user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn no_stream() -> ApiError {
    ApiError::client(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This server answers POSTed JSON-RPC only.",
    )
}

fn rpc_error(id: &Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

async fn handle(
    State(mcp): State<McpState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let token = match bearer {
        Some(t) => mcp::authenticate(&mcp.app.db, &hash(t.trim())).await,
        None => Ok(None),
    };
    let token = match token {
        Ok(Some(token)) => token,
        Ok(None) => {
            return ApiError::unauthorized(
                "invalid_token",
                "Send an MCP token as `Authorization: Bearer mcp_…`.",
            )
            .into_response();
        }
        Err(e) => return ApiError::from(e).into_response(),
    };
    let Ok(message) = serde_json::from_slice::<Value>(&body) else {
        return Json(rpc_error(&Value::Null, -32700, "Parse error")).into_response();
    };
    let (messages, batch) = match message {
        Value::Array(batch) if batch.is_empty() || batch.len() > MAX_BATCH => {
            let error = "Invalid Request: a batch holds 1 to 20 messages";
            return Json(rpc_error(&Value::Null, -32600, error)).into_response();
        }
        Value::Array(batch) => (batch, true),
        m => (vec![m], false),
    };
    let charged = budget::charge(&mcp.app, &token, messages.len()).await;
    let (granted, retry_after_secs) = match charged {
        Ok(budget) => budget,
        Err(refused) => return refused.into_response(),
    };
    let mut out = Vec::new();
    for (i, m) in messages.into_iter().enumerate() {
        let answer = if i < granted {
            one(&mcp, &token, m).await
        } else {
            budget::over(&m, retry_after_secs)
        };
        out.extend(answer);
    }
    let answer = if batch {
        (!out.is_empty()).then_some(Value::Array(out))
    } else {
        out.pop()
    };
    match answer {
        Some(a) => Json(a).into_response(),
        None => StatusCode::ACCEPTED.into_response(),
    }
}

/// Answers one JSON-RPC message (`None` for notifications).
async fn one(mcp: &McpState, token: &McpTokenRow, m: Value) -> Option<Value> {
    let id = m.get("id").cloned()?;
    let method = m["method"].as_str().unwrap_or("");
    let params = m.get("params").cloned().unwrap_or(Value::Null);
    let result = match method {
        "initialize" => {
            let asked = params["protocolVersion"].as_str().unwrap_or("");
            let version = PROTOCOLS
                .iter()
                .find(|p| **p == asked)
                .copied()
                .unwrap_or(PROTOCOLS[0]);
            json!({"protocolVersion": version, "capabilities": {"tools": {"listChanged": false}},
                   "serverInfo": {"name": "maigie", "version": env!("CARGO_PKG_VERSION")},
                   "instructions": "Tools act on the signed-in user's Maigie tasks, goals, schedule, plans and notes."})
        }
        "ping" => json!({}),
        "tools/list" => {
            // Only what this token may call (the agent's rule, `ToolDef::missing`).
            let scopes = Scopes::from_names(&token.scopes);
            let list: Vec<Value> = registry::TOOLS
                .iter()
                .filter(|t| t.missing(scopes).is_empty())
                .map(|t| json!({"name": t.name, "description": t.description, "inputSchema": (t.parameters)(),
                                "annotations": {"readOnlyHint": t.scope == Scope::Read, "destructiveHint": t.confirm}}))
                .collect();
            json!({"tools": list})
        }
        "tools/call" => call(mcp, token, &params).await,
        _ => return Some(rpc_error(&id, -32601, "Method not found")),
    };
    Some(json!({"jsonrpc": "2.0", "id": id, "result": result}))
}

fn tool_error(text: String) -> Value {
    json!({"content": [{"type": "text", "text": text}], "isError": true})
}

/// A tool's outcome as a `tools/call` result.
fn answer(outcome: &Outcome, meta: Value) -> Value {
    json!({"content": [{"type": "text", "text": outcome.summary}],
           "structuredContent": {"result": outcome.result}, "isError": !outcome.ok, "_meta": meta})
}

async fn call(mcp: &McpState, token: &McpTokenRow, params: &Value) -> Value {
    let name = params["name"].as_str().unwrap_or("");
    let Some(tool) = registry::find(name) else {
        return tool_error(format!("There is no tool called {name}."));
    };
    // Scopes first (the agent's gate, which `tools::run` applies again): a token
    // lacking one learns nothing from its arguments either.
    if let Some(refused) = tools::scopes::refusal(tool, Scopes::from_names(&token.scopes)) {
        return answer(&refused, json!({}));
    }
    let args = match params.get("arguments") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(a) => a.clone(),
    };
    let problems = schema::check(&args, &(tool.parameters)());
    if !problems.is_empty() {
        return tool_error(format!("Invalid arguments: {}", problems.join(", ")));
    }
    match run(mcp, token, tool, args).await {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(tool = name, error = %e, "MCP tool call failed");
            tool_error("The call failed on our side; try again.".into())
        }
    }
}

async fn run(
    mcp: &McpState,
    token: &McpTokenRow,
    tool: &ToolDef,
    args: Value,
) -> Result<Value, ApiError> {
    let state = &mcp.app;
    let action_id = Uuid::new_v4();
    let key = format!("mcp:{action_id}");
    let ctx = maigie_agent::ctx_for(&state.db, token.user_id, Source::Mcp).await?;
    let caller = Caller {
        svc: &state.services,
        ctx,
        idempotency: Some(&key),
        tz: state.services.zone(token.user_id).await?,
        step: None,
        scopes: Scopes::from_names(&token.scopes),
    };
    let Value::Object(map) = args.clone() else {
        return Ok(tool_error("Arguments must be an object.".into()));
    };
    let outcome = tools::run(&caller, tool.name, map)
        .await
        .map_err(ApiError::internal)?;
    let mut meta = json!({});
    if !outcome.changes.is_empty() {
        log::create_action(&state.db, action_id, token.user_id, None, None, "mcp", None).await?;
        let step = log::add_step(
            &state.db,
            token.user_id,
            action_id,
            "mcp-0",
            tool.name,
            &args,
        )
        .await?;
        let result = json!({"summary": outcome.summary, "data": outcome.result});
        let changes = serde_json::to_value(&outcome.changes).map_err(ApiError::internal)?;
        log::finish_step(
            &state.db,
            step.id,
            "completed",
            Some(&result),
            None,
            &changes,
        )
        .await?;
        log::set_status(&state.db, action_id, "completed", None, None, None).await?;
        meta = json!({"action_id": action_id});
    }
    Ok(answer(&outcome, meta))
}
