//! Putting a day and a time together: the due of a task, and the window a
//! "what's due this week" question asks about.

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};

use super::clock::{Clock, Due, add_days, add_months, next_monday, next_weekday};
use super::dates::{DayHit, take_day};
use super::text::{Word, cut, phrase_len};
use super::times::{TimeHit, take_time};

/// Finds a due (a day, a time of day, or both) in `words` and removes it.
pub(crate) fn take_due(words: &mut Vec<Word>, clock: &Clock) -> Option<Due> {
    // The time first: "at 5" is cut before the days look for numbers.
    let time = take_time(words);
    let day = take_day(words, clock);
    combine(day, time, clock)
}

/// The due a day and a time make. A clock time alone means today, or tomorrow once
/// it has passed ("at 9am" said at 10am); a part of the day alone ("tonight") today.
pub(crate) fn combine(day: Option<DayHit>, time: Option<TimeHit>, clock: &Clock) -> Option<Due> {
    match (day, time) {
        (Some(DayHit::Instant(t)), _) => Some(Due::At(t)),
        (Some(DayHit::Date(d)), Some(t)) => Some(Due::At(clock.instant(d, t.time))),
        (Some(DayHit::Date(d)), None) => Some(Due::On(d)),
        (None, Some(t)) => {
            let today = clock.instant(clock.today(), t.time);
            let passed = t.exact && today <= clock.now;
            Some(Due::At(if passed {
                clock.instant(add_days(clock.today(), 1), t.time)
            } else {
                today
            }))
        }
        (None, None) => None,
    }
}

/// A span of local days as UTC instants: `from` inclusive, `to` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Window {
    fn days(clock: &Clock, first: NaiveDate, end: NaiveDate) -> Self {
        Self {
            from: clock.day_start(first),
            to: clock.day_start(end),
        }
    }
}

/// Finds the period a question is about ("this week", "tomorrow", "friday") and
/// removes it. Weeks are ISO weeks: "this week" runs from the start of today to the
/// start of next Monday.
pub(crate) fn take_period(words: &mut Vec<Word>, clock: &Clock) -> Option<Window> {
    let today = clock.today();
    let monday = next_monday(today);
    let month_start = add_months(today.with_day(1)?, 1);
    let weekend = if today.weekday() == Weekday::Sun {
        today
    } else {
        next_weekday(today, Weekday::Sat, false)
    };
    let table = [
        (
            "next week",
            Window::days(clock, monday, add_days(monday, 7)),
        ),
        ("this week", Window::days(clock, today, monday)),
        ("the week", Window::days(clock, today, monday)),
        (
            "next weekend",
            Window::days(clock, add_days(monday, 5), add_days(monday, 7)),
        ),
        (
            "this weekend",
            Window::days(clock, weekend, next_monday(weekend)),
        ),
        (
            "the weekend",
            Window::days(clock, weekend, next_monday(weekend)),
        ),
        (
            "next month",
            Window::days(clock, month_start, add_months(month_start, 1)),
        ),
        ("this month", Window::days(clock, today, month_start)),
        ("the month", Window::days(clock, today, month_start)),
    ];
    for i in 0..words.len() {
        if let Some((n, w)) = table
            .iter()
            .find_map(|(p, w)| phrase_len(words, i, p).map(|n| (n, *w)))
        {
            cut(words, i, i + n);
            return Some(w);
        }
    }
    match take_day(words, clock)? {
        DayHit::Date(d) => Some(Window::days(clock, d, add_days(d, 1))),
        DayHit::Instant(_) => None,
    }
}
