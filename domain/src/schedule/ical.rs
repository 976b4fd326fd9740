//! The iCalendar (RFC 5545) feed: a VCALENDAR of a user's schedule blocks and due
//! tasks, written by hand (the format is small; folding and escaping are the only
//! subtle parts and are tested here).
//!
//! Choices:
//! * one-off blocks and every date-time that names an instant (DTSTAMP, EXDATE,
//!   RECURRENCE-ID, moved occurrences) are written in UTC (`...Z`), which needs no
//!   time-zone definition;
//! * recurring blocks are written with `TZID=<IANA name>` local times, so clients
//!   expand the RRULE on the local wall clock as we do; each zone used gets a
//!   VTIMEZONE whose STANDARD/DAYLIGHT sub-components are the zone's actual
//!   transitions (from chrono-tz) from the year before the earliest block through ten
//!   years ahead; past that, clients keep the last offset;
//! * cancelled occurrences are EXDATEs; moved or retitled ones are VEVENTs with the
//!   series' UID and a RECURRENCE-ID;
//! * a pending task with a due date is a VEVENT: all-day on its due date, or an
//!   instantaneous event at its due time (no DTEND).

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};
use uuid::Uuid;

use super::{Exception, Series};

/// How many years of time-zone transitions VTIMEZONE carries past `now`.
const VTIMEZONE_YEARS_AHEAD: i32 = 10;

/// A schedule block to write.
#[derive(Debug, Clone)]
pub struct FeedBlock {
    pub id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub series: Series,
    pub exceptions: Vec<Exception>,
    pub updated_at: DateTime<Utc>,
}

/// When a task is due.
#[derive(Debug, Clone, Copy)]
pub enum Due {
    At(DateTime<Utc>),
    Day(NaiveDate),
}

/// A pending task with a due date.
#[derive(Debug, Clone)]
pub struct FeedTask {
    pub id: Uuid,
    pub title: String,
    pub due: Due,
    pub updated_at: DateTime<Utc>,
}

/// The whole VCALENDAR, CRLF line ends, folded at 75 octets.
#[must_use]
pub fn render(blocks: &[FeedBlock], tasks: &[FeedTask], now: DateTime<Utc>) -> String {
    let mut out = Lines::default();
    out.push("BEGIN:VCALENDAR");
    out.push("VERSION:2.0");
    out.push("PRODID:-//Maigie//Schedule feed//EN");
    out.push("CALSCALE:GREGORIAN");
    out.push("METHOD:PUBLISH");
    out.push("X-WR-CALNAME:Maigie");
    let zones: BTreeSet<&str> = blocks
        .iter()
        .filter(|b| uses_tzid(&b.series))
        .map(|b| b.series.tz.name())
        .collect();
    for name in zones {
        let Some(first) = blocks
            .iter()
            .filter(|b| b.series.tz.name() == name)
            .map(|b| b.series.start.year())
            .min()
        else {
            continue;
        };
        if let Ok(tz) = name.parse::<Tz>() {
            // Transitions from the year before the first block, but no further back than
            // a few years: clients keep the earliest offset for older instances.
            let from = (first - 1).max(now.year() - 5);
            vtimezone(&mut out, tz, from, now.year() + VTIMEZONE_YEARS_AHEAD);
        }
    }
    for block in blocks {
        vevent_block(&mut out, block);
    }
    for task in tasks {
        vevent_task(&mut out, task);
    }
    out.push("END:VCALENDAR");
    out.0
}

fn uses_tzid(series: &Series) -> bool {
    series.rule.is_some() && series.tz != Tz::UTC
}

/// Folded, CRLF-terminated content lines.
#[derive(Default)]
struct Lines(String);

impl Lines {
    fn push(&mut self, line: &str) {
        fold_into(&mut self.0, line);
    }
}

