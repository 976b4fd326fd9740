//! "add a task to …", "remind me to …", "todo: …": `create_task`, with the
//! priority, tags, due, repetition and reminder read out of the text.

use serde_json::{Map, Value};

use super::amount::{Amount, amount_at};
use super::clock::{Clock, Due};
use super::dates::take_day;
use super::repeat::take_repeat;
use super::text::{CLOSERS, Word, after_prefix, any_len, before_suffix, cut, title};
use super::times::take_time;
use super::when::{combine, take_due};
use super::{ToolCall, call};
use crate::Priority;

/// Openings that ask for a new task.
const LEADS: &str = "add a new task to|add a new task|add a task to|add a task|add task to|\
    add task|add a todo|add todo|add a to-do|add to-do|create a new task to|create a new task|\
    create a task to|create a task|create task|make a task to|make a task|new task|task|todo|\
    to-do|to do|remind me to|remind me about|remind me|don't forget to|dont forget to|\
    i need to|i have to|i must|i should|i've got to|i gotta|i got to|need to";

/// "add X to my tasks": the request wraps the title.
const LIST_TAILS: &str = "to my tasks|to my task list|to my todo list|to my to-do list|\
    to my todos|to my list|to the list|to tasks|on my list|on my todo list";

/// `create_task` for a message that asks for a new task.
pub(crate) fn create_task(words: &[Word], clock: &Clock) -> Option<ToolCall> {
    if let Some((priority, body)) = priority_first(words) {
        let mut args = task_args(body, clock)?;
        args.entry("priority").or_insert(priority.as_str().into());
        return Some(call("create_task", args));
    }
    let body = after_prefix(words, "add|put")
        .and_then(|w| before_suffix(w, LIST_TAILS))
        .or_else(|| after_prefix(words, LEADS))?;
    task_args(body, clock).map(|args| call("create_task", args))
}

/// The priority said before the task and the words that describe it: "urgent: call
/// mom tomorrow", "high priority task to finish the report", "add an urgent task to
/// …", "important — remind me to …". The priority must be followed by a colon or
/// dash, by "task", or by a task opening, so "urgent care visit" stays unread.
pub(crate) fn priority_first<'w, 'a>(words: &'w [Word<'a>]) -> Option<(Priority, &'w [Word<'a>])> {
    let w = after_prefix(
        words,
        "add a new|add an|add a|add|create an|create a|create|make an|make a|new|an|a",
    )
    .unwrap_or(words);
    let (n, priority) = priority_at(w, 0)?;
    let rest = &w[n..];
    let marked = w[n - 1].raw.ends_with([':', '-', '–', '—'])
        || rest
            .first()
            .is_some_and(|x| x.key.is_empty() || x.key == "-");
    let body = after_prefix(rest, "task to|task:|task|todo|to-do|to do|reminder to|item")
        .or_else(|| after_prefix(rest, LEADS))
        .or_else(|| marked.then_some(rest))?;
    let body = after_prefix(body, "-|–|—|to").unwrap_or(body);
    let body = after_prefix(body, LEADS).unwrap_or(body);
    (!body.is_empty()).then_some((priority, body))
}

/// The arguments for a new task described by `words`; `None` when no title is left.
pub(crate) fn task_args(words: &[Word], clock: &Clock) -> Option<Map<String, Value>> {
    let mut w = words.to_vec();
    let tags = take_tags(&mut w);
    let reminder = take_reminder(&mut w);
    let priority = take_priority(&mut w);
    let repeat = take_repeat(&mut w);
    let due = match &repeat {
        // A recurring task needs a due: the one written, else its first occurrence.
        Some(r) => {
            let time = take_time(&mut w);
            match take_day(&mut w, clock) {
                Some(day) => combine(Some(day), time, clock),
                None => Some(r.first_due(time.map(|t| t.time), clock)),
            }
        }
        None => take_due(&mut w, clock),
    };
    let title = title(&w);
    if title.is_empty() {
        return None;
    }
    let mut args = Map::new();
    args.insert("title".into(), title.into());
    if let Some(p) = priority {
        args.insert("priority".into(), p.as_str().into());
    }
    if !tags.is_empty() {
        args.insert("tags".into(), tags.into());
    }
    if let Some(d) = due {
        d.write(&mut args);
    }
    if let Some(r) = repeat {
        args.insert("recurrence_rule".into(), r.rule().into());
    }
    // A reminder is relative to a due time; the API refuses it on a whole-day due.
    if let (Some(m), Some(Due::At(_))) = (reminder, due) {
        args.insert("reminder_minutes".into(), m.into());
    }
    Some(args)
}

/// Takes out the `#tag` words, returning the tags as written without the `#`.
pub(crate) fn take_tags(words: &mut Vec<Word>) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    words.retain(|w| {
        let tag = w
            .raw
            .trim_end_matches(CLOSERS)
            .strip_prefix('#')
            .filter(|t| {
                !t.is_empty()
                    && t.chars()
                        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '/'))
            });
        match tag {
            Some(t) => {
                if !tags.iter().any(|x| x.eq_ignore_ascii_case(t)) {
                    tags.push(t.to_owned());
                }
                false
            }
            None => true,
        }
    });
    tags
}

/// "remind me 30 minutes before", "with a reminder an hour before": minutes before
/// the due, at most a week (the API's bound).
fn take_reminder(words: &mut Vec<Word>) -> Option<i64> {
    const LEADS: &str =
        "remind me|with a reminder|with reminder|reminder|alert me|notify me|ping me";
    const TAILS: &str = "before|earlier|ahead|in advance|prior";
    (0..words.len()).find_map(|i| {
        let lead = any_len(words, i, LEADS)?;
        let (n, amount) = amount_at(words, i + lead)?;
        let tail = any_len(words, i + lead + n, TAILS)?;
        let minutes = match amount {
            Amount::Minutes(m) => m,
            Amount::Days(d) => d * 1440,
            Amount::Months(_) => return None,
        };
        cut(words, i, i + lead + n + tail);
        (minutes <= 10_080).then_some(minutes)
    })
}

/// Takes out a priority phrase ("urgent", "asap", "high priority", "important", "!").
pub(crate) fn take_priority(words: &mut Vec<Word>) -> Option<Priority> {
    let (i, n, p) = (0..words.len()).find_map(|i| priority_at(words, i).map(|(n, p)| (i, n, p)))?;
    cut(words, i, i + n);
    Some(p)
}

/// Each level and the phrases that set it.
const LEVELS: &[(Priority, &str)] = &[
    (
        Priority::Urgent,
        "very urgent|urgent priority|priority urgent|urgently|urgent|asap|a.s.a.p",
    ),
    (
        Priority::High,
        "high priority|high-priority|top priority|priority high|very important",
    ),
    (
        Priority::Medium,
        "medium priority|medium-priority|normal priority|priority medium",
    ),
    (Priority::Low, "low priority|low-priority|priority low"),
];

fn priority_at(words: &[Word], i: usize) -> Option<(usize, Priority)> {
    if let Some(found) = LEVELS
        .iter()
        .find_map(|(p, list)| any_len(words, i, list).map(|n| (n, *p)))
    {
        return Some(found);
    }
    let w = &words[i];
    if w.key.is_empty() && !w.raw.is_empty() && w.raw.chars().all(|c| c == '!') {
        return Some((1, Priority::High));
    }
    // "important" in the middle of a title describes the thing ("read important
    // paper"); at either end or after "is" it rates the task.
    let edge =
        i == 0 || i + 1 == words.len() || matches!(words[i - 1].key.as_str(), "is" | "it's" | "as");
    (w.key == "important" && edge).then_some((1, Priority::High))
}
