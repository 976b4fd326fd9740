//! A tool call from outside the chat (an MCP client): run through the same tool layer
//! as the chat's calls, for the token's user and within its scopes, and — when it
//! changed data — recorded as one completed AI action (source `mcp`) with its change
//! set, written in one transaction, so the user sees it in the action log and can undo
//! it.

use maigie_services::{Services, Source};
use maigie_store::agent as log;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::error::TurnError;
use crate::exec::{Caller, Outcome};
use crate::registry::{Scopes, ToolDef};
use crate::{caller_for, tools};

/// What the call did, and the action that records it (none when nothing changed).
pub struct Recorded {
    pub outcome: Outcome,
    pub action_id: Option<Uuid>,
}

/// Runs `tool` with `args` for `user_id` within `scopes` (arguments checked by the
/// caller against the tool's schema).
pub async fn call(
    svc: &Services,
    user_id: Uuid,
    scopes: Scopes,
    tool: &ToolDef,
    args: Map<String, Value>,
) -> Result<Recorded, TurnError> {
    let action_id = Uuid::new_v4();
    // Creates made by this call are idempotent under the action's key.
    let key = format!("mcp:{action_id}");
    let (ctx, tz) = caller_for(&svc.db, user_id, Source::Mcp).await?;
    let caller = Caller {
        svc,
        ctx,
        idempotency: Some(&key),
        tz,
        step: None,
        scopes,
    };
    let outcome = tools::run(&caller, tool.name, args.clone()).await?;
    if outcome.changes.is_empty() {
        return Ok(Recorded {
            outcome,
            action_id: None,
        });
    }
    let result = json!({"summary": outcome.summary, "data": outcome.result});
    let changes =
        serde_json::to_value(&outcome.changes).map_err(|e| TurnError::Permanent(e.to_string()))?;
    let mut tx = svc
        .db
        .begin()
        .await
        .map_err(maigie_store::StoreError::from)?;
    log::create_action(&mut *tx, action_id, user_id, None, None, "mcp", None).await?;
    let arguments = Value::Object(args);
    let step = log::add_step(&mut tx, user_id, action_id, "mcp-0", tool.name, &arguments).await?;
    log::finish_step(
        &mut *tx,
        step.id,
        "completed",
        Some(&result),
        None,
        &changes,
    )
    .await?;
    log::set_status(&mut *tx, action_id, "completed", None, None, None).await?;
    tx.commit().await.map_err(maigie_store::StoreError::from)?;
    Ok(Recorded {
        outcome,
        action_id: Some(action_id),
    })
}
