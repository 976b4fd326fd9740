//! Daily analytics: what counts as a user's day and their streak.
//!
//! A day is a calendar date in the user's time zone, from local midnight to the next
//! (DST days are 23 or 25 hours long). A day is *active* when the user completed at
//! least one task, course topic or study block in it; the streak is the number of
//! consecutive active days ending on that day.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use crate::schedule::resolve_local;

/// Block types whose completed time counts as study time.
pub const STUDY_BLOCK_TYPES: [&str; 3] = ["study", "class", "task"];

/// Most days one `GET /api/analytics/daily` covers.
pub const MAX_RANGE_DAYS: i64 = 366;

/// How far back a streak is counted.
pub const STREAK_LOOKBACK_DAYS: i64 = 400;

/// `[start, end)` of the local calendar day `day` in `tz`.
#[must_use]
pub fn day_bounds(tz: Tz, day: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = resolve_local(tz, day.and_time(NaiveTime::MIN));
    let end = resolve_local(tz, (day + Duration::days(1)).and_time(NaiveTime::MIN));
    (start, end)
}

/// The local date of `at` in `tz`.
#[must_use]
pub fn local_day(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// Consecutive active days ending on `day` (0 when `day` itself was not active).
#[must_use]
pub fn streak(active: &BTreeSet<NaiveDate>, day: NaiveDate) -> i32 {
    let mut count = 0;
    let mut d = day;
    while active.contains(&d) {
        count += 1;
        d -= Duration::days(1);
    }
    count
}

/// Why an analytics range was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error("must not be before from")]
    Reversed,
    #[error("the range may span at most {MAX_RANGE_DAYS} days")]
    TooLong,
}

impl crate::validation::ParseError for RangeError {
    fn code(&self) -> &'static str {
        match self {
            Self::Reversed => "end_before_start",
            Self::TooLong => "range_too_long",
        }
    }
}

/// Checks an inclusive `[from, to]` range of days.
pub fn range(from: NaiveDate, to: NaiveDate) -> Result<(NaiveDate, NaiveDate), RangeError> {
    if to < from {
        return Err(RangeError::Reversed);
    }
    if (to - from).num_days() >= MAX_RANGE_DAYS {
        return Err(RangeError::TooLong);
    }
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    #[test]
    fn a_dst_day_is_23_or_25_hours_long() {
        let paris: Tz = "Europe/Paris".parse().expect("zone");
        let (s, e) = day_bounds(paris, date("2026-03-29"));
        assert_eq!((e - s).num_hours(), 23);
        assert_eq!(s.to_rfc3339(), "2026-03-28T23:00:00+00:00");
        let (s, e) = day_bounds(paris, date("2026-10-25"));
        assert_eq!((e - s).num_hours(), 25);
    }

    #[test]
    fn the_streak_counts_back_from_the_day() {
        let active: BTreeSet<_> = ["2026-11-18", "2026-11-19", "2026-11-20", "2026-11-16"]
            .into_iter()
            .map(date)
            .collect();
        assert_eq!(streak(&active, date("2026-11-20")), 3);
        assert_eq!(streak(&active, date("2026-11-21")), 0);
        assert_eq!(streak(&active, date("2026-11-16")), 1);
    }

    #[test]
    fn ranges_are_ordered_and_bounded() {
        // 366 days inclusive is the most.
        assert!(range(date("2026-01-01"), date("2027-01-01")).is_ok());
        assert_eq!(
            range(date("2026-01-02"), date("2026-01-01")),
            Err(RangeError::Reversed)
        );
        assert_eq!(
            range(date("2026-01-01"), date("2027-01-02")),
            Err(RangeError::TooLong)
        );
    }
}
