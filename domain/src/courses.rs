//! Domain rules for courses → modules → topics: difficulty, estimated hours, target
//! dates, free-text limits and the arithmetic of moving an item inside an ordered list.
//!
//! Rules the store implements with these values (documented here, where the domain is):
//! * Positions inside a course (modules) or a module (topics) are always `0..n-1`: a new
//!   item goes last, a moved item shifts the ones in between by one, a deleted item's
//!   followers close the gap.
//! * A module that has topics is completed exactly when all its topics are: completing
//!   the module completes its open topics, reopening it reopens all of them, and adding
//!   an open topic reopens it. A module without topics is completed by hand.
//! * A course is completed (`completed_at` set) when it has modules and its rolled-up
//!   progress reaches 1; it is reopened as soon as progress drops.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::validation::ParseError;

/// Maximum length of a course or module description.
pub const DESCRIPTION_MAX: usize = 10_000;
/// Maximum length of a topic's (markdown) content.
pub const CONTENT_MAX: usize = 100_000;
/// Upper bound of a course's own estimate, in hours.
pub const COURSE_HOURS_MAX: f64 = 10_000.0;
/// Upper bound of a topic's estimate, in hours.
pub const TOPIC_HOURS_MAX: f64 = 1_000.0;

/// How hard a course is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = CourseDifficulty))]
pub enum Difficulty {
    Beginner,
    Intermediate,
    Advanced,
}

text_enum!(Difficulty { Beginner => "beginner", Intermediate => "intermediate", Advanced => "advanced" });

/// Why a course field was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CourseInputError {
    #[error("must be more than 0 and at most {max} hours")]
    Hours { max: f64 },
    #[error(
        "must be a date YYYY-MM-DD between {} and {}",
        TargetDate::MIN,
        TargetDate::MAX
    )]
    Date,
    #[error("must be between 0 and {max} (the last position)")]
    Position { max: i64 },
}

impl ParseError for CourseInputError {
    fn code(&self) -> &'static str {
        match self {
            Self::Hours { .. } | Self::Position { .. } => "out_of_range",
            Self::Date => "invalid_date",
        }
    }
}

/// An estimate in hours: finite, more than 0, at most `max` (stored as `real`).
pub fn estimated_hours(raw: f64, max: f64) -> Result<f32, CourseInputError> {
    if raw.is_finite() && raw > 0.0 && raw <= max {
        // Within (0, 10 000] the narrowing only rounds, it cannot overflow.
        #[allow(clippy::cast_possible_truncation)]
        Ok(raw as f32)
    } else {
        Err(CourseInputError::Hours { max })
    }
}

/// A course's target date, bounded so typos (year 20255) are caught.
pub struct TargetDate;

impl TargetDate {
    pub const MIN: &'static str = "1970-01-01";
    pub const MAX: &'static str = "2199-12-31";

    pub fn parse(raw: &str) -> Result<NaiveDate, CourseInputError> {
        let date = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
            .map_err(|_| CourseInputError::Date)?;
        let min = NaiveDate::from_ymd_opt(1970, 1, 1);
        let max = NaiveDate::from_ymd_opt(2199, 12, 31);
        if Some(date) < min || Some(date) > max {
            return Err(CourseInputError::Date);
        }
        Ok(date)
    }
}

/// Topic content: markdown kept as written (leading indentation is meaningful), at most
/// [`CONTENT_MAX`] characters; blank becomes `None`.
pub fn content(raw: Option<&str>) -> Result<Option<String>, crate::InputError> {
    match raw {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) if s.chars().count() > CONTENT_MAX => {
            Err(crate::InputError::TooLong { max: CONTENT_MAX })
        }
        Some(s) => Ok(Some(s.to_owned())),
    }
}

/// Checks a requested position against the number of items in the list.
pub fn move_target(requested: i64, count: i64) -> Result<i32, CourseInputError> {
    let max = count - 1;
    if (0..=max).contains(&requested) {
        i32::try_from(requested).map_err(|_| CourseInputError::Position { max })
    } else {
        Err(CourseInputError::Position { max: max.max(0) })
    }
}

/// What moving one item from `from` to `to` does to the others: every item whose
/// position is in `lo..=hi` moves by `delta` (±1), then the item takes `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shift {
    pub lo: i32,
    pub hi: i32,
    pub delta: i32,
}

