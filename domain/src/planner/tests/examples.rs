//! Worked examples in UTC (so the arithmetic is easy to follow): blocks, breaks,
//! caps, deadlines, priorities, `now`, and the JSON shape.

use super::support::{at, busy, input, item, spans};
use crate::planner::{Plan, PlanOptions, Unplaced, UnplacedReason, WorkKind, plan};

fn s(start: &str, end: &str) -> (String, String) {
    (format!("2027-01-04T{start}Z"), format!("2027-01-04T{end}Z"))
}

const MON_9: &str = "2027-01-04T09:00:00Z";
const TUE_0: &str = "2027-01-05T00:00:00Z";

#[test]
fn long_work_is_split_into_max_blocks_with_breaks_and_a_short_final_block() {
    let plan = plan(&input(MON_9, TUE_0, vec![item(1, 200, None, 0)]));
    let expected = [
        s("09:00", "10:30"),
        s("10:45", "12:15"),
        s("12:30", "12:50"),
    ];
    assert_eq!(spans(&plan.blocks), expected);
    assert_eq!(plan.total_minutes, 200);
    assert!(plan.unplaced.is_empty());
}

#[test]
fn a_break_is_kept_on_both_sides_of_a_busy_interval() {
    let mut input = input(MON_9, TUE_0, vec![item(1, 120, None, 0)]);
    input.busy = vec![busy("2027-01-04T10:00:00Z", "2027-01-04T11:00:00Z")];
    let plan = plan(&input);
    assert_eq!(
        spans(&plan.blocks),
        [s("09:00", "09:45"), s("11:15", "12:30")]
    );
}

#[test]
fn a_gap_shorter_than_the_minimum_block_is_left_to_work_that_fits_it_exactly() {
    let mut input = input(
        MON_9,
        TUE_0,
        vec![item(1, 60, None, 3), item(2, 20, None, 0)],
    );
    // Padded by the break, these leave 09:45–10:05 free: 20 minutes.
    input.busy = vec![
        busy("2027-01-04T09:00:00Z", "2027-01-04T09:30:00Z"),
        busy("2027-01-04T10:20:00Z", "2027-01-04T11:00:00Z"),
    ];
    let plan = plan(&input);
    assert_eq!(
        spans(&plan.blocks),
        [s("09:45", "10:05"), s("11:15", "12:15")]
    );
    assert_eq!(plan.blocks[0].item_id, item(2, 0, None, 0).id);
}

#[test]
fn placed_study_stops_at_the_daily_cap_and_continues_the_next_day() {
    let plan = plan(&input(
        MON_9,
        "2027-01-08T00:00:00Z",
        vec![item(1, 600, None, 0)],
    ));
    let per_day = super::support::daily_minutes(&plan.blocks, chrono_tz::Tz::UTC);
    assert_eq!(
        per_day.values().copied().collect::<Vec<_>>(),
        [240, 240, 120]
    );
    assert_eq!(
        spans(&plan.blocks[..3]),
        [
            s("09:00", "10:30"),
            s("10:45", "12:15"),
            s("12:30", "13:30")
        ]
    );
}

#[test]
fn the_earlier_deadline_goes_first_even_against_a_higher_priority() {
    let work = vec![
        item(1, 90, Some("2027-01-04T18:00:00Z"), 3),
        item(2, 150, Some("2027-01-04T12:00:00Z"), 0),
    ];
    let plan = plan(&input(MON_9, TUE_0, work));
    assert!(plan.unplaced.is_empty(), "{:?}", plan.unplaced);
    assert_eq!(
        spans(&plan.blocks),
        [
            s("09:00", "10:30"),
            s("10:45", "11:45"),
            s("12:00", "13:30")
        ]
    );
    assert_eq!(plan.blocks[2].item_id, item(1, 0, None, 0).id);
}

#[test]
fn an_infeasible_deadline_places_what_fits_before_it_and_reports_the_rest() {
    let plan = plan(&input(
        MON_9,
        TUE_0,
        vec![item(1, 300, Some("2027-01-04T12:00:00Z"), 0)],
    ));
    assert_eq!(
        spans(&plan.blocks),
        [s("09:00", "10:30"), s("10:45", "12:00")]
    );
    let missing = Unplaced {
        item_id: item(1, 0, None, 0).id,
        title: "item 1".into(),
        minutes_missing: 135,
        reason: UnplacedReason::NoTimeBeforeDeadline,
    };
    assert_eq!(plan.unplaced, [missing]);
}

