//! The built-in provider: no API key, no network. The first turn of an action parses
//! the user's message with the deterministic intent parser (`maigie_domain::intent`)
//! into the same tool calls a model would make, recognising paraphrases of the
//! requests it supports by meaning ([`paraphrase`]); the task a call names is found
//! among the user's tasks before anything runs or is confirmed ([`target`]). The next
//! turn answers in plain language from what the tools did.

pub mod paraphrase;
pub mod target;

use chrono::Utc;
use maigie_domain::intent;
use maigie_llm::{ToolCall, Usage};
use maigie_services::tasks::{self, TaskListParams};
use maigie_store::agent as log;
use maigie_store::chat::MessageRow;
use maigie_workflows::ai_action::TurnInput;
use uuid::Uuid;

use crate::Agent;
use crate::exec::Caller;
use crate::turn::{Reply, TurnError};

pub const PROVIDER: &str = "offline";
const MODEL: &str = "maigie-intents";

/// The offline answer to the conversation so far.
pub async fn reply(
    agent: &Agent,
    caller: &Caller<'_>,
    input: &TurnInput,
    rows: &[MessageRow],
) -> Result<Reply, TurnError> {
    let steps = log::steps(&agent.db, input.action_id).await?;
    let (content, calls) = if steps.is_empty() && input.tools_allowed {
        let text = rows
            .iter()
            .rev()
            .find(|r| r.role == "user")
            .map_or("", |r| r.content.as_str());
        let embedder = agent.services.embedder();
        match paraphrase::understand(embedder, text, Utc::now(), caller.tz).await {
            Some(calls) => match targets(caller, calls).await? {
                Ok(calls) => (String::new(), numbered(input.turn, calls)),
                Err(question) => (question, Vec::new()),
            },
            None => (maigie_domain::intent::help().to_owned(), Vec::new()),
        }
    } else {
        (report(&steps), Vec::new())
    };
    Ok(Reply {
        content,
        calls,
        provider: PROVIDER.to_owned(),
        model: MODEL.to_owned(),
        usage: Usage::default(),
    })
}

/// The calls with the task each names found (`task_id`, and its real title in
/// `task`, which the confirmation shows), or what to ask or say instead when the
/// words name several tasks or none.
async fn targets(
    caller: &Caller<'_>,
    mut calls: Vec<intent::ToolCall>,
) -> Result<Result<Vec<intent::ToolCall>, String>, TurnError> {
    for call in &mut calls {
        let status = match call.name.as_str() {
            "complete_task" | "update_task" => "pending",
            "delete_task" => "all",
            _ => continue,
        };
        let Some(args) = call.arguments.as_object_mut() else {
            continue;
        };
        let Some(words) = args.get("task").and_then(|v| v.as_str()).map(str::to_owned) else {
            continue;
        };
        if args.contains_key("task_id") {
            continue;
        }
        let items = titles(caller, status).await?;
        let picked = target::pick(caller.svc.embedder(), &words, &items).await;
        match picked {
            Ok(target::Pick::One(id, title)) => {
                args.insert("task_id".into(), id.to_string().into());
                args.insert("task".into(), title.into());
            }
            Ok(target::Pick::Several(found)) => {
                let names: Vec<String> = found.iter().map(|(_, t)| format!("“{t}”")).collect();
                return Ok(Err(format!(
                    "Several tasks could be “{words}”: {}. Which one?",
                    names.join(", ")
                )));
            }
            Ok(target::Pick::None) => {
                return Ok(Err(format!("I couldn't find a task matching “{words}”.")));
            }
            // Without the embedder the tool still finds the task by its title words.
            Err(err) => tracing::warn!(error = %err, "task not resolved by meaning"),
        }
    }
    Ok(Ok(calls))
}

/// The user's tasks with `status` (pending or all) as `(id, title)`.
async fn titles(caller: &Caller<'_>, status: &str) -> Result<Vec<(Uuid, String)>, TurnError> {
    let params = TaskListParams {
        status: Some(status.to_owned()),
        limit: Some(200),
        ..TaskListParams::default()
    };
    let page = tasks::list(caller.svc, &caller.ctx, params, None)
        .await
        .map_err(|e| TurnError::Transient(e.to_string()))?;
    Ok(page.items.into_iter().map(|t| (t.id, t.title)).collect())
}

fn numbered(turn: u32, calls: Vec<intent::ToolCall>) -> Vec<ToolCall> {
    calls
        .into_iter()
        .enumerate()
        .map(|(i, c)| ToolCall {
            id: format!("offline-{turn}-{i}"),
            name: c.name,
            arguments: c.arguments.to_string(),
        })
        .collect()
}

/// What the action's tools did, one sentence each.
fn report(steps: &[log::StepRow]) -> String {
    let lines: Vec<String> = steps
        .iter()
        .map(|s| match s.status.as_str() {
            "completed" => s
                .result
                .as_ref()
                .and_then(|r| r["summary"].as_str())
                .unwrap_or("Done.")
                .to_owned(),
            "failed" => format!(
                "I couldn't do that: {}",
                s.error.as_deref().unwrap_or("it was refused.")
            ),
            "skipped" if s.error.as_deref() == Some("expired") => {
                "Nothing was changed: the confirmation expired.".to_owned()
            }
            "skipped" => "OK, I left it as it was.".to_owned(),
            _ => "That is still in progress.".to_owned(),
        })
        .collect();
    if lines.is_empty() {
        "Done.".to_owned()
    } else {
        lines.join(" ")
    }
}