impl Shift {
    /// `None` when the item stays where it is.
    #[must_use]
    pub fn for_move(from: i32, to: i32) -> Option<Self> {
        match from.cmp(&to) {
            std::cmp::Ordering::Equal => None,
            // Moving up: the ones from the target to just above the item go down one.
            std::cmp::Ordering::Greater => Some(Self {
                lo: to,
                hi: from - 1,
                delta: 1,
            }),
            // Moving down: the ones just below the item up to the target go up one.
            std::cmp::Ordering::Less => Some(Self {
                lo: from + 1,
                hi: to,
                delta: -1,
            }),
        }
    }

    /// Applies the shift to a list of positions (what the SQL does), for tests.
    #[must_use]
    pub fn apply(self, position: i32) -> i32 {
        if (self.lo..=self.hi).contains(&position) {
            position + self.delta
        } else {
            position
        }
    }
}

impl fmt::Display for Difficulty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn difficulties_parse_from_their_lowercase_names() {
        assert_eq!("advanced".parse::<Difficulty>(), Ok(Difficulty::Advanced));
        assert!("expert".parse::<Difficulty>().is_err());
        assert!("Beginner".parse::<Difficulty>().is_err());
    }

    #[test]
    fn hours_are_positive_finite_and_bounded() {
        assert_eq!(estimated_hours(1.5, TOPIC_HOURS_MAX), Ok(1.5));
        assert_eq!(estimated_hours(1000.0, TOPIC_HOURS_MAX), Ok(1000.0));
        for bad in [0.0, -1.0, 1000.5, f64::NAN, f64::INFINITY] {
            assert!(estimated_hours(bad, TOPIC_HOURS_MAX).is_err(), "{bad}");
        }
        assert!(estimated_hours(5000.0, COURSE_HOURS_MAX).is_ok());
    }

    #[test]
    fn target_dates_are_iso_and_within_bounds() {
        assert_eq!(
            TargetDate::parse("2026-06-30"),
            Ok(NaiveDate::from_ymd_opt(2026, 6, 30).expect("date"))
        );
        for bad in ["2026-02-30", "30/06/2026", "20255-01-01", "1969-12-31", ""] {
            assert_eq!(TargetDate::parse(bad), Err(CourseInputError::Date), "{bad}");
        }
    }

    #[test]
    fn content_keeps_indentation_and_bounds_length() {
        assert_eq!(content(Some("    code")), Ok(Some("    code".into())));
        assert_eq!(content(Some("  \n ")), Ok(None));
        assert!(content(Some(&"x".repeat(CONTENT_MAX + 1))).is_err());
    }

    #[test]
    fn move_targets_must_name_an_existing_slot() {
        assert_eq!(move_target(0, 3), Ok(0));
        assert_eq!(move_target(2, 3), Ok(2));
        assert_eq!(
            move_target(3, 3),
            Err(CourseInputError::Position { max: 2 })
        );
        assert_eq!(
            move_target(-1, 3),
            Err(CourseInputError::Position { max: 2 })
        );
    }

    /// Every move of every item in lists of up to 6 leaves positions 0..n-1, with the
    /// item at its target and the others in their old relative order.
    #[test]
    fn shifts_keep_positions_dense_and_order_stable() {
        for n in 1..=6 {
            for from in 0..n {
                for to in 0..n {
                    let mut items: Vec<(char, i32)> = (0..n)
                        .map(|p| (char::from(b'a' + u8::try_from(p).expect("small")), p))
                        .collect();
                    if let Some(shift) = Shift::for_move(from, to) {
                        for item in &mut items {
                            item.1 = if item.1 == from {
                                to
                            } else {
                                shift.apply(item.1)
                            };
                        }
                    }
                    let mut positions: Vec<i32> = items.iter().map(|i| i.1).collect();
                    positions.sort_unstable();
                    assert_eq!(positions, (0..n).collect::<Vec<_>>(), "n={n} {from}->{to}");
                    let moved = items[usize::try_from(from).expect("small")];
                    assert_eq!(moved.1, to);
                    let mut others: Vec<_> = items.iter().filter(|i| i.0 != moved.0).collect();
                    others.sort_by_key(|i| i.1);
                    let names: Vec<char> = others.iter().map(|i| i.0).collect();
                    let mut expected = names.clone();
                    expected.sort_unstable();
                    assert_eq!(names, expected, "relative order kept");
                }
            }
        }
    }
}
