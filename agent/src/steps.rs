//! The steps of an action: running a recorded tool call (once), skipping one, waiting
//! for confirmation, finishing — and undo, which restores every row the action
//! changed, or nothing when one of them changed since.

use chrono::{Duration, Utc};
use maigie_domain::EventKind;
use maigie_services::Source;
use maigie_services::chat::events::{
    ChatConfirmationRequired, ChatToolCall, PendingCall, ToolCallStatus,
};
use maigie_store::agent::{self as log, CallRow};
use maigie_store::chat::{self, NewMessage};
use maigie_workflows::ai_action::{AwaitInput, FinishInput, ToolInput};
use serde_json::{Map, Value, json};

use crate::exec::{Caller, ExecError};
use crate::registry::Scopes;
use crate::turn::TurnError;
use crate::{Agent, context, registry, tools};

/// What a tool answered, as the model reads it (bounded).
fn tool_message(ok: bool, summary: &str, data: &Value) -> String {
    let mut text = json!({"ok": ok, "summary": summary, "data": data}).to_string();
    context::truncate(&mut text, 4_000);
    text
}

/// Stores a call's answer in the action's conversation, once (an action with no
/// conversation has nowhere to answer).
async fn answer_model(
    agent: &Agent,
    call: &CallRow,
    input: &ToolInput,
    content: &str,
) -> Result<(), TurnError> {
    let Some(conversation_id) = call.conversation_id else {
        return Ok(());
    };
    let key = format!("{}:tool:{}", input.action_id, input.call_id);
    let call_id = call.step.call_id.clone().unwrap_or_default();
    chat::add_message(
        &agent.db,
        input.user_id,
        &NewMessage {
            conversation_id,
            role: "tool",
            content,
            tool_call_id: Some(&call_id),
            dedupe_key: Some(&key),
            ..NewMessage::default()
        },
    )
    .await?;
    Ok(())
}

/// Runs the recorded call `input.call_id` unless it already ran.
///
/// One read gives the step, the action's conversation and the caller.
pub async fn run_tool(agent: &Agent, input: &ToolInput) -> Result<(), TurnError> {
    let db = &agent.db;
    let call = log::call(db, input.user_id, input.action_id, &input.call_id).await?;
    let step = &call.step;
    if matches!(step.status.as_str(), "completed" | "failed" | "skipped") {
        let result = step.result.clone().unwrap_or(Value::Null);
        let summary = result["summary"].as_str().unwrap_or("");
        let text = tool_message(step.status == "completed", summary, &result["data"]);
        return answer_model(agent, &call, input, &text).await;
    }
    let key = format!("ai:{}:{}", input.action_id, input.call_id);
    let (ctx, tz) = crate::caller_of(input.user_id, &call.caller, Source::Chat);
    let caller = Caller {
        svc: &agent.services,
        ctx,
        idempotency: Some(&key),
        tz,
        step: Some(step.id),
        scopes: Scopes::ALL,
    };
    let args = match &step.arguments {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    let outcome = tools::run(&caller, &step.tool_name, args)
        .await
        .map_err(|e: ExecError| TurnError::Transient(e.to_string()))?;
    let status = if outcome.ok { "completed" } else { "failed" };
    let result = json!({"summary": outcome.summary, "data": outcome.result});
    let changes = serde_json::to_value(&outcome.changes).unwrap_or_else(|_| json!([]));
    let error = (!outcome.ok).then_some(outcome.summary.as_str());
    let text = tool_message(outcome.ok, &outcome.summary, &outcome.result);
    // The step first: an answer stored means the step it reports is recorded (a retry
    // after a failure in between finds the step finished and answers from it).
    log::finish_step(db, step.id, status, Some(&result), error, &changes).await?;
    answer_model(agent, &call, input, &text).await?;
    agent
        .publish(
            input.user_id,
            EventKind::ChatToolCall,
            &ChatToolCall::ended(
                input.action_id,
                &input.call_id,
                &step.tool_name,
                if outcome.ok {
                    ToolCallStatus::Completed
                } else {
                    ToolCallStatus::Failed
                },
                &outcome.summary,
            ),
        )
        .await;
    Ok(())
}

/// Records that a call was not run (`rejected` or `expired`).
pub async fn skip_tool(agent: &Agent, input: &ToolInput) -> Result<(), TurnError> {
    let db = &agent.db;
    let call = log::call(db, input.user_id, input.action_id, &input.call_id).await?;
    let step = &call.step;
    let reason = input.reason.as_deref().unwrap_or("rejected");
    let summary = if reason == "expired" {
        "Not run: the user did not confirm in time. Nothing was changed."
    } else {
        "Not run: the user declined. Nothing was changed."
    };
    if step.status == "pending" {
        let result = json!({"summary": summary, "data": null});
        log::finish_step(
            db,
            step.id,
            "skipped",
            Some(&result),
            Some(reason),
            &json!([]),
        )
        .await?;
    }
    answer_model(
        agent,
        &call,
        input,
        &tool_message(false, summary, &Value::Null),
    )
    .await?;
    agent
        .publish(
            input.user_id,
            EventKind::ChatToolCall,
            &ChatToolCall::ended(
                input.action_id,
                &input.call_id,
                &step.tool_name,
                ToolCallStatus::Skipped,
                summary,
            ),
        )
        .await;
    Ok(())
}

/// Marks the action as waiting and tells the user what it would do.
pub async fn await_confirmation(agent: &Agent, input: &AwaitInput) -> Result<(), TurnError> {
    let db = &agent.db;
    let mut calls = Vec::new();
    for id in &input.call_ids {
        let step = log::step(db, input.action_id, id).await?;
        let destructive = registry::find(&step.tool_name).is_some_and(|t| t.confirm);
        calls.push(PendingCall {
            call_id: id.clone(),
            tool: step.tool_name,
            arguments: step.arguments,
            destructive,
        });
    }
    let timeout = i64::try_from(input.timeout_secs).unwrap_or(i64::MAX / 1000);
    let expires_at = Utc::now() + Duration::seconds(timeout);
    let pending = serde_json::to_value(&calls).map_err(|e| TurnError::Permanent(e.to_string()))?;
    log::set_status(
        db,
        input.action_id,
        "awaiting_confirmation",
        Some(pending),
        Some(expires_at),
        None,
    )
    .await?;
    agent
        .publish(
            input.user_id,
            EventKind::ChatConfirmationRequired,
            &ChatConfirmationRequired {
                action_id: input.action_id,
                calls,
                expires_at,
            },
        )
        .await;
    Ok(())
}

/// Records the outcome and sends `chat.done` with the final answer.
pub async fn finish(agent: &Agent, input: &FinishInput) -> Result<(), TurnError> {
    maigie_services::chat::actions::end(
        &agent.services,
        input.user_id,
        input.action_id,
        &input.status,
        None,
    )
    .await?;
    Ok(())
}
