//! Spans of time for blocks: ranges ("2-4pm", "from 9 to 11") and lengths
//! ("for 2 hours").

use chrono::NaiveTime;

use super::amount::{Amount, amount_at};
use super::text::{Word, cut};
use super::times::{Reading, read_token, reading_at};

/// "for 2 hours", "for an hour", "for 90 minutes": a length in minutes, at most a
/// day, taken out of `words`.
pub(crate) fn take_duration(words: &mut Vec<Word>) -> Option<i64> {
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

/// A time range ("2-4pm", "9am-11am", "from 9 to 11", "3pm to 5pm", "between 2 and
/// 4pm"), taken out of `words`. Bare hours count only after "from"/"between", so
/// "chapters 3 to 5" is not a range.
pub(crate) fn take_range(words: &mut Vec<Word>) -> Option<(NaiveTime, NaiveTime)> {
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
        return Some((1, read_token(a)?, read_token(b)?));
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

/// The two times of a range with am/pm shared between them: "2-4pm" is 14:00–16:00
/// but "11-1pm" is 11:00–13:00, and "2pm-4" 14:00–16:00.
fn settle(a: Reading, b: Reading) -> Option<(NaiveTime, NaiveTime)> {
    let a = match (a.pm, b.pm) {
        (None, Some(pm)) if a.with_pm(pm).time()? < b.time()? => a.with_pm(pm),
        (None, Some(_)) => a.with_pm(false),
        _ => a,
    };
    let start = a.time()?;
    let end = match (a.pm, b.pm) {
        (Some(pm), None) => {
            let same_half = b.with_pm(pm).time()?;
            if same_half > start {
                same_half
            } else {
                b.time()?
            }
        }
        _ => b.time()?,
    };
    Some((start, end))
}

#[cfg(test)]
mod tests {
    use super::super::text::words;
    use super::*;

    fn range(s: &str) -> Option<(String, String)> {
        let (a, b) = take_range(&mut words(s))?;
        Some((a.format("%H:%M").to_string(), b.format("%H:%M").to_string()))
    }

    #[test]
    fn ranges_share_am_and_pm() {
        let r = |a: &str, b: &str| Some((a.to_owned(), b.to_owned()));
        assert_eq!(range("2-4pm"), r("14:00", "16:00"));
        assert_eq!(range("11-1pm"), r("11:00", "13:00"));
        assert_eq!(range("9-11am"), r("09:00", "11:00"));
        assert_eq!(range("from 9 to 11"), r("09:00", "11:00"));
        assert_eq!(range("2pm to 4"), r("14:00", "16:00"));
        assert_eq!(range("between 10 and 2"), r("10:00", "14:00"));
        assert_eq!(range("14:00-16:30"), r("14:00", "16:30"));
        assert_eq!(range("chapters 3 to 5"), None);
    }
}
