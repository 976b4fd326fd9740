//! Ranges of days counted from today: "in the next 3 days", "over the coming
//! week", "for the next ten days", "within two weeks", "the next few days".
//!
//! A range covers today and the days up to and including its last one: "the next 3
//! days" said on Wednesday ends with Saturday, the day "in 3 days" names, so a task
//! due "in 3 days" is among those due "in the next 3 days". Bare "next week" stays
//! the calendar week after this one (`when::take_period`); with "the" or a lead
//! ("over the next week", "in the next week") it is the seven days ahead.

use chrono::Duration;

use super::amount::{Amount, amount_at};
use super::clock::{Clock, add_days, add_months};
use super::text::{Word, any_len, cut};
use super::when::Window;

/// Words that lead into a range and belong to it.
const LEADS: &str = "in|over|for|during|within|across|through|throughout";
/// Words that say the range starts now.
const AHEAD: &str = "next|coming|following|upcoming";

/// Finds a range of days ahead in `words`, removes it and returns its window.
pub(crate) fn take_days_ahead(words: &mut Vec<Word>, clock: &Clock) -> Option<Window> {
    let (i, n, window) =
        (0..words.len()).find_map(|i| ahead_at(words, i, clock).map(|(n, w)| (i, n, w)))?;
    cut(words, i, i + n);
    Some(window)
}

/// The range spelled at `i` and the number of words it covers.
fn ahead_at(words: &[Word], i: usize, clock: &Clock) -> Option<(usize, Window)> {
    let lead = any_len(words, i, LEADS).unwrap_or(0);
    let the = any_len(words, i + lead, "the").unwrap_or(0);
    let at = i + lead + the;
    // "within 3 days": the lead alone says "from now".
    if lead > 0 && the == 0 && words[i].key == "within" {
        let (n, amount) = amount_at(words, at)?;
        return Some((lead + n, window(clock, amount)?));
    }
    let ahead = any_len(words, at, AHEAD)?;
    let said_next = words[at].key == "next";
    let rest = at + ahead;
    if let Some((n, amount)) = amount_at(words, rest) {
        return Some((lead + the + ahead + n, window(clock, amount)?));
    }
    // "next week" alone is the calendar week; "over the next week" is a span.
    let (n, days) = vague_at(words, rest, said_next && lead + the == 0)?;
    Some((lead + the + ahead + n, window(clock, Amount::Days(days))?))
}

/// "few days", "couple of days", "week", "month" without a number.
fn vague_at(words: &[Word], i: usize, bare_next: bool) -> Option<(usize, i64)> {
    if let Some(n) = any_len(words, i, "few days|couple of days|couple days|days") {
        let days = if words[i].key == "couple" { 2 } else { 3 };
        return Some((n, days));
    }
    match words.get(i)?.stem() {
        "week" if !bare_next => Some((1, 7)),
        "fortnight" => Some((1, 14)),
        _ => None,
    }
}

/// Today through the last day `amount` reaches; hours and minutes from now.
fn window(clock: &Clock, amount: Amount) -> Option<Window> {
    let today = clock.today();
    let last = match amount {
        Amount::Minutes(m) => {
            return Some(Window {
                from: clock.now,
                to: clock.now.checked_add_signed(Duration::minutes(m))?,
            });
        }
        Amount::Days(d) => add_days(today, d),
        Amount::Months(m) => add_months(today, m),
    };
    Some(Window::days(clock, today, add_days(last, 1)))
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::super::text::words;
    use super::*;

    /// Wednesday 2 December 2026, 11:00 in Berlin.
    fn clock() -> Clock {
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).single();
        Clock::new(now.expect("instant"), chrono_tz::Europe::Berlin)
    }

    /// The local first and last day of the range read in `s`, and what is left.
    fn range(s: &str) -> Option<(String, String, String)> {
        let c = clock();
        let mut w = words(s);
        let win = take_days_ahead(&mut w, &c)?;
        let local = |t: chrono::DateTime<Utc>| t.with_timezone(&c.tz).date_naive();
        let last = local(win.to) - chrono::Days::new(1);
        let rest: Vec<&str> = w.iter().map(|x| x.raw).collect();
        Some((
            local(win.from).to_string(),
            last.to_string(),
            rest.join(" "),
        ))
    }

    fn r(from: &str, last: &str, rest: &str) -> Option<(String, String, String)> {
        Some((from.to_owned(), last.to_owned(), rest.to_owned()))
    }

    #[test]
    fn ranges_run_from_today_through_their_last_day() {
        assert_eq!(
            range("what's due in the next 3 days"),
            r("2026-12-02", "2026-12-05", "what's")
        );
        assert_eq!(
            range("tasks over the coming week"),
            r("2026-12-02", "2026-12-09", "tasks")
        );
        assert_eq!(
            range("for the next ten days"),
            r("2026-12-02", "2026-12-12", "")
        );
        assert_eq!(range("within two weeks"), r("2026-12-02", "2026-12-16", ""));
        assert_eq!(
            range("the next few days"),
            r("2026-12-02", "2026-12-05", "")
        );
        assert_eq!(
            range("over the next week"),
            r("2026-12-02", "2026-12-09", "")
        );
        assert_eq!(
            range("the coming fortnight"),
            r("2026-12-02", "2026-12-16", "")
        );
    }

    #[test]
    fn bare_next_week_is_left_to_the_calendar_week() {
        assert_eq!(range("what's due next week"), None);
        assert_eq!(range("next monday"), None);
        assert_eq!(range("the next chapter"), None);
    }
}