#[test]
fn a_deadline_at_or_before_now_places_nothing_and_says_so() {
    let mut input = input(
        MON_9,
        TUE_0,
        vec![
            item(1, 60, Some("2027-01-04T09:30:00Z"), 3),
            item(2, 45, Some("2027-01-04T10:00:00Z"), 3),
        ],
    );
    input.now = at("2027-01-04T10:00:00Z");
    let plan = plan(&input);
    assert!(plan.blocks.is_empty());
    let reasons: Vec<_> = plan
        .unplaced
        .iter()
        .map(|u| (u.minutes_missing, u.reason))
        .collect();
    assert_eq!(
        reasons,
        [
            (60, UnplacedReason::DeadlinePassed),
            (45, UnplacedReason::DeadlinePassed)
        ]
    );
}

#[test]
fn work_without_a_deadline_or_due_after_the_window_is_missing_time_in_the_window() {
    let mut input = input(
        MON_9,
        "2027-01-04T10:30:00Z",
        vec![
            item(1, 60, None, 3),
            item(2, 120, Some("2027-02-01T00:00:00Z"), 0),
        ],
    );
    input.options.break_minutes = 0;
    let plan = plan(&input);
    assert_eq!(spans(&plan.blocks), [s("09:00", "10:30")]);
    let reasons: Vec<_> = plan
        .unplaced
        .iter()
        .map(|u| (u.item_id.as_u128(), u.minutes_missing, u.reason))
        .collect();
    let expected = [
        (2, 30, UnplacedReason::NoTimeInWindow),
        (1, 60, UnplacedReason::NoTimeInWindow),
    ];
    assert_eq!(reasons, expected);
}

#[test]
fn work_without_a_deadline_fills_the_remaining_time_by_priority_then_id() {
    let work = vec![
        item(3, 60, None, 1),
        item(5, 60, None, 3),
        item(9, 60, Some("2027-01-04T20:00:00Z"), 0),
        item(4, 60, None, 3),
    ];
    let mut input = input(MON_9, TUE_0, work);
    input.options.max_daily_minutes = 1_000;
    let plan = plan(&input);
    let order: Vec<u128> = plan.blocks.iter().map(|b| b.item_id.as_u128()).collect();
    assert_eq!(order, [9, 4, 5, 3]);
    assert_eq!(spans(&plan.blocks)[3], s("12:45", "13:45"));
}

#[test]
fn nothing_is_placed_before_now_and_the_first_start_is_aligned() {
    let mut input = input(MON_9, TUE_0, vec![item(1, 60, None, 0)]);
    input.now = at("2027-01-04T13:37:00Z");
    assert_eq!(spans(&plan(&input).blocks), [s("13:45", "14:45")]);
}

#[test]
fn the_window_is_clipped_to_31_days_after_from() {
    let plan = plan(&input(
        MON_9,
        "2027-06-01T00:00:00Z",
        vec![item(1, 100_000, None, 0)],
    ));
    let last = plan.blocks.last().expect("blocks").end;
    assert!(last <= at("2027-02-04T09:00:00Z"), "{last}");
    assert_eq!(plan.total_minutes, 31 * 240);
}

#[test]
fn degenerate_options_and_empty_work_still_give_a_plan() {
    let mut input = input(
        MON_9,
        TUE_0,
        vec![item(1, 0, None, 0), item(2, 30, None, 0)],
    );
    input.options = PlanOptions {
        max_block_minutes: 0,
        min_block_minutes: 50,
        break_minutes: 0,
        max_daily_minutes: 3,
        slot_granularity_minutes: 0,
    };
    let plan = plan(&input);
    assert_eq!(
        spans(&plan.blocks),
        [
            s("09:00", "09:01"),
            s("09:01", "09:02"),
            s("09:02", "09:03")
        ]
    );
    assert_eq!(plan.unplaced.len(), 1, "zero-minute work is never unplaced");
}

#[test]
fn the_plan_serialises_with_snake_case_kinds_and_reasons_and_round_trips() {
    let mut input = input(MON_9, "2027-01-04T10:00:00Z", vec![item(1, 120, None, 2)]);
    input.work[0].kind = WorkKind::CourseTopic;
    input.tz = chrono_tz::Tz::Europe__Berlin;
    let json = serde_json::to_value(&input).expect("serialise");
    assert_eq!(json["tz"], "Europe/Berlin");
    assert_eq!(json["work"][0]["kind"], "course_topic");
    let back: crate::planner::PlanInput = serde_json::from_value(json).expect("deserialise");
    assert_eq!(back, input);

    let plan = plan(&input);
    let json = serde_json::to_value(&plan).expect("serialise");
    assert_eq!(json["unplaced"][0]["reason"], "no_time_in_window");
    assert_eq!(
        serde_json::from_value::<Plan>(json).expect("deserialise"),
        plan
    );
}

#[test]
fn options_missing_from_json_take_the_defaults() {
    let options: PlanOptions = serde_json::from_str(r#"{"max_block_minutes": 60}"#).expect("parse");
    assert_eq!(
        options,
        PlanOptions {
            max_block_minutes: 60,
            ..PlanOptions::default()
        }
    );
}
