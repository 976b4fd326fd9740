//! What the model reads: a system prompt with the user's situation (today, active
//! goals, today's plan, upcoming deadlines, what the conversation is about) and the
//! recent history — both bounded, so a long conversation never overflows the model's
//! window (about four characters per token).

use axum::http::Method;
use chrono::{Duration, Utc};
use maigie_llm::{Message, ToolCall};
use maigie_store::chat::{ConversationRow, MessageRow};
use serde_json::Value;

use super::exec::{Caller, ExecError};

/// The situation part of the prompt, at most this many characters (~1,500 tokens).
pub const CONTEXT_CHARS: usize = 6_000;
/// The history part, at most this many characters (~6,000 tokens).
pub const HISTORY_CHARS: usize = 24_000;
/// Messages read from the store before the budget trims them.
pub const HISTORY_MESSAGES: i64 = 60;

const RULES: &str = "You are Maigie, a study and productivity assistant. You act on the user's \
tasks, goals, schedule, plans and notes only through the tools. Resolve relative dates in the \
user's time zone and send times as RFC 3339 with an offset. Deleting needs the user's \
confirmation, which the app asks for: just call the tool. Answer briefly and plainly.";

/// The system prompt for this user and conversation.
pub async fn situation(
    caller: &Caller<'_>,
    conversation: &ConversationRow,
) -> Result<String, ExecError> {
    let now = Utc::now().with_timezone(&caller.tz);
    let mut out = format!(
        "{RULES}\n\nNow: {} ({}).",
        now.format("%A %-d %B %Y %H:%M"),
        caller.tz.name()
    );
    let start = now.date_naive();
    let soon = (Utc::now() + Duration::days(7)).to_rfc3339();
    let sections = [
        (
            "Active goals",
            "/api/goals?status=IN_PROGRESS&limit=10".to_owned(),
        ),
        (
            "Goals not started",
            "/api/goals?status=NOT_STARTED&limit=5".to_owned(),
        ),
        (
            "Deadlines in the next 7 days",
            format!(
                "/api/tasks?status=pending&sort=due&limit=15&due_before={}",
                encode(&soon)
            ),
        ),
        (
            "Overdue tasks",
            "/api/tasks?overdue=true&limit=5".to_owned(),
        ),
    ];
    for (title, uri) in sections {
        let answer = caller.http(Method::GET, &uri, None, "").await?;
        let lines = lines(&answer.body["items"]);
        if !lines.is_empty() {
            out.push_str(&format!("\n\n{title}:\n{lines}"));
        }
    }
    let plan = caller
        .http(
            Method::GET,
            &format!("/api/plans/daily/by-date/{start}"),
            None,
            "",
        )
        .await?;
    if plan.status.is_success() {
        out.push_str(&format!(
            "\n\nToday's plan:\n{}",
            lines(&plan.body["items"])
        ));
    }
    if let (Some(kind), Some(id)) = (&conversation.context_type, conversation.context_id) {
        out.push_str(&format!("\n\nThis conversation is about the {kind} {id}."));
        if let Some(uri) = context_uri(kind, id) {
            let answer = caller.http(Method::GET, &uri, None, "").await?;
            if answer.status.is_success() {
                let mut text = answer.body.to_string();
                truncate(&mut text, 1_500);
                out.push_str(&format!(" It reads: {text}"));
            }
        }
    }
    truncate(&mut out, CONTEXT_CHARS);
    Ok(out)
}

fn context_uri(kind: &str, id: uuid::Uuid) -> Option<String> {
    Some(match kind {
        "course" => format!("/api/courses/{id}"),
        "goal" => format!("/api/goals/{id}"),
        "task" => format!("/api/tasks/{id}"),
        "daily_plan" => format!("/api/plans/daily/{id}"),
        "weekly_plan" => format!("/api/plans/weekly/{id}"),
        "note" => format!("/api/notes/{id}"),
        _ => return None,
    })
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// `- title (due …) [id]` lines of a list answer.
fn lines(items: &Value) -> String {
    items
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| {
            let due = i["due_at"]
                .as_str()
                .or(i["due_date"].as_str())
                .or(i["target_date"].as_str())
                .map(|d| format!(" (due {d})"))
                .unwrap_or_default();
            format!(
                "- {}{due} [{}]",
                i["title"].as_str().unwrap_or("?"),
                i["id"].as_str().unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Cuts `s` to at most `max` bytes, on a character boundary.
pub fn truncate(s: &mut String, max: usize) {
    if s.len() > max {
        let mut at = max;
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        s.truncate(at);
        s.push('…');
    }
}

/// The stored history (oldest first) as model messages, newest kept within
/// [`HISTORY_CHARS`]. A tool answer never opens the window: its assistant call would
/// be missing, which providers reject.
#[must_use]
pub fn history(rows: &[MessageRow]) -> Vec<Message> {
    let mut budget = HISTORY_CHARS;
    let mut kept = Vec::new();
    for row in rows.iter().rev() {
        let cost = row.content.len() + row.tool_calls.as_ref().map_or(0, |c| c.to_string().len());
        if cost > budget && !kept.is_empty() {
            break;
        }
        budget = budget.saturating_sub(cost);
        kept.push(row);
    }
    kept.reverse();
    while kept.first().is_some_and(|r| r.role == "tool") {
        kept.remove(0);
    }
    // Calls without an answer (another action still waiting for its confirmation) are
    // left out: providers refuse a history with an unanswered call.
    let answered: std::collections::HashSet<&str> = kept
        .iter()
        .filter_map(|r| r.tool_call_id.as_deref())
        .collect();
    kept.into_iter()
        .filter_map(message)
        .filter_map(|m| match m {
            Message::Assistant {
                content,
                tool_calls,
            } => {
                let tool_calls: Vec<ToolCall> = tool_calls
                    .into_iter()
                    .filter(|c| answered.contains(c.id.as_str()))
                    .collect();
                (content.is_some() || !tool_calls.is_empty()).then_some(Message::Assistant {
                    content,
                    tool_calls,
                })
            }
            other => Some(other),
        })
        .collect()
}

fn message(row: &MessageRow) -> Option<Message> {
    Some(match row.role.as_str() {
        "user" => Message::User {
            content: row.content.clone(),
        },
        "assistant" => Message::Assistant {
            content: (!row.content.is_empty()).then(|| row.content.clone()),
            tool_calls: row.tool_calls.as_ref().map(calls_of).unwrap_or_default(),
        },
        "tool" => Message::Tool {
            tool_call_id: row.tool_call_id.clone()?,
            content: row.content.clone(),
        },
        _ => return None,
    })
}

/// Stored (OpenAI-shaped) tool calls back into calls.
#[must_use]
pub fn calls_of(stored: &Value) -> Vec<ToolCall> {
    stored
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| {
            Some(ToolCall {
                id: c["id"].as_str()?.to_owned(),
                name: c["function"]["name"].as_str()?.to_owned(),
                arguments: c["function"]["arguments"]
                    .as_str()
                    .unwrap_or("{}")
                    .to_owned(),
            })
        })
        .collect()
}

/// Calls in the stored (OpenAI) shape.
#[must_use]
pub fn stored_calls(calls: &[ToolCall]) -> Value {
    Value::Array(
        calls
            .iter()
            .map(|c| {
                serde_json::json!({"id": c.id, "type": "function",
                    "function": {"name": c.name, "arguments": c.arguments}})
            })
            .collect(),
    )
}
