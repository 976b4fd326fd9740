//! The study-schedule planner: given when a user is willing to study, what is
//! already on their calendar and what needs time, lay out study blocks. Pure and
//! deterministic: no I/O, no clock (callers pass `now`), no randomness; the same
//! input gives the same [`Plan`] whatever the order of the input vectors.
//!
//! # Algorithm
//!
//! 1. **Free time** (`free.rs`). Each availability window is a local wall-clock range
//!    on a weekday; for every local date touching the window it becomes an instant
//!    range through [`crate::schedule::resolve_local`] (a nonexistent local time moves
//!    forward by the DST gap, an ambiguous one takes the earlier instant). Overlapping
//!    windows of the same day merge. Busy intervals, padded by `break_minutes` on both
//!    sides, are cut out, and everything is clipped to `[max(from, now), to)`. Each
//!    free interval remembers its local date, which the daily cap counts against.
//! 2. **Order** (`place.rs`). Items with a deadline come first, earliest deadline first
//!    (EDF), then higher priority, then smaller id; items without a deadline follow by
//!    priority, then id. EDF is the order that never misses a deadline that some
//!    order could meet (for one machine with preemption), which is why it is used.
//! 3. **Greedy placement** (`place.rs`). For each item in turn, walk the free intervals
//!    from the earliest: start at the first instant aligned to the granularity in
//!    local time, place a block as long as the interval, `max_block_minutes`, the
//!    day's remaining cap, the item's remaining time and (if any) its deadline allow.
//!    A block shorter than `min_block_minutes` is placed only when it finishes the
//!    item; otherwise the interval is skipped (a later start in the same interval can
//!    only have less room). Each placed block removes itself **plus** `break_minutes`
//!    on both sides from the free time, so later blocks, of any item, keep the break.
//! 4. **Report**. Whatever part of an item fits is placed (before its deadline); the
//!    rest is an [`Unplaced`] entry with the reason. A deadline at or before `now` is
//!    [`UnplacedReason::DeadlinePassed`] and nothing of that item is placed.
//!
//! What is guaranteed: with no block overheads (no break, one-minute granularity, no
//! block or daily limits) this is plain EDF, so every deadline is met whenever the
//! cumulative demand, in deadline order, fits in the free time before each deadline.
//! With the overheads it is a greedy heuristic: an item left short of its deadline
//! had no legal slot left before it once the items ahead of it were placed, but a
//! cleverer split of blocks could sometimes have packed more. Both are tested as
//! properties over generated scenarios.
//!
//! Degenerate options are normalised rather than rejected, so a plan always comes
//! back: a zero granularity or maximum block counts as one minute, and the minimum
//! block is kept between one minute and the maximum block. The window is clipped to
//! [`MAX_WINDOW_DAYS`] after `from`, which bounds the work one call can cause.

mod free;
mod place;
#[cfg(test)]
mod tests;

use chrono::{DateTime, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The longest window (after `from`) a plan covers; the rest is ignored.
pub const MAX_WINDOW_DAYS: i64 = 31;

/// Everything the planner needs: the window, the user's zone and calendar, and the
/// work to place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanInput {
    /// Window start (inclusive).
    pub from: DateTime<Utc>,
    /// Window end (exclusive); at most [`MAX_WINDOW_DAYS`] after `from` is used.
    pub to: DateTime<Utc>,
    /// Nothing is placed before `max(from, now)`.
    pub now: DateTime<Utc>,
    /// The user's zone: availability, granularity and daily caps are local.
    #[serde(with = "tz_name")]
    pub tz: chrono_tz::Tz,
    /// When the user is willing to study; empty means every day 09:00–21:00 local.
    pub availability: Vec<Availability>,
    /// Existing calendar occurrences (already expanded); never overlapped.
    pub busy: Vec<Busy>,
    /// What needs time.
    pub work: Vec<WorkItem>,
    /// Block sizes, breaks and caps.
    pub options: PlanOptions,
}

/// A weekly local wall-clock window (`end > start`, same day; others are ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    pub weekday: Weekday,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// An instant range already taken (a class, a planned event).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Busy {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// What a piece of work is, so clients can link a block back to its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkKind {
    Task,
    CourseTopic,
    Goal,
}

