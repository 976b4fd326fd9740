//! The MCP endpoint (`/mcp`), on the official Rust SDK (`rmcp`) and its streamable
//! HTTP transport: external agents use the same tools as our chat agent, authenticated
//! by MCP tokens (`/api/mcp/tokens`) whose scopes (`read`, `write`, `delete`) bound
//! what they may call and see (the rule lives in the agent's tool layer, shared with
//! chat: see `maigie_agent::registry`). Every call that changes data is recorded as
//! an AI action (source `mcp`), so the user sees it in the action log and can undo it.
//!
//! The pieces, outside in: [`gate`] authenticates the token (401 with our error body),
//! refuses what is not one JSON-RPC message (the protocol's error) and charges the
//! user's rate limit one request per message; the SDK's service then speaks the
//! transport (sessions, SSE, protocol versions); [`server`] answers `tools/list` and
//! `tools/call` through the agent's tool layer ([`run`] records the actions).
//!
//! Sessions (protocol revisions up to 2025-11-25, `Mcp-Session-Id`) live in the
//! memory of the instance that created them; their `initialize` parameters are kept
//! in Redis ([`sessions`]), so a request that lands on another instance restores the
//! session there instead of answering 404. A session carries no authority: every
//! request is authenticated by its own token and acts for that token's user and
//! scopes. Revision 2026-07-28 has no sessions and is served statelessly.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use maigie_services::mcp_tokens::{self, CreateMcpToken, McpTokenView};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::extractor::AuthUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::extract::{Json, Path};
use crate::state::AppState;

mod budget;
mod gate;
mod run;
mod server;
mod sessions;

/// The `/mcp` route (a service of its own, mounted by [`crate::app`]): the SDK's
/// streamable HTTP service behind our [`gate`].
pub fn endpoint(app: AppState) -> Router {
    let factory = {
        let app = app.clone();
        move || Ok(server::Maigie::new(app.clone()))
    };
    let service = StreamableHttpService::new(
        factory,
        Arc::new(LocalSessionManager::default()),
        transport_config(&app),
    );
    Router::new()
        .route_service("/mcp", service)
        .layer(from_fn_with_state(app, gate::gate))
}

/// The transport's settings: where it may be reached from, and when it stops.
fn transport_config(app: &AppState) -> StreamableHttpServerConfig {
    let settings = &app.settings;
    // DNS rebinding: answer only at our public name or on loopback, and refuse
    // browser origins other than the configured front ends.
    let public = &settings.public_base_url;
    let mut hosts: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
    hosts.extend(public.host_str().map(str::to_owned));
    let origins = settings
        .cors_origins
        .iter()
        .filter_map(|o| url::Url::parse(o.to_str().ok()?).ok())
        .chain([public.clone()])
        .filter_map(|url| {
            // With its port spelled out: a port-less entry would match any port.
            let port = url.port_or_known_default()?;
            Some(format!("{}://{}:{port}", url.scheme(), url.host_str()?))
        });
    let mut config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(hosts)
        .with_allowed_origins(origins)
        .enforce_origin_validation()
        .with_max_request_body_bytes(settings.body_limit_bytes)
        .with_cancellation_token(on_shutdown(app));
    config.session_store = Some(Arc::new(sessions::RedisSessions::new(app.clone())));
    config
}

/// Cancelled when the server begins its graceful shutdown, so that open SSE streams
/// end and do not hold the drain up (as the WebSockets close).
fn on_shutdown(app: &AppState) -> CancellationToken {
    let token = CancellationToken::new();
    let mut shutdown = app.shutdown.clone();
    let cancel = token.clone();
    // Outside a runtime (a router built only to read its routes) nothing is served.
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            let _ = shutdown.wait_for(|stopping| *stopping).await;
            cancel.cancel();
        });
    }
    token
}

/// The token management routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

/// Create a token for an external agent (the secret is shown only now).
#[utoipa::path(post, path = "/api/mcp/tokens", tag = "mcp", security(("bearer" = [])), request_body = CreateMcpToken,
    responses((status = 201, body = McpTokenView), (status = 422, body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<CreateMcpToken>,
) -> ApiResult<(StatusCode, Json<McpTokenView>)> {
    let created = mcp_tokens::create(&state.services, &user.ctx(), &body).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Your MCP tokens (without their secrets).
#[utoipa::path(get, path = "/api/mcp/tokens", tag = "mcp", security(("bearer" = [])),
    responses((status = 200, body = Vec<McpTokenView>)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<Vec<McpTokenView>>> {
    Ok(Json(mcp_tokens::list(&state.services, &user.ctx()).await?))
}

/// Revoke a token: it stops working at once.
#[utoipa::path(delete, path = "/api/mcp/tokens/{id}", tag = "mcp", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    mcp_tokens::revoke(&state.services, &user.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
