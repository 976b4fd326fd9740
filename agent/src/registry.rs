//! The agent's tools: one registry with typed JSON schemas, used by chat (through the
//! `ai_action` workflow) and by MCP.
//!
//! A tool calls the same use-cases as the REST API, with the user's context: same
//! validation and ownership checks (an AI can do nothing a user could not do with
//! their own token). Creates run once under a key derived from the action and call
//! (`maigie_services::idempotency`), so a tool call retried after a crash writes once.

use serde_json::{Value, json};

/// What a tool needs from an MCP token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Read,
    Write,
    Delete,
}

impl Scope {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Delete => "delete",
        }
    }
}

/// One tool as models and MCP clients see it.
#[derive(Debug)]
pub struct ToolDef {
    pub name: &'static str,
    pub description: &'static str,
    pub scope: Scope,
    /// Destructive: the user confirms before it runs.
    pub confirm: bool,
    pub parameters: fn() -> Value,
}

fn string(description: &str) -> Value {
    json!({"type": "string", "description": description})
}

fn instant(description: &str) -> Value {
    json!({"type": "string", "format": "date-time", "description": description})
}

fn date(description: &str) -> Value {
    json!({"type": "string", "format": "date", "description": description})
}

fn priority() -> Value {
    json!({"type": "string", "enum": ["low", "medium", "high", "urgent"]})
}

fn tags() -> Value {
    json!({"type": "array", "items": {"type": "string"}, "maxItems": 20, "description": "up to 20 tags"})
}

fn object(properties: Value, required: &[&str]) -> Value {
    json!({"type": "object", "properties": properties, "required": required,
           "additionalProperties": false})
}

fn task_ref() -> (Value, Value) {
    (
        json!({"type": "string", "format": "uuid", "description": "the task's id"}),
        string("words of the task's title, when the id is not known"),
    )
}

fn create_task() -> Value {
    object(
        json!({
            "title": string("1–200 characters"),
            "description": string("details"),
            "priority": priority(),
            "tags": tags(),
            "due_at": instant("due at this instant (RFC 3339)"),
            "due_date": date("due on this day (YYYY-MM-DD); not with due_at"),
            "goal_id": {"type": "string", "format": "uuid"},
            "recurrence_rule": string("RFC 5545 RRULE, e.g. FREQ=WEEKLY;INTERVAL=2;BYDAY=MO; needs a due"),
            "reminder_minutes": {"type": "integer", "minimum": 0, "maximum": 10080,
                                 "description": "remind this many minutes before due_at"},
        }),
        &["title"],
    )
}

fn list_tasks() -> Value {
    object(
        json!({
            "status": {"type": "string", "enum": ["pending", "completed", "all"]},
            "priority": priority(),
            "tag": string("only tasks with this tag"),
            "due_after": instant("due at or after"),
            "due_before": instant("due strictly before"),
            "overdue": {"type": "boolean"},
            "search": string("full-text search in title, description and tags"),
            "sort": {"type": "string", "enum": ["created", "due", "priority", "title"]},
            "limit": {"type": "integer", "minimum": 1, "maximum": 100},
        }),
        &[],
    )
}

fn update_task() -> Value {
    let (id, words) = task_ref();
    object(
        json!({
            "task_id": id, "task": words,
            "title": string("new title"),
            "description": string("new details"),
            "priority": priority(),
            "tags": tags(),
            "due_at": instant("new due instant"),
            "due_date": date("new due day"),
            "recurrence_rule": string("new RRULE"),
            "reminder_minutes": {"type": "integer", "minimum": 0, "maximum": 10080},
        }),
        &[],
    )
}

fn task_only() -> Value {
    let (id, words) = task_ref();
    object(json!({"task_id": id, "task": words}), &[])
}

fn create_goal() -> Value {
    object(
        json!({
            "title": string("1–200 characters"),
            "description": string("details"),
            "priority": priority(),
            "target_date": date("when it should be reached"),
        }),
        &["title"],
    )
}