/// Appends `line` folded at 75 octets (never inside a UTF-8 sequence) plus CRLF.
fn fold_into(out: &mut String, line: &str) {
    let mut width = 0;
    for ch in line.chars() {
        let len = ch.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += len;
    }
    out.push_str("\r\n");
}

/// TEXT value escaping (RFC 5545 §3.3.11).
#[must_use]
pub fn escape_text(raw: &str) -> String {
    let mut s = String::with_capacity(raw.len());
    for ch in raw.chars() {
        match ch {
            '\\' => s.push_str("\\\\"),
            ';' => s.push_str("\\;"),
            ',' => s.push_str("\\,"),
            '\n' => s.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => s.push(c),
        }
    }
    s
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn local(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y%m%dT%H%M%S").to_string()
}

fn vevent_block(out: &mut Lines, block: &FeedBlock) {
    let s = &block.series;
    let uid = format!("UID:{}@maigie", block.id);
    out.push("BEGIN:VEVENT");
    out.push(&uid);
    out.push(&format!("DTSTAMP:{}", utc(block.updated_at)));
    if uses_tzid(s) {
        let name = s.tz.name();
        out.push(&format!("DTSTART;TZID={name}:{}", local(s.start, s.tz)));
        out.push(&format!("DTEND;TZID={name}:{}", local(s.end, s.tz)));
    } else {
        out.push(&format!("DTSTART:{}", utc(s.start)));
        out.push(&format!("DTEND:{}", utc(s.end)));
    }
    if let Some(rule) = &s.rule {
        out.push(&format!("RRULE:{rule}"));
        for e in block.exceptions.iter().filter(|e| e.cancelled) {
            out.push(&format!("EXDATE:{}", utc(e.occurrence_start)));
        }
    }
    out.push(&format!("SUMMARY:{}", escape_text(&block.title)));
    if let Some(d) = &block.description {
        out.push(&format!("DESCRIPTION:{}", escape_text(d)));
    }
    out.push("END:VEVENT");
    if s.rule.is_none() {
        return;
    }
    for e in &block.exceptions {
        if e.cancelled || (e.moved_to.is_none() && e.title.is_none()) {
            continue;
        }
        let span = e.moved_to.unwrap_or(super::Span {
            start: e.occurrence_start,
            end: e.occurrence_start + s.duration(),
        });
        out.push("BEGIN:VEVENT");
        out.push(&uid);
        out.push(&format!("DTSTAMP:{}", utc(block.updated_at)));
        out.push(&format!("RECURRENCE-ID:{}", utc(e.occurrence_start)));
        out.push(&format!("DTSTART:{}", utc(span.start)));
        out.push(&format!("DTEND:{}", utc(span.end)));
        let title = e.title.as_deref().unwrap_or(&block.title);
        out.push(&format!("SUMMARY:{}", escape_text(title)));
        out.push("END:VEVENT");
    }
}

fn vevent_task(out: &mut Lines, task: &FeedTask) {
    out.push("BEGIN:VEVENT");
    out.push(&format!("UID:task-{}@maigie", task.id));
    out.push(&format!("DTSTAMP:{}", utc(task.updated_at)));
    match task.due {
        Due::At(t) => out.push(&format!("DTSTART:{}", utc(t))),
        Due::Day(d) => {
            out.push(&format!("DTSTART;VALUE=DATE:{}", d.format("%Y%m%d")));
            let next = d.succ_opt().unwrap_or(d);
            out.push(&format!("DTEND;VALUE=DATE:{}", next.format("%Y%m%d")));
        }
    }
    out.push(&format!(
        "SUMMARY:{}",
        escape_text(&format!("Due: {}", task.title))
    ));
    out.push("TRANSP:TRANSPARENT");
    out.push("END:VEVENT");
}

/// One offset period of a zone.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Period {
    offset: i32,
    dst: bool,
    name: String,
}

