//! The steps of an action: running a recorded tool call (once), skipping one, waiting
//! for confirmation, finishing — and undo, which restores every row the action
//! changed, or nothing when one of them changed since.

use chrono::{Duration, Utc};
use maigie_services::tasks::TaskView;
use maigie_services::{Work, reminders};
use maigie_store::agent::{self as log, StepRow};
use maigie_store::chat::{self, NewMessage};
use maigie_store::snapshot::{self, RestoreError};
use maigie_workflows::ai_action::{AwaitInput, FinishInput, ToolInput};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::exec::{Caller, Change, ExecError};
use super::turn::TurnError;
use super::{Agent, context, registry, tools};
use crate::error::ApiError;
use crate::state::AppState;

/// What a tool answered, as the model reads it (bounded).
fn tool_message(ok: bool, summary: &str, data: &Value) -> String {
    let mut text = json!({"ok": ok, "summary": summary, "data": data}).to_string();
    context::truncate(&mut text, 4_000);
    text
}

async fn answer_model(
    agent: &Agent,
    step: &StepRow,
    input: &ToolInput,
    content: &str,
) -> Result<(), TurnError> {
    let action = log::get_action(&agent.state.db, input.user_id, input.action_id).await?;
    let Some(conversation_id) = action.conversation_id else {
        return Ok(());
    };
    let key = format!("{}:tool:{}", input.action_id, input.call_id);
    let call_id = step.call_id.clone().unwrap_or_default();
    chat::add_message(
        &agent.state.db,
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
pub async fn run_tool(agent: &Agent, input: &ToolInput) -> Result<(), TurnError> {
    let db = &agent.state.db;
    let step = log::step(db, input.action_id, &input.call_id).await?;
    if matches!(step.status.as_str(), "completed" | "failed" | "skipped") {
        let result = step.result.clone().unwrap_or(Value::Null);
        let summary = result["summary"].as_str().unwrap_or("");
        let text = tool_message(step.status == "completed", summary, &result["data"]);
        return answer_model(agent, &step, input, &text).await;
    }
    let token = agent
        .token_for(input.user_id)
        .await
        .map_err(|e| TurnError::Transient(e.to_string()))?;
    let key = format!("ai:{}:{}", input.action_id, input.call_id);
    let caller = Caller {
        router: &agent.router,
        db,
        user_id: input.user_id,
        token: &token,
        idempotency: Some(&key),
        tz: agent.zone_of(input.user_id).await,
        step: Some(step.id),
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
    log::finish_step(db, step.id, status, Some(&result), error, &changes).await?;
    let text = tool_message(outcome.ok, &outcome.summary, &outcome.result);
    answer_model(agent, &step, input, &text).await?;
    agent
        .publish(
            input.user_id,
            "chat.tool_call",
            json!({"action_id": input.action_id, "call_id": input.call_id, "tool": step.tool_name,
                   "status": status, "summary": outcome.summary}),
        )
        .await;
    Ok(())
}

/// Records that a call was not run (`rejected` or `expired`).
pub async fn skip_tool(agent: &Agent, input: &ToolInput) -> Result<(), TurnError> {
    let db = &agent.state.db;
    let step = log::step(db, input.action_id, &input.call_id).await?;
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
        &step,
        input,
        &tool_message(false, summary, &Value::Null),
    )
    .await?;
    agent
        .publish(
            input.user_id,
            "chat.tool_call",
            json!({"action_id": input.action_id, "call_id": input.call_id, "tool": step.tool_name,
                   "status": "skipped", "summary": summary}),
        )
        .await;
    Ok(())
}

/// Marks the action as waiting and tells the user what it would do.
pub async fn await_confirmation(agent: &Agent, input: &AwaitInput) -> Result<(), TurnError> {
    let db = &agent.state.db;
    let mut calls = Vec::new();
    for id in &input.call_ids {
        let step = log::step(db, input.action_id, id).await?;
        let destructive = registry::find(&step.tool_name).is_some_and(|t| t.confirm);
        calls.push(
            json!({"call_id": id, "tool": step.tool_name, "arguments": step.arguments,
                          "destructive": destructive}),
        );
    }
    let timeout = i64::try_from(input.timeout_secs).unwrap_or(i64::MAX / 1000);
    let expires_at = Utc::now() + Duration::seconds(timeout);
    let pending = Value::Array(calls.clone());
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
            "chat.confirmation_required",
            json!({"action_id": input.action_id, "calls": calls, "expires_at": expires_at}),
        )
        .await;
    Ok(())
}

/// Records the outcome and sends `chat.done` with the final answer.
pub async fn finish(agent: &Agent, input: &FinishInput) -> Result<(), TurnError> {
    let db = &agent.state.db;
    log::set_status(db, input.action_id, &input.status, None, None, None).await?;
    let action = log::get_action(db, input.user_id, input.action_id).await?;
    agent
        .publish(
            input.user_id,
            "chat.done",
            json!({"action_id": action.id, "conversation_id": action.conversation_id,
                   "status": input.status, "content": action.summary}),
        )
        .await;
    Ok(())
}

/// Why an undo was refused.
fn undo_error(err: RestoreError) -> ApiError {
    match err {
        RestoreError::Changed { entity, id } => ApiError::conflict(
            "undo_conflict",
            format!(
                "The {} {id} changed after the action; nothing was undone.",
                entity.replace('_', " ")
            ),
        ),
        RestoreError::UnknownEntity(e) => ApiError::internal(RestoreError::UnknownEntity(e)),
        RestoreError::Store(e) => e.into(),
    }
}

/// Each row the action touched once: its first `before` and its last `after` (a row
/// created and then edited by the same action is simply deleted), in first-touch order.
fn per_row(changes: Vec<Change>) -> Vec<Change> {
    let mut rows: Vec<Change> = Vec::new();
    for c in changes {
        match rows
            .iter_mut()
            .find(|r| r.entity == c.entity && r.id == c.id)
        {
            Some(row) => row.after = c.after,
            None => rows.push(c),
        }
    }
    rows
}

/// Restores what the action changed, newest change first, in one transaction.
pub async fn undo(
    state: &AppState,
    user_id: Uuid,
    action_id: Uuid,
) -> Result<Vec<Change>, ApiError> {
    let mut work = state.services.begin().await?;
    // Locked: two undos of one action run one after the other.
    match log::lock_action(work.tx(), user_id, action_id)
        .await?
        .as_str()
    {
        "undone" => {
            return Err(ApiError::conflict(
                "already_undone",
                "This action was already undone.",
            ));
        }
        "running" | "pending" | "awaiting_confirmation" => {
            return Err(ApiError::conflict(
                "action_in_progress",
                "The action has not finished yet.",
            ));
        }
        _ => {}
    }
    let steps = log::steps(work.conn(), action_id).await?;
    let mut list: Vec<Change> = Vec::new();
    for step in steps.iter().filter(|s| s.status == "completed") {
        list.extend(
            serde_json::from_value::<Vec<Change>>(step.changes.clone()).unwrap_or_default(),
        );
    }
    let changes = per_row(list);
    if changes.is_empty() {
        return Err(ApiError::conflict(
            "nothing_to_undo",
            "This action changed nothing.",
        ));
    }
    for c in changes.iter().rev() {
        snapshot::restore(
            work.tx(),
            &c.entity,
            user_id,
            c.id,
            c.before.as_ref(),
            c.after.as_ref(),
        )
        .await
        .map_err(undo_error)?;
    }
    let goals: Vec<Uuid> = changes
        .iter()
        .flat_map(|c| [&c.before, &c.after])
        .filter_map(|v| v.as_ref()?.get("goal_id")?.as_str()?.parse().ok())
        .collect();
    if !goals.is_empty() {
        maigie_store::goals::refresh_progress(work.tx(), &goals).await?;
    }
    log::mark_undone(work.tx(), action_id).await?;
    for c in &changes {
        match c.entity.as_str() {
            "task" => {
                reminders::resync_task(&mut work, user_id, c.id).await?;
                announce_task(&mut work, user_id, c).await?;
            }
            "schedule_block" => reminders::sync_block(&mut work, user_id, c.id, true).await?,
            _ => {}
        }
    }
    work.commit(&state.services).await?;
    Ok(changes)
}

/// Tells the user's clients about a task the undo restored, with the events the
/// task's own use-cases send.
async fn announce_task(work: &mut Work, user_id: Uuid, c: &Change) -> Result<(), ApiError> {
    match maigie_store::tasks::get(work.conn(), user_id, c.id).await {
        Ok(row) => {
            let view = TaskView::try_from(row)?;
            let kind = if c.after.is_none() {
                "task.created"
            } else {
                "task.updated"
            };
            work.announce(user_id, kind, &view);
        }
        Err(maigie_store::StoreError::NotFound) => {
            work.announce(user_id, "task.deleted", &json!({ "id": c.id }));
        }
        Err(err) => return Err(err.into()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(id: Uuid, before: Option<Value>, after: Option<Value>) -> Change {
        Change {
            entity: "task".into(),
            id,
            before,
            after,
        }
    }

    #[test]
    fn a_row_touched_twice_is_restored_from_its_first_before_and_checked_against_its_last_after() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let rows = per_row(vec![
            change(a, None, Some(json!({"v": 1}))),
            change(b, Some(json!({"v": 0})), Some(json!({"v": 5}))),
            change(a, Some(json!({"v": 1})), Some(json!({"v": 2}))),
        ]);
        assert_eq!(
            rows,
            vec![
                change(a, None, Some(json!({"v": 2}))),
                change(b, Some(json!({"v": 0})), Some(json!({"v": 5}))),
            ]
        );
    }
}
