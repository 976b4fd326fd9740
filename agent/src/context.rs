//! What the model reads: a system prompt with the user's situation (today, active
//! goals, today's plan, upcoming deadlines, what the conversation is about) and the
//! recent history — both bounded, so a long conversation never overflows the model's
//! window (about four characters per token) — and the passages of the user's knowledge
//! closest to their last message, numbered for the answer to cite.

use chrono::{Duration, SecondsFormat, Utc};
use maigie_llm::{Message, ToolCall};
use maigie_services::goals::{self, GoalListParams};
use maigie_services::knowledge::retrieve::{self, Passage};
use maigie_services::tasks::{self, TaskListParams};
use maigie_services::{ServiceError, ServiceResult, plans};
use maigie_store::chat::{ConversationRow, MessageRow};
use serde_json::Value;

use crate::exec::{Caller, ExecError};

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

/// One line of a section: a title, when it is due, its id.
struct Line {
    title: String,
    due: Option<String>,
    id: uuid::Uuid,
}

/// A read the prompt can do without: a refusal leaves the section out; only what a
/// retry can mend (a dependency down) fails the turn.
fn optional<T>(read: ServiceResult<T>) -> Result<Option<T>, ExecError> {
    match read {
        Ok(v) => Ok(Some(v)),
        Err(e @ (ServiceError::Unavailable(_) | ServiceError::Internal(_))) => {
            Err(ExecError::Transient(e.to_string()))
        }
        Err(_) => Ok(None),
    }
}

async fn goal_lines(caller: &Caller<'_>, status: &str, limit: i64) -> Result<Vec<Line>, ExecError> {
    let p = GoalListParams {
        status: Some(status.to_owned()),
        limit: Some(limit),
        ..GoalListParams::default()
    };
    let page = optional(goals::list(caller.svc, &caller.ctx, p).await)?;
    Ok(page
        .into_iter()
        .flat_map(|p| p.items)
        .map(|g| Line {
            due: g.target_date.map(|d| d.to_string()),
            title: g.title,
            id: g.id,
        })
        .collect())
}

async fn task_lines(caller: &Caller<'_>, p: TaskListParams) -> Result<Vec<Line>, ExecError> {
    let page = optional(tasks::list(caller.svc, &caller.ctx, p, None).await)?;
    Ok(page
        .into_iter()
        .flat_map(|p| p.items)
        .map(|t| Line {
            due: t
                .due_at
                .map(|d| d.to_rfc3339_opts(SecondsFormat::AutoSi, true))
                .or_else(|| t.due_date.map(|d| d.to_string())),
            title: t.title,
            id: t.id,
        })
        .collect())
}

/// The system prompt for this user and conversation.
pub async fn situation(
    caller: &Caller<'_>,
    conversation: &ConversationRow,
    passages: &[Passage],
) -> Result<String, ExecError> {
    let now = Utc::now().with_timezone(&caller.tz);
    let mut out = format!(
        "{RULES}\n\nNow: {} ({}).",
        now.format("%A %-d %B %Y %H:%M"),
        caller.tz.name()
    );
    let deadlines = TaskListParams {
        status: Some("pending".into()),
        sort: Some("due".into()),
        limit: Some(15),
        due_before: Some(Utc::now() + Duration::days(7)),
        ..TaskListParams::default()
    };
    let overdue = TaskListParams {
        overdue: Some(true),
        limit: Some(5),
        ..TaskListParams::default()
    };
    let sections = [
        ("Active goals", goal_lines(caller, "IN_PROGRESS", 10).await?),
        (
            "Goals not started",
            goal_lines(caller, "NOT_STARTED", 5).await?,
        ),
        (
            "Deadlines in the next 7 days",
            task_lines(caller, deadlines).await?,
        ),
        ("Overdue tasks", task_lines(caller, overdue).await?),
    ];
    for (title, found) in sections {
        let lines = lines(&found);
        if !lines.is_empty() {
            out.push_str(&format!("\n\n{title}:\n{lines}"));
        }
    }
    let today = plans::daily_by_date(caller.svc, &caller.ctx, now.date_naive()).await;
    if let Some(plan) = optional(today)? {
        let items: Vec<Line> = plan
            .items
            .into_iter()
            .map(|i| Line {
                title: i.title,
                due: None,
                id: i.id,
            })
            .collect();
        out.push_str(&format!("\n\nToday's plan:\n{}", lines(&items)));
    }
    if let (Some(kind), Some(id)) = (&conversation.context_type, conversation.context_id) {
        out.push_str(&format!("\n\nThis conversation is about the {kind} {id}."));
        if let Some(about) = about(caller, kind, id).await? {
            let mut text = about.to_string();
            truncate(&mut text, 1_500);
            out.push_str(&format!(" It reads: {text}"));
        }
    }
    truncate(&mut out, CONTEXT_CHARS);
    if !passages.is_empty() {
        out.push_str(PASSAGES_LEAD);
        for (i, p) in passages.iter().enumerate() {
            let s = &p.source;
            out.push_str(&format!(
                "\n[{}] {} {} [{}]:\n{}\n",
                i + 1,
                s.source_type,
                s.title,
                s.source_id,
                p.text
            ));
        }
    }
    Ok(out)
}

