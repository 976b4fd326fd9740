use super::*;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("test instant")
        .with_timezone(&Utc)
}

fn naive(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("test local time")
}

const LONDON: Tz = Tz::Europe__London;
const NEW_YORK: Tz = Tz::America__New_York;

#[test]
fn local_times_resolve_by_the_dst_policy() {
    // (zone, local wall time, instant, why)
    let table = [
        (
            LONDON,
            "2026-03-28 09:00",
            "2026-03-28T09:00:00Z",
            "GMT before spring forward",
        ),
        (
            LONDON,
            "2026-03-29 09:00",
            "2026-03-29T08:00:00Z",
            "BST after spring forward",
        ),
        (
            LONDON,
            "2026-03-29 01:30",
            "2026-03-29T01:30:00Z",
            "gap: 01:30 -> 02:30 BST",
        ),
        (
            LONDON,
            "2026-03-29 01:00",
            "2026-03-29T01:00:00Z",
            "gap start -> 02:00 BST",
        ),
        (
            LONDON,
            "2026-10-25 01:30",
            "2026-10-25T00:30:00Z",
            "twice: first is BST",
        ),
        (
            LONDON,
            "2026-10-25 09:00",
            "2026-10-25T09:00:00Z",
            "GMT after fall back",
        ),
        (
            NEW_YORK,
            "2026-03-07 09:00",
            "2026-03-07T14:00:00Z",
            "EST before spring forward",
        ),
        (
            NEW_YORK,
            "2026-03-08 02:30",
            "2026-03-08T07:30:00Z",
            "gap: 02:30 -> 03:30 EDT",
        ),
        (
            NEW_YORK,
            "2026-03-08 09:00",
            "2026-03-08T13:00:00Z",
            "EDT after spring forward",
        ),
        (
            NEW_YORK,
            "2026-11-01 01:30",
            "2026-11-01T05:30:00Z",
            "twice: first is EDT",
        ),
        (
            NEW_YORK,
            "2026-11-01 09:00",
            "2026-11-01T14:00:00Z",
            "EST after fall back",
        ),
    ];
    for (tz, local, expected, why) in table {
        assert_eq!(
            resolve_local(tz, naive(local)),
            at(expected),
            "{tz} {local}: {why}"
        );
    }
}

#[test]
fn a_gap_time_lands_on_the_wall_clock_shifted_by_the_gap() {
    let t = resolve_local(NEW_YORK, naive("2026-03-08 02:30"));
    assert_eq!(
        t.with_timezone(&NEW_YORK).naive_local(),
        naive("2026-03-08 03:30")
    );
    let t = resolve_local(LONDON, naive("2026-03-29 01:30"));
    assert_eq!(
        t.with_timezone(&LONDON).naive_local(),
        naive("2026-03-29 02:30")
    );
}

fn series(start: &str, minutes: i64, tz: Tz, rule: Option<&str>) -> Series {
    let start = at(start);
    let rule = rule.map(|r| Rule::parse(r, tz).expect("valid rule"));
    Series::new(start, start + Duration::minutes(minutes), tz, rule).expect("valid series")
}

fn starts(s: &Series, from: &str, to: &str) -> Vec<String> {
    s.spans(at(from), at(to), 100)
        .expect("expand")
        .iter()
        .map(|x| x.start.to_rfc3339())
        .collect()
}

