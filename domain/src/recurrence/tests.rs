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
