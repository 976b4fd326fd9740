//! Repetition: "every day", "weekly", "every other Monday", "every Tuesday and
//! Thursday", "on weekdays", as an RFC 5545 RRULE and the first occurrence.

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};

use super::amount::{Amount, amount_at};
use super::clock::{Clock, Due, add_days, weekday};
use super::text::{Word, any_len, cut, phrase_len};

/// How often a task repeats, as an RRULE: FREQ, INTERVAL and BYDAY.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Repeat {
    freq: &'static str,
    interval: u32,
    days: Vec<Weekday>,
    /// "every morning": the time of day the phrase implies.
    time: Option<NaiveTime>,
}

const WEEKDAYS: [Weekday; 5] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
];

impl Repeat {
    fn new(freq: &'static str, interval: u32) -> Self {
        Self {
            freq,
            interval,
            days: Vec::new(),
            time: None,
        }
    }

    fn weekly(interval: u32, mut days: Vec<Weekday>) -> Self {
        days.sort_by_key(Weekday::num_days_from_monday);
        days.dedup();
        Self {
            days,
            ..Self::new("WEEKLY", interval)
        }
    }

    /// The RRULE value, without the "RRULE:" prefix.
    pub fn rule(&self) -> String {
        let mut rule = format!("FREQ={}", self.freq);
        if self.interval > 1 {
            rule.push_str(&format!(";INTERVAL={}", self.interval));
        }
        if !self.days.is_empty() {
            let days: Vec<&str> = self.days.iter().copied().map(code).collect();
            rule.push_str(&format!(";BYDAY={}", days.join(",")));
        }
        rule
    }

    /// The first occurrence: on the first matching day from today, at `time` (or the
    /// time the phrase implies) when there is one; a timed one already past today
    /// moves to the next matching day.
    pub fn first_due(&self, time: Option<NaiveTime>, clock: &Clock) -> Due {
        let day = self.first_day(clock.today());
        match time.or(self.time) {
            None => Due::On(day),
            Some(t) if clock.instant(day, t) > clock.now => Due::At(clock.instant(day, t)),
            Some(t) => Due::At(clock.instant(self.first_day(add_days(day, 1)), t)),
        }
    }

    fn first_day(&self, from: NaiveDate) -> NaiveDate {
        (0..7)
            .map(|n| add_days(from, n))
            .find(|d| self.days.is_empty() || self.days.contains(&d.weekday()))
            .unwrap_or(from)
    }
}

/// The two-letter RFC 5545 day code.
fn code(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

/// Finds a repetition in `words`, removes it and returns it.
pub(crate) fn take_repeat(words: &mut Vec<Word>) -> Option<Repeat> {
    let (start, len, hit) =
        (0..words.len()).find_map(|i| repeat_at(words, i).map(|(n, r)| (i, n, r)))?;
    cut(words, start, start + len);
    Some(hit)
}

fn repeat_at(words: &[Word], i: usize) -> Option<(usize, Repeat)> {
    let single = match words[i].key.as_str() {
        "daily" | "everyday" => Some(Repeat::new("DAILY", 1)),
        "weekly" => Some(Repeat::new("WEEKLY", 1)),
        "biweekly" | "fortnightly" => Some(Repeat::new("WEEKLY", 2)),
        "monthly" => Some(Repeat::new("MONTHLY", 1)),
        "yearly" | "annually" => Some(Repeat::new("YEARLY", 1)),
        _ => None,
    };
    if let Some(r) = single {
        return Some((1, r));
    }
    for (phrase, days) in [
        ("on weekdays", WEEKDAYS.to_vec()),
        ("on weekends", vec![Weekday::Sat, Weekday::Sun]),
    ] {
        if let Some(n) = phrase_len(words, i, phrase) {
            return Some((n, Repeat::weekly(1, days)));
        }
    }
    if words[i].key == "on" {
        let (n, days) = weekday_list(words, i + 1, true)?;
        return Some((n + 1, Repeat::weekly(1, days)));
    }
    every_at(words, i)
}

/// "every [other] …" and "every N days".
fn every_at(words: &[Word], i: usize) -> Option<(usize, Repeat)> {
    let lead = any_len(words, i, "every|each")?;
    let other = any_len(words, i + lead, "other|second|alternate");
    let j = i + lead + other.unwrap_or(0);
    let interval = if other.is_some() { 2 } else { 1 };
    let key = words.get(j)?.key.as_str();
    let found = match key {
        "day" => Repeat::new("DAILY", interval),
        "week" => Repeat::new("WEEKLY", interval),
        "month" => Repeat::new("MONTHLY", interval),
        "year" => Repeat::new("YEARLY", interval),
        "weekday" => Repeat::weekly(interval, WEEKDAYS.to_vec()),
        "weekend" => Repeat::weekly(interval, vec![Weekday::Sat, Weekday::Sun]),
        "morning" | "evening" | "night" => Repeat {
            time: part_time(key),
            ..Repeat::new("DAILY", interval)
        },
        _ if other.is_none() => return every_n(words, j).map(|(n, r)| (j - i + n, r)),
        _ => {
            let (n, days) = weekday_list(words, j, false)?;
            return Some((j - i + n, Repeat::weekly(interval, days)));
        }
    };
    Some((j - i + 1, found))
}

fn part_time(key: &str) -> Option<NaiveTime> {
    let hour = match key {
        "morning" => 9,
        "evening" => 19,
        _ => 20,
    };
    NaiveTime::from_hms_opt(hour, 0, 0)
}

/// "3 days", "two weeks", "6 months" after "every", or a list of weekdays.
fn every_n(words: &[Word], j: usize) -> Option<(usize, Repeat)> {
    if let Some((n, days)) = weekday_list(words, j, false) {
        return Some((n, Repeat::weekly(1, days)));
    }
    let (n, amount) = amount_at(words, j)?;
    let repeat = match amount {
        Amount::Days(d) if d % 7 == 0 => Repeat::new("WEEKLY", u32::try_from(d / 7).ok()?),
        Amount::Days(d) => Repeat::new("DAILY", u32::try_from(d).ok()?),
        Amount::Months(m) if m % 12 == 0 => Repeat::new("YEARLY", m / 12),
        Amount::Months(m) => Repeat::new("MONTHLY", m),
        Amount::Minutes(_) => return None,
    };
    Some((n, repeat))
}

/// "monday", "tuesday and thursday", "mon, thu & fri" (with `plural`: "mondays").
fn weekday_list(words: &[Word], start: usize, plural: bool) -> Option<(usize, Vec<Weekday>)> {
    let day_at = |j: usize| {
        let key = words.get(j)?.key.as_str();
        if plural {
            // "mondays", "tuesdays", but not the abbreviation "tues".
            weekday(key.strip_suffix('s').filter(|k| k.ends_with("day"))?)
        } else {
            weekday(key).or_else(|| weekday(key.strip_suffix('s')?))
        }
    };
    let mut days = vec![day_at(start)?];
    let mut j = start + 1;
    loop {
        let joiner = words
            .get(j)
            .is_some_and(|w| matches!(w.key.as_str(), "and" | "&" | "or" | ""));
        if let Some(d) = day_at(j) {
            days.push(d);
            j += 1;
        } else if let Some(d) = joiner.then(|| day_at(j + 1)).flatten() {
            days.push(d);
            j += 2;
        } else {
            return Some((j - start, days));
        }
    }
}
