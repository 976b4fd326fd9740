//! The agent's tools: one registry with typed JSON schemas, used by chat (through the
//! `ai_action` workflow) and by MCP.
//!
//! A tool calls the same use-cases as the REST API, with the user's context: same
//! validation and ownership checks (an AI can do nothing a user could not do with
//! their own token). Creates run once under a key derived from the action and call
//! (`maigie_services::idempotency`), so a tool call retried after a crash writes once.
//! The schemas are in [`crate::parameters`].

use serde_json::Value;

use crate::parameters as p;

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

/// Every tool, in the order models see them.
pub static TOOLS: &[ToolDef] = &[
    ToolDef {
        name: "create_task",
        description: "Create a task (optionally due, recurring, with a reminder).",
        scope: Scope::Write,
        confirm: false,
        parameters: p::create_task,
    },
    ToolDef {
        name: "list_tasks",
        description: "List or search the user's tasks.",
        scope: Scope::Read,
        confirm: false,
        parameters: p::list_tasks,
    },
    ToolDef {
        name: "update_task",
        description: "Change a task (title, priority, due, tags…).",
        scope: Scope::Write,
        confirm: false,
        parameters: p::update_task,
    },
    ToolDef {
        name: "complete_task",
        description: "Mark a task as done.",
        scope: Scope::Write,
        confirm: false,
        parameters: p::task_only,
    },
    ToolDef {
        name: "delete_task",
        description: "Delete a task (asks the user first).",
        scope: Scope::Delete,
        confirm: true,
        parameters: p::task_only,
    },
    ToolDef {
        name: "create_goal",
        description: "Create a goal.",
        scope: Scope::Write,
        confirm: false,
        parameters: p::create_goal,
    },
    ToolDef {
        name: "update_goal",
        description: "Change a goal (status, target date…).",
        scope: Scope::Write,
        confirm: false,
        parameters: p::update_goal,
    },
    ToolDef {
        name: "list_goals",
        description: "List the user's goals.",
        scope: Scope::Read,
        confirm: false,
        parameters: p::list_goals,
    },
    ToolDef {
        name: "create_schedule_block",
        description: "Add a block to the schedule (fails on overlap with the conflicts listed).",
        scope: Scope::Write,
        confirm: false,
        parameters: p::create_block,
    },
    ToolDef {
        name: "move_schedule_block",
        description: "Move a schedule block to a new time.",
        scope: Scope::Write,
        confirm: false,
        parameters: p::move_block,
    },
    ToolDef {
        name: "list_schedule",
        description: "The schedule's occurrences in a window.",
        scope: Scope::Read,
        confirm: false,
        parameters: p::window,
    },
    ToolDef {
        name: "check_conflicts",
        description: "Overlapping schedule occurrences in a window.",
        scope: Scope::Read,
        confirm: false,
        parameters: p::window,
    },
    ToolDef {
        name: "create_daily_plan",
        description: "Create the plan of a day with its items.",
        scope: Scope::Write,
        confirm: false,
        parameters: p::daily_plan,
    },
    ToolDef {
        name: "update_daily_plan",
        description: "Change a day's plan (summary, status).",
        scope: Scope::Write,
        confirm: false,
        parameters: p::update_daily_plan,
    },
    ToolDef {
        name: "add_plan_item",
        description: "Add an item to a day's plan (the plan is created if missing).",
        scope: Scope::Write,
        confirm: false,
        parameters: p::plan_item,
    },
    ToolDef {
        name: "update_plan_item",
        description: "Change a plan item (status, title, priority).",
        scope: Scope::Write,
        confirm: false,
        parameters: p::update_plan_item,
    },
    ToolDef {
        name: "create_weekly_plan",
        description: "Create the plan of a week.",
        scope: Scope::Write,
        confirm: false,
        parameters: p::weekly_plan,
    },
    ToolDef {
        name: "create_note",
        description: "Create a note.",
        scope: Scope::Write,
        confirm: false,
        parameters: p::create_note,
    },
    ToolDef {
        name: "summarize_note",
        description: "Write a short summary of a note into its summary field.",
        scope: Scope::Write,
        confirm: false,
        parameters: p::note_ref,
    },
    ToolDef {
        name: "search_notes",
        description: "Full-text search in the user's notes.",
        scope: Scope::Read,
        confirm: false,
        parameters: p::search_notes,
    },
    ToolDef {
        name: "generate_schedule",
        description: "Draft a study schedule for a window from goals, deadlines and free time (the user accepts it).",
        scope: Scope::Write,
        confirm: false,
        parameters: p::generate_schedule,
    },
];

/// The tool called `name`.
#[must_use]
pub fn find(name: &str) -> Option<&'static ToolDef> {
    TOOLS.iter().find(|t| t.name == name)
}
