//! Tasks: due dates, list options, and where a recurring task's next occurrence goes.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::recurrence::{Recurrence, RecurrenceMode, local, resolve_local};

/// When a task is due: at an instant, or on a whole day in the user's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    At(DateTime<Utc>),
    On(NaiveDate),
}

impl Due {
    /// The local wall time that anchors a series starting at this due.
    #[must_use]
    pub fn local_anchor(self, tz: Tz) -> NaiveDateTime {
        match self {
            Self::At(at) => local(at, tz),
            Self::On(day) => day.and_time(NaiveTime::MIN),
        }
    }

    /// As an instant (an all-day due counts from the start of its day).
    #[must_use]
    pub fn instant(self, tz: Tz) -> Option<DateTime<Utc>> {
        match self {
            Self::At(at) => Some(at),
            Self::On(day) => {
                resolve_local(day.and_time(NaiveTime::MIN), tz).map(|d| d.with_timezone(&Utc))
            }
        }
    }
}

/// A completed recurring task, as far as finding its successor goes.
#[derive(Debug, Clone)]
pub struct Occurrence<'a> {
    pub recurrence: &'a Recurrence,
    pub mode: RecurrenceMode,
    pub due: Due,
    /// The series' DTSTART, local.
    pub anchor: NaiveDateTime,
    /// 1-based position in the series.
    pub index: u32,
}

/// Where the next occurrence goes when `occurrence` is completed at `completed_at`
/// in time zone `tz`; `None` when the series has ended.
#[must_use]
pub fn next_due(occurrence: &Occurrence<'_>, completed_at: DateTime<Utc>, tz: Tz) -> Option<Due> {
    let all_day = matches!(occurrence.due, Due::On(_));
    let next = match occurrence.mode {
        RecurrenceMode::FromDue => {
            let current = occurrence.due.instant(tz)?;
            occurrence
                .recurrence
                .next_from_due(occurrence.anchor, tz, current)?
        }
        RecurrenceMode::FromCompletion => {
            let time = occurrence.due.local_anchor(tz).time();
            occurrence
                .recurrence
                .next_from_completion(completed_at, time, tz, occurrence.index)?
        }
    };
    Some(if all_day {
        Due::On(local(next, tz).date())
    } else {
        Due::At(next)
    })
}

/// Which tasks a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum StatusFilter {
    #[default]
    Pending,
    Completed,
    All,
}

/// The order of a task list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TaskSort {
    #[default]
    Created,
    Due,
    Priority,
    Title,
}

/// Ascending or descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SortOrder {
    Asc,
    #[default]
    Desc,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("rfc3339")
            .with_timezone(&Utc)
    }

    #[test]
    fn an_all_day_weekly_task_moves_by_a_week_and_stays_all_day() {
        let r = Recurrence::parse("FREQ=WEEKLY").expect("rule");
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).expect("date");
        let tz: Tz = "Europe/London".parse().expect("tz");
        let occ = Occurrence {
            recurrence: &r,
            mode: RecurrenceMode::FromDue,
            due: Due::On(day),
            anchor: Due::On(day).local_anchor(tz),
            index: 1,
        };
        assert_eq!(
            next_due(&occ, at("2026-03-05T10:00:00Z"), tz),
            NaiveDate::from_ymd_opt(2026, 3, 9).map(Due::On)
        );
    }

    #[test]
    fn from_completion_counts_from_the_day_it_was_done() {
        let r = Recurrence::parse("FREQ=DAILY;INTERVAL=2").expect("rule");
        let tz = Tz::UTC;
        let due = Due::At(at("2026-03-01T09:00:00Z"));
        let occ = Occurrence {
            recurrence: &r,
            mode: RecurrenceMode::FromCompletion,
            due,
            anchor: due.local_anchor(tz),
            index: 1,
        };
        assert_eq!(
            next_due(&occ, at("2026-03-06T18:00:00Z"), tz),
            Some(Due::At(at("2026-03-08T09:00:00Z")))
        );
    }
}
