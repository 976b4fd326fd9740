//! The paraphrase table: each message, the call it must make and the arguments that
//! call must hold (others may be there too). Read in Berlin on Wednesday 2 December
//! 2026 at 11:00: tomorrow is 2026-12-03, Friday 2026-12-04, Monday 2026-12-07;
//! local midnight is 23:00 UTC the day before.

use serde_json::{Value, json};

pub type Case = (&'static str, &'static str, Value);

const TASK: &str = "create_task";
const LIST: &str = "list_tasks";
const DONE: &str = "complete_task";
const DELETE: &str = "delete_task";
const UPDATE: &str = "update_task";
const GOAL: &str = "create_goal";
const NOTE: &str = "create_note";
const SEARCH: &str = "search_notes";
const BLOCK: &str = "create_schedule_block";
const SCHEDULE: &str = "list_schedule";

/// Today through the `n`th day from now, as `list_tasks` asks.
fn due_within(last_day: u32) -> Value {
    json!({"due_after": "2026-12-01T23:00:00Z",
           "due_before": format!("2026-12-{:02}T23:00:00Z", last_day)})
}

pub fn cases() -> Vec<Case> {
    let mut all = new_tasks();
    all.extend(questions());
    all.extend(changes());
    all.extend(goals_notes_blocks());
    all
}

fn new_tasks() -> Vec<Case> {
    vec![
        (
            "urgent: call mom tomorrow",
            TASK,
            json!({"title": "call mom", "priority": "urgent", "due_date": "2026-12-03"}),
        ),
        (
            "high priority task to finish the lab report by friday",
            TASK,
            json!({"title": "finish the lab report", "priority": "high", "due_date": "2026-12-04"}),
        ),
        (
            "add high priority task fix bug due tomorrow",
            TASK,
            json!({"title": "fix bug", "priority": "high", "due_date": "2026-12-03"}),
        ),
        (
            "Important: email the TA about my grade",
            TASK,
            json!({"title": "email the TA about my grade", "priority": "high"}),
        ),
        (
            "low priority - clean out my desk drawer",
            TASK,
            json!({"title": "clean out my desk drawer", "priority": "low"}),
        ),
        (
            "asap: print the poster for the symposium",
            TASK,
            json!({"title": "print the poster for the symposium", "priority": "urgent"}),
        ),
        (
            "urgent task: pay the tuition fee by monday",
            TASK,
            json!({"title": "pay the tuition fee", "priority": "urgent", "due_date": "2026-12-07"}),
        ),
        (
            "create an urgent task to book the exam room",
            TASK,
            json!({"title": "book the exam room", "priority": "urgent"}),
        ),
        (
            "make sure I call the dentist on friday",
            TASK,
            json!({"title": "call the dentist", "due_date": "2026-12-04"}),
        ),
        (
            "don't let me forget to return the library books tomorrow",
            TASK,
            json!({"title": "return the library books", "due_date": "2026-12-03"}),
        ),
        (
            "gotta hand in the stats assignment by thursday",
            TASK,
            json!({"title": "hand in the stats assignment", "due_date": "2026-12-03"}),
        ),
        (
            "I really need to start the history essay",
            TASK,
            json!({"title": "start the history essay"}),
        ),
        (
            "could you remind me to water the plants on saturday",
            TASK,
            json!({"title": "water the plants", "due_date": "2026-12-05"}),
        ),
        (
            "put buy printer paper on my list",
            TASK,
            json!({"title": "buy printer paper"}),
        ),
        (
            "oh and put buying textbooks on my list for tomorrow, it's urgent",
            TASK,
            json!({"title": "buying textbooks", "priority": "urgent", "due_date": "2026-12-03"}),
        ),
        (
            "please add a task to review lecture 5 #biology",
            TASK,
            json!({"title": "review lecture 5", "tags": ["biology"]}),
        ),
        (
            "todo: submit the scholarship form by next monday, urgent",
            TASK,
            json!({"title": "submit the scholarship form", "priority": "urgent", "due_date": "2026-12-07"}),
        ),
        (
            "I have to pick up my student card tomorrow at 2pm",
            TASK,
            json!({"title": "pick up my student card", "due_at": "2026-12-03T13:00:00Z"}),
        ),
        (
            "new task: practice the presentation at 8pm",
            TASK,
            json!({"title": "practice the presentation", "due_at": "2026-12-02T19:00:00Z"}),
        ),
        (
            "remind me to call grandma every sunday",
            TASK,
            json!({"title": "call grandma"}),
        ),
        (
            "i should email my advisor friday",
            TASK,
            json!({"title": "email my advisor", "due_date": "2026-12-04"}),
        ),
        (
            "need to buy a lab coat before monday",
            TASK,
            json!({"title": "buy a lab coat", "due_date": "2026-12-07"}),
        ),
        (
            "add revise chapter 3 to my todo list",
            TASK,
            json!({"title": "revise chapter 3"}),
        ),
        (
            "remember to renew my bus pass in 3 days",
            TASK,
            json!({"title": "renew my bus pass", "due_date": "2026-12-05"}),
        ),
        (
            "make sure to finish the reading for seminar by the end of the week",
            TASK,
            json!({"title": "finish the reading for seminar", "due_date": "2026-12-06"}),
        ),
        (
            "hey, i gotta register for next semester's courses by friday",
            TASK,
            json!({"due_date": "2026-12-04"}),
        ),
        (
            "can you add an important task to prepare for the interview",
            TASK,
            json!({"title": "prepare for the interview", "priority": "high"}),
        ),
        (
            "top priority: fix the citation errors in my thesis",
            TASK,
            json!({"title": "fix the citation errors in my thesis", "priority": "high"}),
        ),
        (
            "i must send the lab data to my partner tomorrow",
            TASK,
            json!({"title": "send the lab data to my partner", "due_date": "2026-12-03"}),
        ),
        (
            "set a reminder to take my vitamins tomorrow at 9am",
            TASK,
            json!({"due_at": "2026-12-03T08:00:00Z"}),
        ),
    ]
}

