//! The order work is placed in, and the greedy placement of one item.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::free::{FreeTime, Slot, align_up, minutes};
use super::{PlanOptions, PlannedBlock, WorkItem};

/// [`PlanOptions`] made consistent: granularity and maximum block at least one
/// minute, minimum block between one minute and the maximum.
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    pub max_block: u32,
    pub min_block: u32,
    pub break_minutes: u32,
    pub max_daily: u32,
    pub granularity: u32,
}

impl From<PlanOptions> for Limits {
    fn from(o: PlanOptions) -> Self {
        let max_block = o.max_block_minutes.max(1);
        Self {
            max_block,
            min_block: o.min_block_minutes.clamp(1, max_block),
            break_minutes: o.break_minutes,
            max_daily: o.max_daily_minutes,
            granularity: o.slot_granularity_minutes.max(1),
        }
    }
}

/// Work in placement order: deadlines first, earliest first (EDF), then higher
/// priority, then smaller id; the remaining fields only break ties between
/// duplicate ids, so that shuffling the input never changes the plan.
pub(super) fn ordered(work: &[WorkItem]) -> Vec<&WorkItem> {
    let mut items: Vec<&WorkItem> = work.iter().filter(|item| item.minutes > 0).collect();
    items.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    items
}

type SortKey<'a> = (
    bool,
    Option<DateTime<Utc>>,
    Reverse<u8>,
    uuid::Uuid,
    u32,
    super::WorkKind,
    &'a str,
);

fn sort_key(item: &WorkItem) -> SortKey<'_> {
    (
        item.deadline.is_none(),
        item.deadline,
        Reverse(item.priority),
        item.id,
        item.minutes,
        item.kind,
        &item.title,
    )
}

/// What placing one item produced.
pub(super) struct Placed {
    pub blocks: Vec<PlannedBlock>,
    pub missing: u32,
    pub deadline_passed: bool,
}

/// Minutes already placed per local day, shared by all items.
#[derive(Debug, Default)]
pub(super) struct DailyUse(BTreeMap<NaiveDate, u32>);

impl DailyUse {
    fn left(&self, day: NaiveDate, cap: u32) -> u32 {
        cap.saturating_sub(self.0.get(&day).copied().unwrap_or(0))
    }

    fn add(&mut self, day: NaiveDate, used: u32) {
        *self.0.entry(day).or_insert(0) += used;
    }
}

/// Places `item` greedily in the earliest free time (see the module docs of
/// [`super`]), taking each block and its surrounding breaks out of `free`.
pub(super) fn place_item(
    item: &WorkItem,
    now: DateTime<Utc>,
    free: &mut FreeTime,
    daily: &mut DailyUse,
    limits: &Limits,
) -> Placed {
    if item.deadline.is_some_and(|deadline| deadline <= now) {
        return Placed {
            blocks: Vec::new(),
            missing: item.minutes,
            deadline_passed: true,
        };
    }
    let mut blocks = Vec::new();
    let mut remaining = item.minutes;
    let mut index = 0;
    while remaining > 0 {
        let Some(slot) = free.slots.get(index).copied() else {
            break;
        };
        if item.deadline.is_some_and(|deadline| slot.start >= deadline) {
            break;
        }
        // Not advancing `index` after placing: the slot's remainder is looked at next.
        match fit(&slot, item, remaining, free, daily, limits) {
            Some((start, length)) => {
                let end = start + minutes(length);
                let pad = minutes(limits.break_minutes);
                free.remove(start - pad, end + pad);
                daily.add(slot.day, length);
                remaining -= length;
                blocks.push(block(item, start, end));
            }
            None => index += 1,
        }
    }
    Placed {
        blocks,
        missing: remaining,
        deadline_passed: false,
    }
}

/// The block of `item` that fits at the earliest aligned start of `slot`, if any.
/// A later start in the same slot never has more room, so `None` means skip it.
fn fit(
    slot: &Slot,
    item: &WorkItem,
    remaining: u32,
    free: &FreeTime,
    daily: &DailyUse,
    limits: &Limits,
) -> Option<(DateTime<Utc>, u32)> {
    let start = align_up(slot.start, free.tz, limits.granularity);
    let end = item
        .deadline
        .map_or(slot.end, |deadline| slot.end.min(deadline));
    let room = u32::try_from((end - start).num_minutes()).unwrap_or(0);
    let length = room
        .min(limits.max_block)
        .min(daily.left(slot.day, limits.max_daily))
        .min(remaining);
    let acceptable = length >= limits.min_block || length == remaining;
    (length > 0 && acceptable).then_some((start, length))
}

fn block(item: &WorkItem, start: DateTime<Utc>, end: DateTime<Utc>) -> PlannedBlock {
    PlannedBlock {
        item_id: item.id,
        kind: item.kind,
        title: item.title.clone(),
        start,
        end,
    }
}
