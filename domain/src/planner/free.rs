//! Free time: availability windows turned into instants, minus padded busy time,
//! clipped to the window; and the local-time alignment of block starts.

use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, NaiveTime, Timelike, Utc, Weekday};
use chrono_tz::Tz;

use super::place::Limits;
use super::{Availability, PlanInput};
use crate::schedule::resolve_local;

/// A free instant range inside one local day's availability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Slot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The local date whose availability window this is (the daily cap counts here).
    pub day: NaiveDate,
}

/// The free slots still available, sorted by start and disjoint.
#[derive(Debug, Clone)]
pub(super) struct FreeTime {
    pub slots: Vec<Slot>,
    pub tz: Tz,
}

/// Where the window really ends: `to`, clipped to [`super::MAX_WINDOW_DAYS`].
pub(super) fn window_end(input: &PlanInput) -> DateTime<Utc> {
    input
        .to
        .min(input.from + Duration::days(super::MAX_WINDOW_DAYS))
}

impl FreeTime {
    /// Availability of every local day in the window, minus busy time padded by the
    /// break, clipped to `[max(from, now), window end)`.
    pub fn build(input: &PlanInput, limits: &Limits) -> Self {
        let start = input.from.max(input.now);
        let end = window_end(input);
        let mut free = Self {
            slots: windows(input, start, end),
            tz: input.tz,
        };
        free.clip(start, end);
        let pad = minutes(limits.break_minutes);
        for busy in &input.busy {
            if busy.end > busy.start {
                free.remove(busy.start - pad, busy.end + pad);
            }
        }
        free
    }

    /// Removes `[start, end)` from every slot, splitting where it falls inside one.
    pub fn remove(&mut self, start: DateTime<Utc>, end: DateTime<Utc>) {
        let mut kept = Vec::with_capacity(self.slots.len() + 1);
        for slot in self.slots.drain(..) {
            if end <= slot.start || start >= slot.end {
                kept.push(slot);
                continue;
            }
            if slot.start < start {
                kept.push(Slot { end: start, ..slot });
            }
            if end < slot.end {
                kept.push(Slot { start: end, ..slot });
            }
        }
        self.slots = kept;
    }

    fn clip(&mut self, start: DateTime<Utc>, end: DateTime<Utc>) {
        for slot in &mut self.slots {
            slot.start = slot.start.max(start);
            slot.end = slot.end.min(end);
        }
        self.slots.retain(|slot| slot.start < slot.end);
    }
}

/// The availability windows of every local date that can touch `[start, end)`, as
/// instants, sorted, with overlapping windows of the same day merged.
fn windows(input: &PlanInput, start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<Slot> {
    let availability = effective_availability(&input.availability);
    let first = local_date(start, input.tz) - Days::new(1);
    let last = local_date(end, input.tz) + Days::new(1);
    let mut slots = Vec::new();
    for day in first.iter_days().take_while(|day| *day <= last) {
        for window in availability.iter().filter(|w| w.weekday == day.weekday()) {
            let from = resolve_local(input.tz, day.and_time(window.start));
            let to = resolve_local(input.tz, day.and_time(window.end));
            if from < to {
                slots.push(Slot {
                    start: from,
                    end: to,
                    day,
                });
            }
        }
    }
    slots.sort_by_key(|slot| (slot.start, slot.end));
    merge_same_day(slots)
}

fn merge_same_day(slots: Vec<Slot>) -> Vec<Slot> {
    let mut merged: Vec<Slot> = Vec::with_capacity(slots.len());
    for slot in slots {
        match merged.last_mut() {
            Some(last) if last.day == slot.day && slot.start <= last.end => {
                last.end = last.end.max(slot.end);
            }
            _ => merged.push(slot),
        }
    }
    merged
}

/// The user's windows (only well-formed ones), or every day 09:00–21:00 if none.
fn effective_availability(given: &[Availability]) -> Vec<Availability> {
    let mut windows: Vec<Availability> =
        given.iter().filter(|w| w.end > w.start).copied().collect();
    if given.is_empty() {
        let (nine, nine_pm) = (hour(9), hour(21));
        windows = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ]
        .into_iter()
        .map(|weekday| Availability {
            weekday,
            start: nine,
            end: nine_pm,
        })
        .collect();
    }
    windows
}

fn hour(h: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, 0, 0).unwrap_or(NaiveTime::MIN)
}

/// The local calendar date of an instant.
pub(super) fn local_date(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

pub(super) fn minutes(n: u32) -> Duration {
    Duration::minutes(i64::from(n))
}

/// The first instant at or after `at` whose local time is a whole multiple of
/// `granularity` minutes after local midnight. Repeated because moving forward can
/// cross a DST change, after which the local time is off by the change; a zone
/// changes at most once in a few minutes, so two rounds settle it.
pub(super) fn align_up(at: DateTime<Utc>, tz: Tz, granularity: u32) -> DateTime<Utc> {
    let step = i64::from(granularity.max(1)) * 60;
    let mut t = at;
    if t.nanosecond() > 0 {
        t = t.with_nanosecond(0).unwrap_or(t) + Duration::seconds(1);
    }
    for _ in 0..4 {
        let local = t.with_timezone(&tz).time();
        let offset = i64::from(local.num_seconds_from_midnight()) % step;
        if offset == 0 {
            break;
        }
        t += Duration::seconds(step - offset);
    }
    t
}
