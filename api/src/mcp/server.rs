//! The MCP server the SDK runs for each session (and each stateless request): it
//! describes the agent's tools and calls them for the request's token, which
//! [`super::gate`] put in the HTTP parts the SDK passes to every handler.

use std::sync::Arc;

use axum::http::request::Parts;
use maigie_agent::registry::{self, Scope, Scopes, ToolDef};
use maigie_store::mcp::McpTokenRow;
use rmcp::model::{
    CacheScope, CallToolRequestParams, CallToolResponse, Implementation, JsonObject,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
    ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::Value;

use crate::state::AppState;

const INSTRUCTIONS: &str =
    "Tools act on the signed-in user's Maigie tasks, goals, schedule, plans and notes.";

/// What `/mcp` runs on: the app's state (its use-cases are what the tools call).
pub(super) struct Maigie {
    app: AppState,
}

impl Maigie {
    pub(super) fn new(app: AppState) -> Self {
        Self { app }
    }
}

impl ServerHandler for Maigie {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("maigie", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS)
    }

    /// Only what this token may call (the agent's rule, `ToolDef::missing`).
    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let scopes = Scopes::from_names(&token(&context)?.scopes);
        let tools = registry::TOOLS
            .iter()
            .filter(|t| t.missing(scopes).is_empty())
            .map(describe)
            .collect();
        let mut list = ListToolsResult::with_all_items(tools);
        // The list depends on the token: no one else may reuse it.
        list.cache_scope = Some(CacheScope::Private);
        Ok(list)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        // The call runs to its end even when the client cancels or goes away
        // (`context.ct` is not watched): a change is then always in the action log.
        let token = token(&context)?.clone();
        Ok(
            super::run::call(&self.app, &token, &request.name, request.arguments)
                .await
                .into(),
        )
    }
}

/// The request's MCP token (the gate lets no request through without one).
fn token(context: &RequestContext<RoleServer>) -> Result<&McpTokenRow, ErrorData> {
    context
        .extensions
        .get::<Parts>()
        .and_then(|parts| parts.extensions.get::<McpTokenRow>())
        .ok_or_else(|| ErrorData::internal_error("the request carries no MCP token", None))
}

/// A tool as MCP lists it: the agent's name, description and JSON schema.
fn describe(tool: &ToolDef) -> Tool {
    let schema = match (tool.parameters)() {
        Value::Object(schema) => schema,
        _ => JsonObject::new(),
    };
    let hints = ToolAnnotations::new()
        .read_only(tool.scope == Scope::Read)
        .destructive(tool.confirm);
    Tool::new(tool.name, tool.description, Arc::new(schema)).with_annotations(hints)
}