const PASSAGES_LEAD: &str = "\n\nFrom the user's own notes and plans, the passages closest to \
their last message. Answer from them when they help, and cite each one you use by its \
number, like [1]:\n";

/// Tokens of the user's knowledge given to the model with each message.
const PASSAGE_TOKENS: usize = 800;

/// The passages of the user's knowledge closest to their last message (none when
/// retrieval fails: the conversation goes on without them).
pub async fn retrieved(caller: &Caller<'_>, rows: &[MessageRow]) -> Vec<Passage> {
    let Some(last) = rows.iter().rev().find(|r| r.role == "user") else {
        return Vec::new();
    };
    retrieve::passages(caller.svc, &caller.ctx, &last.content, PASSAGE_TOKENS)
        .await
        .unwrap_or_else(|err| {
            tracing::warn!(error = %err, "retrieval failed; answering without it");
            Vec::new()
        })
}

/// The sources `answer` cites among the passages it was given, as stored (`None`: none).
#[must_use]
pub fn cited(answer: &str, passages: &[Passage]) -> Option<Value> {
    let cited = retrieve::cited(answer, passages);
    (!cited.is_empty())
        .then(|| serde_json::to_value(cited).ok())
        .flatten()
}

/// A read shown as the REST API would show it (`None` when refused).
fn shown<T: serde::Serialize>(read: ServiceResult<T>) -> Result<Option<Value>, ExecError> {
    optional(read)?
        .map(|v| serde_json::to_value(v).map_err(|e| ExecError::Transient(e.to_string())))
        .transpose()
}

/// What the conversation is about.
async fn about(
    caller: &Caller<'_>,
    kind: &str,
    id: uuid::Uuid,
) -> Result<Option<Value>, ExecError> {
    use maigie_services::{courses, notes};
    let (svc, ctx) = (caller.svc, &caller.ctx);
    match kind {
        "course" => shown(courses::get(svc, ctx, id).await),
        "goal" => shown(goals::get(svc, ctx, id).await),
        "task" => shown(tasks::get(svc, ctx, id).await),
        "daily_plan" => shown(plans::get::<plans::DailyPlanDetail>(svc, ctx, id).await),
        "weekly_plan" => shown(plans::get::<plans::WeeklyPlanDetail>(svc, ctx, id).await),
        "note" => shown(notes::get(svc, ctx, id).await),
        _ => Ok(None),
    }
}

/// `- title (due …) [id]` lines.
fn lines(items: &[Line]) -> String {
    items
        .iter()
        .map(|i| {
            let due = i
                .due
                .as_ref()
                .map(|d| format!(" (due {d})"))
                .unwrap_or_default();
            format!("- {}{due} [{}]", i.title, i.id)
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
