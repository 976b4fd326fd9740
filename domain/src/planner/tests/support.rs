//! Builders and brute-force oracles. The oracles look at the input minute by minute
//! and never call into the planner's internals, so a bug in free-time computation
//! cannot hide behind the same bug here.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use uuid::Uuid;

use crate::planner::{
    Availability, Busy, PlanInput, PlanOptions, PlannedBlock, WorkItem, WorkKind,
};

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("test instant")
        .with_timezone(&Utc)
}

pub fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("test time")
}

pub fn window(weekday: Weekday, start: NaiveTime, end: NaiveTime) -> Availability {
    Availability {
        weekday,
        start,
        end,
    }
}

pub fn busy(start: &str, end: &str) -> Busy {
    Busy {
        start: at(start),
        end: at(end),
    }
}

pub fn item(n: u128, minutes: u32, deadline: Option<&str>, priority: u8) -> WorkItem {
    WorkItem {
        id: Uuid::from_u128(n),
        kind: WorkKind::Task,
        title: format!("item {n}"),
        minutes,
        deadline: deadline.map(at),
        priority,
    }
}

/// A plan input in UTC, `now == from`, default availability and options.
pub fn input(from: &str, to: &str, work: Vec<WorkItem>) -> PlanInput {
    PlanInput {
        from: at(from),
        to: at(to),
        now: at(from),
        tz: Tz::UTC,
        availability: Vec::new(),
        busy: Vec::new(),
        work,
        options: PlanOptions::default(),
    }
}

/// `(start, end)` of every block, as RFC 3339 text, for readable assertions.
pub fn spans(blocks: &[PlannedBlock]) -> Vec<(String, String)> {
    let text = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%MZ").to_string();
    blocks
        .iter()
        .map(|b| (text(b.start), text(b.end)))
        .collect()
}

pub fn minutes_of(block: &PlannedBlock) -> i64 {
    (block.end - block.start).num_minutes()
}

/// The windows the planner is meant to use: the user's, or 09:00–21:00 daily.
fn windows_on(input: &PlanInput, weekday: Weekday) -> Vec<(NaiveTime, NaiveTime)> {
    if input.availability.is_empty() {
        return vec![(hm(9, 0), hm(21, 0))];
    }
    let on_day = input.availability.iter().filter(|w| w.weekday == weekday);
    on_day.map(|w| (w.start, w.end)).collect()
}

/// Whether every minute of `[start, end)` is inside an availability window of the
/// local date `start` falls on (checked minute by minute, by local wall time).
pub fn available(input: &PlanInput, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
    let day = start.with_timezone(&input.tz).date_naive();
    let windows = windows_on(input, day.weekday());
    let mut t = start;
    while t < end {
        let local = t.with_timezone(&input.tz);
        let inside = windows
            .iter()
            .any(|&(s, e)| s <= local.time() && local.time() < e);
        if local.date_naive() != day || !inside {
            return false;
        }
        t += Duration::minutes(1);
    }
    true
}

/// Whether `[start, end)` keeps at least `gap` away from `[other_start, other_end)`.
pub fn apart(
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    (other_start, other_end): (DateTime<Utc>, DateTime<Utc>),
    gap: Duration,
) -> bool {
    end + gap <= other_start || other_end + gap <= start
}

/// Which minutes of `[max(from, now), to)` are free for one item alone: inside
/// availability and not within `break` of a busy interval. Built minute by minute.
pub struct FreeMinutes {
    start: DateTime<Utc>,
    free: Vec<bool>,
}

impl FreeMinutes {
    pub fn of(input: &PlanInput) -> Self {
        let gap = Duration::minutes(i64::from(input.options.break_minutes));
        let start = input.from.max(input.now);
        let free = (0..(input.to - start).num_minutes())
            .map(|i| {
                let minute = (
                    start + Duration::minutes(i),
                    start + Duration::minutes(i + 1),
                );
                let clear = input
                    .busy
                    .iter()
                    .all(|b| apart(minute, (b.start, b.end), gap));
                clear && available(input, minute.0, minute.1)
            })
            .collect();
        Self { start, free }
    }

    fn index(&self, t: DateTime<Utc>) -> usize {
        usize::try_from((t - self.start).num_minutes().max(0)).expect("index")
    }

    /// How many free minutes come before `until`.
    pub fn before(&self, until: DateTime<Utc>) -> i64 {
        let end = self.index(until).min(self.free.len());
        self.free[..end].iter().filter(|&&f| f).count() as i64
    }

    /// Whether all of `[t, t + minutes)` is free (and inside the window).
    pub fn all_free(&self, t: DateTime<Utc>, minutes: u32) -> bool {
        let (from, to) = (self.index(t), self.index(t) + minutes as usize);
        t >= self.start && to <= self.free.len() && self.free[from..to].iter().all(|&f| f)
    }
}

/// Whether the local time of `t` is a whole number of `granularity` minutes.
pub fn aligned(t: DateTime<Utc>, tz: Tz, granularity: u32) -> bool {
    let local = t.with_timezone(&tz);
    local.second() == 0 && (local.hour() * 60 + local.minute()).is_multiple_of(granularity)
}

/// Placed minutes per local date.
pub fn daily_minutes<'a>(
    blocks: impl IntoIterator<Item = &'a PlannedBlock>,
    tz: Tz,
) -> BTreeMap<NaiveDate, i64> {
    let mut days = BTreeMap::new();
    for block in blocks {
        *days
            .entry(block.start.with_timezone(&tz).date_naive())
            .or_insert(0) += minutes_of(block);
    }
    days
}

/// The documented placement order, rebuilt independently: EDF, then priority, then id.
pub fn edf_order(work: &[WorkItem]) -> Vec<WorkItem> {
    let mut items = work.to_vec();
    items.sort_by_key(|i| (i.deadline.is_none(), i.deadline, Reverse(i.priority), i.id));
    items
}
