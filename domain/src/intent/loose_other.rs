//! The loose readers (see [`super::loose`]) of questions, goals, notes and schedule
//! blocks.

use serde_json::Map;

use super::amount::{Amount, amount_at};
use super::clock::{Clock, add_days};
use super::dates::{DayHit, take_day};
use super::examples::Intent;
use super::lists::{instant, status_word};
use super::loose::{skip_closings, skip_openings};
use super::notes::note_title;
use super::schedule::{block_type, span};
use super::text::{Word, after_prefix, object, title};
use super::when::{Window, take_period};
use super::{ToolCall, call, lists, notes, schedule};

pub(crate) fn read(intent: Intent, text: &str, words: &[Word], clock: &Clock) -> Option<ToolCall> {
    match intent {
        Intent::ListTasks => lists::list_tasks(words, clock).or_else(|| list_tasks(words, clock)),
        Intent::ListSchedule => {
            lists::list_schedule(words, clock).or_else(|| list_schedule(words, clock))
        }
        Intent::CreateGoal => {
            notes::create_goal(words, clock).or_else(|| create_goal(words, clock))
        }
        Intent::CreateNote => notes::create_note(text, words).or_else(|| create_note(text, words)),
        Intent::SearchNotes => notes::search_notes(words).or_else(|| search_notes(words)),
        Intent::CreateBlock => {
            schedule::create_block(words, clock).or_else(|| create_block(words, clock))
        }
        _ => None,
    }
}

/// Any question about tasks: its period, whether it asks what is done or late.
fn list_tasks(words: &[Word], clock: &Clock) -> Option<ToolCall> {
    let mut w = words.to_vec();
    let mut args = Map::new();
    if w.iter()
        .any(|x| matches!(x.key.as_str(), "overdue" | "late" | "missed" | "behind"))
    {
        args.insert("overdue".into(), true.into());
        return Some(call("list_tasks", args));
    }
    let window = take_period(&mut w, clock);
    let status = w
        .iter()
        .find_map(|x| status_word(&x.key))
        .unwrap_or("pending");
    args.insert("status".into(), status.into());
    if let Some(win) = window {
        instant(&mut args, "due_after", win.from);
        instant(&mut args, "due_before", win.to);
    }
    if status != "completed" {
        args.insert("sort".into(), "due".into());
    }
    Some(call("list_tasks", args))
}

/// Any question about the schedule: its period, today when none is named.
fn list_schedule(words: &[Word], clock: &Clock) -> Option<ToolCall> {
    let mut w = words.to_vec();
    let today = clock.today();
    let window = take_period(&mut w, clock)
        .unwrap_or_else(|| Window::days(clock, today, add_days(today, 1)));
    let mut args = Map::new();
    instant(&mut args, "from", window.from);
    instant(&mut args, "to", window.to);
    Some(call("list_schedule", args))
}

const GOAL_OPENINGS: &str = "i really want to|i want to|i'd like to|i would like to|\
    i'm aiming to|im aiming to|i aim to|aiming to|i hope to|i plan to|i'm planning to|\
    planning to|i'm going to|my aim is to|my goal is to|my target is to|the goal is to|\
    my goal is|new goal|goal|work towards|working towards|to";

fn create_goal(words: &[Word], clock: &Clock) -> Option<ToolCall> {
    let mut w = skip_openings(words, GOAL_OPENINGS).to_vec();
    let target = take_day(&mut w, clock);
    let title = title(&w);
    if title.is_empty() {
        return None;
    }
    let mut args = Map::new();
    args.insert("title".into(), title.into());
    if let Some(DayHit::Date(d)) = target {
        args.insert("target_date".into(), super::clock::ymd(d).into());
    }
    Some(call("create_goal", args))
}

const NOTE_OPENINGS: &str = "please|remember that|remember|write down that|write down|\
    jot down that|jot down|jot this down|jot this|save this for later|save this|save that|\
    keep in mind that|keep in mind|quick note|note to self|note that|note|fyi|for the record";