#[test]
fn a_weekly_0900_block_stays_at_0900_local_across_each_transition() {
    // (zone, first Sunday 09:00 local as an instant, window, expected instants)
    let table = [
        (
            LONDON,
            "2026-03-22T09:00:00Z",
            ("2026-03-20T00:00:00Z", "2026-04-06T00:00:00Z"),
            [
                "2026-03-22T09:00:00+00:00",
                "2026-03-29T08:00:00+00:00",
                "2026-04-05T08:00:00+00:00",
            ],
        ),
        (
            LONDON,
            "2026-10-18T08:00:00Z",
            ("2026-10-17T00:00:00Z", "2026-11-02T00:00:00Z"),
            [
                "2026-10-18T08:00:00+00:00",
                "2026-10-25T09:00:00+00:00",
                "2026-11-01T09:00:00+00:00",
            ],
        ),
        (
            NEW_YORK,
            "2026-03-01T14:00:00Z",
            ("2026-03-01T00:00:00Z", "2026-03-16T00:00:00Z"),
            [
                "2026-03-01T14:00:00+00:00",
                "2026-03-08T13:00:00+00:00",
                "2026-03-15T13:00:00+00:00",
            ],
        ),
        (
            NEW_YORK,
            "2026-10-25T13:00:00Z",
            ("2026-10-25T00:00:00Z", "2026-11-09T00:00:00Z"),
            [
                "2026-10-25T13:00:00+00:00",
                "2026-11-01T14:00:00+00:00",
                "2026-11-08T14:00:00+00:00",
            ],
        ),
    ];
    for (tz, first, (from, to), expected) in table {
        let s = series(first, 60, tz, Some("FREQ=WEEKLY"));
        assert_eq!(starts(&s, from, to), expected, "{tz} from {first}");
    }
}

#[test]
fn a_daily_block_in_the_spring_gap_moves_forward_by_the_gap() {
    // 02:30 New York does not exist on 2026-03-08: that day it is at 03:30 EDT.
    let s = series("2026-03-07T07:30:00Z", 30, NEW_YORK, Some("FREQ=DAILY"));
    let local: Vec<String> = s
        .spans(at("2026-03-07T00:00:00Z"), at("2026-03-10T00:00:00Z"), 10)
        .expect("expand")
        .iter()
        .map(|x| {
            x.start
                .with_timezone(&NEW_YORK)
                .format("%d %H:%M")
                .to_string()
        })
        .collect();
    assert_eq!(local, ["07 02:30", "08 03:30", "09 02:30"]);
}

#[test]
fn a_daily_block_in_the_repeated_hour_is_taken_once_at_the_first_instant() {
    // 01:30 New York exists twice on 2026-11-01: once, as 01:30 EDT (05:30Z).
    let s = series("2026-10-31T05:30:00Z", 30, NEW_YORK, Some("FREQ=DAILY"));
    assert_eq!(
        starts(&s, "2026-10-31T00:00:00Z", "2026-11-03T00:00:00Z"),
        [
            "2026-10-31T05:30:00+00:00",
            "2026-11-01T05:30:00+00:00",
            "2026-11-02T06:30:00+00:00"
        ]
    );
    let s = series("2026-10-24T00:30:00Z", 30, LONDON, Some("FREQ=DAILY"));
    assert_eq!(
        starts(&s, "2026-10-24T00:00:00Z", "2026-10-26T12:00:00Z"),
        [
            "2026-10-24T00:30:00+00:00",
            "2026-10-25T00:30:00+00:00",
            "2026-10-26T01:30:00+00:00"
        ]
    );
}

#[test]
fn last_friday_of_the_month_and_counts_are_honoured() {
    let s = series(
        "2026-01-30T10:00:00Z",
        60,
        Tz::UTC,
        Some("FREQ=MONTHLY;BYDAY=-1FR;COUNT=3"),
    );
    assert_eq!(
        starts(&s, "2026-01-01T00:00:00Z", "2026-12-31T00:00:00Z"),
        [
            "2026-01-30T10:00:00+00:00",
            "2026-02-27T10:00:00+00:00",
            "2026-03-27T10:00:00+00:00"
        ]
    );
    assert_eq!(
        s.last_end().expect("bounded"),
        Some(at("2026-03-27T11:00:00Z"))
    );
}

