//! Schedule blocks: recurrence rules, occurrence expansion across DST changes,
//! per-occurrence exceptions, conflict detection, and the iCalendar feed
//! ([`ical`]). Pure: no I/O, no clock (callers pass `now`).
//!
//! # Time zones and DST: the policy
//!
//! A block's `start_at`/`end_at` are instants (the first occurrence); its `timezone`
//! (IANA) is the zone its RRULE is expanded in. Recurrence happens on the **local
//! wall clock**: the rule is expanded on local date-times (the first occurrence's local
//! time of day, carried to every generated day), and each generated local time is then
//! turned into an instant by [`resolve_local`]:
//!
//! * a local time that exists once is that instant, so a weekly 09:00 block stays at
//!   09:00 local after the clocks move (its UTC time shifts by an hour);
//! * a local time that does **not** exist (skipped on a spring-forward day) is shifted
//!   forward by the length of the gap: it is read with the UTC offset in force before
//!   the gap (RFC 5545 §3.3.5), so 01:30 on 2026-03-29 in Europe/London becomes 02:30
//!   BST and 02:30 on 2026-03-08 in America/New_York becomes 03:30 EDT;
//! * a local time that exists **twice** (fall back) is taken once, at its first
//!   (earlier) instant: 01:30 on 2026-11-01 in America/New_York is 01:30 EDT (05:30Z),
//!   never also 01:30 EST.
//!
//! Every occurrence lasts as long as the first one (`end_at - start_at`, in absolute
//! time). The rrule crate only generates local dates here (it sees them as floating
//! times); it never resolves a time zone itself.
//!
//! Rules: `FREQ` must be DAILY, WEEKLY, MONTHLY or YEARLY; `UNTIL` may be UTC
//! (`...Z`), a floating local date-time, or a date (inclusive, local), and is stored in
//! UTC; `start_at` must itself be the first occurrence of the rule.

pub mod ical;

use std::collections::HashMap;
use std::fmt;

use chrono::offset::LocalResult;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use rrule::{Frequency, RRule, RRuleSet, Unvalidated};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::validation::{InputError, ParseError};

/// The longest window `GET /api/schedule` and the conflict listing expand.
pub const MAX_WINDOW_DAYS: i64 = 366;
/// How far ahead a new or moved recurring block is checked for conflicts.
pub const CONFLICT_HORIZON_DAYS: i64 = 90;
/// Most generated dates looked at per series and query: bounds the work a rule
/// started long ago can cause (a daily rule reaches 54 years).
const MAX_SCAN: usize = 20_000;
/// A reminder at most a week before.
pub const MAX_REMINDER_MINUTES: i32 = 10_080;

/// What a block is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BlockType {
    Study,
    Class,
    Task,
    Break,
    Exercise,
    Personal,
    Work,
    Other,
}

text_enum!(BlockType {
    Study => "study", Class => "class", Task => "task", Break => "break",
    Exercise => "exercise", Personal => "personal", Work => "work", Other => "other",
});

/// Minutes before the start a reminder fires: 0..=10080.
pub fn reminder_minutes(raw: i32) -> Result<i32, InputError> {
    if (0..=MAX_REMINDER_MINUTES).contains(&raw) {
        Ok(raw)
    } else {
        Err(InputError::OutOfRange {
            min: "0".into(),
            max: MAX_REMINDER_MINUTES.to_string(),
        })
    }
}

/// Why a block's timing was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// The rrule parser's or validator's own reason.
    #[error("invalid recurrence rule: {0}")]
    InvalidRule(String),
    #[error("FREQ={0} is not supported for schedule blocks (use DAILY, WEEKLY, MONTHLY or YEARLY)")]
    UnsupportedFrequency(String),
    #[error("start_at must be the first occurrence of the rule (e.g. a Monday for BYDAY=MO)")]
    StartNotInRule,
    #[error("must be after start_at")]
    EndNotAfterStart,
    #[error("must be after from")]
    WindowReversed,
    #[error("the window may span at most {MAX_WINDOW_DAYS} days")]
    WindowTooLong,
}