fn update_goal() -> Value {
    object(
        json!({
            "goal_id": {"type": "string", "format": "uuid"},
            "goal": string("words of the goal's title, when the id is not known"),
            "title": string("new title"),
            "description": string("new details"),
            "priority": priority(),
            "status": {"type": "string", "enum": ["NOT_STARTED", "IN_PROGRESS", "COMPLETED", "ABANDONED"]},
            "target_date": date("new target day"),
        }),
        &[],
    )
}

fn list_goals() -> Value {
    object(
        json!({"status": {"type": "string", "enum": ["NOT_STARTED", "IN_PROGRESS", "COMPLETED", "ABANDONED"]}}),
        &[],
    )
}

fn create_block() -> Value {
    object(
        json!({
            "title": string("1–200 characters"),
            "description": string("details"),
            "start_at": instant("first occurrence start (RFC 3339)"),
            "end_at": instant("first occurrence end (RFC 3339)"),
            "block_type": {"type": "string", "enum": ["study", "class", "task", "break", "exercise", "personal", "work", "other"]},
            "rrule": string("RFC 5545 RRULE for a repeating block, e.g. FREQ=WEEKLY;BYDAY=MO"),
            "reminder_minutes": {"type": "integer", "minimum": 0, "maximum": 10080},
            "task_id": {"type": "string", "format": "uuid"},
            "goal_id": {"type": "string", "format": "uuid"},
        }),
        &["title", "start_at", "end_at"],
    )
}

fn move_block() -> Value {
    object(
        json!({
            "block_id": {"type": "string", "format": "uuid"},
            "start_at": instant("new start"),
            "end_at": instant("new end"),
        }),
        &["block_id", "start_at", "end_at"],
    )
}

fn window() -> Value {
    object(
        json!({"from": instant("window start"), "to": instant("window end (at most 366 days later)")}),
        &["from", "to"],
    )
}

fn daily_plan() -> Value {
    object(
        json!({
            "plan_date": date("the day"),
            "summary": string("what the day is about"),
            "items": {"type": "array", "description": "items to add, in order (at most 20)", "maxItems": 20,
                      "items": {"type": "object", "properties": {
                          "title": string("1–200 characters"), "priority": priority(),
                          "task_id": {"type": "string", "format": "uuid"},
                          "goal_id": {"type": "string", "format": "uuid"}},
                       "required": ["title"], "additionalProperties": false}},
        }),
        &["plan_date"],
    )
}

fn weekly_plan() -> Value {
    object(
        json!({
            "week_start": date("a Monday; default this week's"),
            "focus_areas": tags(),
            "summary": string("what the week is about"),
        }),
        &[],
    )
}

fn update_daily_plan() -> Value {
    object(
        json!({
            "plan_date": date("the day whose plan to change"),
            "summary": string("new summary"),
            "status": {"type": "string", "enum": ["draft", "active", "completed"]},
        }),
        &["plan_date"],
    )
}

fn plan_item() -> Value {
    object(
        json!({
            "plan_date": date("the day (its plan is created if missing)"),
            "title": string("1–200 characters"),
            "priority": priority(),
            "task_id": {"type": "string", "format": "uuid"},
            "goal_id": {"type": "string", "format": "uuid"},
        }),
        &["plan_date", "title"],
    )
}

fn update_plan_item() -> Value {
    object(
        json!({
            "item_id": {"type": "string", "format": "uuid"},
            "title": string("new title"),
            "priority": priority(),
            "status": {"type": "string", "enum": ["todo", "in_progress", "done", "skipped"]},
        }),
        &["item_id"],
    )
}

fn create_note() -> Value {
    object(
        json!({"title": string("1–200 characters"), "content": string("markdown"), "tags": tags()}),
        &["title"],
    )
}

fn note_ref() -> Value {
    object(
        json!({"note_id": {"type": "string", "format": "uuid"},
               "note": string("words of the note's title, when the id is not known")}),
        &[],
    )
}

fn search_notes() -> Value {
    object(json!({"query": string("words to look for")}), &["query"])
}

