//! Amounts of time: "2 hours", "90min", "half an hour", "three weeks".

use super::text::{Word, count, phrase_len};

/// An amount of time, kept in the unit it was given in: minutes and hours are exact
/// durations, days and weeks move the calendar date, months and years the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Amount {
    Minutes(i64),
    Days(i64),
    Months(u32),
}

/// Upper bound on any amount (ten years in minutes): bigger numbers are not a
/// request anyone makes, and it keeps date arithmetic far from overflow.
const MAX_MINUTES: f64 = 10.0 * 366.0 * 24.0 * 60.0;

/// The amount spelled at `i`, with the number of words it covers.
pub(crate) fn amount_at(words: &[Word], i: usize) -> Option<(usize, Amount)> {
    for (phrase, minutes) in [
        ("half an hour", 30),
        ("half hour", 30),
        ("a quarter hour", 15),
    ] {
        if let Some(n) = phrase_len(words, i, phrase) {
            return Some((n, Amount::Minutes(minutes)));
        }
    }
    let key = words.get(i)?.key.as_str();
    if let Some((qty, unit)) = glued(key) {
        return Some((1, amount(qty, unit)?));
    }
    let qty = number(key)?;
    let unit = words.get(i + 1)?.key.as_str();
    Some((2, amount(qty, unit)?))
}

/// "2h", "90min", "1.5hrs": a number with its unit attached.
fn glued(key: &str) -> Option<(f64, &str)> {
    let split = key.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (qty, unit) = key.split_at(split);
    Some((qty.parse().ok()?, unit))
}

/// A count ("3", "three", "a") or a decimal ("1.5").
fn number(key: &str) -> Option<f64> {
    count(key).map(f64::from).or_else(|| {
        let is_decimal = key.contains('.') && key.chars().all(|c| c.is_ascii_digit() || c == '.');
        is_decimal.then(|| key.parse().ok()).flatten()
    })
}

fn amount(qty: f64, unit: &str) -> Option<Amount> {
    let per_unit = match unit {
        "m" | "min" | "mins" | "minute" | "minutes" => 1.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 60.0,
        "d" | "day" | "days" => 1440.0,
        "w" | "wk" | "wks" | "week" | "weeks" => 7.0 * 1440.0,
        "fortnight" | "fortnights" => 14.0 * 1440.0,
        "month" | "months" => return whole(qty).map(Amount::Months),
        "year" | "years" => {
            return whole(qty)
                .and_then(|y| y.checked_mul(12))
                .map(Amount::Months);
        }
        _ => return None,
    };
    let minutes = qty * per_unit;
    if !(minutes > 0.0 && minutes <= MAX_MINUTES) {
        return None;
    }
    // Days and weeks are calendar days (a DST night is still "one day"), so they stay
    // in days when they are whole; "1.5 days" falls back to minutes.
    let days = minutes / 1440.0;
    // Bounded by MAX_MINUTES above, so the casts are exact.
    let amount = if per_unit >= 1440.0 && days.fract() == 0.0 {
        Amount::Days(days as i64)
    } else {
        Amount::Minutes(minutes.round() as i64)
    };
    Some(amount)
}

fn whole(qty: f64) -> Option<u32> {
    // Range checked first, so the cast is exact.
    (qty.fract() == 0.0 && qty > 0.0 && qty <= 120.0).then_some(qty as u32)
}

#[cfg(test)]
mod tests {
    use super::super::text::words;
    use super::*;

    #[test]
    fn amounts_in_their_units() {
        let read = |s: &str| amount_at(&words(s), 0);
        assert_eq!(read("2 hours"), Some((2, Amount::Minutes(120))));
        assert_eq!(read("90min"), Some((1, Amount::Minutes(90))));
        assert_eq!(read("1.5 hours"), Some((2, Amount::Minutes(90))));
        assert_eq!(read("half an hour"), Some((3, Amount::Minutes(30))));
        assert_eq!(read("three weeks"), Some((2, Amount::Days(21))));
        assert_eq!(read("a month"), Some((2, Amount::Months(1))));
        assert_eq!(read("0 days"), None);
        assert_eq!(read("9999 years"), None);
    }
}
