//! Putting a day and a time together: the due of a task, and the window a
//! "what's due this week" question asks about.

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};

use super::ahead::take_days_ahead;
use super::clock::{Clock, Due, add_days, add_months, next_monday, next_weekday};
use super::dates::{DayHit, take_day};
use super::text::{Word, any_len, cut};
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
    /// The local days from `first` up to (not including) `end`.
    pub fn days(clock: &Clock, first: NaiveDate, end: NaiveDate) -> Self {
        Self {
            from: clock.day_start(first),
            to: clock.day_start(end),
        }
    }
}

/// Named periods with their first and end (exclusive) local days. Weeks are ISO
/// weeks: "this week" runs from today to next Monday.
fn named_periods(today: NaiveDate) -> Option<[(&'static str, NaiveDate, NaiveDate); 6]> {
    let monday = next_monday(today);
    let month_start = add_months(today.with_day(1)?, 1);
    let weekend = match today.weekday() {
        Weekday::Sun => today,
        _ => next_weekday(today, Weekday::Sat, false),
    };
    Some([
        ("next week", monday, add_days(monday, 7)),
        ("this week|the week", today, monday),
        ("next weekend", add_days(monday, 5), add_days(monday, 7)),
        ("this weekend|the weekend", weekend, next_monday(weekend)),
        ("next month", month_start, add_months(month_start, 1)),
        ("this month|the month", today, month_start),
    ])
}

/// Finds the period a question is about ("in the next 3 days", "this week",
/// "tomorrow", "friday") and removes it.
pub(crate) fn take_period(words: &mut Vec<Word>, clock: &Clock) -> Option<Window> {
    if let Some(window) = take_days_ahead(words, clock) {
        return Some(window);
    }
    let periods = named_periods(clock.today())?;
    for i in 0..words.len() {
        let found = periods
            .iter()
            .find_map(|(p, first, end)| any_len(words, i, p).map(|n| (n, *first, *end)));
        if let Some((n, first, end)) = found {
            cut(words, i, i + n);
            return Some(Window::days(clock, first, end));
        }
    }
    match take_day(words, clock)? {
        DayHit::Date(d) => Some(Window::days(clock, d, add_days(d, 1))),
        DayHit::Instant(_) => None,
    }
}
