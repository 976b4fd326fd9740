//! One `tools/call`: the agent's scope gate and schema check, then the tool through
//! the agent ([`maigie_agent::external`]) with the token's user as the caller; a call
//! that changed data is recorded there as an AI action (source `mcp`) that the user can
//! undo.

use maigie_agent::exec::Outcome;
use maigie_agent::registry::{self, Scopes, ToolDef};
use maigie_agent::{external, schema, tools};
use maigie_store::mcp::McpTokenRow;
use rmcp::model::{CallToolResult, ContentBlock, JsonObject, MetaObject};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

pub(super) async fn call(
    app: &AppState,
    token: &McpTokenRow,
    name: &str,
    arguments: Option<JsonObject>,
) -> CallToolResult {
    let Some(tool) = registry::find(name) else {
        return tool_error(format!("There is no tool called {name}."));
    };
    // Scopes first (the agent's gate, which `tools::run` applies again): a token
    // lacking one learns nothing from its arguments either.
    if let Some(refused) = tools::scopes::refusal(tool, Scopes::from_names(&token.scopes)) {
        return answer(&refused, None);
    }
    let args = arguments.unwrap_or_default();
    let problems = schema::check(&Value::Object(args.clone()), &(tool.parameters)());
    if !problems.is_empty() {
        return tool_error(format!("Invalid arguments: {}", problems.join(", ")));
    }
    match run(app, token, tool, args).await {
        Ok(result) => result,
        Err(e) => {
            tracing::warn!(tool = name, error = %e, "MCP tool call failed");
            tool_error("The call failed on our side; try again.".into())
        }
    }
}

fn tool_error(text: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(text)])
}

/// A tool's outcome as a `tools/call` result (with the action's id when recorded).
fn answer(outcome: &Outcome, action_id: Option<Uuid>) -> CallToolResult {
    let mut result = CallToolResult::success(vec![ContentBlock::text(outcome.summary.clone())]);
    result.structured_content = Some(json!({"result": outcome.result}));
    result.is_error = Some(!outcome.ok);
    result.meta = action_id.map(|id| {
        let mut meta = Map::new();
        meta.insert("action_id".into(), json!(id));
        MetaObject(meta)
    });
    result
}

async fn run(
    app: &AppState,
    token: &McpTokenRow,
    tool: &ToolDef,
    args: JsonObject,
) -> Result<CallToolResult, ApiError> {
    let scopes = Scopes::from_names(&token.scopes);
    let recorded = external::call(&app.services, token.user_id, scopes, tool, args)
        .await
        .map_err(ApiError::internal)?;
    Ok(answer(&recorded.outcome, recorded.action_id))
}