impl ParseError for ScheduleError {
    fn code(&self) -> &'static str {
        match self {
            Self::InvalidRule(_) => "invalid_rrule",
            Self::UnsupportedFrequency(_) => "unsupported_frequency",
            Self::StartNotInRule => "start_not_in_rule",
            Self::EndNotAfterStart => "end_before_start",
            Self::WindowReversed => "end_before_start",
            Self::WindowTooLong => "window_too_long",
        }
    }
}

/// The DST policy (see the module docs): the instant a local wall-clock time means
/// in `tz`. Nonexistent times are read with the offset before the gap (so they move
/// forward by the gap); ambiguous ones take the earlier instant.
#[must_use]
pub fn resolve_local(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, second) => first.min(second).with_timezone(&Utc),
        LocalResult::None => {
            // A day earlier is before the gap (zones never have two transitions a day).
            let before = tz
                .offset_from_utc_datetime(&(local - Duration::days(1)))
                .fix();
            (local - Duration::seconds(i64::from(before.local_minus_utc()))).and_utc()
        }
    }
}

/// A validated recurrence rule, `UNTIL` resolved to an instant.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The rule without its UNTIL part (the rrule crate would read a floating UNTIL
    /// in the machine's zone).
    rrule: RRule<Unvalidated>,
    until: Option<DateTime<Utc>>,
    text: String,
}

