//! The built-in provider: no API key, no network. The first turn of an action parses
//! the user's message with the deterministic intent parser (`maigie_domain::intent`)
//! into the same tool calls a model would make; the next turn answers in plain
//! language from what the tools did.

use chrono::Utc;
use maigie_llm::{ToolCall, Usage};
use maigie_store::agent as log;
use maigie_store::chat::MessageRow;
use maigie_workflows::ai_action::TurnInput;

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
        match maigie_domain::intent::understand(text, Utc::now(), caller.tz) {
            Some(calls) => (String::new(), numbered(input.turn, calls)),
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

fn numbered(turn: u32, calls: Vec<maigie_domain::intent::ToolCall>) -> Vec<ToolCall> {
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
