//! The caller's "now" in the user's zone, and the conversions from local wall-clock
//! dates and times to the UTC instants the tools take.

use chrono::{
    DateTime, Datelike, Days, Months, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, Utc,
    Weekday,
};
use chrono_tz::Tz;
use serde_json::{Map, Value};

use crate::schedule::resolve_local;

/// "Now" as the message is read: the instant and its local wall-clock reading.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    pub now: DateTime<Utc>,
    pub tz: Tz,
    pub local: NaiveDateTime,
}

impl Clock {
    pub fn new(now: DateTime<Utc>, tz: Tz) -> Self {
        Self {
            now,
            tz,
            local: now.with_timezone(&tz).naive_local(),
        }
    }

    /// The user's local date.
    pub fn today(&self) -> NaiveDate {
        self.local.date()
    }

    /// The instant a local wall-clock time means. Same DST policy as the schedule
    /// (`resolve_local`): a time in a spring-forward gap moves forward by the gap,
    /// an ambiguous one takes the earlier instant, so the parser never fails on them.
    pub fn instant(&self, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        resolve_local(self.tz, day.and_time(time))
    }

    /// The instant the local day begins.
    pub fn day_start(&self, day: NaiveDate) -> DateTime<Utc> {
        self.instant(day, NaiveTime::MIN)
    }

    /// Americans write 12/24 month first; everyone else 24/12.
    pub fn dialect(&self) -> interim::Dialect {
        if self.tz.name().starts_with("America/") || self.tz.name().starts_with("US/") {
            interim::Dialect::Us
        } else {
            interim::Dialect::Uk
        }
    }
}

/// When something is due: a whole local day, or an instant (a time of day was given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Due {
    On(NaiveDate),
    At(DateTime<Utc>),
}

impl Due {
    /// Writes `due_date` or `due_at` (never both) into a tool's arguments.
    pub fn write(self, args: &mut Map<String, Value>) {
        match self {
            Self::On(d) => args.insert("due_date".into(), ymd(d).into()),
            Self::At(t) => args.insert("due_at".into(), rfc3339(t).into()),
        };
    }

    /// The local date the due falls on.
    pub fn date(self, tz: Tz) -> NaiveDate {
        match self {
            Self::On(d) => d,
            Self::At(t) => t.with_timezone(&tz).date_naive(),
        }
    }
}

/// An instant as the tools take it: RFC 3339 in UTC with a `Z`, whole seconds.
pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A local date as the tools take it.
pub(crate) fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A weekday by name. Only abbreviations that are not also English words count:
/// "sat", "sun" and "wed" would turn "SAT prep" into a Saturday.
pub(crate) fn weekday(key: &str) -> Option<Weekday> {
    Some(match key {
        "monday" | "mon" => Weekday::Mon,
        "tuesday" | "tue" | "tues" => Weekday::Tue,
        "wednesday" => Weekday::Wed,
        "thursday" | "thu" | "thur" | "thurs" => Weekday::Thu,
        "friday" | "fri" => Weekday::Fri,
        "saturday" => Weekday::Sat,
        "sunday" => Weekday::Sun,
        _ => return None,
    })
}

/// The first `day` on or after `from` (`strictly`: after it).
pub(crate) fn next_weekday(from: NaiveDate, day: Weekday, strictly: bool) -> NaiveDate {
    let ahead = (7 + day.num_days_from_monday() - from.weekday().num_days_from_monday()) % 7;
    let ahead = if ahead == 0 && strictly { 7 } else { ahead };
    add_days(from, i64::from(ahead))
}

/// The Monday that starts the ISO week after `d`'s (weeks end on Sunday night).
pub(crate) fn next_monday(d: NaiveDate) -> NaiveDate {
    next_weekday(d, Weekday::Mon, true)
}

/// `d` moved by whole days, saturating at chrono's range instead of panicking.
pub(crate) fn add_days(d: NaiveDate, n: i64) -> NaiveDate {
    let step = Days::new(n.unsigned_abs());
    let moved = if n >= 0 {
        d.checked_add_days(step)
    } else {
        d.checked_sub_days(step)
    };
    moved.unwrap_or(d)
}

/// `d` moved by whole months (the 31st becomes the month's last day), saturating.
pub(crate) fn add_months(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_months(Months::new(n)).unwrap_or(d)
}

/// The last day of `d`'s month.
pub(crate) fn month_end(d: NaiveDate) -> NaiveDate {
    let first = d.with_day(1).unwrap_or(d);
    add_days(add_months(first, 1), -1)
}
