//! The parser as a specification: a table of messages and the exact calls they
//! make, plus properties every answer keeps.

mod loose_cases;
mod other_cases;
mod task_cases;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

use super::{ToolCall, help, understand};
use crate::recurrence::Recurrence;

/// One message and the calls expected for it.
pub(super) struct Case {
    pub input: &'static str,
    pub now: DateTime<Utc>,
    pub tz: Tz,
    pub expected: Value,
}

/// Wednesday 2 December 2026, 10:00 UTC: 11:00 in Berlin, 05:00 in New York.
pub(super) fn wednesday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0)
        .single()
        .expect("valid instant")
}

/// A message read in Berlin on `wednesday()`, expecting one call.
pub(super) fn berlin(input: &'static str, name: &str, args: Value) -> Case {
    at(wednesday(), chrono_tz::Europe::Berlin, input, name, args)
}

/// A message read in New York on `wednesday()`, expecting one call.
pub(super) fn new_york(input: &'static str, name: &str, args: Value) -> Case {
    at(wednesday(), chrono_tz::America::New_York, input, name, args)
}

/// A message read at `now` in `tz`, expecting one call.
pub(super) fn at(now: DateTime<Utc>, tz: Tz, input: &'static str, name: &str, args: Value) -> Case {
    let expected = json!([{ "name": name, "arguments": args }]);
    Case {
        input,
        now,
        tz,
        expected,
    }
}

