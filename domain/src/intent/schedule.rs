//! Blocking out time: "block 2-4pm tomorrow for physics", "schedule a study session
//! on Friday at 10am for 2 hours", "book the gym on Saturday 8am for 1 hour"
//! (`create_schedule_block`).

use chrono::{DateTime, Duration, NaiveTime, Utc};
use serde_json::Map;

use super::clock::{Clock, add_days, rfc3339};
use super::dates::take_day;
use super::ranges::{take_duration, take_range};
use super::repeat::take_repeat;
use super::text::{Word, after_prefix, object};
use super::times::{TimeHit, take_time};
use super::when::combine;
use super::{ToolCall, call};

/// Openings that ask for a block; the words after them are its subject.
const LEADS: &str = "add a schedule block|add schedule block|create a schedule block|\
    add a block|create a block|schedule a block|add a study session|add a session|block out|\
    block off|block|schedule|book|reserve|set aside";

/// Openings that are themselves the subject ("study chemistry 3pm to 5pm").
const ACTIVITIES: &str = "study|revise|review|practice|practise|work on|go to";

/// Blocks are one hour unless the message says otherwise.
const DEFAULT_MINUTES: i64 = 60;

/// Where a block ends: a local time ("to 5pm") or a length ("for 2 hours").
enum End {
    At(NaiveTime),
    After(i64),
}

/// `create_schedule_block` for a request that names a start time.
pub(crate) fn create_block(words: &[Word], clock: &Clock) -> Option<ToolCall> {
    let (mut w, activity) = match after_prefix(words, LEADS) {
        Some(rest) => (rest.to_vec(), false),
        None => after_prefix(words, ACTIVITIES).map(|_| (words.to_vec(), true))?,
    };
    // A block is one span of time; a repeating one ("every day at 6pm") needs a
    // rule this parser does not send, so the request is left to the help text.
    if take_repeat(&mut w.clone()).is_some() {
        return None;
    }
    let (start_at, end_at) = span(&mut w, clock, None)?;
    let title = after_prefix(&w, "for").map_or_else(|| object(&w), object);
    let mut args = Map::new();
    args.insert("start_at".into(), rfc3339(start_at).into());
    args.insert("end_at".into(), rfc3339(end_at).into());
    // An activity opening ("study …", "revise …") is study time; "go to …" is not.
    let kind = if activity && after_prefix(words, "go to").is_none() {
        Some("study")
    } else {
        block_type(&w)
    };
    if let Some(kind) = kind {
        args.insert("block_type".into(), kind.into());
    }
    let title = if title.is_empty() {
        "Blocked time".to_owned()
    } else {
        title
    };
    args.insert("title".into(), title.into());
    Some(call("create_schedule_block", args))
}

/// Takes the block's times out of `words`: a range, or a start and a length (the
/// one written, else `length`, else an hour). With no day the block is today's, or tomorrow's once its start has passed.
pub(crate) fn span(
    w: &mut Vec<Word>,
    clock: &Clock,
    length: Option<i64>,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let (start, end) = match take_range(w) {
        Some((s, e)) => (
            TimeHit {
                time: s,
                exact: true,
            },
            End::At(e),
        ),
        None => {
            let minutes = take_duration(w).or(length).unwrap_or(DEFAULT_MINUTES);
            (take_time(w)?, End::After(minutes))
        }
    };
    let day = take_day(w, clock);
    let first = combine(day, Some(start), clock)?.date(clock.tz);
    let start_at = clock.instant(first, start.time);
    let end_at = match end {
        // An end at or before the start is on the next day ("10pm to 1am").
        End::At(t) if t <= start.time => clock.instant(add_days(first, 1), t),
        End::At(t) => clock.instant(first, t),
        End::After(m) => start_at.checked_add_signed(Duration::minutes(m))?,
    };
    Some((start_at, end_at))
}

/// Words that tell a block's kind, most telling first.
const KINDS: &[(&str, &str)] = &[
    (
        "exercise",
        "gym workout run running jog jogging yoga swim swimming exercise training \
        football basketball tennis pilates cycling hike climbing fitness",
    ),
    ("class", "class lecture seminar tutorial lab lesson course"),
    ("break", "break lunch rest nap dinner breakfast coffee"),
    ("work", "work meeting shift job standup office"),
    (
        "personal",
        "dentist doctor appointment family birthday haircut errands shopping party",
    ),
    (
        "study",
        "study studying revise revision review homework reading exam essay practice \
        assignment math maths calculus algebra geometry statistics physics chemistry biology \
        history geography english literature economics programming coding french spanish german \
        latin philosophy psychology anatomy law thesis",
    ),
];

/// The kind of block its subject's words tell; `None` when they say nothing of it.
pub(crate) fn block_type(words: &[Word]) -> Option<&'static str> {
    let names = |w: &Word, list: &str| {
        let singular = w.key.strip_suffix('s').unwrap_or(&w.key);
        list.split_whitespace().any(|k| k == w.key || k == singular)
    };
    KINDS
        .iter()
        .find(|(_, list)| words.iter().any(|w| names(w, list)))
        .map(|(kind, _)| *kind)
}