fn questions() -> Vec<Case> {
    vec![
        ("what's due in the next 3 days?", LIST, due_within(5)),
        ("show my tasks for the next ten days", LIST, due_within(12)),
        (
            "what do I have due over the coming week",
            LIST,
            due_within(9),
        ),
        ("anything due within two weeks?", LIST, due_within(16)),
        ("what's coming up in the next few days", LIST, due_within(5)),
        (
            "what's due this week",
            LIST,
            json!({"status": "pending", "due_before": "2026-12-06T23:00:00Z"}),
        ),
        (
            "what's due tomorrow?",
            LIST,
            json!({"due_after": "2026-12-02T23:00:00Z", "due_before": "2026-12-03T23:00:00Z"}),
        ),
        (
            "what's on my plate today",
            LIST,
            json!({"due_after": "2026-12-01T23:00:00Z", "due_before": "2026-12-02T23:00:00Z"}),
        ),
        (
            "which deadlines do I have coming up over the next week",
            LIST,
            due_within(9),
        ),
        (
            "what have I got to do for the next 5 days",
            LIST,
            due_within(7),
        ),
        ("am I behind on anything?", LIST, json!({"overdue": true})),
        (
            "what did I miss? anything overdue",
            LIST,
            json!({"overdue": true}),
        ),
        (
            "show me what I've already finished",
            LIST,
            json!({"status": "completed"}),
        ),
        (
            "list my open assignments",
            LIST,
            json!({"status": "pending"}),
        ),
        (
            "what do I still need to get done this week",
            LIST,
            json!({"due_before": "2026-12-06T23:00:00Z"}),
        ),
        (
            "find tasks about chemistry",
            LIST,
            json!({"search": "chemistry"}),
        ),
        (
            "what's on my schedule over the coming week",
            SCHEDULE,
            json!({"from": "2026-12-01T23:00:00Z", "to": "2026-12-09T23:00:00Z"}),
        ),
        (
            "what does my calendar look like tomorrow",
            SCHEDULE,
            json!({"from": "2026-12-02T23:00:00Z", "to": "2026-12-03T23:00:00Z"}),
        ),
        (
            "how busy am I over the next few days",
            SCHEDULE,
            json!({"from": "2026-12-01T23:00:00Z", "to": "2026-12-05T23:00:00Z"}),
        ),
        (
            "what sessions have I got booked today",
            SCHEDULE,
            json!({"from": "2026-12-01T23:00:00Z", "to": "2026-12-02T23:00:00Z"}),
        ),
        (
            "show my timetable for the next 7 days",
            SCHEDULE,
            json!({"from": "2026-12-01T23:00:00Z", "to": "2026-12-09T23:00:00Z"}),
        ),
        (
            "what's on my agenda this week",
            SCHEDULE,
            json!({"from": "2026-12-01T23:00:00Z", "to": "2026-12-06T23:00:00Z"}),
        ),
        (
            "do I have any study blocks planned for friday",
            SCHEDULE,
            json!({"from": "2026-12-03T23:00:00Z", "to": "2026-12-04T23:00:00Z"}),
        ),
    ]
}