/// Something that needs study time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkItem {
    pub id: Uuid,
    pub kind: WorkKind,
    pub title: String,
    /// Total time needed.
    pub minutes: u32,
    /// Must be finished by then if at all feasible; no block ends after it.
    pub deadline: Option<DateTime<Utc>>,
    /// 0 low .. 3 urgent; higher goes first among equal deadlines.
    pub priority: u8,
}

/// Tuning of the blocks the planner lays out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanOptions {
    /// Longest block; longer work is split.
    pub max_block_minutes: u32,
    /// Shortest block, unless it finishes the item.
    pub min_block_minutes: u32,
    /// Gap kept between placed blocks, and between a placed block and a busy interval.
    pub break_minutes: u32,
    /// Most placed study per local day.
    pub max_daily_minutes: u32,
    /// Block starts fall on multiples of this many minutes after local midnight.
    pub slot_granularity_minutes: u32,
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self {
            max_block_minutes: 90,
            min_block_minutes: 25,
            break_minutes: 15,
            max_daily_minutes: 240,
            slot_granularity_minutes: 15,
        }
    }
}

/// One study block of one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedBlock {
    pub item_id: Uuid,
    pub kind: WorkKind,
    pub title: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Why (part of) an item found no time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnplacedReason {
    /// Not enough free time between now and the deadline (which is inside the window).
    NoTimeBeforeDeadline,
    /// Not enough free time in the window (no deadline, or one at or after `to`).
    NoTimeInWindow,
    /// The deadline is at or before `now`: nothing was placed.
    DeadlinePassed,
}

/// The part of an item the plan could not fit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unplaced {
    pub item_id: Uuid,
    pub title: String,
    pub minutes_missing: u32,
    pub reason: UnplacedReason,
}

/// The planner's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Sorted by start; never overlapping each other or a busy interval.
    pub blocks: Vec<PlannedBlock>,
    /// In placement order (EDF, then priority, then id).
    pub unplaced: Vec<Unplaced>,
    /// Sum of the blocks' lengths.
    pub total_minutes: u32,
}

/// Lays out study blocks for `input` (see the module docs for the algorithm).
#[must_use]
pub fn plan(input: &PlanInput) -> Plan {
    let options = place::Limits::from(input.options);
    let mut free = free::FreeTime::build(input, &options);
    let mut daily = place::DailyUse::default();
    let mut blocks = Vec::new();
    let mut unplaced = Vec::new();
    for item in place::ordered(&input.work) {
        let placed = place::place_item(item, input.now, &mut free, &mut daily, &options);
        if placed.missing > 0 {
            unplaced.push(Unplaced {
                item_id: item.id,
                title: item.title.clone(),
                minutes_missing: placed.missing,
                reason: reason(item, input, placed.deadline_passed),
            });
        }
        blocks.extend(placed.blocks);
    }
    blocks.sort_by_key(|b| (b.start, b.item_id));
    let total_minutes = blocks.iter().map(block_minutes).sum();
    Plan {
        blocks,
        unplaced,
        total_minutes,
    }
}

fn reason(item: &WorkItem, input: &PlanInput, deadline_passed: bool) -> UnplacedReason {
    match item.deadline {
        _ if deadline_passed => UnplacedReason::DeadlinePassed,
        Some(deadline) if deadline < free::window_end(input) => {
            UnplacedReason::NoTimeBeforeDeadline
        }
        _ => UnplacedReason::NoTimeInWindow,
    }
}

fn block_minutes(block: &PlannedBlock) -> u32 {
    u32::try_from((block.end - block.start).num_minutes()).unwrap_or(0)
}

/// Serialises a zone as its IANA name (`Europe/Berlin`), the way the API spells it.
mod tz_name {
    use std::str::FromStr;

    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(tz: &chrono_tz::Tz, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(tz.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<chrono_tz::Tz, D::Error> {
        let name = String::deserialize(d)?;
        chrono_tz::Tz::from_str(&name).map_err(D::Error::custom)
    }
}
