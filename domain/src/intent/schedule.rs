//! Blocking out time: "block 2-4pm tomorrow for physics", "schedule a study session
//! on Friday at 10am for 2 hours", "book the gym on Saturday 8am for 1 hour"
//! (`create_schedule_block`).

use chrono::{Duration, NaiveTime};
use serde_json::Map;

use super::amount::{Amount, amount_at};
use super::clock::{Clock, add_days, rfc3339};
use super::dates::take_day;
use super::text::{Word, after_prefix, cut, object, phrase_len};
use super::times::{Reading, TimeHit, read_token, reading_at, take_time};
use super::when::combine;
use super::{ToolCall, call};

/// Openings that ask for a block; the words after them are its subject.
const LEADS: &[&str] = &[
    "add a schedule block",
    "add schedule block",
    "create a schedule block",
    "add a block",
    "create a block",
    "schedule a block",
    "add a study session",
    "add a session",
    "block out",
    "block off",
    "block",
    "schedule",
    "book",
    "reserve",
    "set aside",
];

/// Openings that are themselves the subject ("study chemistry 3pm to 5pm").
const ACTIVITIES: &[&str] = &[
    "study", "revise", "review", "practice", "practise", "work on", "go to",
];

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
        Some(rest) => (rest.to_vec(), None),
        None => {
            let lead = ACTIVITIES
                .iter()
                .find(|p| phrase_len(words, 0, p).is_some())?;
            (words.to_vec(), Some(*lead))
        }
    };
    let (start, end) = match take_range(&mut w) {
        Some((s, e)) => (
            TimeHit {
                time: s,
                exact: true,
            },
            End::At(e),
        ),
        None => {
            let minutes = take_duration(&mut w).unwrap_or(DEFAULT_MINUTES);
            (take_time(&mut w)?, End::After(minutes))
        }
    };
    let day = take_day(&mut w, clock);
    let first = combine(day, Some(start), clock)?.date(clock.tz);
    let start_at = clock.instant(first, start.time);
    let end_at = match end {
        // An end at or before the start is on the next day ("10pm to 1am").
        End::At(t) if t <= start.time => clock.instant(add_days(first, 1), t),
        End::At(t) => clock.instant(first, t),
        End::After(m) => start_at.checked_add_signed(Duration::minutes(m))?,
    };
    let title = after_prefix(&w, &["for"]).map_or_else(|| object(&w), object);
    let title = if title.is_empty() {
        "Blocked time".to_owned()
    } else {
        title
    };
    let mut args = Map::new();
    args.insert("start_at".into(), rfc3339(start_at).into());
    args.insert("end_at".into(), rfc3339(end_at).into());
    if let Some(kind) = block_type(&w, activity) {
        args.insert("block_type".into(), kind.into());
    }
    args.insert("title".into(), title.into());
    Some(call("create_schedule_block", args))
}

/// "for 2 hours", "for an hour", "for 90 minutes": the block's length in minutes,
/// at most a day.
fn take_duration(words: &mut Vec<Word>) -> Option<i64> {
    (0..words.len()).find_map(|i| {
        if words[i].key != "for" {
            return None;
        }
        let (n, Amount::Minutes(m)) = amount_at(words, i + 1)? else {
            return None;
        };
        (m <= 24 * 60).then(|| {
            cut(words, i, i + 1 + n);
            m
        })
    })
}

/// A time range: "2-4pm", "9am-11am", "from 9 to 11", "3pm to 5pm", "between 2 and
/// 4pm". Bare hours count only after "from"/"between", so "chapters 3 to 5" is not a
/// range.
fn take_range(words: &mut Vec<Word>) -> Option<(NaiveTime, NaiveTime)> {
    (0..words.len()).find_map(|i| {
        let (n, a, b) = range_at(words, i)?;
        let times = settle(a, b)?;
        cut(words, i, i + n);
        Some(times)
    })
}