fn changes() -> Vec<Case> {
    vec![
        ("mark the essay as done", DONE, json!({"task": "essay"})),
        (
            "just handed in the lab report",
            DONE,
            json!({"task": "lab report"}),
        ),
        (
            "finally finished the physics one!",
            DONE,
            json!({"task": "physics"}),
        ),
        (
            "I've wrapped up the presentation slides",
            DONE,
            json!({"task": "presentation slides"}),
        ),
        (
            "done with the calculus homework",
            DONE,
            json!({"task": "calculus homework"}),
        ),
        ("tick off buying milk", DONE, json!({"task": "buying milk"})),
        (
            "the history reading is finished",
            DONE,
            json!({"task": "history reading"}),
        ),
        (
            "i completed the grocery run",
            DONE,
            json!({"task": "grocery run"}),
        ),
        (
            "submitted my scholarship application today",
            DONE,
            json!({"task": "scholarship application"}),
        ),
        (
            "knocked out the chem flashcards",
            DONE,
            json!({"task": "chem flashcards"}),
        ),
        (
            "check off the one about the library",
            DONE,
            json!({"task": "library"}),
        ),
        (
            "yay I nailed the stats quiz prep",
            DONE,
            json!({"task": "stats quiz prep"}),
        ),
        (
            "delete the task about the gym",
            DELETE,
            json!({"task": "gym"}),
        ),
        (
            "remove the essay outline from my list",
            DELETE,
            json!({"task": "essay outline"}),
        ),
        (
            "I don't need the grocery task anymore",
            DELETE,
            json!({"task": "grocery"}),
        ),
        (
            "scrap the chemistry flashcards task",
            DELETE,
            json!({"task": "chemistry flashcards"}),
        ),
        (
            "get rid of the reminder about the bank",
            DELETE,
            json!({"task": "bank"}),
        ),
        (
            "drop the library task, it's not happening",
            DELETE,
            json!({"task": "library"}),
        ),
        (
            "take the dentist appointment off my todo list",
            DELETE,
            json!({"task": "dentist appointment"}),
        ),
        (
            "please delete my task to call the landlord",
            DELETE,
            json!({"task": "call the landlord"}),
        ),
        (
            "cancel the task buy concert tickets",
            DELETE,
            json!({"task": "buy concert tickets"}),
        ),
        (
            "move the essay to friday",
            UPDATE,
            json!({"task": "essay", "due_date": "2026-12-04"}),
        ),
        (
            "push the lab report back to next monday",
            UPDATE,
            json!({"task": "lab report", "due_date": "2026-12-07"}),
        ),
        (
            "postpone reading chapter 5 until tomorrow",
            UPDATE,
            json!({"task": "reading chapter 5", "due_date": "2026-12-03"}),
        ),
        (
            "can we do the physics homework on thursday instead",
            UPDATE,
            json!({"task": "physics homework", "due_date": "2026-12-03"}),
        ),
        (
            "the presentation is now due next friday",
            UPDATE,
            json!({"task": "presentation", "due_date": "2026-12-11"}),
        ),
        (
            "reschedule the gym session to saturday",
            UPDATE,
            json!({"task": "gym session", "due_date": "2026-12-05"}),
        ),
        (
            "i'll do the laundry on sunday instead",
            UPDATE,
            json!({"task": "laundry", "due_date": "2026-12-06"}),
        ),
        (
            "delay the essay draft till monday please",
            UPDATE,
            json!({"task": "essay draft", "due_date": "2026-12-07"}),
        ),
        (
            "make the essay urgent",
            UPDATE,
            json!({"task": "essay", "priority": "urgent"}),
        ),
        (
            "the thesis draft is top priority now",
            UPDATE,
            json!({"task": "thesis draft", "priority": "high"}),
        ),
        (
            "set the priority of the grocery run to low",
            UPDATE,
            json!({"task": "grocery run", "priority": "low"}),
        ),
        (
            "flag the scholarship application as important",
            UPDATE,
            json!({"task": "scholarship application", "priority": "high"}),
        ),
        (
            "bump the exam revision to high priority",
            UPDATE,
            json!({"task": "exam revision", "priority": "high"}),
        ),
        (
            "rename the essay to final essay",
            UPDATE,
            json!({"task": "essay", "title": "final essay"}),
        ),
    ]
}