/// Every tool, in the order models see them.
pub static TOOLS: &[ToolDef] = &[
    ToolDef {
        name: "create_task",
        description: "Create a task (optionally due, recurring, with a reminder).",
        scope: Scope::Write,
        confirm: false,
        parameters: create_task,
    },
    ToolDef {
        name: "list_tasks",
        description: "List or search the user's tasks.",
        scope: Scope::Read,
        confirm: false,
        parameters: list_tasks,
    },
    ToolDef {
        name: "update_task",
        description: "Change a task (title, priority, due, tags…).",
        scope: Scope::Write,
        confirm: false,
        parameters: update_task,
    },
    ToolDef {
        name: "complete_task",
        description: "Mark a task as done.",
        scope: Scope::Write,
        confirm: false,
        parameters: task_only,
    },
    ToolDef {
        name: "delete_task",
        description: "Delete a task (asks the user first).",
        scope: Scope::Delete,
        confirm: true,
        parameters: task_only,
    },
    ToolDef {
        name: "create_goal",
        description: "Create a goal.",
        scope: Scope::Write,
        confirm: false,
        parameters: create_goal,
    },
    ToolDef {
        name: "update_goal",
        description: "Change a goal (status, target date…).",
        scope: Scope::Write,
        confirm: false,
        parameters: update_goal,
    },
    ToolDef {
        name: "list_goals",
        description: "List the user's goals.",
        scope: Scope::Read,
        confirm: false,
        parameters: list_goals,
    },
    ToolDef {
        name: "create_schedule_block",
        description: "Add a block to the schedule (fails on overlap with the conflicts listed).",
        scope: Scope::Write,
        confirm: false,
        parameters: create_block,
    },
    ToolDef {
        name: "move_schedule_block",
        description: "Move a schedule block to a new time.",
        scope: Scope::Write,
        confirm: false,
        parameters: move_block,
    },
    ToolDef {
        name: "list_schedule",
        description: "The schedule's occurrences in a window.",
        scope: Scope::Read,
        confirm: false,
        parameters: window,
    },
    ToolDef {
        name: "check_conflicts",
        description: "Overlapping schedule occurrences in a window.",
        scope: Scope::Read,
        confirm: false,
        parameters: window,
    },
    ToolDef {
        name: "create_daily_plan",
        description: "Create the plan of a day with its items.",
        scope: Scope::Write,
        confirm: false,
        parameters: daily_plan,
    },
    ToolDef {
        name: "update_daily_plan",
        description: "Change a day's plan (summary, status).",
        scope: Scope::Write,
        confirm: false,
        parameters: update_daily_plan,
    },
    ToolDef {
        name: "add_plan_item",
        description: "Add an item to a day's plan (the plan is created if missing).",
        scope: Scope::Write,
        confirm: false,
        parameters: plan_item,
    },
    ToolDef {
        name: "update_plan_item",
        description: "Change a plan item (status, title, priority).",
        scope: Scope::Write,
        confirm: false,
        parameters: update_plan_item,
    },
    ToolDef {
        name: "create_weekly_plan",
        description: "Create the plan of a week.",
        scope: Scope::Write,
        confirm: false,
        parameters: weekly_plan,
    },
    ToolDef {
        name: "create_note",
        description: "Create a note.",
        scope: Scope::Write,
        confirm: false,
        parameters: create_note,
    },
    ToolDef {
        name: "summarize_note",
        description: "Write a short summary of a note into its summary field.",
        scope: Scope::Write,
        confirm: false,
        parameters: note_ref,
    },
    ToolDef {
        name: "search_notes",
        description: "Full-text search in the user's notes.",
        scope: Scope::Read,
        confirm: false,
        parameters: search_notes,
    },
    ToolDef {
        name: "generate_schedule",
        description: "Draft a study schedule for a window from goals, deadlines and free time (the user accepts it).",
        scope: Scope::Write,
        confirm: false,
        parameters: window,
    },
];

/// The tool called `name`.
#[must_use]
pub fn find(name: &str) -> Option<&'static ToolDef> {
    TOOLS.iter().find(|t| t.name == name)
}
