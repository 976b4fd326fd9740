//! Changing an existing task: `complete_task`, `delete_task` and `update_task`.
//! The task is named by its title words; the tool finds it.

use serde_json::{Map, Value};

use super::clock::{Clock, Due};
use super::tasks::{take_priority, take_tags};
use super::text::{Word, after_prefix, before_suffix, phrase_len, positions, title};
use super::when::take_due;
use super::{ToolCall, call};

/// The task a request names: without "the task", articles or a trailing "task".
fn task_ref(words: &[Word]) -> Option<String> {
    let w = after_prefix(
        words,
        &["the task", "my task", "task", "the", "my", "this", "that"],
    )
    .unwrap_or(words);
    let w = before_suffix(w, &["task"]).unwrap_or(w);
    let t = title(w);
    (!t.is_empty()).then_some(t)
}

fn task_call(name: &str, task: String) -> ToolCall {
    let mut args = Map::new();
    args.insert("task".into(), task.into());
    call(name, args)
}

/// "mark X as done", "I finished X", "complete X", "done with X", "tick off X".
pub(crate) fn complete_task(words: &[Word]) -> Option<ToolCall> {
    const LEADS: &[&str] = &[
        "mark off",
        "check off",
        "tick off",
        "cross off",
        "i've finished",
        "i have finished",
        "i finished",
        "i've completed",
        "i have completed",
        "i completed",
        "i'm done with",
        "im done with",
        "i am done with",
        "done with",
        "finished with",
        "finished",
        "completed",
        "complete",
    ];
    const DONE: &[&str] = &[
        "as done",
        "as complete",
        "as completed",
        "as finished",
        "done",
        "complete",
        "completed",
        "finished",
    ];
    let inner = after_prefix(words, &["mark"])
        .and_then(|w| before_suffix(w, DONE))
        .or_else(|| {
            after_prefix(words, &["tick", "check", "cross"])
                .and_then(|w| before_suffix(w, &["off"]))
        })
        .or_else(|| {
            before_suffix(
                words,
                &["is done", "is finished", "is complete", "is completed"],
            )
        })
        .or_else(|| after_prefix(words, LEADS))?;
    let inner = before_suffix(inner, &["off"]).unwrap_or(inner);
    Some(task_call("complete_task", task_ref(inner)?))
}

/// "delete the task X", "remove X from my tasks", "cancel task X".
pub(crate) fn delete_task(words: &[Word]) -> Option<ToolCall> {
    const TAILS: &[&str] = &[
        "from my tasks",
        "from my task list",
        "from my todo list",
        "from my to-do list",
        "from my todos",
        "from my list",
        "from the list",
        "from tasks",
    ];
    let (lead, rest) = [
        "delete",
        "remove",
        "cancel",
        "get rid of",
        "drop",
        "erase",
        "trash",
    ]
    .iter()
    .find_map(|p| phrase_len(words, 0, p).map(|n| (*p, &words[n..])))?;
    let inner = before_suffix(rest, TAILS);
    let named_task = after_prefix(rest, &["the task", "task", "my task"]).is_some();
    // "cancel" also cancels plans and blocks; it deletes a task only when one is named.
    if lead == "cancel" && inner.is_none() && !named_task {
        return None;
    }
    let inner = inner.unwrap_or(rest);
    // Other things can be deleted too; those are not tasks, and this parser has no
    // tool for them.
    let other = [
        "note", "notes", "goal", "block", "event", "schedule", "calendar",
    ];
    if inner
        .iter()
        .take(2)
        .any(|w| other.contains(&w.key.as_str()))
        || inner
            .last()
            .is_some_and(|w| other.contains(&w.key.as_str()))
    {
        return None;
    }
    Some(task_call("delete_task", task_ref(inner)?))
}

/// "move X to Friday", "make X urgent", "rename X to Y", "X is due next Monday".
pub(crate) fn update_task(words: &[Word], clock: &Clock) -> Option<ToolCall> {
    rename(words)
        .or_else(|| reprioritise(words))
        .or_else(|| reschedule(words, clock))
        .or_else(|| retag(words))
        .map(|(task, mut args)| {
            args.insert("task".into(), task.into());
            call("update_task", args)
        })
}

type Update = (String, Map<String, Value>);

fn field(name: &str, value: impl Into<Value>) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(name.into(), value.into());
    m
}

