//! Finishing or removing an existing task: `complete_task` and `delete_task`.
//! The task is named by its title words; the tool finds it.

use serde_json::Map;

use super::text::{Word, after_prefix, before_suffix, title};
use super::{ToolCall, call};

/// The task a request names: without "the task", an article or a trailing "task",
/// and without what follows a comma ("the library task, it's not happening"). A
/// topic keeps only its subject: "the one about the gym" is "gym".
pub(crate) fn task_ref(words: &[Word]) -> Option<String> {
    let clause = words
        .iter()
        .position(|w| w.raw.ends_with(','))
        .map_or(words.len(), |i| i + 1);
    let w = &words[..clause];
    let w = after_prefix(w, "the task|my task|task|the|my|this|that").unwrap_or(w);
    let w = after_prefix(
        w,
        "one about|one for|thing about|stuff about|task about|reminder about|todo about|about|regarding",
    )
    .map(|rest| after_prefix(rest, "the|my").unwrap_or(rest))
    .unwrap_or(w);
    let w = before_suffix(w, "task|one|thing|reminder").unwrap_or(w);
    let t = title(w);
    (!t.is_empty()).then_some(t)
}

fn task_call(name: &str, task: String) -> ToolCall {
    let mut args = Map::new();
    args.insert("task".into(), task.into());
    call(name, args)
}

/// Openings of "I finished X" and its kin.
const DONE_LEADS: &str = "mark off|check off|tick off|cross off|i've finished|i have finished|\
    i finished|i've completed|i have completed|i completed|i'm done with|im done with|\
    i am done with|done with|finished with|finished|completed|complete";
/// Endings of "mark X as done".
const DONE_TAILS: &str =
    "as done|as complete|as completed|as finished|done|complete|completed|finished";

/// "mark X as done", "I finished X", "complete X", "done with X", "tick off X".
pub(crate) fn complete_task(words: &[Word]) -> Option<ToolCall> {
    let inner = after_prefix(words, "mark")
        .and_then(|w| before_suffix(w, DONE_TAILS))
        .or_else(|| after_prefix(words, "tick|check|cross").and_then(|w| before_suffix(w, "off")))
        .or_else(|| before_suffix(words, "is done|is finished|is complete|is completed"))
        .or_else(|| after_prefix(words, DONE_LEADS))?;
    let inner = before_suffix(inner, "off").unwrap_or(inner);
    Some(task_call("complete_task", task_ref(inner)?))
}

/// Endings of "remove X from my tasks".
const LIST_TAILS: &str = "from my tasks|from my task list|from my todo list|from my to-do list|\
    from my todos|from my list|from the list|from tasks";

/// Things other than tasks that can be deleted; this parser has no tool for them.
const NOT_TASKS: &[&str] = &[
    "note", "notes", "goal", "block", "event", "schedule", "calendar",
];

/// "delete the task X", "remove X from my tasks", "cancel task X".
pub(crate) fn delete_task(words: &[Word]) -> Option<ToolCall> {
    let rest = after_prefix(words, "delete|remove|get rid of|drop|erase|trash");
    let cancel = after_prefix(words, "cancel");
    let rest = rest.or(cancel)?;
    let inner = before_suffix(rest, LIST_TAILS);
    // "cancel" also cancels plans and blocks; it deletes a task only when one is named.
    let named_task = after_prefix(rest, "the task|task|my task").is_some();
    if cancel.is_some() && inner.is_none() && !named_task {
        return None;
    }
    // "from my tasks" or "the task" says what it is, whatever the title's words.
    let said_task = inner.is_some() || named_task;
    let inner = inner.unwrap_or(rest);
    let other = |w: &Word| NOT_TASKS.contains(&w.key.as_str());
    if !said_task && (inner.iter().take(2).any(other) || inner.last().is_some_and(other)) {
        return None;
    }
    Some(task_call("delete_task", task_ref(inner)?))
}
