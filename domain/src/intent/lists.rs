//! Questions: "what's due today", "show my tasks", "what's overdue", "find tasks
//! about X" (`list_tasks`) and "what's on my schedule this week" (`list_schedule`).
//!
//! A question is recognised by its content words (a noun such as "tasks" or
//! "schedule", a period, a status) with everything else drawn from a small set of
//! question words, so "show my tasks for tomorrow please" and "tomorrow's tasks"
//! read alike while "show my tasks about physics homework" is left to `search`.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::clock::{Clock, add_days, rfc3339};
use super::text::{Word, after_prefix, positions, title};
use super::when::{Window, take_period};
use super::{ToolCall, call};

/// Words a question may hold around its content.
const QUESTION_WORDS: &str = "what what's whats which show list view see display get give me my \
    the for on in of is are there any anything do does i have got due that look like all how \
    left to tell about coming up planned scheduled need should still";

/// Whether `w` is a question word (or bare punctuation such as "?").
fn question_word(w: &Word) -> bool {
    w.key.is_empty() || QUESTION_WORDS.split_whitespace().any(|q| q == w.key)
}

fn only_question_words(words: &[Word]) -> bool {
    words.iter().all(question_word)
}

pub(crate) fn instant(args: &mut Map<String, Value>, name: &str, t: DateTime<Utc>) {
    args.insert(name.into(), rfc3339(t).into());
}

/// "what's on my schedule today", "show my schedule for Friday", "my calendar this
/// week"; today when no period is named.
pub(crate) fn list_schedule(words: &[Word], clock: &Clock) -> Option<ToolCall> {
    let mut w = words.to_vec();
    let window = take_period(&mut w, clock);
    let noun = |x: &Word| {
        matches!(
            x.stem(),
            "schedule" | "calendar" | "agenda" | "timetable" | "plans"
        )
    };
    if !w.iter().any(noun) || !w.iter().all(|x| noun(x) || question_word(x)) {
        return None;
    }
    let today = clock.today();
    let window = window.unwrap_or_else(|| Window::days(clock, today, add_days(today, 1)));
    let mut args = Map::new();
    instant(&mut args, "from", window.from);
    instant(&mut args, "to", window.to);
    Some(call("list_schedule", args))
}

/// `list_tasks` for a question about tasks.
pub(crate) fn list_tasks(words: &[Word], clock: &Clock) -> Option<ToolCall> {
    search_tasks(words)
        .or_else(|| overdue(words))
        .or_else(|| task_question(words, clock))
}

/// Openings of a search among tasks.
const SEARCH_LEADS: &str = "find tasks about|find tasks on|find tasks for|find tasks with|\
    find tasks mentioning|find my tasks about|find my tasks on|find my tasks for|\
    find the tasks about|find the task about|find a task about|find task about|search tasks for|\
    search my tasks for|search for tasks about|search tasks|search my tasks|find tasks|find task|\
    tasks about|any tasks about|show tasks about|show my tasks about|do i have a task about|\
    do i have any tasks about|do i have tasks about";

/// "find tasks about X", "search my tasks for X".
fn search_tasks(words: &[Word]) -> Option<ToolCall> {
    let query = title(after_prefix(words, SEARCH_LEADS)?);
    let mut args = Map::new();
    (!query.is_empty()).then(|| {
        args.insert("search".into(), query.into());
        call("list_tasks", args)
    })
}

/// "what's overdue", "show overdue tasks", "anything overdue?".
fn overdue(words: &[Word]) -> Option<ToolCall> {
    let asks = words.iter().any(|w| w.key == "overdue");
    let fits = words
        .iter()
        .all(|w| matches!(w.key.as_str(), "overdue" | "late") || task_noun(w) || question_word(w));
    let mut args = Map::new();
    args.insert("overdue".into(), true.into());
    (asks && fits).then(|| call("list_tasks", args))
}

pub(crate) fn task_noun(w: &Word) -> bool {
    matches!(
        w.stem(),
        "tasks"
            | "task"
            | "todos"
            | "todo"
            | "to-dos"
            | "to-do"
            | "list"
            | "homework"
            | "assignments"
    )
}

/// Status words and what they ask for.
pub(crate) fn status_word(key: &str) -> Option<&'static str> {
    Some(match key {
        "completed" | "done" | "finished" | "complete" => "completed",
        "pending" | "open" | "remaining" | "outstanding" | "incomplete" | "unfinished"
        | "upcoming" | "current" | "active" => "pending",
        _ => return None,
    })
}

/// "what's due today", "show my tasks", "this week's tasks", "show completed tasks",
/// "what tasks do I have tomorrow", "show all my tasks".
fn task_question(words: &[Word], clock: &Clock) -> Option<ToolCall> {
    // "todo:" introduces a task to add, even an empty one; it asks nothing.
    if words.iter().any(|w| w.raw.ends_with(':')) {
        return None;
    }
    // Asked before the period is cut out, which takes a "due" before it along.
    let asks_due =
        words.iter().any(|x| x.key == "due") && words.first().is_some_and(|x| x.key != "due");
    let mut w = words.to_vec();
    let window = take_period(&mut w, clock);
    // "what do I need to do today", "what should I do tomorrow".
    let asks_todo = !positions(&w, "to do").is_empty() || !positions(&w, "should i do").is_empty();
    if !(asks_due || asks_todo || w.iter().any(task_noun)) {
        return None;
    }
    let status = w.iter().find_map(|x| status_word(&x.key));
    let rest: Vec<Word> = w
        .into_iter()
        .filter(|x| !task_noun(x) && status_word(&x.key).is_none())
        .collect();
    if !only_question_words(&rest) {
        return None;
    }
    let all = rest.iter().any(|x| x.key == "all");
    let status = status.unwrap_or(if all { "all" } else { "pending" });
    let mut args = Map::new();
    args.insert("status".into(), status.into());
    if let Some(win) = window {
        instant(&mut args, "due_after", win.from);
        instant(&mut args, "due_before", win.to);
    }
    // Completed tasks are looked back on; open ones are worked through by due date.
    if status != "completed" {
        args.insert("sort".into(), "due".into());
    }
    Some(call("list_tasks", args))
}
