//! Weekly plans → daily plans → plan items: statuses, the week rule and item
//! positions.
//!
//! Weeks start on **Monday** (ISO 8601) for everyone. A week is a set of calendar
//! dates, so it needs no time zone once chosen; the user's time zone only decides
//! which week is "this week" ([`current_week_start`]).

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::account::Timezone;
use crate::validation::{InputError, ParseError};

/// Lifecycle of a weekly or daily plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PlanStatus {
    Draft,
    Active,
    Completed,
}

text_enum!(PlanStatus { Draft => "draft", Active => "active", Completed => "completed" });

/// Where a plan item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ItemStatus {
    Todo,
    InProgress,
    Done,
    Skipped,
}

text_enum!(ItemStatus { Todo => "todo", InProgress => "in_progress", Done => "done", Skipped => "skipped" });

/// Why a plan date was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PlanDateError {
    #[error("must be a Monday (weeks start on Monday), not a {0:?}")]
    NotWeekStart(Weekday),
    #[error("the daily plan's date falls outside that week")]
    OutsideWeek,
}

impl ParseError for PlanDateError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotWeekStart(_) => "not_week_start",
            Self::OutsideWeek => "outside_week",
        }
    }
}

/// Plan dates live between these years: far enough for any real plan, and inside
/// what PostgreSQL's `date` stores (chrono's range is wider).
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2999;

/// Accepts a plan date within [`YEARS`].
pub fn plan_date(date: NaiveDate) -> Result<NaiveDate, InputError> {
    if YEARS.contains(&date.year()) {
        Ok(date)
    } else {
        Err(InputError::OutOfRange {
            min: format!("{}-01-01", YEARS.start()),
            max: format!("{}-12-31", YEARS.end()),
        })
    }
}

/// Accepts `date` as a week start: it must be a Monday.
pub fn week_start(date: NaiveDate) -> Result<NaiveDate, PlanDateError> {
    match date.weekday() {
        Weekday::Mon => Ok(date),
        other => Err(PlanDateError::NotWeekStart(other)),
    }
}

/// The Monday of the week that contains `date`.
#[must_use]
pub fn monday_of(date: NaiveDate) -> NaiveDate {
    let back = u64::from(date.weekday().num_days_from_monday());
    date.checked_sub_days(Days::new(back)).unwrap_or(date)
}

/// The Monday of the current week where the user lives.
#[must_use]
pub fn current_week_start(now: DateTime<Utc>, tz: Timezone) -> NaiveDate {
    monday_of(now.with_timezone(&tz.tz()).date_naive())
}

/// Checks that a daily plan dated `date` may link to the week starting `week_start`.
pub fn check_in_week(week_start: NaiveDate, date: NaiveDate) -> Result<(), PlanDateError> {
    let days = (date - week_start).num_days();
    if (0..7).contains(&days) {
        Ok(())
    } else {
        Err(PlanDateError::OutsideWeek)
    }
}

/// Where a new item goes among `len` items: at `requested` (pushing later ones
/// down), or last. A position past the end means "last", so clients can say
/// "append" without counting; positions stay `0..len` without gaps.
#[must_use]
pub fn insert_position(requested: Option<i32>, len: i64) -> i32 {
    let last = i32::try_from(len).unwrap_or(i32::MAX);
    requested.map_or(last, |p| p.clamp(0, last))
}

/// Where a moved item lands among `len` items (itself included): clamped to the
/// last slot.
#[must_use]
pub fn move_position(requested: i32, len: i64) -> i32 {
    let last = i32::try_from(len.saturating_sub(1)).unwrap_or(i32::MAX);
    requested.clamp(0, last.max(0))
}

/// A full reorder must name each current item exactly once.
#[must_use]
pub fn is_permutation<T: Ord + Clone>(current: &[T], requested: &[T]) -> bool {
    let mut a = current.to_vec();
    let mut b = requested.to_vec();
    a.sort();
    b.sort();
    a == b && b.windows(2).all(|w| w[0] != w[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn only_mondays_start_a_week() {
        assert_eq!(week_start(d("2026-03-02")), Ok(d("2026-03-02")));
        assert_eq!(
            week_start(d("2026-03-01")),
            Err(PlanDateError::NotWeekStart(Weekday::Sun))
        );
        assert_eq!(
            week_start(d("2026-03-01")).map_err(|e| e.code()),
            Err("not_week_start")
        );
    }

    #[test]
    fn the_current_week_depends_on_the_users_time_zone() {
        // Sunday 23:30 in London is already Monday in Tokyo.
        let now: DateTime<Utc> = "2026-03-08T23:30:00Z".parse().expect("instant");
        assert_eq!(
            current_week_start(now, Timezone::parse("Europe/London").expect("tz")),
            d("2026-03-02")
        );
        assert_eq!(
            current_week_start(now, Timezone::parse("Asia/Tokyo").expect("tz")),
            d("2026-03-09")
        );
    }

    #[test]
    fn plan_dates_stay_within_storable_years() {
        assert!(plan_date(d("2026-03-02")).is_ok());
        assert!(plan_date(d("1899-12-31")).is_err());
        assert!(plan_date(d("3000-01-01")).is_err());
    }

    #[test]
    fn a_week_holds_its_seven_days_only() {
        let monday = d("2026-03-02");
        assert!(check_in_week(monday, monday).is_ok());
        assert!(check_in_week(monday, d("2026-03-08")).is_ok());
        assert_eq!(
            check_in_week(monday, d("2026-03-09")),
            Err(PlanDateError::OutsideWeek)
        );
        assert!(check_in_week(monday, d("2026-03-01")).is_err());
    }

    #[test]
    fn positions_are_clamped_into_the_list() {
        assert_eq!(insert_position(None, 3), 3);
        assert_eq!(insert_position(Some(1), 3), 1);
        assert_eq!(insert_position(Some(9), 3), 3);
        assert_eq!(insert_position(Some(-4), 3), 0);
        assert_eq!(move_position(9, 3), 2);
        assert_eq!(move_position(-1, 3), 0);
        assert_eq!(move_position(5, 1), 0);
    }

    #[test]
    fn a_reorder_must_be_a_permutation() {
        assert!(is_permutation(&[1, 2, 3], &[3, 1, 2]));
        assert!(!is_permutation(&[1, 2, 3], &[1, 2]));
        assert!(!is_permutation(&[1, 2, 3], &[1, 1, 2, 3]));
        assert!(!is_permutation(&[1, 2, 3], &[1, 2, 4]));
    }

    #[test]
    fn statuses_parse_from_their_spelling() {
        assert_eq!(
            "in_progress".parse::<ItemStatus>(),
            Ok(ItemStatus::InProgress)
        );
        assert!("doing".parse::<ItemStatus>().is_err());
        assert_eq!(PlanStatus::Active.as_str(), "active");
    }
}
