//! Days: "today", "tomorrow", "friday", "next friday", "in 3 days", "end of week",
//! "the 24th", and absolute dates ("Dec 24", "24/12/2027", "2026-12-24") through
//! `interim`.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};

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

/// Days with a name of their own, relative to `today`.
fn named_day(words: &[Word], i: usize, today: NaiveDate) -> Option<(usize, NaiveDate)> {
    let sunday = next_weekday(today, Weekday::Sun, false);
    let saturday = next_weekday(today, Weekday::Sat, false);
    let table = [
        ("the day after tomorrow", add_days(today, 2)),
        ("day after tomorrow", add_days(today, 2)),
        ("end of the week", sunday),
        ("end of this week", sunday),
        ("end of week", sunday),
        ("eow", sunday),
        ("end of the month", month_end(today)),
        ("end of this month", month_end(today)),
        ("end of month", month_end(today)),
        ("eom", month_end(today)),
        ("end of the day", today),
        ("end of day", today),
        ("eod", today),
        ("next week", next_monday(today)),
        ("this week", sunday),
        (
            "next weekend",
            next_weekday(next_monday(today), Weekday::Sat, false),
        ),
        ("this weekend", saturday),
        ("the weekend", saturday),
        ("next month", add_months(today.with_day(1)?, 1)),
    ];
    if let Some((n, d)) = table
        .iter()
        .find_map(|(p, d)| phrase_len(words, i, p).map(|n| (n, *d)))
    {
        return Some((n, d));
    }
    let day = match words.get(i)?.stem() {
        "today" | "tonight" => today,
        "tomorrow" | "tmr" | "tmrw" | "tomorow" => add_days(today, 1),
        _ => return end_of_month_named(words, i, today),
    };
    Some((1, day))
}

/// "end of June": the last day of the next June (this one if not yet over).
fn end_of_month_named(words: &[Word], i: usize, today: NaiveDate) -> Option<(usize, NaiveDate)> {
    let n = phrase_len(words, i, "end of")?;
    let month = month(&words.get(i + n)?.key)?;
    let first = NaiveDate::from_ymd_opt(today.year(), month, 1)?;
    let last = month_end(first);
    Some((
        n + 1,
        if last < today {
            month_end(add_months(first, 12))
        } else {
            last
        },
    ))
}

/// "friday" (the next one after today), "this friday" (today if it is Friday),
/// "next friday" (Friday of next week: the week after this one, ISO weeks).
fn weekday_at(words: &[Word], i: usize, today: NaiveDate) -> Option<(usize, NaiveDate)> {
    let leads = [
        ("this coming", 2, false),
        ("coming", 1, false),
        ("this", 1, false),
        ("next", 1, true),
    ];
    let (n, next_week) = leads
        .iter()
        .find(|(p, _, _)| phrase_len(words, i, p).is_some())
        .map_or((0, false), |(_, n, next)| (*n, *next));
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

/// The digits of an ordinal ("24th" → "24"), or `None` for any other word.
fn ordinal(key: &str) -> Option<&str> {
    let digits = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|s| key.strip_suffix(s))?;
    let ok = !digits.is_empty() && digits.len() <= 2 && digits.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(digits)
}

/// A month by name or common abbreviation (1-based).
pub(crate) fn month(key: &str) -> Option<u32> {
    const NAMES: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let key = if key == "sept" { "sep" } else { key };
    let found = NAMES
        .iter()
        .position(|m| *m == key || key.len() == 3 && m.starts_with(key))?;
    u32::try_from(found + 1).ok()
}

/// Words that can be part of an absolute date: month names, day numbers and
/// ordinals, years, "of", and numeric forms such as 24/12 or 2026-12-24.
fn date_part(key: &str) -> bool {
    let numeric = key.bytes().any(|b| b.is_ascii_digit())
        && key
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'/' || b == b'-');
    key == "of" || month(key).is_some() || ordinal(key).is_some() || numeric
}

/// An absolute date through `interim`, which reads the month-name, ISO and slash
/// forms well. The window it sees is cut to words that can be part of a date and
/// must hold a month name with a number, or a numeric date, so "read 5 chapters"
/// stays a title. Without a year, a date already past means next year's.
fn absolute_at(words: &[Word], i: usize, clock: &Clock) -> Option<(usize, NaiveDate)> {
    if words[i].key == "of" {
        return None;
    }
    let run = words[i..]
        .iter()
        .take(4)
        .take_while(|w| date_part(&w.key))
        .count();
    (1..=run).rev().find_map(|n| {
        let window = &words[i..i + n];
        let has_month = window.iter().any(|w| month(&w.key).is_some());
        let numeric = n == 1 && window[0].key.contains(['/', '-']);
        if !(has_month && n > 1 || numeric) {
            return None;
        }
        // "chapter 5 May 3rd": the number before the month is not its day when a
        // day follows the month.
        let day_follows = words.get(i + n).is_some_and(|w| {
            ordinal(&w.key).is_some()
                || (1..=2).contains(&w.key.len()) && w.key.bytes().all(|b| b.is_ascii_digit())
        });
        if n == 2 && month(&window[0].key).is_none() && day_follows {
            return None;
        }
        interim_date(window, clock).map(|d| (n, d))
    })
}

/// "by June", "in May": a month alone is a date (its first day, the next one to
/// come) only after such a word, or "I may" would be a due date.
fn lone_month_at(words: &[Word], i: usize, today: NaiveDate) -> Option<(usize, NaiveDate)> {
    if !matches!(
        words[i].key.as_str(),
        "by" | "in" | "until" | "till" | "before"
    ) {
        return None;
    }
    let month = month(&words.get(i + 1)?.key)?;
    if words.get(i + 2).is_some_and(|w| date_part(&w.key)) {
        return None;
    }
    let first = NaiveDate::from_ymd_opt(today.year(), month, 1)?;
    Some((
        2,
        if first < today {
            add_months(first, 12)
        } else {
            first
        },
    ))
}

fn interim_date(window: &[Word], clock: &Clock) -> Option<NaiveDate> {
    let parts: Vec<&str> = window
        .iter()
        .filter(|w| w.key != "of")
        .map(|w| ordinal(&w.key).unwrap_or(&w.key))
        .collect();
    let year_word = parts.iter().any(|p| p.len() == 4);
    let has_year = year_word || parts.iter().any(|p| p.matches(['/', '-']).count() == 2);
    // Three words are a day, a month and a four-digit year: "5 May 3" is no date.
    if parts.len() >= 3 && !year_word {
        return None;
    }
    // interim wants "December 24, 2027" with the comma when the month comes first.
    let text = match parts.as_slice() {
        [m, d, y] if month(m).is_some() => format!("{m} {d}, {y}"),
        _ => parts.join(" "),
    };
    // Handing interim the local wall clock as if it were UTC keeps its arithmetic
    // free of DST; the zone is applied once, when a time is attached.
    let base = Utc.from_utc_datetime(&clock.local);
    let date = interim::parse_date_string(&text, base, clock.dialect())
        .ok()?
        .date_naive();
    let date = if date < clock.today() && !has_year {
        add_months(date, 12)
    } else {
        date
    };
    // The API stores years 1970–2200; anything else was not meant as a date.
    (1970..=2200).contains(&date.year()).then_some(date)
}
