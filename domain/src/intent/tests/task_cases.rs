//! Tasks: creating (dates, times, zones, DST, repetition, tags, priorities,
//! reminders), listing, updating, completing and deleting.
//!
//! `wednesday()` is 2 Dec 2026 10:00 UTC: 11:00 in Berlin (UTC+1), whose day began
//! at 2026-12-01T23:00Z; 05:00 in New York (UTC−5).

use chrono::{TimeZone, Utc};
use chrono_tz::America::New_York;
use chrono_tz::Europe::Berlin;
use serde_json::json;

use super::{Case, at, berlin, new_york};

pub(super) fn cases() -> Vec<Case> {
    let mut cases = creating();
    cases.extend(time_zones_and_dst());
    cases.extend(listing());
    cases.extend(changing());
    cases
}

fn creating() -> Vec<Case> {
    let task = "create_task";
    vec![
        berlin(
            "add a task to read chapter 4 tomorrow 5pm",
            task,
            json!({"title": "read chapter 4", "due_at": "2026-12-03T16:00:00Z"}),
        ),
        berlin(
            "Remind me to call Mom tomorrow at 5pm.",
            task,
            json!({"title": "call Mom", "due_at": "2026-12-03T16:00:00Z"}),
        ),
        berlin(
            "create a task: Finish the lab report #physics #Lab urgent",
            task,
            json!({"title": "Finish the lab report", "priority": "urgent", "tags": ["physics", "Lab"]}),
        ),
        // "next Friday" is Friday of next week; plain "Friday" the coming one.
        berlin(
            "todo: submit essay by next Friday",
            task,
            json!({"title": "submit essay", "due_date": "2026-12-11"}),
        ),
        berlin(
            "I need to finish the slides by Friday",
            task,
            json!({"title": "finish the slides", "due_date": "2026-12-04"}),
        ),
        berlin(
            "new task Water plants every other Monday",
            task,
            json!({"title": "Water plants", "due_date": "2026-12-07", "recurrence_rule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"}),
        ),
        berlin(
            "add task stretch every day",
            task,
            json!({"title": "stretch", "due_date": "2026-12-02", "recurrence_rule": "FREQ=DAILY"}),
        ),
        berlin(
            "add a task to go to the gym every Tuesday and Thursday at 7am",
            task,
            json!({"title": "go to the gym", "due_at": "2026-12-03T06:00:00Z", "recurrence_rule": "FREQ=WEEKLY;BYDAY=TU,TH"}),
        ),
        berlin(
            "todo: pay rent monthly",
            task,
            json!({"title": "pay rent", "due_date": "2026-12-02", "recurrence_rule": "FREQ=MONTHLY"}),
        ),
        berlin(
            "todo: review notes every weekday",
            task,
            json!({"title": "review notes", "due_date": "2026-12-02", "recurrence_rule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"}),
        ),
        // 9:00 today has passed at 11:00, so the first meeting is Friday's.
        berlin(
            "todo: team sync every Monday, Wednesday and Friday at 9",
            task,
            json!({"title": "team sync", "due_at": "2026-12-04T08:00:00Z", "recurrence_rule": "FREQ=WEEKLY;BYDAY=MO,WE,FR"}),
        ),
        berlin(
            "remind me to call the dentist in 3 days",
            task,
            json!({"title": "call the dentist", "due_date": "2026-12-05"}),
        ),
        berlin(
            "remind me to submit the form tomorrow at 9am, remind me 30 minutes before",
            task,
            json!({"title": "submit the form", "due_at": "2026-12-03T08:00:00Z", "reminder_minutes": 30}),
        ),
        // A reminder needs a due time; without one it is dropped, not sent.
        berlin(
            "todo: essay asap, remind me 1 hour before",
            task,
            json!({"title": "essay", "priority": "urgent"}),
        ),
        berlin(
            "Hey Maigie, could you please add a task to email Prof. Smith, high priority? Thanks!",
            task,
            json!({"title": "email Prof. Smith", "priority": "high"}),
        ),
        berlin(
            "add a task to buy groceries tonight",
            task,
            json!({"title": "buy groceries", "due_at": "2026-12-02T19:00:00Z"}),
        ),
        berlin(
            "add a task to read this evening",
            task,
            json!({"title": "read", "due_at": "2026-12-02T18:00:00Z"}),
        ),
        berlin(
            "todo: clean room end of week",
            task,
            json!({"title": "clean room", "due_date": "2026-12-06"}),
        ),
        berlin(
            "todo: renew passport on Dec 24",
            task,
            json!({"title": "renew passport", "due_date": "2026-12-24"}),
        ),
        berlin(
            "todo: book flights on 3rd of March",
            task,
            json!({"title": "book flights", "due_date": "2027-03-03"}),
        ),
        berlin(
            "todo: call the bank !",
            task,
            json!({"title": "call the bank", "priority": "high"}),
        ),
        berlin(
            "TODO: important: call the bank",
            task,
            json!({"title": "call the bank", "priority": "high"}),
        ),
        berlin(
            "todo: low priority tidy desk",
            task,
            json!({"title": "tidy desk", "priority": "low"}),
        ),
        berlin(
            "add a task to plan the trip in 2 hours",
            task,
            json!({"title": "plan the trip", "due_at": "2026-12-02T12:00:00Z"}),
        ),
        berlin(
            "todo: presentation on December 24, 2027 at 14:30 medium priority",
            task,
            json!({"title": "presentation", "due_at": "2027-12-24T13:30:00Z", "priority": "medium"}),
        ),
        berlin(
            "add buy milk to my list",
            task,
            json!({"title": "buy milk"}),
        ),
        // "SAT" is not Saturday; "Saturday" is.
        berlin(
            "remind me to study for SAT on Saturday",
            task,
            json!({"title": "study for SAT", "due_date": "2026-12-05"}),
        ),
    ]
}

