//! Days: "today", "tomorrow", "friday", "next friday", "in 3 days", "end of week",
//! "the 24th"; absolute dates ("Dec 24", "2026-12-24") are in `absolute`.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};

use super::absolute::{absolute_at, lone_month_at, month, ordinal};
use super::amount::{Amount, amount_at};
use super::clock::{Clock, add_days, add_months, month_end, next_monday, next_weekday, weekday};
use super::text::{Word, any_len, cut, phrase_len};

/// A day the message named; "in 2 hours" names an instant instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DayHit {
    Date(NaiveDate),
    Instant(DateTime<Utc>),
}

/// Finds the first day in `words`, removes it and returns it.
pub(crate) fn take_day(words: &mut Vec<Word>, clock: &Clock) -> Option<DayHit> {
    let (start, len, hit) =
        (0..words.len()).find_map(|i| day_at(words, i, clock).map(|(n, h)| (i, n, h)))?;
    cut(words, start, start + len);
    Some(hit)
}

/// The day spelled at `i` and the number of words it covers.
pub(crate) fn day_at(words: &[Word], i: usize, clock: &Clock) -> Option<(usize, DayHit)> {
    let date = |(n, d)| (n, DayHit::Date(d));
    named_day(words, i, clock.today())
        .or_else(|| weekday_at(words, i, clock.today()))
        .map(date)
        .or_else(|| relative_at(words, i, clock))
        .or_else(|| ordinal_at(words, i, clock.today()).map(date))
        .or_else(|| absolute_at(words, i, clock).map(date))
        .or_else(|| lone_month_at(words, i, clock.today()).map(date))
}

/// Days with a name of their own, relative to `today`. "this week" as a due is
/// its end: weeks end on Sunday night.
fn named_day(words: &[Word], i: usize, today: NaiveDate) -> Option<(usize, NaiveDate)> {
    let sunday = next_weekday(today, Weekday::Sun, false);
    let saturday = next_weekday(today, Weekday::Sat, false);
    let table = [
        (
            "the day after tomorrow|day after tomorrow",
            add_days(today, 2),
        ),
        (
            "the end of the week|the end of this week|end of the week|end of this week|end of week|\
             eow|this week",
            sunday,
        ),
        (
            "the end of the month|the end of this month|end of the month|end of this month|\
             end of month|eom",
            month_end(today),
        ),
        (
            "the end of the day|end of the day|end of day|eod|today|tonight",
            today,
        ),
        ("tomorrow|tmr|tmrw|tomorow", add_days(today, 1)),
        ("next week", next_monday(today)),
        (
            "next weekend",
            next_weekday(next_monday(today), Weekday::Sat, false),
        ),
        ("this weekend|the weekend", saturday),
        ("next month", add_months(today.with_day(1)?, 1)),
    ];
    table
        .iter()
        .find_map(|(list, d)| any_len(words, i, list).map(|n| (n, *d)))
        .or_else(|| end_of_month_named(words, i, today))
}

/// "end of June": the last day of the next June (this one if not yet over).
fn end_of_month_named(words: &[Word], i: usize, today: NaiveDate) -> Option<(usize, NaiveDate)> {
    let n = any_len(words, i, "the end of|end of")?;
    let month = month(&words.get(i + n)?.key)?;
    let first = NaiveDate::from_ymd_opt(today.year(), month, 1)?;
    let last = month_end(first);
    let last = if last < today {
        month_end(add_months(first, 12))
    } else {
        last
    };
    Some((n + 1, last))
}

/// "friday" (the next one after today), "this friday" (today if it is Friday),
/// "next friday" (Friday of next week: the week after this one, ISO weeks).
fn weekday_at(words: &[Word], i: usize, today: NaiveDate) -> Option<(usize, NaiveDate)> {
    let n = any_len(words, i, "this coming|coming|this|next").unwrap_or(0);
    let next_week = n > 0 && words[i].key == "next";
    let day = weekday(words.get(i + n)?.stem())?;
    let date = if next_week {
        next_weekday(next_monday(today), day, false)
    } else {
        next_weekday(today, day, n == 0)
    };
    Some((n + 1, date))
}

/// "in 3 days", "in two weeks", "in 2 hours", "3 days from now", "a week from today".
fn relative_at(words: &[Word], i: usize, clock: &Clock) -> Option<(usize, DayHit)> {
    let (n, amount) = if words.get(i)?.key == "in" {
        let (n, a) = amount_at(words, i + 1)?;
        (n + 1, a)
    } else {
        let (n, a) = amount_at(words, i)?;
        let tail = any_len(words, i + n, "from now|from today|later")?;
        (n + tail, a)
    };
    let today = clock.today();
    let hit = match amount {
        Amount::Minutes(m) => DayHit::Instant(clock.now.checked_add_signed(Duration::minutes(m))?),
        Amount::Days(d) => DayHit::Date(add_days(today, d)),
        Amount::Months(m) => DayHit::Date(add_months(today, m)),
    };
    Some((n, hit))
}

/// "the 24th", "on the 3rd": that day of this month, or of next month once it passed.
fn ordinal_at(words: &[Word], i: usize, today: NaiveDate) -> Option<(usize, NaiveDate)> {
    let n = phrase_len(words, i, "the")?;
    let day: u32 = ordinal(&words.get(i + n)?.key)?.parse().ok()?;
    let this_month = today.with_day(day);
    let date = match this_month {
        Some(d) if d >= today => d,
        _ => (1..=12).find_map(|m| add_months(today.with_day(1)?, m).with_day(day))?,
    };
    Some((n + 1, date))
}
