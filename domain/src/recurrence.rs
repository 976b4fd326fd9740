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
mod tests {
    use super::*;
    use chrono_tz::Tz;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("rfc3339")
            .with_timezone(&Utc)
    }

    fn naive(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").expect("naive")
    }

    #[test]
    fn valid_rules_normalise_and_invalid_ones_say_why() {
        let r = Recurrence::parse("rrule:freq=weekly;byday=mo,we").expect("valid");
        assert!(r.to_text().starts_with("RRULE:FREQ=WEEKLY"));
        for bad in [
            "FREQ=FORTNIGHTLY",
            "BYDAY=MO",
            "",
            "FREQ=WEEKLY;BYDAY=XX",
            "DTSTART:20260101T000000\nRRULE:FREQ=DAILY",
            "FREQ=MINUTELY",
        ] {
            let err = Recurrence::parse(bad).expect_err(bad);
            assert!(
                err.to_string().starts_with("invalid recurrence rule"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn last_friday_of_the_month_is_found() {
        let r = Recurrence::parse("FREQ=MONTHLY;BYDAY=-1FR").expect("valid");
        let tz: Tz = "Europe/London".parse().expect("tz");
        // Anchored on Fri 27 Nov 2026 17:00 London; next is Fri 25 Dec 2026.
        let next = r.next_from_due(naive("2026-11-27T17:00"), tz, at("2026-11-27T17:00:00Z"));
        assert_eq!(next, Some(at("2026-12-25T17:00:00Z")));
    }

    #[test]
    fn third_tuesday_keeps_local_time_across_dst() {
        let r = Recurrence::parse("FREQ=MONTHLY;BYDAY=3TU").expect("valid");
        let tz: Tz = "America/New_York".parse().expect("tz");
        // 17 Feb 2026 09:00 EST (14:00Z) → 17 Mar 2026 09:00 EDT (13:00Z).
        let next = r.next_from_due(naive("2026-02-17T09:00"), tz, at("2026-02-17T14:00:00Z"));
        assert_eq!(next, Some(at("2026-03-17T13:00:00Z")));
    }

    #[test]
    fn count_ends_the_series() {
        let r = Recurrence::parse("FREQ=DAILY;COUNT=2").expect("valid");
        let tz = Tz::UTC;
        let anchor = naive("2026-01-01T08:00");
        let second = r.next_from_due(anchor, tz, at("2026-01-01T08:00:00Z"));
        assert_eq!(second, Some(at("2026-01-02T08:00:00Z")));
        assert_eq!(
            r.next_from_due(anchor, tz, at("2026-01-02T08:00:00Z")),
            None
        );
    }

    #[test]
    fn a_weekly_series_keeps_a_week_whose_local_midnight_does_not_exist() {
        // Santiago skips 00:00–00:59 on Sun 5 Sep 2027: that Sunday is still an occurrence.
        let r = Recurrence::parse("FREQ=WEEKLY;BYDAY=SU").expect("valid");
        let tz: Tz = "America/Santiago".parse().expect("tz");
        let anchor = naive("2027-08-29T00:00");
        let current = resolve_local(anchor, tz)
            .expect("local")
            .with_timezone(&Utc);
        let next = r.next_from_due(anchor, tz, current).expect("next");
        assert_eq!(
            next.with_timezone(&tz).date_naive().to_string(),
            "2027-09-05"
        );
    }

    #[test]
    fn date_only_and_early_until_are_accepted() {
        let r = Recurrence::parse("FREQ=DAILY;UNTIL=20260102").expect("date UNTIL");
        let anchor = naive("2026-01-01T09:00");
        assert_eq!(
            r.next_from_due(anchor, Tz::UTC, at("2026-01-01T09:00:00Z")),
            Some(at("2026-01-02T09:00:00Z"))
        );
        assert_eq!(
            r.next_from_due(anchor, Tz::UTC, at("2026-01-02T09:00:00Z")),
            None
        );
        assert!(Recurrence::parse("FREQ=DAILY;UNTIL=20200101T000000Z").is_ok());
    }

    #[test]
    fn exdates_are_skipped() {
        let r = Recurrence::parse("FREQ=WEEKLY\nEXDATE:20260112T090000").expect("valid");
        let next = r.next_from_due(
            naive("2026-01-05T09:00"),
            Tz::UTC,
            at("2026-01-05T09:00:00Z"),
        );
        assert_eq!(next, Some(at("2026-01-19T09:00:00Z")));
    }

    #[test]
    fn from_completion_restarts_on_the_completion_day() {
        let r = Recurrence::parse("FREQ=DAILY;INTERVAL=3;COUNT=5").expect("valid");
        let time = NaiveTime::from_hms_opt(9, 0, 0).expect("time");
        let next = r.next_from_completion(at("2026-03-10T20:00:00Z"), time, Tz::UTC, 1);
        assert_eq!(next, Some(at("2026-03-13T09:00:00Z")));
        assert_eq!(
            r.next_from_completion(at("2026-03-10T20:00:00Z"), time, Tz::UTC, 5),
            None
        );
    }

    #[test]
    fn every_other_monday_skips_a_week() {
        let r = Recurrence::parse("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO").expect("valid");
        let next = r.next_from_due(
            naive("2026-01-05T10:00"),
            Tz::UTC,
            at("2026-01-05T10:00:00Z"),
        );
        assert_eq!(next, Some(at("2026-01-19T10:00:00Z")));
    }

    #[test]
    fn local_times_in_a_dst_gap_move_forward_and_repeated_ones_take_the_first() {
        let london: Tz = "Europe/London".parse().expect("tz");
        // 29 Mar 2026: 01:00 → 02:00 BST; 01:30 does not exist → 02:30 BST (01:30Z).
        let gap = resolve_local(naive("2026-03-29T01:30"), london).expect("resolved");
        assert_eq!(gap.with_timezone(&Utc), at("2026-03-29T01:30:00Z"));
        // 25 Oct 2026: 02:00 BST → 01:00 GMT; 01:30 happens twice → the BST one (00:30Z).
        let twice = resolve_local(naive("2026-10-25T01:30"), london).expect("resolved");
        assert_eq!(twice.with_timezone(&Utc), at("2026-10-25T00:30:00Z"));
    }
}