fn time_zones_and_dst() -> Vec<Case> {
    let task = "create_task";
    // Friday 12 March 2027, 10:00 in New York (EST); clocks spring forward on
    // Sunday the 14th at 02:00 to 03:00 EDT.
    let before_spring = Utc
        .with_ymd_and_hms(2027, 3, 12, 15, 0, 0)
        .single()
        .expect("instant");
    // Friday 23 October 2026 in Berlin; 02:00–03:00 happens twice on Sunday the 25th.
    let before_autumn = Utc
        .with_ymd_and_hms(2026, 10, 23, 10, 0, 0)
        .single()
        .expect("instant");
    // Monday 7 December 2026: "every other Monday" starts today.
    let monday = Utc
        .with_ymd_and_hms(2026, 12, 7, 10, 0, 0)
        .single()
        .expect("instant");
    vec![
        new_york(
            "remind me to call mom tomorrow 5pm",
            task,
            json!({"title": "call mom", "due_at": "2026-12-03T22:00:00Z"}),
        ),
        // 9am has not come yet at 05:00 in New York, so it is today's.
        new_york(
            "remind me to stretch at 9",
            task,
            json!({"title": "stretch", "due_at": "2026-12-02T14:00:00Z"}),
        ),
        // 12/15 has no 15th month, so even in Berlin it is read month first.
        berlin(
            "I have to return the library books by 12/15",
            task,
            json!({"title": "return the library books", "due_date": "2026-12-15"}),
        ),
        // Americans write the month first.
        new_york(
            "todo: party 12/31",
            task,
            json!({"title": "party", "due_date": "2026-12-31"}),
        ),
        // 02:30 does not exist that night: it moves forward by the gap, to 03:30 EDT.
        at(
            before_spring,
            New_York,
            "remind me to water the plants on Sunday at 2:30am",
            task,
            json!({"title": "water the plants", "due_at": "2027-03-14T07:30:00Z"}),
        ),
        // After the change 5pm is UTC−4.
        at(
            before_spring,
            New_York,
            "remind me to call home on Monday at 5pm",
            task,
            json!({"title": "call home", "due_at": "2027-03-15T21:00:00Z"}),
        ),
        // The earlier of the two 02:30s (CEST, UTC+2).
        at(
            before_autumn,
            Berlin,
            "todo: back up laptop on Sunday at 2:30am",
            task,
            json!({"title": "back up laptop", "due_at": "2026-10-25T00:30:00Z"}),
        ),
        at(
            monday,
            Berlin,
            "todo: water plants every other Monday",
            task,
            json!({"title": "water plants", "due_date": "2026-12-07", "recurrence_rule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"}),
        ),
        at(
            before_spring,
            New_York,
            "what's due this week",
            "list_tasks",
            json!({"status": "pending", "due_after": "2027-03-12T05:00:00Z", "due_before": "2027-03-15T04:00:00Z", "sort": "due"}),
        ),
    ]
}

