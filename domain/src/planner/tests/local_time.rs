//! Availability, alignment and daily caps are local wall-clock; these check the
//! conversion to instants in real zones, across DST changes.

use chrono::Weekday::{self, Mon, Sun};
use chrono_tz::Tz;

use super::support::{at, daily_minutes, hm, item, spans, window};
use crate::planner::{Availability, PlanInput, PlanOptions, UnplacedReason, plan};

fn in_zone(
    tz: Tz,
    from: &str,
    to: &str,
    availability: Vec<Availability>,
    minutes: u32,
) -> PlanInput {
    PlanInput {
        from: at(from),
        to: at(to),
        now: at(from),
        tz,
        availability,
        busy: Vec::new(),
        work: vec![item(1, minutes, None, 0)],
        options: PlanOptions::default(),
    }
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

fn every_day(start: (u32, u32), end: (u32, u32)) -> Vec<Availability> {
    let days = [
        Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Sun,
    ];
    days.into_iter()
        .map(|d| window(d, hm(start.0, start.1), hm(end.0, end.1)))
        .collect()
}

#[test]
fn berlin_evenings_18_to_21_are_17_to_20_utc_in_winter_and_16_to_19_in_summer() {
    let monday = vec![window(Mon, hm(18, 0), hm(21, 0))];
    let winter = plan(&in_zone(
        Tz::Europe__Berlin,
        "2027-01-04T00:00:00Z",
        "2027-01-11T00:00:00Z",
        monday.clone(),
        180,
    ));
    assert_eq!(
        spans(&winter.blocks),
        pairs(&[
            ("2027-01-04T17:00Z", "2027-01-04T18:30Z"),
            ("2027-01-04T18:45Z", "2027-01-04T20:00Z")
        ])
    );
    assert_eq!(winter.unplaced[0].minutes_missing, 15);
    assert_eq!(winter.unplaced[0].reason, UnplacedReason::NoTimeInWindow);

    let summer = plan(&in_zone(
        Tz::Europe__Berlin,
        "2027-07-05T00:00:00Z",
        "2027-07-12T00:00:00Z",
        monday,
        180,
    ));
    assert_eq!(
        spans(&summer.blocks),
        pairs(&[
            ("2027-07-05T16:00Z", "2027-07-05T17:30Z"),
            ("2027-07-05T17:45Z", "2027-07-05T19:00Z")
        ])
    );
}

#[test]
fn no_availability_means_nine_to_nine_local() {
    let plan = plan(&in_zone(
        Tz::Europe__Berlin,
        "2027-01-04T00:00:00Z",
        "2027-01-05T00:00:00Z",
        Vec::new(),
        30,
    ));
    assert_eq!(
        spans(&plan.blocks),
        pairs(&[("2027-01-04T08:00Z", "2027-01-04T08:30Z")])
    );
}

#[test]
fn only_malformed_windows_mean_no_availability_rather_than_the_default() {
    let backwards = vec![window(Mon, hm(21, 0), hm(18, 0))];
    let plan = plan(&in_zone(
        Tz::Europe__Berlin,
        "2027-01-04T00:00:00Z",
        "2027-01-05T00:00:00Z",
        backwards,
        30,
    ));
    assert!(plan.blocks.is_empty());
    assert_eq!(plan.unplaced[0].reason, UnplacedReason::NoTimeInWindow);
}

#[test]
fn a_morning_window_keeps_its_local_time_across_the_new_york_spring_forward_week() {
    let mut input = in_zone(
        Tz::America__New_York,
        "2027-03-11T00:00:00Z",
        "2027-03-17T00:00:00Z",
        every_day((8, 0), (9, 0)),
        600,
    );
    input.options.max_block_minutes = 60;
    let plan = plan(&input);
    let starts: Vec<String> = spans(&plan.blocks).into_iter().map(|(s, _)| s).collect();
    // EST (UTC−5) until Sunday 2027-03-14 02:00, then EDT (UTC−4).
    let expected = [
        "2027-03-11T13:00Z",
        "2027-03-12T13:00Z",
        "2027-03-13T13:00Z",
        "2027-03-14T12:00Z",
        "2027-03-15T12:00Z",
        "2027-03-16T12:00Z",
    ];
    assert_eq!(starts, expected);
    assert!(
        plan.blocks
            .iter()
            .all(|b| (b.end - b.start).num_minutes() == 60)
    );
    assert_eq!(plan.unplaced[0].minutes_missing, 240);
}

#[test]
fn windows_touching_a_dst_change_follow_the_shift_forward_and_earlier_instant_policy() {
    // (local Sunday window, day, expected block in UTC, why)
    let table = [
        (
            (1, 30),
            (3, 30),
            "2027-03-14",
            ("2027-03-14T06:30Z", "2027-03-14T07:30Z"),
            "01:30 EST to 03:30 EDT is one hour",
        ),
        (
            (2, 15),
            (4, 0),
            "2027-03-14",
            ("2027-03-14T07:15Z", "2027-03-14T08:00Z"),
            "02:15 does not exist: 03:15 EDT",
        ),
        (
            (1, 0),
            (1, 45),
            "2027-11-07",
            ("2027-11-07T05:00Z", "2027-11-07T05:45Z"),
            "01:00 happens twice: the EDT one",
        ),
    ];
    for (start, end, day, expected, why) in table {
        let availability = vec![window(Sun, hm(start.0, start.1), hm(end.0, end.1))];
        let from = format!("{day}T00:00:00Z");
        let to = format!("{day}T23:00:00Z");
        let mut input = in_zone(Tz::America__New_York, &from, &to, availability, 120);
        input.options.max_block_minutes = 120;
        let plan = plan(&input);
        assert_eq!(spans(&plan.blocks), pairs(&[expected]), "{why}");
    }
}

#[test]
fn the_daily_cap_counts_the_local_day_not_the_utc_day() {
    // 18:00–21:00 in New York is 23:00–02:00 UTC: each evening spans two UTC dates.
    let mut input = in_zone(
        Tz::America__New_York,
        "2027-01-04T12:00:00Z",
        "2027-01-07T12:00:00Z",
        every_day((18, 0), (21, 0)),
        1_000,
    );
    input.options.max_daily_minutes = 120;
    input.options.max_block_minutes = 60;
    let plan = plan(&input);
    let per_day = daily_minutes(&plan.blocks, Tz::America__New_York);
    assert!(per_day.values().all(|&m| m == 120), "{per_day:?}");
    assert_eq!(
        spans(&plan.blocks[..2]),
        pairs(&[
            ("2027-01-04T23:00Z", "2027-01-05T00:00Z"),
            ("2027-01-05T00:15Z", "2027-01-05T01:15Z")
        ])
    );
}

#[test]
fn block_starts_align_to_the_granularity_in_local_time_even_at_a_quarter_hour_offset() {
    // Kathmandu is UTC+05:45: local 09:30 is 03:45 UTC.
    let mut input = in_zone(
        Tz::Asia__Kathmandu,
        "2027-01-04T03:20:00Z",
        "2027-01-05T00:00:00Z",
        Vec::new(),
        30,
    );
    input.options.slot_granularity_minutes = 30;
    assert_eq!(
        spans(&plan(&input).blocks),
        pairs(&[("2027-01-04T03:45Z", "2027-01-04T04:15Z")])
    );
}
