//! Absolute dates: "Dec 24", "24th of December 2027", "24/12", "2026-12-24" read
//! through `interim`, and a month alone after "by"/"in" ("by June").

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use interim::Dialect;

use super::clock::{Clock, add_months};
use super::text::Word;

/// The digits of an ordinal ("24th" → "24"), or `None` for any other word.
pub(crate) fn ordinal(key: &str) -> Option<&str> {
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
pub(crate) fn absolute_at(words: &[Word], i: usize, clock: &Clock) -> Option<(usize, NaiveDate)> {
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
pub(crate) fn lone_month_at(
    words: &[Word],
    i: usize,
    today: NaiveDate,
) -> Option<(usize, NaiveDate)> {
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
    // The zone's way first; "12/15" can only be month first, so the other way next.
    let other = match clock.dialect() {
        Dialect::Uk => Dialect::Us,
        Dialect::Us => Dialect::Uk,
    };
    let date = [clock.dialect(), other]
        .into_iter()
        .find_map(|d| interim::parse_date_string(&text, base, d).ok())?
        .date_naive();
    let date = if date < clock.today() && !has_year {
        add_months(date, 12)
    } else {
        date
    };
    // The API stores years 1970–2200; anything else was not meant as a date.
    (1970..=2200).contains(&date.year()).then_some(date)
}