/// The text after the opening (or after the first colon) as written.
fn create_note(text: &str, words: &[Word]) -> Option<ToolCall> {
    let body = skip_openings(words, NOTE_OPENINGS);
    // A statement is not a note to write down unless it says so.
    let colon = words.first().is_some_and(|w| w.raw.ends_with(':'));
    if body.len() == words.len() && !colon {
        return None;
    }
    let (first, last) = (body.first()?, body.last()?);
    let content = text
        .get(first.start..last.end())?
        .trim_start_matches([':', '-', ',', ' '])
        .trim();
    if content.is_empty() {
        return None;
    }
    let mut args = Map::new();
    args.insert("title".into(), note_title(content).into());
    args.insert("content".into(), content.into());
    Some(call("create_note", args))
}

/// Words that ask for a search without being its subject.
const SEARCH_WORDS: &str = "what|what's|whats|did|do|does|i|have|had|got|write|wrote|written|down|\
    note|noted|notes|my|about|on|regarding|concerning|anything|something|any|find|search|\
    look|up|pull|bring|show|me|where|put|the|for|in|get|is|there|can|you|was|were|that|\
    take|took|jotted|everything|all|from|of";

fn search_notes(words: &[Word]) -> Option<ToolCall> {
    let is_filler = |w: &Word| w.key.is_empty() || SEARCH_WORDS.split('|').any(|s| s == w.key);
    let start = words.iter().position(|w| !is_filler(w))?;
    // "explain how X works" asks for an explanation, not a search: a search opens
    // with its own words ("what did I write…", "anything on…").
    if start == 0 {
        return None;
    }
    let end = words.iter().rposition(|w| !is_filler(w))?;
    let query = title(&words[start..=end]);
    let mut args = Map::new();
    (!query.is_empty()).then(|| {
        args.insert("query".into(), query.into());
        call("search_notes", args)
    })
}

const BLOCK_OPENINGS: &str = "i want to|i'd like to|i would like to|i need to|let's|lets|\
    can you|please|put in|put|pencil in|set aside|carve out|make time for|make time|plan|\
    slot in|slot|add|reserve|book|schedule|block out|block off|block|a|an|some|me";

/// A block whose length may come first: "a two hour block for essays thursday at 2pm",
/// "two hours of chemistry tomorrow at 3".
fn create_block(words: &[Word], clock: &Clock) -> Option<ToolCall> {
    let mut w = skip_openings(words, BLOCK_OPENINGS).to_vec();
    let opened = w.len() < words.len();
    let length = match amount_at(&w, 0) {
        Some((n, Amount::Minutes(m))) => {
            let rest = skip_openings(&w[n..], "long|of|block of|session of|block|session|slot");
            let cut = w.len() - rest.len();
            w.drain(..cut);
            Some(m)
        }
        // "two hour block": the amount is an adjective before its noun.
        _ => leading_hours(&mut w),
    };
    // A time alone is no block: "take my vitamins at 9" is a task.
    if !opened && length.is_none() {
        return None;
    }
    let (start_at, end_at) = span(&mut w, clock, length)?;
    let w = skip_openings(&w, "block|session|slot|time|for|to");
    let name = after_prefix(w, "for").map_or_else(|| object(w), object);
    let name = skip_closings(&super::text::words(&name), "time|block|session").to_vec();
    let title = title(&name);
    let mut args = Map::new();
    args.insert("start_at".into(), super::clock::rfc3339(start_at).into());
    args.insert("end_at".into(), super::clock::rfc3339(end_at).into());
    let kind = block_type(words).unwrap_or("study");
    args.insert("block_type".into(), kind.into());
    let title = if title.is_empty() {
        "Blocked time".to_owned()
    } else {
        title
    };
    args.insert("title".into(), title.into());
    Some(call("create_schedule_block", args))
}

/// "two hour block …", "90 minute session …": a count, a singular unit and a noun.
fn leading_hours(w: &mut Vec<Word>) -> Option<i64> {
    let count = super::text::count(&w.first()?.key)?;
    let per = match w.get(1)?.key.as_str() {
        "hour" | "hr" => 60,
        "minute" | "min" => 1,
        _ => return None,
    };
    w.drain(..2);
    let rest = skip_openings(w, "long|block of|session of|block|session|slot|of");
    let cut = w.len() - rest.len();
    w.drain(..cut);
    Some(i64::from(count) * per)
}
