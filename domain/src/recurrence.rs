//! RFC 5545 recurrence for tasks: parsing a rule (with optional EXDATEs) and finding
//! the next occurrence, evaluated in the user's time zone.
//!
//! A series is anchored at the local wall time of its first due (DTSTART). Two modes:
//! - **from due** (the default): the next occurrence is the first of the series
//!   strictly after the current due, so a late completion does not shift the series;
//!   COUNT and UNTIL apply to the series.
//! - **from completion**: the series restarts at the completion day (at the due's
//!   time of day); the next occurrence is its first one on a later local day. COUNT
//!   still limits the total number of occurrences, UNTIL the last one.

use std::fmt;

use chrono::{
    DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc,
};
use chrono_tz::Tz;
use rrule::{Frequency, RRule, RRuleSet, Unvalidated};

use crate::validation::{InputError, ParseError};

/// Longest rule text accepted.
const MAX_LEN: usize = 1000;
/// Upper bound on occurrences scanned to find the next one.
const SCAN_LIMIT: usize = 100_000;

/// Why a recurrence rule was refused; the message carries the parser's reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecurrenceError {
    #[error("invalid recurrence rule: {0}")]
    Invalid(String),
}

impl ParseError for RecurrenceError {
    fn code(&self) -> &'static str {
        "invalid_rrule"
    }
}

impl From<InputError> for RecurrenceError {
    fn from(e: InputError) -> Self {
        Self::Invalid(e.to_string())
    }
}

/// How the next occurrence of a completed recurring task is placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RecurrenceMode {
    FromDue,
    FromCompletion,
}

text_enum!(RecurrenceMode { FromDue => "from_due", FromCompletion => "from_completion" });

/// A parsed rule: the RRULE part and the excluded local dates/times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurrence {
    rule: String,
    count: Option<u32>,
    exdates: Vec<NaiveDateTime>,
}

fn invalid(msg: impl Into<String>) -> RecurrenceError {
    RecurrenceError::Invalid(msg.into())
}

fn parse_exdate(value: &str) -> Result<NaiveDateTime, RecurrenceError> {
    let v = value.trim().trim_end_matches('Z');
    if let Ok(dt) = NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S") {
        return Ok(dt);
    }
    NaiveDate::parse_from_str(v, "%Y%m%d")
        .map(|d| d.and_time(NaiveTime::MIN))
        .map_err(|_| {
            invalid(format!(
                "EXDATE value {value:?} is not YYYYMMDD or YYYYMMDDTHHMMSS"
            ))
        })
}

