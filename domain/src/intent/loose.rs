//! Reading a message whose kind of request is already known (the offline assistant
//! recognised it by meaning, see [`super::examples`]) but whose opening the strict
//! recognisers do not know: "make sure I call mom tomorrow", "just handed in the lab
//! report", "can we do the essay on thursday instead".
//!
//! Each reader tries the strict recogniser of its kind first, then drops the words
//! that only carry the request (openings and closings listed per kind) and reads the
//! slots — title, due, priority, period, target — with the same pieces the strict
//! recognisers use. The task a change names is left as words ("the physics one"):
//! the agent resolves it against the user's tasks, by meaning when no title fits.

use serde_json::Map;

use super::clock::Clock;
use super::edits::task_ref;
use super::examples::Intent;
use super::tasks::{priority_first, task_args};
use super::text::{Word, after_prefix, before_suffix, positions};
use super::updates::split_due;
use super::{ToolCall, call, edits, loose_other, tasks, updates};

/// The call `intent` makes of `words`; `None` when its slots cannot be read.
pub(crate) fn read(intent: Intent, text: &str, words: &[Word], clock: &Clock) -> Option<ToolCall> {
    match intent {
        Intent::CreateTask => {
            tasks::create_task(words, clock).or_else(|| create_task(words, clock))
        }
        Intent::CompleteTask => edits::complete_task(words).or_else(|| complete_task(words)),
        Intent::DeleteTask => delete_task(words).or_else(|| edits::delete_task(words)),
        Intent::RescheduleTask => {
            updates::update_task(words, clock).or_else(|| reschedule(words, clock))
        }
        Intent::PrioritiseTask => updates::update_task(words, clock).or_else(|| prioritise(words)),
        other => loose_other::read(other, text, words, clock),
    }
}

/// Skips the phrases of `list` at the start of `words`, one after another.
pub(crate) fn skip_openings<'w, 'a>(mut words: &'w [Word<'a>], list: &str) -> &'w [Word<'a>] {
    while let Some(rest) = after_prefix(words, list) {
        words = rest;
    }
    words
}

/// Drops the phrases of `list` at the end of `words`, one after another.
pub(crate) fn skip_closings<'w, 'a>(mut words: &'w [Word<'a>], list: &str) -> &'w [Word<'a>] {
    loop {
        match words.split_last() {
            Some((last, rest)) if last.key.is_empty() => words = rest,
            _ => match before_suffix(words, list) {
                Some(rest) => words = rest,
                None => return words,
            },
        }
    }
}

/// Removes every occurrence of the phrases in `list` (with the connectors before).
fn remove_all(words: &mut Vec<Word>, list: &str) {
    for phrase in list.split('|') {
        while let Some(&at) = positions(words, phrase).first() {
            super::text::cut(words, at, at + phrase.split(' ').count());
        }
    }
}

/// Words that only say "this is something to do".
const TASK_OPENINGS: &str = "oh|btw|also|and|so|ok|okay|hey|i really|really|i|i'll|we|\
    need to|needs to|have to|has to|got to|gotta|must|should|ought to|want to|\
    make sure that|make sure to|make sure|don't let me forget to|dont let me forget to|\
    do not let me forget to|don't forget to|dont forget to|do not forget to|forget to|\
    remember to|remind me to|remind me that|remind me|set a reminder to|set a reminder for|\
    set a reminder|set reminder to|jot down that|jot down|put down|put|\
    add a new task|add a task|add a todo|add|new task|new todo|new to-do|a task to|a task|\
    task to|task|todo|to-do|to do|to|that";
/// Where a task is put, anywhere in the message.
const LIST_PLACES: &str = "on my todo list|on my to-do list|on my task list|on my list|\
    to my todo list|to my to-do list|to my task list|to my tasks|to my list|on the list|\
    to the list|in my tasks";

/// Needs words that make it a task: an opening ("make sure I", "gotta"), a list
/// ("on my list") or a priority first; a bare statement is not one.
fn create_task(words: &[Word], clock: &Clock) -> Option<ToolCall> {
    let mut w = skip_openings(words, TASK_OPENINGS).to_vec();
    let opened = w.len() < words.len();
    remove_all(&mut w, LIST_PLACES);
    if !opened && w.len() == words.len() && priority_first(&w).is_none() {
        return None;
    }
    let (priority, body) = match priority_first(&w) {
        Some((p, body)) => (Some(p), body),
        None => (None, &w[..]),
    };
    let mut args = task_args(skip_openings(body, TASK_OPENINGS), clock)?;
    if let Some(p) = priority {
        args.entry("priority").or_insert(p.as_str().into());
    }
    Some(call("create_task", args))
}

/// The task a change names, by title or topic: "the physics one", "the task about
/// the gym", "my reading for history".
pub(crate) fn topic_ref(words: &[Word]) -> Option<String> {
    let w = after_prefix(words, "the|my|that|this").unwrap_or(words);
    let w = skip_openings(
        w,
        "one about|one for|one on|thing about|thing for|stuff about|task about|task for|\
         task on|reminder about|reminder to|todo about|about|regarding",
    );
    let w = skip_closings(w, "one|thing|stuff|task|reminder|todo|item");
    task_ref(w)
}

