//! Changing an existing task: `update_task` for a new due, priority, title or tags.

use serde_json::{Map, Value};

use super::clock::{Clock, Due};
use super::edits::task_ref;
use super::tasks::{take_priority, take_tags};
use super::text::{Word, after_prefix, any_len, before_suffix, positions, title};
use super::when::take_due;
use super::{ToolCall, call};
use crate::Priority;

/// The task named and the fields to change.
pub(crate) type Update = (String, Map<String, Value>);

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

fn field(name: &str, value: impl Into<Value>) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(name.into(), value.into());
    m
}

/// "rename X to Y", "change the title of X to Y": split at the first "to".
fn rename(words: &[Word]) -> Option<Update> {
    let rest = after_prefix(words, "rename|change the title of|change the name of")?;
    let to = positions(rest, "to").into_iter().find(|&k| k > 0)?;
    let new_title = title(&rest[to + 1..]);
    (!new_title.is_empty()).then_some((task_ref(&rest[..to])?, field("title", new_title)))
}

const PRIORITY_LEADS: &str = "change the priority of|set the priority of|update the priority of|\
    change priority of|set priority of|make|mark|set|change|prioritize|prioritise";

/// "change the priority of X to high", "make X urgent", "mark X as important",
/// "prioritize X".
fn reprioritise(words: &[Word]) -> Option<Update> {
    // "make sure I call the dentist, it's urgent" asks for a new task.
    if after_prefix(words, "make sure").is_some() {
        return None;
    }
    let mut w = after_prefix(words, PRIORITY_LEADS)?.to_vec();
    let priority = match level_at_end(&mut w) {
        Some(p) => p,
        None if after_prefix(words, "prioritize|prioritise").is_some() => Priority::High,
        None => take_priority(&mut w).filter(|_| !w.is_empty())?,
    };
    // "change essay's priority to high": the possessive belongs to the request.
    if let Some(last) = w.last_mut() {
        let raw = last.raw;
        last.raw = raw
            .strip_suffix("'s")
            .or_else(|| raw.strip_suffix("’s"))
            .unwrap_or(raw);
    }
    Some((task_ref(&w)?, field("priority", priority.as_str())))
}

/// "… to high", "… priority low", "… as medium": takes the level and its lead-in
/// off the end of `words`.
fn level_at_end(words: &mut Vec<Word>) -> Option<Priority> {
    let level = match words.last()?.key.as_str() {
        "high" => Priority::High,
        "low" => Priority::Low,
        "medium" | "normal" => Priority::Medium,
        _ => return None,
    };
    let body = &words[..words.len() - 1];
    let keep = before_suffix(body, "priority to|priority|to|as")?.len();
    words.truncate(keep);
    Some(level)
}

const MOVE_LEADS: &str = "change the due date of|set the due date of|update the due date of|\
    move|reschedule|postpone|push back|push|shift|defer|delay|bump";

/// "move X to Friday", "reschedule X to tomorrow 3pm", "X is due next Monday",
/// "change the due date of X to Friday".
fn reschedule(words: &[Word], clock: &Clock) -> Option<Update> {
    if let Some(rest) = after_prefix(words, MOVE_LEADS) {
        return split_due(rest, clock);
    }
    let (at, n) = (0..words.len())
        .find_map(|k| any_len(words, k, "is now due|is due|now due|due").map(|n| (k, n)))?;
    let due = whole_due(&words[at + n..], clock)?;
    Some((task_ref(&words[..at])?, due_fields(due)))
}

/// Words a due can take at most ("on December 24, 2027 at 2:30 pm" is eight):
/// splits are tried only that near the end, so long messages stay linear.
const MAX_DUE_WORDS: usize = 12;

/// The task and new due in "X to Friday": the first split after which everything
/// reads as a due.
pub(crate) fn split_due(words: &[Word], clock: &Clock) -> Option<Update> {
    let first = words.len().saturating_sub(MAX_DUE_WORDS).max(1);
    (first..words.len()).find_map(|k| {
        let right = &words[k..];
        let right = after_prefix(right, "to|until|till|for|on").unwrap_or(right);
        let due = whole_due(right, clock)?;
        // "push X back to Monday": "back" belongs to the verb, not to the title.
        let task = before_suffix(&words[..k], "back|forward").unwrap_or(&words[..k]);
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
    let mut w = after_prefix(words, "tag")?.to_vec();
    let tags = take_tags(&mut w);
    let w = before_suffix(&w, "with|as").unwrap_or(&w);
    (!tags.is_empty()).then_some((task_ref(w)?, field("tags", tags)))
}