fn listing() -> Vec<Case> {
    let list = "list_tasks";
    let today = json!({"status": "pending", "due_after": "2026-12-01T23:00:00Z", "due_before": "2026-12-02T23:00:00Z", "sort": "due"});
    let week = json!({"status": "pending", "due_after": "2026-12-01T23:00:00Z", "due_before": "2026-12-06T23:00:00Z", "sort": "due"});
    vec![
        berlin("what's due today", list, today.clone()),
        berlin("What do I need to do today?", list, today),
        berlin("What's due this week?", list, week.clone()),
        berlin("this week's tasks", list, week),
        berlin(
            "what's due tomorrow",
            list,
            json!({"status": "pending", "due_after": "2026-12-02T23:00:00Z", "due_before": "2026-12-03T23:00:00Z", "sort": "due"}),
        ),
        new_york(
            "what's due today",
            list,
            json!({"status": "pending", "due_after": "2026-12-02T05:00:00Z", "due_before": "2026-12-03T05:00:00Z", "sort": "due"}),
        ),
        berlin(
            "show my tasks",
            list,
            json!({"status": "pending", "sort": "due"}),
        ),
        berlin(
            "list my tasks please",
            list,
            json!({"status": "pending", "sort": "due"}),
        ),
        berlin("what's overdue?", list, json!({"overdue": true})),
        berlin("show completed tasks", list, json!({"status": "completed"})),
        berlin(
            "find tasks about chemistry",
            list,
            json!({"search": "chemistry"}),
        ),
    ]
}

fn changing() -> Vec<Case> {
    let update = "update_task";
    vec![
        berlin(
            "move essay to Friday",
            update,
            json!({"task": "essay", "due_date": "2026-12-04"}),
        ),
        berlin(
            "reschedule the lab report to tomorrow 3pm",
            update,
            json!({"task": "lab report", "due_at": "2026-12-03T14:00:00Z"}),
        ),
        berlin(
            "push the essay back to next week",
            update,
            json!({"task": "essay", "due_date": "2026-12-07"}),
        ),
        berlin(
            "change the priority of essay to high",
            update,
            json!({"task": "essay", "priority": "high"}),
        ),
        berlin(
            "make the lab report urgent",
            update,
            json!({"task": "lab report", "priority": "urgent"}),
        ),
        berlin(
            "rename essay to Final essay",
            update,
            json!({"task": "essay", "title": "Final essay"}),
        ),
        berlin(
            "The essay is due next Monday",
            update,
            json!({"task": "essay", "due_date": "2026-12-07"}),
        ),
        berlin(
            "tag essay with #english",
            update,
            json!({"task": "essay", "tags": ["english"]}),
        ),
        berlin(
            "mark the essay as done",
            "complete_task",
            json!({"task": "essay"}),
        ),
        berlin(
            "I finished the lab report!",
            "complete_task",
            json!({"task": "lab report"}),
        ),
        berlin(
            "complete physics homework",
            "complete_task",
            json!({"task": "physics homework"}),
        ),
        berlin(
            "done with reading",
            "complete_task",
            json!({"task": "reading"}),
        ),
        berlin(
            "tick off laundry",
            "complete_task",
            json!({"task": "laundry"}),
        ),
        berlin(
            "delete the task essay",
            "delete_task",
            json!({"task": "essay"}),
        ),
        berlin(
            "remove buy milk from my tasks",
            "delete_task",
            json!({"task": "buy milk"}),
        ),
        berlin(
            "mark \"essay draft\" as complete",
            "complete_task",
            json!({"task": "essay draft"}),
        ),
        berlin("cancel task gym", "delete_task", json!({"task": "gym"})),
        berlin(
            "remove group project notes from my tasks",
            "delete_task",
            json!({"task": "group project notes"}),
        ),
        berlin(
            "delete the task lecture notes",
            "delete_task",
            json!({"task": "lecture notes"}),
        ),
    ]
}
