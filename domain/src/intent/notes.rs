//! Notes and goals: "note: …", "search my notes for …" (`create_note`,
//! `search_notes`) and "set a goal to … by June" (`create_goal`).

use serde_json::Map;

use super::clock::{Clock, ymd};
use super::dates::{DayHit, take_day};
use super::text::{Word, after_prefix, before_suffix, title};
use super::{ToolCall, call};

/// Longest note title; the whole text stays in the content.
const TITLE_CHARS: usize = 60;

/// Openings of a new note.
const NOTE_LEADS: &str = "note to self|take a note that|take a note of|take a note|\
    take note that|take note of|take note|make a note that|make a note of|make a note|\
    write down that|write down|jot down|new note|create a note about|create a note|\
    add a note about|add a note|remember that|note that|note";

/// "note: X", "take a note X", "write down X", "remember that X". The content is
/// the text as written (line breaks and all), the title its start.
pub(crate) fn create_note(text: &str, words: &[Word]) -> Option<ToolCall> {
    let body = after_prefix(words, NOTE_LEADS)?;
    // "note" alone opens a note only as "note: …"; "note the exam date" is ambiguous
    // enough that a task or nothing is the better reading.
    let bare_note = words
        .first()
        .is_some_and(|w| w.key == "note" && !w.raw.ends_with(':'));
    if bare_note && after_prefix(words, "note to|note that").is_none() {
        return None;
    }
    let (first, last) = (body.first()?, body.last()?);
    let content = text
        .get(first.start..last.end())?
        .trim_start_matches([':', '-', ' '])
        .trim();
    if content.is_empty() {
        return None;
    }
    let mut args = Map::new();
    args.insert("title".into(), note_title(content).into());
    args.insert("content".into(), content.into());
    Some(call("create_note", args))
}

/// The first line of `content`, cut at a word boundary to at most 60 characters.
pub(crate) fn note_title(content: &str) -> String {
    let line = content.lines().next().unwrap_or(content).trim();
    if line.chars().count() <= TITLE_CHARS {
        return line.trim_end_matches(['.', ',', ';', ':']).to_owned();
    }
    let cut: String = line.chars().take(TITLE_CHARS + 1).collect();
    // Keep whole words; a single 60-character word is cut where it must be.
    let title = match cut.rfind(char::is_whitespace) {
        Some(at) if at > 0 => &cut[..at],
        _ => cut
            .char_indices()
            .nth(TITLE_CHARS)
            .map_or(cut.as_str(), |(at, _)| &cut[..at]),
    };
    title.trim_end_matches(['.', ',', ';', ':', ' ']).to_owned()
}

/// Openings of a search among notes.
const SEARCH_LEADS: &str = "search my notes for|search my notes about|search notes for|\
    search the notes for|search in my notes for|search my notes|search notes|\
    find my notes about|find my notes on|find my notes for|find notes about|find notes on|\
    find notes for|find notes mentioning|find notes|find my notes|show my notes about|\
    show my notes on|show notes about|notes about|notes on|what did i write about|\
    what did i note about|what have i written about|what did i write on|do i have notes about|\
    do i have notes on|do i have any notes about|do i have any notes on|look in my notes for";

/// "search my notes for X", "find notes about X", "what did I write about X",
/// "look up X in my notes".
pub(crate) fn search_notes(words: &[Word]) -> Option<ToolCall> {
    let rest = after_prefix(words, SEARCH_LEADS).or_else(|| {
        let rest = after_prefix(words, "look up|search for|find")?;
        before_suffix(rest, "in my notes|in notes")
    })?;
    let query = title(rest);
    let mut args = Map::new();
    (!query.is_empty()).then(|| {
        args.insert("query".into(), query.into());
        call("search_notes", args)
    })
}

/// Openings of a new goal.
const GOAL_LEADS: &str = "i want to set a goal to|i want to set a goal|set a new goal to|\
    set a new goal|set a goal to|set a goal of|set a goal|set goal|new goal to|new goal|\
    my goal is to|my goal is|create a goal to|create a goal|create goal|add a goal to|\
    add a goal|add goal|goal";

/// "set a goal to X by June", "new goal: X", "my goal is to X", "create a goal X".
pub(crate) fn create_goal(words: &[Word], clock: &Clock) -> Option<ToolCall> {
    let rest = after_prefix(words, GOAL_LEADS)?;
    let mut w = after_prefix(rest, "is to|is|to|of")
        .unwrap_or(rest)
        .to_vec();
    let target = take_day(&mut w, clock);
    let title = title(&w);
    if title.is_empty() {
        return None;
    }
    let mut args = Map::new();
    args.insert("title".into(), title.into());
    // A goal's target is a day; "in 2 hours" has no sensible reading here.
    if let Some(DayHit::Date(d)) = target {
        args.insert("target_date".into(), ymd(d).into());
    }
    Some(call("create_goal", args))
}
