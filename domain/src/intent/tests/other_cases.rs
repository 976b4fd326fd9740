//! Goals, schedule blocks, the schedule, and notes. Times as in `task_cases`:
//! Berlin is UTC+1 in December, New York UTC−5.

use chrono::{TimeZone, Utc};
use chrono_tz::America::New_York;
use serde_json::json;

use super::{Case, at, berlin, new_york};

pub(super) fn cases() -> Vec<Case> {
    let mut cases = goals_and_notes();
    cases.extend(schedule());
    cases
}

fn goals_and_notes() -> Vec<Case> {
    let goal = "create_goal";
    let note = "create_note";
    let search = "search_notes";
    vec![
        // June has passed this year, so it is next June (its first day).
        berlin(
            "set a goal to run a marathon by June",
            goal,
            json!({"title": "run a marathon", "target_date": "2027-06-01"}),
        ),
        berlin(
            "new goal: learn Spanish",
            goal,
            json!({"title": "learn Spanish"}),
        ),
        berlin(
            "my goal is to read 20 books",
            goal,
            json!({"title": "read 20 books"}),
        ),
        berlin(
            "create a goal finish thesis by end of June",
            goal,
            json!({"title": "finish thesis", "target_date": "2027-06-30"}),
        ),
        berlin(
            "set a goal to learn 500 words in Spanish by the end of March",
            goal,
            json!({"title": "learn 500 words in Spanish", "target_date": "2027-03-31"}),
        ),
        berlin(
            "goal: finish portfolio in 3 months",
            goal,
            json!({"title": "finish portfolio", "target_date": "2027-03-02"}),
        ),
        berlin(
            "search my notes for photosynthesis",
            search,
            json!({"query": "photosynthesis"}),
        ),
        berlin(
            "find notes about the French Revolution",
            search,
            json!({"query": "the French Revolution"}),
        ),
        berlin(
            "what did I write about mitochondria?",
            search,
            json!({"query": "mitochondria"}),
        ),
        berlin(
            "note: the exam is in room 4",
            note,
            json!({"title": "the exam is in room 4", "content": "the exam is in room 4"}),
        ),
        berlin(
            "take a note buy a new calculator",
            note,
            json!({"title": "buy a new calculator", "content": "buy a new calculator"}),
        ),
        // The title stops at a word boundary within 60 characters; the content keeps all.
        berlin(
            "write down The quick brown fox jumps over the lazy dog while the students revise for exams",
            note,
            json!({
                "title": "The quick brown fox jumps over the lazy dog while the",
                "content": "The quick brown fox jumps over the lazy dog while the students revise for exams",
            }),
        ),
    ]
}

fn schedule() -> Vec<Case> {
    let block = "create_schedule_block";
    let list = "list_schedule";
    // Friday 12 March 2027 in New York; Sunday the 14th is the first day of EDT.
    let before_spring = Utc
        .with_ymd_and_hms(2027, 3, 12, 15, 0, 0)
        .single()
        .expect("instant");
    vec![
        berlin(
            "block 2-4pm tomorrow for physics",
            block,
            json!({
                "title": "physics", "start_at": "2026-12-03T13:00:00Z", "end_at": "2026-12-03T15:00:00Z", "block_type": "study",
            }),
        ),
        berlin(
            "schedule a study session on Friday at 10am for 2 hours",
            block,
            json!({
                "title": "study session", "start_at": "2026-12-04T09:00:00Z", "end_at": "2026-12-04T11:00:00Z", "block_type": "study",
            }),
        ),
        berlin(
            "add a schedule block tomorrow from 9 to 11 for calculus",
            block,
            json!({
                "title": "calculus", "start_at": "2026-12-03T08:00:00Z", "end_at": "2026-12-03T10:00:00Z", "block_type": "study",
            }),
        ),
        berlin(
            "study chemistry tomorrow 3pm to 5pm",
            block,
            json!({
                "title": "study chemistry", "start_at": "2026-12-03T14:00:00Z", "end_at": "2026-12-03T16:00:00Z", "block_type": "study",
            }),
        ),
        berlin(
            "book the gym on Saturday 8am for 1 hour",
            block,
            json!({
                "title": "gym", "start_at": "2026-12-05T07:00:00Z", "end_at": "2026-12-05T08:00:00Z", "block_type": "exercise",
            }),
        ),
        // "11-1pm" is 11am to 1pm.
        new_york(
            "schedule lunch with Sam on Friday 11-1pm",
            block,
            json!({
                "title": "lunch with Sam", "start_at": "2026-12-04T16:00:00Z", "end_at": "2026-12-04T18:00:00Z", "block_type": "break",
            }),
        ),
        berlin(
            "block out 10pm-1am tonight for coding",
            block,
            json!({
                "title": "coding", "start_at": "2026-12-02T21:00:00Z", "end_at": "2026-12-03T00:00:00Z", "block_type": "study",
            }),
        ),
        // After the spring-forward night, 9am is UTC−4.
        at(
            before_spring,
            New_York,
            "block Sunday 9-11am for revision",
            block,
            json!({
                "title": "revision", "start_at": "2027-03-14T13:00:00Z", "end_at": "2027-03-14T15:00:00Z", "block_type": "study",
            }),
        ),
        berlin(
            "what's on my schedule today",
            list,
            json!({"from": "2026-12-01T23:00:00Z", "to": "2026-12-02T23:00:00Z"}),
        ),
        berlin(
            "what's on my schedule tomorrow?",
            list,
            json!({"from": "2026-12-02T23:00:00Z", "to": "2026-12-03T23:00:00Z"}),
        ),
        berlin(
            "What's on my schedule this week",
            list,
            json!({"from": "2026-12-01T23:00:00Z", "to": "2026-12-06T23:00:00Z"}),
        ),
        berlin(
            "show my schedule for Friday",
            list,
            json!({"from": "2026-12-03T23:00:00Z", "to": "2026-12-04T23:00:00Z"}),
        ),
        new_york(
            "what's on my calendar next week",
            list,
            json!({"from": "2026-12-07T05:00:00Z", "to": "2026-12-14T05:00:00Z"}),
        ),
    ]
}
