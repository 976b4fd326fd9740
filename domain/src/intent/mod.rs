//! The offline assistant: a deterministic reading of a chat message as tool calls,
//! for when no language model is configured.
//!
//! It recognises a fixed set of phrasings (see [`help`]) and answers `None` for
//! anything else, so the caller can reply with the help text instead of guessing.
//! Dates and times are read in the user's zone relative to the `now` passed in:
//! nothing here reads a clock or does I/O, so the same message always gives the
//! same calls.
//!
//! Layout: `text` splits and normalises words; `amount`, `times`, `ranges`,
//! `dates`, `absolute`, `when` and `repeat` find and cut out the parts of a request
//! that are not its subject; `tasks`, `edits`, `updates`, `lists`, `schedule` and
//! `notes` recognise the requests.

mod absolute;
mod ahead;
mod amount;
mod clock;
mod dates;
mod edits;
mod examples;
mod lists;
mod loose;
mod loose_other;
mod notes;
mod ranges;
mod repeat;
mod schedule;
mod tasks;
mod text;
mod times;
mod updates;
mod when;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value};

pub use examples::{EXAMPLES, Intent};

use clock::Clock;
use text::Word;

/// A tool call the agent will run: `name` is one of the tool names below, `arguments` a JSON object.
///
/// Tools: `create_task`, `list_tasks`, `update_task`, `complete_task`, `delete_task`,
/// `create_goal`, `create_schedule_block`, `list_schedule`, `search_notes`, `create_note`.
/// Optional arguments are left out when absent, never sent as `null`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ToolCall {
    pub name: String,
    pub arguments: serde_json::Value,
}

/// Longest message read, in bytes. Requests are one sentence; a longer text is not
/// one of them, and the bound keeps the word scans cheap.
const MAX_LEN: usize = 4_000;

/// What the parser understood of one message: the calls to make, in order (usually one).
/// `None`: not understood (the caller answers with help text).
///
/// Dates and times are read in `tz` relative to `now`: a due with a time of day
/// becomes `due_at` (a UTC instant), a due without one `due_date` (a local date).
#[must_use]
pub fn understand(text: &str, now: DateTime<Utc>, tz: Tz) -> Option<Vec<ToolCall>> {
    if text.len() > MAX_LEN {
        return None;
    }
    let all = text::words(text);
    let words = text::trim_politeness(&all);
    if words.is_empty() {
        return None;
    }
    let clock = Clock::new(now, tz);
    recognise(text, words, &clock).map(|c| vec![c])
}

/// The calls `intent` makes of `text`, for a message recognised by meaning as that
/// kind of request (see [`EXAMPLES`]): the strict recogniser of that kind first, then
/// a looser reading of the same slots. `None`: the slots could not be read, or
/// `intent` is [`Intent::Other`].
#[must_use]
pub fn understand_as(
    intent: Intent,
    text: &str,
    now: DateTime<Utc>,
    tz: Tz,
) -> Option<Vec<ToolCall>> {
    if text.len() > MAX_LEN {
        return None;
    }
    let all = text::words(text);
    let words = text::trim_politeness(&all);
    if words.is_empty() {
        return None;
    }
    let clock = Clock::new(now, tz);
    loose::read(intent, text, words, &clock).map(|c| vec![c])
}

/// Tries each kind of request in turn. The order matters where openings overlap:
/// notes and goals ("make a note", "set a goal") before tasks, questions before
/// commands, and updates last since "X is due Friday" has no opening of its own
/// ("todo: essay due Friday" is a new task).
fn recognise(text: &str, words: &[Word], clock: &Clock) -> Option<ToolCall> {
    notes::create_note(text, words)
        .or_else(|| notes::search_notes(words))
        .or_else(|| notes::create_goal(words, clock))
        .or_else(|| lists::list_schedule(words, clock))
        .or_else(|| lists::list_tasks(words, clock))
        .or_else(|| schedule::create_block(words, clock))
        .or_else(|| edits::complete_task(words))
        .or_else(|| edits::delete_task(words))
        .or_else(|| tasks::create_task(words, clock))
        .or_else(|| updates::update_task(words, clock))
}

/// A call with the given arguments.
fn call(name: &str, args: Map<String, Value>) -> ToolCall {
    ToolCall {
        name: name.to_owned(),
        arguments: Value::Object(args),
    }
}

/// A short help text listing what the offline assistant understands, with examples.
#[must_use]
pub fn help() -> &'static str {
    "I'm running without an AI model, so I understand requests like these:\n\
     \n\
     Tasks\n\
     - add a task to read chapter 4 tomorrow at 5pm #physics\n\
     - remind me to call mom on Friday, remind me 30 minutes before\n\
     - todo: submit the essay by next Monday, urgent\n\
     - water the plants every other Monday\n\
     - what's due today / this week / tomorrow? show my tasks / what's overdue?\n\
     - find tasks about chemistry / show completed tasks\n\
     - move the essay to Friday / make the essay urgent / rename essay to final essay\n\
     - mark the essay as done / delete the task essay\n\
     \n\
     Schedule\n\
     - block 2-4pm tomorrow for physics\n\
     - schedule a study session on Friday at 10am for 2 hours\n\
     - what's on my schedule this week?\n\
     \n\
     Goals and notes\n\
     - set a goal to finish my thesis by June\n\
     - note: the exam is in room 4\n\
     - search my notes for photosynthesis\n\
     \n\
     Dates can be words (today, tonight, tomorrow, Friday, next Friday, in 3 days, end of \
     week) or dates (Dec 24, 2026-12-24), with times like 5pm or 17:30."
}