impl Rule {
    /// Parses an RRULE value (`FREQ=WEEKLY;BYDAY=MO`, optionally prefixed `RRULE:`),
    /// reading a floating or date-only UNTIL in `tz`.
    pub fn parse(raw: &str, tz: Tz) -> Result<Self, ScheduleError> {
        let raw = raw.trim();
        let raw = raw
            .strip_prefix("RRULE:")
            .or_else(|| raw.strip_prefix("rrule:"))
            .unwrap_or(raw);
        if raw.is_empty() || raw.len() > 500 || raw.contains(['\n', '\r']) {
            return Err(ScheduleError::InvalidRule(
                "must be one RRULE value of at most 500 characters".into(),
            ));
        }
        let mut parts = Vec::new();
        let mut until = None;
        for part in raw.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let upper = part.to_ascii_uppercase();
            match upper.strip_prefix("UNTIL=") {
                Some(value) => until = Some(parse_until(value, tz)?),
                None => parts.push(upper),
            }
        }
        let body = parts.join(";");
        let rrule: RRule<Unvalidated> = body
            .parse()
            .map_err(|e: rrule::RRuleError| ScheduleError::InvalidRule(e.to_string()))?;
        match rrule.get_freq() {
            Frequency::Daily | Frequency::Weekly | Frequency::Monthly | Frequency::Yearly => {}
            other => return Err(ScheduleError::UnsupportedFrequency(other.to_string())),
        }
        if until.is_some() && rrule.get_count().is_some() {
            return Err(ScheduleError::InvalidRule(
                "COUNT and UNTIL cannot both be set".into(),
            ));
        }
        let text = match until {
            Some(u) => format!("{body};UNTIL={}", u.format("%Y%m%dT%H%M%SZ")),
            None => body,
        };
        Ok(Self { rrule, until, text })
    }

    /// The canonical text (UNTIL in UTC), as stored and as written to iCalendar.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    #[must_use]
    pub fn is_bounded(&self) -> bool {
        self.until.is_some() || self.rrule.get_count().is_some()
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn parse_until(value: &str, tz: Tz) -> Result<DateTime<Utc>, ScheduleError> {
    let bad = || ScheduleError::InvalidRule(format!("UNTIL={value} is not a date or date-time"));
    if let Some(utc) = value.strip_suffix('Z') {
        let t = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
        return Ok(t.and_utc());
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S") {
        return Ok(resolve_local(tz, t));
    }
    let day = NaiveDate::parse_from_str(value, "%Y%m%d").map_err(|_| bad())?;
    // A date UNTIL includes that whole local day.
    let last = day.and_hms_opt(23, 59, 59).ok_or_else(bad)?;
    Ok(resolve_local(tz, last))
}

/// A block's timing: the first occurrence, its zone, and an optional rule.
#[derive(Debug, Clone)]
pub struct Series {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub tz: Tz,
    pub rule: Option<Rule>,
}

/// One occurrence as the rule generates it: `key` identifies it for exceptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Series {
    /// Checks end after start and, for a recurring block, that the rule is valid for
    /// this start and that the start is the rule's first occurrence. The error names
    /// the field at fault (`end_at` or `rrule`).
    pub fn new(
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        tz: Tz,
        rule: Option<Rule>,
    ) -> Result<Self, (&'static str, ScheduleError)> {
        if end <= start {
            return Err(("end_at", ScheduleError::EndNotAfterStart));
        }
        let series = Self {
            start,
            end,
            tz,
            rule,
        };
        if series.rule.is_some() {
            let first = series.starts().map_err(|e| ("rrule", e))?.next();
            if first != Some(start) {
                return Err(("rrule", ScheduleError::StartNotInRule));
            }
        }
        Ok(series)
    }

    #[must_use]
    pub fn duration(&self) -> Duration {
        self.end - self.start
    }

    /// Every occurrence start in order (bounded by [`MAX_SCAN`] generated dates).
    fn starts(&self) -> Result<Box<dyn Iterator<Item = DateTime<Utc>>>, ScheduleError> {
        let Some(rule) = &self.rule else {
            return Ok(Box::new(std::iter::once(self.start)));
        };
        // The local wall time, presented to rrule as a floating (UTC-labelled) value.
        let local = self.start.with_timezone(&self.tz).naive_local();
        let floating = rrule::Tz::UTC.from_utc_datetime(&local);
        let validated = rule
            .rrule
            .clone()
            .validate(floating)
            .map_err(|e| ScheduleError::InvalidRule(e.to_string()))?;
        let set = RRuleSet::new(floating).rrule(validated).limit();
        let (tz, until) = (self.tz, rule.until);
        let mut last = None;
        let iter = (&set)
            .into_iter()
            .take(MAX_SCAN)
            .map(move |d| resolve_local(tz, d.naive_utc()))
            .take_while(move |t| until.is_none_or(|u| *t <= u))
            // Two local times resolving to one instant are one occurrence.
            .filter(move |t| last.replace(*t) != Some(*t));
        Ok(Box::new(iter))
    }

    /// Occurrences (as generated, before exceptions) overlapping `[from, to)`, at
    /// most `cap`.
    pub fn spans(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        cap: usize,
    ) -> Result<Vec<Span>, ScheduleError> {
        let duration = self.duration();
        Ok(self
            .starts()?
            .take_while(|s| *s < to)
            .map(|start| Span {
                start,
                end: start + duration,
            })
            .filter(|s| s.end > from)
            .take(cap)
            .collect())
    }

    /// Whether `at` is the start of an occurrence the rule generates.
    pub fn has_occurrence(&self, at: DateTime<Utc>) -> Result<bool, ScheduleError> {
        Ok(self.starts()?.take_while(|s| *s <= at).any(|s| s == at))
    }

    /// The end of the last occurrence of a bounded series (COUNT/UNTIL); `None` when
    /// unbounded or too long to compute (always safe: it only narrows queries).
    pub fn last_end(&self) -> Result<Option<DateTime<Utc>>, ScheduleError> {
        match &self.rule {
            None => Ok(None),
            Some(rule) if !rule.is_bounded() => Ok(None),
            Some(_) => {
                let mut count = 0;
                let mut last = None;
                for s in self.starts()? {
                    count += 1;
                    last = Some(s);
                }
                Ok(last
                    .filter(|_| count < MAX_SCAN)
                    .map(|s| s + self.duration()))
            }
        }
    }
}

mod occurrence;

pub use occurrence::{
    Exception, Occurrence, next_reminder, occurrences, overlapping_pairs, window,
};

#[cfg(test)]
mod tests;