#[test]
fn until_is_read_in_the_block_zone_and_stored_in_utc() {
    let r = Rule::parse("RRULE:freq=daily;until=20260310", NEW_YORK).expect("valid");
    // The whole local day of 2026-03-10 (EDT) is included.
    assert_eq!(r.as_str(), "FREQ=DAILY;UNTIL=20260311T035959Z");
    let s = series("2026-03-08T13:00:00Z", 60, NEW_YORK, Some(r.as_str()));
    assert_eq!(
        starts(&s, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z").len(),
        3
    );
    let floating = Rule::parse("FREQ=DAILY;UNTIL=20260309T090000", NEW_YORK).expect("valid");
    assert_eq!(floating.as_str(), "FREQ=DAILY;UNTIL=20260309T130000Z");
}

#[test]
fn invalid_rules_are_refused_with_a_reason() {
    let table = [
        ("FREQ=SOMETIMES", "invalid_rrule"),
        ("BYDAY=MO", "invalid_rrule"),
        ("FREQ=WEEKLY;BYDAY=XX", "invalid_rrule"),
        ("FREQ=DAILY;COUNT=2;UNTIL=20260101T000000Z", "invalid_rrule"),
        ("FREQ=DAILY;UNTIL=yesterday", "invalid_rrule"),
        ("FREQ=HOURLY", "unsupported_frequency"),
        ("FREQ=MINUTELY", "unsupported_frequency"),
        ("", "invalid_rrule"),
    ];
    for (raw, code) in table {
        let err = Rule::parse(raw, Tz::UTC).expect_err(raw);
        assert_eq!(err.code(), code, "{raw}: {err}");
        assert!(!err.to_string().is_empty());
    }
}

#[test]
fn the_start_must_be_the_rules_first_occurrence() {
    let rule = Rule::parse("FREQ=WEEKLY;BYDAY=MO", Tz::UTC).expect("valid");
    // 2026-03-03 is a Tuesday.
    let start = at("2026-03-03T09:00:00Z");
    let err = Series::new(
        start,
        start + Duration::hours(1),
        Tz::UTC,
        Some(rule.clone()),
    )
    .expect_err("not a Monday");
    assert_eq!(err, ("rrule", ScheduleError::StartNotInRule));
    let monday = at("2026-03-02T09:00:00Z");
    assert!(Series::new(monday, monday + Duration::hours(1), Tz::UTC, Some(rule)).is_ok());
    let err = Series::new(monday, monday, Tz::UTC, None).expect_err("empty");
    assert_eq!(err.0, "end_at");
}

#[test]
fn exceptions_cancel_move_and_retitle_single_occurrences() {
    let s = series("2026-03-02T09:00:00Z", 60, Tz::UTC, Some("FREQ=DAILY"));
    let id = Uuid::nil();
    let exceptions = [
        Exception {
            occurrence_start: at("2026-03-03T09:00:00Z"),
            cancelled: true,
            moved_to: None,
            title: None,
            completed_at: None,
        },
        // Moved from outside the window (03-10) into it (03-04 18:00).
        Exception {
            occurrence_start: at("2026-03-10T09:00:00Z"),
            cancelled: false,
            moved_to: Some(Span {
                start: at("2026-03-04T18:00:00Z"),
                end: at("2026-03-04T19:00:00Z"),
            }),
            title: Some("Moved".into()),
            completed_at: None,
        },
    ];
    let occ = occurrences(
        id,
        &s,
        &exceptions,
        at("2026-03-02T00:00:00Z"),
        at("2026-03-05T00:00:00Z"),
        100,
    )
    .expect("expand");
    let seen: Vec<(String, Option<&str>, bool)> = occ
        .iter()
        .map(|o| (o.start.to_rfc3339(), o.title.as_deref(), o.moved))
        .collect();
    assert_eq!(
        seen,
        [
            ("2026-03-02T09:00:00+00:00".into(), None, false),
            ("2026-03-04T09:00:00+00:00".into(), None, false),
            ("2026-03-04T18:00:00+00:00".into(), Some("Moved"), true),
        ]
    );
}

#[test]
fn windows_are_ordered_and_bounded() {
    let from = at("2026-01-01T00:00:00Z");
    assert!(window(from, from + Duration::days(366)).is_ok());
    assert_eq!(
        window(from, from + Duration::days(367)),
        Err(ScheduleError::WindowTooLong)
    );
    assert_eq!(window(from, from), Err(ScheduleError::WindowReversed));
}

#[test]
fn overlapping_occurrences_of_different_blocks_pair_up_once() {
    let occ = |block: u128, start: &str, end: &str| Occurrence {
        block_id: Uuid::from_u128(block),
        occurrence_start: at(start),
        start: at(start),
        end: at(end),
        title: None,
        moved: false,
        completed_at: None,
    };
    let list = [
        occ(1, "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"),
        occ(2, "2026-03-02T09:30:00Z", "2026-03-02T11:00:00Z"),
        occ(3, "2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z"),
        occ(1, "2026-03-02T10:15:00Z", "2026-03-02T10:20:00Z"),
        occ(4, "2026-03-02T11:00:00Z", "2026-03-02T12:00:00Z"),
    ];
    let mut pairs = overlapping_pairs(&list, 100);
    pairs.sort_unstable();
    // 1-2 overlap; 2-3 overlap; 3 touches 1's end (no); 2 and the second 1; 3 and the
    // second 1; 4 touches 2's end (no).
    assert_eq!(pairs, [(0, 1), (1, 2), (1, 3), (2, 3)]);
}

#[test]
fn block_types_and_reminders_parse() {
    assert_eq!("study".parse::<BlockType>(), Ok(BlockType::Study));
    assert!("nap".parse::<BlockType>().is_err());
    assert_eq!(reminder_minutes(10_080), Ok(10_080));
    assert!(reminder_minutes(-1).is_err());
    assert!(reminder_minutes(10_081).is_err());
}

#[test]
fn the_next_reminder_skips_cancelled_completed_and_past_occurrences_and_follows_moves() {
    // Weekly on Monday 09:00 London from 2026-01-05; reminders 15 minutes before.
    let series = Series::new(
        at("2026-01-05T09:00:00Z"),
        at("2026-01-05T10:00:00Z"),
        LONDON,
        Some(Rule::parse("FREQ=WEEKLY;BYDAY=MO", LONDON).expect("rule")),
    )
    .expect("series");
    let id = Uuid::nil();
    let exceptions = [
        Exception {
            occurrence_start: at("2026-01-12T09:00:00Z"),
            cancelled: true,
            moved_to: None,
            title: None,
            completed_at: None,
        },
        Exception {
            occurrence_start: at("2026-01-19T09:00:00Z"),
            cancelled: false,
            moved_to: None,
            title: None,
            completed_at: Some(at("2026-01-10T00:00:00Z")),
        },
        Exception {
            occurrence_start: at("2026-01-26T09:00:00Z"),
            cancelled: false,
            moved_to: Some(Span {
                start: at("2026-01-27T14:00:00Z"),
                end: at("2026-01-27T15:00:00Z"),
            }),
            title: Some("Moved".into()),
            completed_at: None,
        },
    ];
    let next = |after: Option<&str>, now: &str| {
        next_reminder(id, &series, &exceptions, 15, after.map(at), at(now))
            .expect("expands")
            .map(|o| o.start)
    };
    // Before the series: its first occurrence.
    assert_eq!(
        next(None, "2026-01-01T00:00:00Z"),
        Some(at("2026-01-05T09:00:00Z"))
    );
    // Reminder time already passed for the 5th: the 12th is cancelled, the 19th done,
    // the 26th moved to the 27th at 14:00.
    assert_eq!(
        next(None, "2026-01-05T08:50:00Z"),
        Some(at("2026-01-27T14:00:00Z"))
    );
    // After the moved one: back to the rule (summer time from 29 March: 08:00Z).
    assert_eq!(
        next(Some("2026-01-27T14:00:00Z"), "2026-01-27T14:00:00Z"),
        Some(at("2026-02-02T09:00:00Z"))
    );
    assert_eq!(
        next(Some("2026-03-23T09:00:00Z"), "2026-03-23T09:00:00Z"),
        Some(at("2026-03-30T08:00:00Z"))
    );
}

#[test]
fn a_one_off_block_has_no_reminder_after_it() {
    let series = Series::new(
        at("2026-01-05T09:00:00Z"),
        at("2026-01-05T10:00:00Z"),
        LONDON,
        None,
    )
    .expect("series");
    let next =
        |after, now| next_reminder(Uuid::nil(), &series, &[], 10, after, at(now)).expect("ok");
    assert!(next(None, "2026-01-05T08:40:00Z").is_some());
    assert!(next(None, "2026-01-05T08:51:00Z").is_none());
    assert!(next(Some(at("2026-01-05T09:00:00Z")), "2026-01-01T00:00:00Z").is_none());
}