fn range_at(words: &[Word], i: usize) -> Option<(usize, Reading, Reading)> {
    // One word: "2-4pm", "14:00-16:00", "9am–11am".
    if let Some((a, b)) = words[i].key.split_once(['-', '–']) {
        let b = read_token(b)?;
        // The end's am/pm reaches the start: "2-4pm" is 2pm to 4pm.
        return Some((1, read_token(a)?, b));
    }
    let lead = usize::from(matches!(words[i].key.as_str(), "from" | "between"));
    let (n1, a) = reading_at(words, i + lead)?;
    let joiner = words.get(i + lead + n1)?.key.as_str();
    if !matches!(
        joiner,
        "to" | "until" | "till" | "-" | "–" | "and" | "through"
    ) {
        return None;
    }
    let (n2, b) = reading_at(words, i + lead + n1 + 1)?;
    let bare = !a.marked && !b.marked;
    (lead == 1 || !bare).then_some((lead + n1 + 1 + n2, a, b))
}

/// The two times of a range, am/pm shared: "2-4pm" is 14:00–16:00 but "11-1pm" is
/// 11:00–13:00, and "2pm-4" 14:00–16:00.
fn settle(a: Reading, b: Reading) -> Option<(NaiveTime, NaiveTime)> {
    let a = match (a.pm, b.pm) {
        (None, Some(pm)) if a.with_pm(pm).time()? < b.time()? => a.with_pm(pm),
        (None, Some(_)) => a.with_pm(false),
        _ => a,
    };
    let start = a.time()?;
    let end = match (a.pm, b.pm) {
        (Some(pm), None) => Some(b.with_pm(pm).time()?)
            .filter(|t| *t > start)
            .or(b.time())?,
        _ => b.time()?,
    };
    Some((start, end))
}

/// The kind of block, from the activity or the subject's words; `None` when they
/// say nothing about it.
fn block_type(words: &[Word], activity: Option<&str>) -> Option<&'static str> {
    const KINDS: &[(&str, &[&str])] = &[
        (
            "exercise",
            &[
                "gym",
                "workout",
                "run",
                "running",
                "jog",
                "jogging",
                "yoga",
                "swim",
                "swimming",
                "exercise",
                "training",
                "football",
                "basketball",
                "tennis",
                "pilates",
                "cycling",
                "hike",
                "climbing",
                "fitness",
            ],
        ),
        (
            "class",
            &[
                "class", "lecture", "seminar", "tutorial", "lab", "lesson", "course",
            ],
        ),
        (
            "break",
            &[
                "break",
                "lunch",
                "rest",
                "nap",
                "dinner",
                "breakfast",
                "coffee",
            ],
        ),
        (
            "work",
            &["work", "meeting", "shift", "job", "standup", "office"],
        ),
        (
            "personal",
            &[
                "dentist",
                "doctor",
                "appointment",
                "family",
                "birthday",
                "haircut",
                "errands",
                "shopping",
                "party",
            ],
        ),
        (
            "study",
            &[
                "study",
                "studying",
                "revise",
                "revision",
                "review",
                "homework",
                "reading",
                "exam",
                "essay",
                "practice",
                "assignment",
                "math",
                "maths",
                "calculus",
                "algebra",
                "geometry",
                "statistics",
                "physics",
                "chemistry",
                "biology",
                "history",
                "geography",
                "english",
                "literature",
                "economics",
                "programming",
                "coding",
                "french",
                "spanish",
                "german",
                "latin",
                "philosophy",
                "psychology",
                "anatomy",
                "law",
                "thesis",
            ],
        ),
    ];
    if activity.is_some_and(|a| a != "go to") {
        return Some("study");
    }
    KINDS
        .iter()
        .find(|(_, keys)| {
            words
                .iter()
                .any(|w| keys.contains(&w.stem()) || keys.contains(&w.key.trim_end_matches('s')))
        })
        .map(|(kind, _)| *kind)
}