fn target_call(name: &str, words: &[Word]) -> Option<ToolCall> {
    let mut args = Map::new();
    args.insert("task".into(), topic_ref(words)?.into());
    Some(call(name, args))
}

const DONE_OPENINGS: &str = "oh|yay|so|ok|okay|woo|i|i've|i'm|im|we|we've|just|already|finally|\
    have|has|am|got|all|totally|completely|done with|done|finished with|finished|finish|\
    completed|complete|wrapped up|wrap up|knocked out|nailed|handed in|turned in|\
    submitted|sent off|did|mark off|mark|tick off|tick|check off|check|cross off|cross|\
    off|with|the task|my task";
const DONE_CLOSINGS: &str = "as done|as complete|as completed|as finished|is all done|is done|\
    is finished|is complete|is completed|is over|are done|are finished|done|finished|\
    completed|complete|now|already|today|yesterday|at last|finally|just now|off my list|\
    off the list|off|yay|thanks|woo";

/// Words that say something is done; a loose completion needs one.
const DONE_WORDS: &[&str] = &[
    "done",
    "finished",
    "finish",
    "completed",
    "complete",
    "submitted",
    "handed",
    "turned",
    "wrapped",
    "knocked",
    "nailed",
    "did",
    "mark",
    "tick",
    "check",
    "cross",
    "sent",
    "crushed",
    "over",
];

fn complete_task(words: &[Word]) -> Option<ToolCall> {
    if !words.iter().any(|w| DONE_WORDS.contains(&w.key.as_str())) {
        return None;
    }
    let w = skip_closings(skip_openings(words, DONE_OPENINGS), DONE_CLOSINGS);
    target_call("complete_task", w)
}

const DELETE_OPENINGS: &str = "please|i|i'd like to|i want to|want to|let's|lets|we can|you can|\
    delete|remove|get rid of|drop|erase|trash|scrap|ditch|cancel|clear|forget about|forget|\
    take|don't need|dont need|do not need|no longer need|won't do|wont do|not doing|\
    the task|task";
const DELETE_CLOSINGS: &str = "from my tasks|from my task list|from my todo list|\
    from my to-do list|from my list|from the list|off my todo list|off my to-do list|\
    off my task list|off my list|off the list|off|anymore|any more|it's not happening|\
    its not happening|not happening|it's cancelled|is cancelled|please|now|too|as well";

/// Deletes only for an opening that says so: "I don't need X anymore", "scrap X".
fn delete_task(words: &[Word]) -> Option<ToolCall> {
    let rest = skip_openings(words, DELETE_OPENINGS);
    if rest.len() == words.len() {
        return None;
    }
    target_call("delete_task", skip_closings(rest, DELETE_CLOSINGS))
}

const MOVE_OPENINGS: &str = "can we|could we|can i|could i|let's|lets|i'd like to|i want to|\
    i need to|want to|need to|i'll|i will|we'll|please|move|push back|push|reschedule|\
    postpone|delay|shift|bump|defer|put off|change the due date of|change the deadline of|\
    change the deadline for|set the due date of|do";
const MOVE_CLOSINGS: &str = "instead|please|then|rather|if that's ok|if possible";

/// Needs an opening that asks for the change ("can we", "push", "postpone"…).
fn reschedule(words: &[Word], clock: &Clock) -> Option<ToolCall> {
    let rest = skip_openings(words, MOVE_OPENINGS);
    if rest.len() == words.len() {
        return None;
    }
    let w = skip_closings(rest, MOVE_CLOSINGS);
    let (task, mut args) = split_due(w, clock)?;
    let topic = topic_ref(&super::text::words(&task));
    args.insert("task".into(), topic.unwrap_or(task).into());
    Some(call("update_task", args))
}

const RANK_OPENINGS: &str = "please|make|mark|set|flag|bump|treat|put|consider|change|raise|\
    lower|up|the priority of|priority of|the priority for|priority for";
const RANK_CLOSINGS: &str = "as|to|is|are|now|a|really|super|priority|please|it|should be";

/// "the thesis draft is top priority now", "flag X as important".
fn prioritise(words: &[Word]) -> Option<ToolCall> {
    let mut w = skip_openings(words, RANK_OPENINGS).to_vec();
    let priority = tasks::take_priority(&mut w).or_else(|| {
        let at = w
            .iter()
            .position(|x| matches!(x.key.as_str(), "high" | "low" | "medium"))?;
        let level = match w[at].key.as_str() {
            "high" => crate::Priority::High,
            "low" => crate::Priority::Low,
            _ => crate::Priority::Medium,
        };
        w.truncate(at);
        Some(level)
    })?;
    let w = skip_closings(&w, RANK_CLOSINGS);
    let mut args = Map::new();
    args.insert("task".into(), topic_ref(w)?.into());
    args.insert("priority".into(), priority.as_str().into());
    Some(call("update_task", args))
}