fn goals_notes_blocks() -> Vec<Case> {
    vec![
        (
            "set a goal to finish my thesis by june",
            GOAL,
            json!({"title": "finish my thesis", "target_date": "2027-06-01"}),
        ),
        (
            "my goal is to read 20 books",
            GOAL,
            json!({"title": "read 20 books"}),
        ),
        (
            "I'm aiming to pass the driving test by march",
            GOAL,
            json!({"title": "pass the driving test", "target_date": "2027-03-01"}),
        ),
        (
            "I want to get an A in organic chemistry",
            GOAL,
            json!({"title": "get an A in organic chemistry"}),
        ),
        (
            "my target is to run a half marathon",
            GOAL,
            json!({"title": "run a half marathon"}),
        ),
        (
            "new goal: learn 500 spanish words",
            GOAL,
            json!({"title": "learn 500 spanish words"}),
        ),
        (
            "I'd like to work towards publishing a paper by end of june",
            GOAL,
            json!({"title": "publishing a paper", "target_date": "2027-06-30"}),
        ),
        (
            "note: the exam is in room 4",
            NOTE,
            json!({"content": "the exam is in room 4"}),
        ),
        (
            "write down that the lab moved to building C",
            NOTE,
            json!({"content": "the lab moved to building C"}),
        ),
        (
            "remember that mitochondria make ATP",
            NOTE,
            json!({"content": "mitochondria make ATP"}),
        ),
        (
            "jot this down: office hours are tuesdays at 3",
            NOTE,
            json!({"content": "office hours are tuesdays at 3"}),
        ),
        (
            "quick note, chapter 9 is not on the test",
            NOTE,
            json!({"content": "chapter 9 is not on the test"}),
        ),
        (
            "save this for later: the wifi password is on the fridge",
            NOTE,
            json!({"content": "the wifi password is on the fridge"}),
        ),
        (
            "search my notes for photosynthesis",
            SEARCH,
            json!({"query": "photosynthesis"}),
        ),
        (
            "what did I write about the french revolution",
            SEARCH,
            json!({"query": "the french revolution"}),
        ),
        (
            "do I have anything written down about enzymes?",
            SEARCH,
            json!({"query": "enzymes"}),
        ),
        (
            "pull up what I noted on supply and demand",
            SEARCH,
            json!({"query": "supply and demand"}),
        ),
        (
            "where did I put my notes about the cold war",
            SEARCH,
            json!({"query": "cold war"}),
        ),
        (
            "find my notes on linear algebra",
            SEARCH,
            json!({"query": "linear algebra"}),
        ),
        (
            "look up mitosis in my notes",
            SEARCH,
            json!({"query": "mitosis"}),
        ),
        (
            "block 2-4pm tomorrow for physics",
            BLOCK,
            json!({"title": "physics", "start_at": "2026-12-03T13:00:00Z", "end_at": "2026-12-03T15:00:00Z"}),
        ),
        (
            "schedule a study session on friday at 10am for 2 hours",
            BLOCK,
            json!({"start_at": "2026-12-04T09:00:00Z", "end_at": "2026-12-04T11:00:00Z"}),
        ),
        (
            "pencil in two hours of chemistry revision tomorrow at 3pm",
            BLOCK,
            json!({"title": "chemistry revision", "start_at": "2026-12-03T14:00:00Z", "end_at": "2026-12-03T16:00:00Z"}),
        ),
        (
            "set aside an hour tonight at 8pm to revise calculus",
            BLOCK,
            json!({"start_at": "2026-12-02T19:00:00Z", "end_at": "2026-12-02T20:00:00Z"}),
        ),
        (
            "book the gym on saturday at 8am",
            BLOCK,
            json!({"block_type": "exercise", "start_at": "2026-12-05T07:00:00Z"}),
        ),
        (
            "I want to study biology from 3 to 5pm tomorrow",
            BLOCK,
            json!({"start_at": "2026-12-03T14:00:00Z", "end_at": "2026-12-03T16:00:00Z"}),
        ),
        (
            "study french tomorrow 9-11am",
            BLOCK,
            json!({"block_type": "study", "start_at": "2026-12-03T08:00:00Z", "end_at": "2026-12-03T10:00:00Z"}),
        ),
        (
            "carve out 90 minutes for essay writing on thursday at 2pm",
            BLOCK,
            json!({"start_at": "2026-12-03T13:00:00Z", "end_at": "2026-12-03T14:30:00Z"}),
        ),
    ]
}

/// Messages that ask for nothing the assistant does.
pub const NOT_REQUESTS: &[&str] = &[
    "hello there",
    "how are you today?",
    "what is the meaning of life",
    "tell me a joke about cats",
    "who won the world cup in 2014",
    "what's the capital of australia",
    "I'm so tired of exams",
    "lol",
    "the mitochondria is the powerhouse of the cell",
    "blorf snazzle wimp",
    "can you explain how photosynthesis works?",
    "thanks, you're great",
];
