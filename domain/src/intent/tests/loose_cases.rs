//! The priority said first, ranges of days from today, and the loose readers used
//! once a message is recognised by meaning (`understand_as`). Berlin, Wednesday
//! 2 December 2026 at 11:00 (UTC+1).

use serde_json::{Value, json};

use super::{Case, berlin, wednesday};
use crate::intent::{Intent, understand_as};

pub(super) fn cases() -> Vec<Case> {
    let task = "create_task";
    vec![
        berlin(
            "urgent: call mom tomorrow",
            task,
            json!({"title": "call mom", "priority": "urgent", "due_date": "2026-12-03"}),
        ),
        berlin(
            "high priority task to finish the lab report by Friday",
            task,
            json!({"title": "finish the lab report", "priority": "high", "due_date": "2026-12-04"}),
        ),
        // The seeds' own example.
        berlin(
            "add high priority task fix bug due tomorrow",
            task,
            json!({"title": "fix bug", "priority": "high", "due_date": "2026-12-03"}),
        ),
        berlin(
            "add an urgent task to email the tutor",
            task,
            json!({"title": "email the tutor", "priority": "urgent"}),
        ),
        berlin(
            "important - remind me to renew the library books",
            task,
            json!({"title": "renew the library books", "priority": "high"}),
        ),
        berlin(
            "what's due in the next 3 days?",
            "list_tasks",
            json!({"status": "pending", "sort": "due",
                   "due_after": "2026-12-01T23:00:00Z", "due_before": "2026-12-05T23:00:00Z"}),
        ),
        berlin(
            "what's on my schedule over the coming week",
            "list_schedule",
            json!({"from": "2026-12-01T23:00:00Z", "to": "2026-12-09T23:00:00Z"}),
        ),
        berlin(
            "show my tasks for the next ten days",
            "list_tasks",
            json!({"status": "pending", "sort": "due",
                   "due_after": "2026-12-01T23:00:00Z", "due_before": "2026-12-12T23:00:00Z"}),
        ),
    ]
}

fn read(intent: Intent, text: &str) -> Value {
    let calls = understand_as(intent, text, wednesday(), chrono_tz::Europe::Berlin);
    serde_json::to_value(calls).expect("serialises")
}

fn one(name: &str, args: Value) -> Value {
    json!([{"name": name, "arguments": args}])
}

#[test]
fn a_recognised_request_is_read_past_openings_the_parser_does_not_know() {
    let table = [
        (
            Intent::CreateTask,
            "make sure I call the dentist on friday",
            one(
                "create_task",
                json!({"title": "call the dentist", "due_date": "2026-12-04"}),
            ),
        ),
        (
            Intent::CreateTask,
            "oh and put buying textbooks on my list for tomorrow, it's urgent",
            one(
                "create_task",
                json!({"title": "buying textbooks", "priority": "urgent", "due_date": "2026-12-03"}),
            ),
        ),
        (
            Intent::CompleteTask,
            "just handed in the lab report",
            one("complete_task", json!({"task": "lab report"})),
        ),
        (
            Intent::CompleteTask,
            "finally finished the physics one!",
            one("complete_task", json!({"task": "physics"})),
        ),
        (
            Intent::DeleteTask,
            "I don't need the grocery task anymore",
            one("delete_task", json!({"task": "grocery"})),
        ),
        (
            Intent::RescheduleTask,
            "can we do the physics homework on thursday instead",
            one(
                "update_task",
                json!({"task": "physics homework", "due_date": "2026-12-03"}),
            ),
        ),
        (
            Intent::PrioritiseTask,
            "the thesis draft is top priority now",
            one(
                "update_task",
                json!({"task": "thesis draft", "priority": "high"}),
            ),
        ),
        (
            Intent::SearchNotes,
            "do I have anything written down about enzymes?",
            one("search_notes", json!({"query": "enzymes"})),
        ),
        (
            Intent::ListSchedule,
            "how busy am I over the next few days",
            one(
                "list_schedule",
                json!({"from": "2026-12-01T23:00:00Z", "to": "2026-12-05T23:00:00Z"}),
            ),
        ),
        (
            Intent::CreateBlock,
            "pencil in two hours of chemistry revision tomorrow at 3pm",
            one(
                "create_schedule_block",
                json!({"title": "chemistry revision", "block_type": "study",
                       "start_at": "2026-12-03T14:00:00Z", "end_at": "2026-12-03T16:00:00Z"}),
            ),
        ),
        (Intent::Other, "tell me a joke", Value::Null),
        (Intent::CreateTask, "please", Value::Null),
    ];
    let failures: Vec<String> = table
        .iter()
        .filter_map(|(intent, text, want)| {
            let got = read(*intent, text);
            (got != *want).then(|| format!("{intent:?} {text:?}\n  want {want}\n   got {got}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