impl Recurrence {
    /// Parses `FREQ=…` or `RRULE:FREQ=…`, optionally followed by `EXDATE:` lines
    /// (local times `YYYYMMDDTHHMMSS` or dates `YYYYMMDD`, comma-separated). DTSTART
    /// is not accepted: the series starts at the task's due.
    pub fn parse(raw: &str) -> Result<Self, RecurrenceError> {
        if raw.len() > MAX_LEN {
            return Err(InputError::TooLong { max: MAX_LEN }.into());
        }
        let mut rule = None;
        let mut exdates = Vec::new();
        for line in raw.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let upper = line.to_ascii_uppercase();
            if upper.starts_with("DTSTART") {
                return Err(invalid(
                    "DTSTART is not allowed: the series starts at the task's due",
                ));
            } else if let Some(rest) = upper.strip_prefix("EXDATE") {
                let values = rest.split_once(':').map_or("", |(_, v)| v);
                for v in values.split(',').filter(|v| !v.trim().is_empty()) {
                    exdates.push(parse_exdate(v)?);
                }
            } else if rule.is_some() {
                return Err(invalid("only one RRULE is allowed"));
            } else {
                rule = Some(upper.strip_prefix("RRULE:").unwrap_or(&upper).to_owned());
            }
        }
        let rule = rule.ok_or_else(|| invalid("missing RRULE (e.g. FREQ=WEEKLY;BYDAY=MO)"))?;
        let rule = floating_until(&rule)?;
        let parsed: RRule<Unvalidated> = rule.parse().map_err(|e| invalid(format!("{e}")))?;
        if matches!(parsed.get_freq(), Frequency::Secondly | Frequency::Minutely) {
            return Err(invalid(
                "FREQ=SECONDLY and FREQ=MINUTELY are too frequent for tasks",
            ));
        }
        let count = parsed.get_count();
        // Validate against an early fixed start (the series is expanded on floating
        // local times, held as UTC), so any UNTIL after 1970 is acceptable.
        let probe = Utc
            .with_ymd_and_hms(1970, 1, 5, 9, 0, 0)
            .single()
            .map(|d| d.with_timezone(&rrule::Tz::UTC));
        if let Some(start) = probe {
            parsed
                .clone()
                .build(start)
                .map_err(|e| invalid(format!("{e}")))?;
        }
        Ok(Self {
            rule: parsed.to_string(),
            count,
            exdates,
        })
    }

    /// The normalised text stored with the task.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut text = format!("RRULE:{}", self.rule);
        if !self.exdates.is_empty() {
            let values: Vec<String> = self
                .exdates
                .iter()
                .map(|d| d.format("%Y%m%dT%H%M%S").to_string())
                .collect();
            text.push_str("\nEXDATE:");
            text.push_str(&values.join(","));
        }
        text
    }

    /// The total number of occurrences, if the rule has a COUNT.
    #[must_use]
    pub fn count(&self) -> Option<u32> {
        self.count
    }

    /// The series on floating local wall times (held as UTC, which has no DST), so
    /// an occurrence whose local time is skipped or repeated by a DST change is not
    /// lost; each is resolved in the real zone afterwards.
    fn set(&self, rule_text: &str, anchor: NaiveDateTime) -> Option<RRuleSet> {
        let floating = |t: NaiveDateTime| Utc.from_utc_datetime(&t).with_timezone(&rrule::Tz::UTC);
        let rule: RRule<Unvalidated> = rule_text.parse().ok()?;
        let mut set = rule.build(floating(anchor)).ok()?.limit();
        for ex in &self.exdates {
            set = set.exdate(floating(*ex));
        }
        Some(set)
    }

    /// The first occurrence of the series anchored at `anchor` (local) that satisfies
    /// `accept`, in UTC.
    fn first(
        &self,
        rule_text: &str,
        anchor: NaiveDateTime,
        tz: Tz,
        accept: impl Fn(DateTime<Tz>) -> bool,
    ) -> Option<DateTime<Utc>> {
        let set = self.set(rule_text, anchor)?;
        (&set)
            .into_iter()
            .take(SCAN_LIMIT)
            .filter_map(|d| resolve_local(d.naive_utc(), tz))
            .find(|d| accept(*d))
            .map(|d| d.with_timezone(&Utc))
    }

    /// The occurrence after `current` (an occurrence of the series anchored at
    /// `anchor`), or `None` when the series has ended.
    #[must_use]
    pub fn next_from_due(
        &self,
        anchor: NaiveDateTime,
        tz: Tz,
        current: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        self.first(&self.rule, anchor, tz, |d| d > current)
    }

    /// The first occurrence on a later local day than `completed_at`, for a series
    /// restarted on that day at `time_of_day`; `index` is the number of occurrences
    /// so far (COUNT is checked against it).
    #[must_use]
    pub fn next_from_completion(
        &self,
        completed_at: DateTime<Utc>,
        time_of_day: NaiveTime,
        tz: Tz,
        index: u32,
    ) -> Option<DateTime<Utc>> {
        if self.count.is_some_and(|count| index >= count) {
            return None;
        }
        let day = completed_at.with_timezone(&tz).date_naive();
        let without_count: Vec<&str> = self
            .rule
            .split(';')
            .filter(|p| !p.starts_with("COUNT="))
            .collect();
        self.first(
            &without_count.join(";"),
            day.and_time(time_of_day),
            tz,
            |d| d.date_naive() > day,
        )
    }
}

impl fmt::Display for Recurrence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// Rewrites UNTIL as a floating time (the series is expanded on local wall times): a
/// date-only UNTIL covers its whole day; a UTC one (`…Z`) is read as wall time.
fn floating_until(rule: &str) -> Result<String, RecurrenceError> {
    let parts: Result<Vec<String>, RecurrenceError> = rule
        .split(';')
        .map(|part| match part.strip_prefix("UNTIL=") {
            Some(v) => {
                let v = v.trim_end_matches('Z');
                let dt = if v.len() == 8 {
                    NaiveDate::parse_from_str(v, "%Y%m%d").map(|d| {
                        d.and_hms_opt(23, 59, 59)
                            .unwrap_or(d.and_time(NaiveTime::MIN))
                    })
                } else {
                    NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S")
                }
                .map_err(|_| invalid(format!("UNTIL {v:?} is not YYYYMMDD or YYYYMMDDTHHMMSS")))?;
                Ok(format!("UNTIL={}Z", dt.format("%Y%m%dT%H%M%S")))
            }
            None => Ok(part.to_owned()),
        })
        .collect();
    Ok(parts?.join(";"))
}

/// A local wall time as an instant: a time skipped by a DST change moves forward by
/// the gap; a time that happens twice is taken the first time.
#[must_use]
pub fn resolve_local(local: NaiveDateTime, tz: Tz) -> Option<DateTime<Tz>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(dt) => Some(dt),
        LocalResult::Ambiguous(earliest, _) => Some(earliest),
        LocalResult::None => {
            // In a gap: read the wall time with the offset in force before the change,
            // which lands the same distance past the gap's end (02:30 → 03:30 when
            // 02:00 jumps to 03:00).
            let before = tz.offset_from_utc_datetime(&(local - chrono::Duration::hours(6)));
            let utc = local - chrono::Duration::seconds(i64::from(before.fix().local_minus_utc()));
            Some(tz.from_utc_datetime(&utc))
        }
    }
}

/// The local date-time of `at` in `tz`.
#[must_use]
pub fn local(at: DateTime<Utc>, tz: Tz) -> NaiveDateTime {
    at.with_timezone(&tz).naive_local()
}

/// The weekday helper re-exported for callers computing week starts.
#[must_use]
pub fn weekday_index(date: NaiveDate) -> u32 {
    date.weekday().num_days_from_monday()
}

#[cfg(test)]
mod tests;