/// "rename X to Y", "change the title of X to Y": split at the first "to".
fn rename(words: &[Word]) -> Option<Update> {
    let rest = after_prefix(
        words,
        &["rename", "change the title of", "change the name of"],
    )?;
    let to = positions(rest, "to").into_iter().find(|&k| k > 0)?;
    let new_title = title(&rest[to + 1..]);
    (!new_title.is_empty()).then_some((task_ref(&rest[..to])?, field("title", new_title)))
}

/// "change the priority of X to high", "make X urgent", "mark X as important".
fn reprioritise(words: &[Word]) -> Option<Update> {
    const LEADS: &[&str] = &[
        "change the priority of",
        "set the priority of",
        "update the priority of",
        "change priority of",
        "set priority of",
        "make",
        "mark",
        "set",
        "change",
        "prioritize",
        "prioritise",
    ];
    let rest = after_prefix(words, LEADS)?;
    let mut w = rest.to_vec();
    // "to high" / "as urgent" / "priority high": the level at the end.
    let level = match w.last().map(|x| x.key.as_str()) {
        Some("high") => Some(crate::Priority::High),
        Some("low") => Some(crate::Priority::Low),
        Some("medium" | "normal") => Some(crate::Priority::Medium),
        _ => None,
    };
    let priority = match level {
        Some(p) => {
            w.pop();
            let n = w.len();
            let lead = ["priority to", "priority", "to", "as"]
                .iter()
                .find_map(|p| {
                    n.checked_sub(p.split(' ').count())
                        .filter(|&k| phrase_len(&w, k, p).is_some())
                });
            w.truncate(lead?);
            p
        }
        None if phrase_len(words, 0, "prioritize").is_some()
            || phrase_len(words, 0, "prioritise").is_some() =>
        {
            crate::Priority::High
        }
        None => take_priority(&mut w).filter(|_| !w.is_empty())?,
    };
    // "change essay's priority to high": the possessive belongs to the request.
    if let Some(last) = w.last_mut() {
        last.raw = last
            .raw
            .strip_suffix("'s")
            .or_else(|| last.raw.strip_suffix("’s"))
            .unwrap_or(last.raw);
    }
    Some((task_ref(&w)?, field("priority", priority.as_str())))
}

/// "move X to Friday", "reschedule X to tomorrow 3pm", "X is due next Monday",
/// "change the due date of X to Friday".
fn reschedule(words: &[Word], clock: &Clock) -> Option<Update> {
    const LEADS: &[&str] = &[
        "change the due date of",
        "set the due date of",
        "update the due date of",
        "move",
        "reschedule",
        "postpone",
        "push back",
        "push",
        "shift",
        "defer",
        "delay",
        "bump",
    ];
    if let Some(rest) = after_prefix(words, LEADS) {
        return split_due(rest, clock, &["to", "until", "till", "for", "on"]);
    }
    let k = ["is now due", "is due", "now due", "due"]
        .iter()
        .find_map(|p| {
            positions(words, p)
                .first()
                .map(|&k| (k, p.split(' ').count()))
        })?;
    let (task, due) = (&words[..k.0], whole_due(&words[k.0 + k.1..], clock)?);
    Some((task_ref(task)?, due_fields(due)))
}

/// The task and new due in "X to Friday": the split where all that follows reads
/// as a due.
fn split_due(words: &[Word], clock: &Clock, joiners: &[&str]) -> Option<Update> {
    (1..words.len()).find_map(|k| {
        let right = &words[k..];
        let right = after_prefix(right, joiners).unwrap_or(right);
        let due = whole_due(right, clock)?;
        // "push X back to Monday": "back" belongs to the verb, not to the title.
        let task = before_suffix(&words[..k], &["back", "forward"]).unwrap_or(&words[..k]);
        Some((task_ref(task)?, due_fields(due)))
    })
}

/// A due that `words` spell with nothing left over.
fn whole_due(words: &[Word], clock: &Clock) -> Option<Due> {
    let mut w = words.to_vec();
    let due = take_due(&mut w, clock)?;
    title(&w).is_empty().then_some(due)
}

fn due_fields(due: Due) -> Map<String, Value> {
    let mut m = Map::new();
    due.write(&mut m);
    m
}

/// "tag X with #exam #physics".
fn retag(words: &[Word]) -> Option<Update> {
    let rest = after_prefix(words, &["tag"])?;
    let mut w = rest.to_vec();
    let tags = take_tags(&mut w);
    let w = before_suffix(&w, &["with", "as"]).unwrap_or(&w).to_vec();
    (!tags.is_empty()).then_some((task_ref(&w)?, field("tags", tags)))
}