fn period_at(tz: Tz, t: DateTime<Utc>) -> Period {
    let o = tz.offset_from_utc_datetime(&t.naive_utc());
    Period {
        offset: o.fix().local_minus_utc(),
        dst: !o.dst_offset().is_zero(),
        name: o.abbreviation().unwrap_or("").to_owned(),
    }
}

/// The zone's transitions in `[from_year, to_year]`: (instant, period before,
/// period after), found by a daily scan and a bisection to the second.
fn transitions(tz: Tz, from_year: i32, to_year: i32) -> Vec<(DateTime<Utc>, Period, Period)> {
    let (Some(mut t), Some(end)) = (
        Utc.with_ymd_and_hms(from_year, 1, 1, 0, 0, 0).single(),
        Utc.with_ymd_and_hms(to_year + 1, 1, 1, 0, 0, 0).single(),
    ) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut current = period_at(tz, t);
    while t < end {
        let next = t + Duration::days(1);
        let p = period_at(tz, next);
        if p != current {
            // Invariant: period_at(lo) == current, period_at(hi) != current.
            let (mut lo, mut hi) = (t, next);
            while hi - lo > Duration::seconds(1) {
                let mid = lo + (hi - lo) / 2;
                if period_at(tz, mid) == current {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let after = period_at(tz, hi);
            found.push((hi, current, after.clone()));
            current = after;
        }
        t = next;
    }
    found
}

fn offset_text(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    let (h, m, s) = (a / 3600, a / 60 % 60, a % 60);
    if s == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{s:02}")
    }
}

fn vtimezone(out: &mut Lines, tz: Tz, from_year: i32, to_year: i32) {
    out.push("BEGIN:VTIMEZONE");
    out.push(&format!("TZID:{}", tz.name()));
    let Some(start) = Utc.with_ymd_and_hms(from_year, 1, 1, 0, 0, 0).single() else {
        out.push("END:VTIMEZONE");
        return;
    };
    let initial = period_at(tz, start);
    // The first sub-component covers everything before the first transition.
    sub_component(out, start, &initial, &initial);
    for (at, before, after) in transitions(tz, from_year, to_year) {
        sub_component(out, at, &before, &after);
    }
    out.push("END:VTIMEZONE");
}

fn sub_component(out: &mut Lines, at: DateTime<Utc>, before: &Period, after: &Period) {
    let kind = if after.dst { "DAYLIGHT" } else { "STANDARD" };
    // DTSTART is the onset in local time as it was before the change (TZOFFSETFROM).
    let onset = at.naive_utc() + Duration::seconds(i64::from(before.offset));
    out.push(&format!("BEGIN:{kind}"));
    out.push(&format!("DTSTART:{}", onset.format("%Y%m%dT%H%M%S")));
    out.push(&format!("TZOFFSETFROM:{}", offset_text(before.offset)));
    out.push(&format!("TZOFFSETTO:{}", offset_text(after.offset)));
    if !after.name.is_empty() {
        out.push(&format!("TZNAME:{}", escape_text(&after.name)));
    }
    out.push(&format!("END:{kind}"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape_text("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        let line = format!("SUMMARY:{}", "é".repeat(60));
        fold_into(&mut out, &line);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{line}\r\n"));
    }

    #[test]
    fn london_2026_transitions_are_found_to_the_second() {
        let t = transitions(Tz::Europe__London, 2026, 2026);
        let at: Vec<String> = t.iter().map(|(at, _, _)| utc(*at)).collect();
        assert_eq!(at, ["20260329T010000Z", "20261025T010000Z"]);
        assert_eq!((t[0].1.offset, t[0].2.offset), (0, 3600));
        assert!(t[0].2.dst && !t[1].2.dst);
        assert_eq!(t[0].2.name, "BST");
    }

    #[test]
    fn offsets_are_formatted_with_sign() {
        assert_eq!(offset_text(-18_000), "-0500");
        assert_eq!(offset_text(19_800), "+0530");
        assert_eq!(offset_text(-75), "-000115");
    }
}
