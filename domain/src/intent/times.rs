//! Times of day: "5pm", "at 17:30", "5:30 p.m.", "noon", "this evening", "tonight".

use chrono::NaiveTime;

use super::clock::weekday;
use super::text::{Word, any_len, cut};

/// A time of day the message gave. `exact` for a clock time ("5pm"): when no day is
/// given and it has already passed today, it means tomorrow. A part of the day
/// ("this evening", "tonight") always means today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TimeHit {
    pub time: NaiveTime,
    pub exact: bool,
}

/// A clock reading as written, before am/pm is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reading {
    pub hour: u32,
    pub minute: u32,
    /// `Some(true)` for pm, `Some(false)` for am, `None` when not said.
    pub pm: Option<bool>,
    /// A colon ("17:30") or am/pm makes a number a time on its own; a bare "5" is a
    /// time only after "at" or inside a range.
    pub marked: bool,
}

impl Reading {
    /// The time meant. Without am/pm, 13–23 and 0 are 24-hour; 1–6 are read as the
    /// afternoon and 7–11 as the morning, the hours students mean for "at 5" and "at 9".
    pub fn time(self) -> Option<NaiveTime> {
        let hour = match self.pm {
            Some(true) => self.hour % 12 + 12,
            Some(false) => self.hour % 12,
            None if (1..=6).contains(&self.hour) => self.hour + 12,
            None => self.hour,
        };
        NaiveTime::from_hms_opt(hour, self.minute, 0)
    }

    /// The same reading with am/pm set, as a range end lends it to its start.
    pub fn with_pm(self, pm: bool) -> Self {
        Self {
            pm: Some(pm),
            ..self
        }
    }
}

/// The clock reading spelled at `i` ("5pm", "5 pm", "17:30", "5.30pm", "9", "9 o'clock"),
/// with the number of words it covers.
pub(crate) fn reading_at(words: &[Word], i: usize) -> Option<(usize, Reading)> {
    let mut r = read_token(&words.get(i)?.key)?;
    let mut n = 1;
    let suffix = words.get(i + 1).and_then(|w| meridiem(&w.key));
    if let (None, Some(pm)) = (r.pm, suffix) {
        r = Reading {
            marked: true,
            ..r.with_pm(pm)
        };
        n += 1;
    }
    if words.get(i + n).is_some_and(|w| w.key == "o'clock") {
        n += 1;
    }
    Some((n, r))
}

fn meridiem(key: &str) -> Option<bool> {
    match key {
        "am" => Some(false),
        "pm" => Some(true),
        _ => None,
    }
}

/// One word as a clock reading: "5", "5pm", "5:30", "5.30pm", "17:00".
pub(crate) fn read_token(key: &str) -> Option<Reading> {
    let (body, pm) = match key.strip_suffix("am").or_else(|| key.strip_suffix("pm")) {
        Some(body) => (body, Some(key.ends_with("pm"))),
        None => (key, None),
    };
    // A dot separates minutes only with am/pm: "1.5" alone is a number, not 1:05.
    let sep = if pm.is_some() {
        &[':', '.'][..]
    } else {
        &[':'][..]
    };
    let (h, m) = match body.split_once(sep) {
        Some((h, m)) if m.len() == 2 => (h, m),
        Some(_) => return None,
        None => (body, "00"),
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || !digits(m) {
        return None;
    }
    let (hour, minute) = (h.parse().ok()?, m.parse().ok()?);
    let valid = minute < 60
        && if pm.is_some() {
            (1..=12).contains(&hour)
        } else {
            hour < 24
        };
    let marked = pm.is_some() || body.contains(':');
    valid.then_some(Reading {
        hour,
        minute,
        pm,
        marked,
    })
}

/// Parts of the day and the time each stands for.
fn part_of_day(key: &str) -> Option<NaiveTime> {
    let hour = match key {
        "morning" => 9,
        "noon" | "midday" | "lunchtime" => 12,
        "afternoon" => 15,
        "evening" => 19,
        "night" | "tonight" => 20,
        _ => return None,
    };
    NaiveTime::from_hms_opt(hour, 0, 0)
}

/// Finds the first time of day in `words`, removes it and returns it.
pub(crate) fn take_time(words: &mut Vec<Word>) -> Option<TimeHit> {
    let (start, len, hit) =
        (0..words.len()).find_map(|i| time_at(words, i).map(|(n, h)| (i, n, h)))?;
    cut(words, start, start + len);
    Some(hit)
}

fn time_at(words: &[Word], i: usize) -> Option<(usize, TimeHit)> {
    let key = words[i].key.as_str();
    let after_at = key == "at";
    let at = usize::from(after_at);
    if let Some((n, r)) = reading_at(words, i + at).filter(|(_, r)| r.marked || after_at) {
        return Some((
            at + n,
            TimeHit {
                time: r.time()?,
                exact: true,
            },
        ));
    }
    if matches!(
        words.get(i + at).map(|w| w.key.as_str()),
        Some("noon" | "midday")
    ) {
        return Some((
            at + 1,
            TimeHit {
                time: part_of_day("noon")?,
                exact: true,
            },
        ));
    }
    part_at(words, i)
}

/// "tonight", "this evening", "in the morning", or a part of the day right after a
/// day ("tomorrow morning", "friday evening": the day itself is left for the dates).
fn part_at(words: &[Word], i: usize) -> Option<(usize, TimeHit)> {
    let lead = any_len(words, i, "this|in the").unwrap_or(0);
    let time = part_of_day(&words.get(i + lead)?.key)?;
    let key = words[i].key.as_str();
    let after_day = i > 0 && {
        let prev = words[i - 1].stem();
        matches!(prev, "today" | "tomorrow" | "tmr" | "tmrw") || weekday(prev).is_some()
    };
    (lead > 0 || key == "tonight" || after_day)
        .then_some((lead + 1, TimeHit { time, exact: false }))
}

#[cfg(test)]
mod tests {
    use super::super::text::words;
    use super::*;

    fn hm(h: u32, m: u32) -> Option<NaiveTime> {
        NaiveTime::from_hms_opt(h, m, 0)
    }

    #[test]
    fn tokens_read_as_clock_times() {
        let t = |s: &str| read_token(s).and_then(Reading::time);
        assert_eq!(t("5pm"), hm(17, 0));
        assert_eq!(t("12am"), hm(0, 0));
        assert_eq!(t("12pm"), hm(12, 0));
        assert_eq!(t("5.30pm"), hm(17, 30));
        assert_eq!(t("17:05"), hm(17, 5));
        assert_eq!(t("9"), hm(9, 0));
        assert_eq!(t("1.5"), None);
        assert_eq!(t("13pm"), None);
        assert_eq!(t("7:5"), None);
    }

    #[test]
    fn times_are_cut_out_with_their_connector() {
        let mut w = words("call mom at 5 about the trip");
        let hit = take_time(&mut w).map(|h| h.time);
        assert_eq!(hit, hm(17, 0));
        let left: Vec<&str> = w.iter().map(|x| x.raw).collect();
        assert_eq!(left, ["call", "mom", "about", "the", "trip"]);
        assert_eq!(take_time(&mut words("read 5 chapters")), None);
        assert_eq!(
            take_time(&mut words("tomorrow evening")).map(|h| h.time),
            hm(19, 0)
        );
    }
}