#[test]
fn understands_common_requests() {
    let cases: Vec<Case> = task_cases::cases()
        .into_iter()
        .chain(other_cases::cases())
        .chain(loose_cases::cases())
        .collect();
    assert!(cases.len() >= 40, "the table should stay broad");
    let mut failures = Vec::new();
    for case in &cases {
        let calls = understand(case.input, case.now, case.tz);
        let got = serde_json::to_value(&calls).expect("calls serialise");
        if got != case.expected {
            failures.push(format!(
                "{:?} ({})\n  expected {}\n       got {}",
                case.input, case.tz, case.expected, got
            ));
        }
        calls.iter().flatten().for_each(assert_well_formed);
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// What every call keeps, whatever the message: an object of arguments with no
/// nulls, never both `due_at` and `due_date`, instants in RFC 3339 UTC, and a
/// recurrence rule the task API accepts.
fn assert_well_formed(call: &ToolCall) {
    let args = call.arguments.as_object().expect("arguments are an object");
    assert!(args.values().all(|v| !v.is_null()), "{call:?} sends a null");
    assert!(
        !(args.contains_key("due_at") && args.contains_key("due_date")),
        "{call:?} has both dues"
    );
    for key in [
        "due_at",
        "due_after",
        "due_before",
        "start_at",
        "end_at",
        "from",
        "to",
    ] {
        if let Some(v) = args.get(key).and_then(Value::as_str) {
            let parsed = DateTime::parse_from_rfc3339(v);
            assert!(v.ends_with('Z') && parsed.is_ok(), "{call:?}: {key}");
        }
    }
    if let Some(rule) = args.get("recurrence_rule").and_then(Value::as_str) {
        assert!(
            Recurrence::parse(rule).is_ok(),
            "{call:?}: rule {rule} does not parse"
        );
    }
    if args.contains_key("reminder_minutes") {
        assert!(
            args.contains_key("due_at"),
            "{call:?}: a reminder needs due_at"
        );
    }
}

#[test]
fn unknown_or_empty_messages_are_not_understood() {
    for input in [
        "hello",
        "what is the meaning of life",
        "",
        "   ",
        "\n\t",
        "!!!",
        "add a task",
        "todo:",
        "🙂",
        "schedule a call",
        "delete the note about chemistry",
        "cancel my gym session",
        "I may go to the store",
        "thanks!",
        "please",
        "note the meeting moved",
        // A repeating block needs a rule the block tool is not sent.
        "study maths every day at 6pm",
    ] {
        let got = understand(input, wednesday(), chrono_tz::Europe::Berlin);
        assert_eq!(got, None, "{input:?}");
    }
}

#[test]
fn overlong_messages_are_not_understood() {
    let long = format!("todo: {}", "a ".repeat(3_000));
    assert_eq!(understand(&long, wednesday(), chrono_tz::UTC), None);
}

#[test]
fn help_names_each_kind_of_request() {
    for topic in ["task", "schedule", "goal", "note", "due"] {
        assert!(help().contains(topic), "{topic}");
    }
}

/// Fragments the random messages are built from: openings, dates, times,
/// numbers at their limits, and text no parser expects.
const FRAGMENTS: &[&str] = &[
    "add a task to",
    "remind me to",
    "todo:",
    "move",
    "to",
    "block",
    "schedule",
    "note:",
    "set a goal",
    "mark",
    "as done",
    "delete",
    "what's due",
    "every",
    "other",
    "monday",
    "tomorrow",
    "next",
    "friday",
    "in",
    "3",
    "days",
    "at",
    "5pm",
    "2-4pm",
    "from",
    "9",
    "11",
    "for",
    "2 hours",
    "#tag",
    "#",
    "urgent",
    "!",
    "remind me 30 minutes before",
    "24/12/2027",
    "2026-02-30",
    "dec",
    "31st",
    "of",
    "feb 29",
    "99:99",
    "12am",
    "0pm",
    "-",
    "–",
    "99999999999999999999",
    "1.5",
    "half an hour",
    "😀",
    "🎉🎉",
    "ß",
    "İ",
    "\u{200b}",
    "\0",
    "\n",
    "  ",
    "?",
    "'",
    "\"",
    "the",
    "end of",
    "month",
    "week",
    "weekend",
    "every other",
    "is due",
    "rename",
    "priority",
    "high",
    "x",
    "éé",
    "tonight",
    "noon",
    "o'clock",
    "am",
    "pm",
    "between",
    "and",
    "10pm-1am",
    "in 9999 years",
    "12/31",
    "the 31st",
];

/// 1,000 messages from a fixed linear congruential sequence: the same every run,
/// at instants spread over 1970–2096 and in zones with odd DST rules.
#[test]
fn random_messages_never_panic() {
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(seed >> 33).expect("31 bits fit")
    };
    let zones = [
        chrono_tz::Europe::Berlin,
        chrono_tz::America::New_York,
        chrono_tz::Australia::Lord_Howe,
        chrono_tz::America::Santiago,
        chrono_tz::UTC,
    ];
    for _ in 0..1_000 {
        let len = next() % 14;
        let joiner = if next() % 3 == 0 { "" } else { " " };
        let words: Vec<&str> = (0..len)
            .map(|_| FRAGMENTS[next() % FRAGMENTS.len()])
            .collect();
        let text = words.join(joiner);
        let secs = i64::try_from(next() % 4_000_000_000).expect("small");
        let now = Utc.timestamp_opt(secs, 0).single().expect("in range");
        if let Some(calls) = understand(&text, now, zones[next() % zones.len()]) {
            assert!(!calls.is_empty(), "{text:?}");
            calls.iter().for_each(assert_well_formed);
        }
    }
}

#[test]
fn a_long_message_is_read_quickly() {
    // As long as a message may be, in words as short as they come.
    let text = format!("move {}to tomorrow", "a ".repeat(1_990));
    assert!(text.len() <= super::MAX_LEN);
    let started = std::time::Instant::now();
    let calls = understand(&text, wednesday(), chrono_tz::Europe::Berlin);
    assert!(calls.is_some());
    let elapsed = started.elapsed();
    assert!(elapsed < std::time::Duration::from_secs(2), "{elapsed:?}");
}

#[test]
fn a_weekday_after_on_is_one_day_and_its_plural_a_repetition() {
    let read = |s| understand(s, wednesday(), chrono_tz::Europe::Berlin);
    let once = json!([{"name": "create_task", "arguments": {"title": "call mom", "due_date": "2026-12-08"}}]);
    assert_eq!(
        serde_json::to_value(read("todo: call mom on tues")).ok(),
        Some(once)
    );
    let weekly = json!([{"name": "create_task", "arguments": {
        "title": "call mom", "due_date": "2026-12-08", "recurrence_rule": "FREQ=WEEKLY;BYDAY=TU",
    }}]);
    assert_eq!(
        serde_json::to_value(read("todo: call mom on Tuesdays")).ok(),
        Some(weekly)
    );
}
