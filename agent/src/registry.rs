//! The agent's tools: one registry with typed JSON schemas, used by chat (through the
//! `ai_action` workflow) and by MCP.
//!
//! A tool calls the same use-cases as the REST API, with the user's context: same
//! validation and ownership checks (an AI can do nothing a user could not do with
//! their own token). Creates run once under a key derived from the action and call
//! (`maigie_services::idempotency`), so a tool call retried after a crash writes once.
//! The schemas are in [`crate::parameters`].
//!
//! **Scopes** (MCP tokens carry some; chat has all): a tool needs its own scope, and
//! `read` as well unless it can do its work without reading the user's data and
//! answer without showing any ([`ToolDef::without_read`]). Listing, searching,
//! summarising, and finding a target by its title (which answers the matching
//! titles when several match) all read. [`ToolDef::missing`] is the one rule; the
//! tool layer enforces it before any tool runs (`crate::tools::run`).

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

    /// The scope called `name` (`read`, `write`, `delete`).
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Read, Self::Write, Self::Delete]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// The scopes a caller holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scopes {
    pub read: bool,
    pub write: bool,
    pub delete: bool,
}

impl Scopes {
    /// Every scope: the user's own chat with the assistant.
    pub const ALL: Self = Self {
        read: true,
        write: true,
        delete: true,
    };

    /// The scopes named in `names` (unknown names grant nothing).
    #[must_use]
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Self {
        let mut scopes = Self::default();
        for scope in names.iter().filter_map(|n| Scope::parse(n.as_ref())) {
            match scope {
                Scope::Read => scopes.read = true,
                Scope::Write => scopes.write = true,
                Scope::Delete => scopes.delete = true,
            }
        }
        scopes
    }

    #[must_use]
    pub fn has(self, scope: Scope) -> bool {
        match scope {
            Scope::Read => self.read,
            Scope::Write => self.write,
            Scope::Delete => self.delete,
        }
    }
}

/// One tool as models and MCP clients see it.
#[derive(Debug)]
pub struct ToolDef {
    pub name: &'static str,
    pub description: &'static str,
    pub scope: Scope,
    /// `None`: the tool reads the user's data (it lists or searches, or finds its
    /// target by title and answers the matches), so it needs `read` besides its scope.
    /// `Some(ack)`: it may run without `read`; such a caller is answered only the id
    /// of the row it created or changed, and this sentence.
    pub without_read: Option<&'static str>,
    /// Destructive: the user confirms before it runs.
    pub confirm: bool,
    pub parameters: fn() -> Value,
}

impl ToolDef {
    /// Every scope the tool needs: its own, and `read` unless it can do without.
    #[must_use]
    pub fn required(&self) -> Vec<Scope> {
        let mut needs = vec![self.scope];
        if self.scope != Scope::Read && self.without_read.is_none() {
            needs.insert(0, Scope::Read);
        }
        needs
    }

    /// The scopes a caller holding `granted` lacks for this tool (empty: it may call it).
    #[must_use]
    pub fn missing(&self, granted: Scopes) -> Vec<Scope> {
        self.required()
            .into_iter()
            .filter(|s| !granted.has(*s))
            .collect()
    }
}

/// Every tool, in the order models see them.
pub static TOOLS: &[ToolDef] = &[
    ToolDef {
        name: "create_task",
        description: "Create a task (optionally due, recurring, with a reminder).",
        scope: Scope::Write,
        without_read: Some("Created the task."),
        confirm: false,
        parameters: p::create_task,
    },
    ToolDef {
        name: "list_tasks",
        description: "List or search the user's tasks.",
        scope: Scope::Read,
        without_read: None,
        confirm: false,
        parameters: p::list_tasks,
    },
    ToolDef {
        name: "update_task",
        description: "Change a task (title, priority, due, tags…).",
        scope: Scope::Write,
        without_read: None,
        confirm: false,
        parameters: p::update_task,
    },
    ToolDef {
        name: "complete_task",
        description: "Mark a task as done.",
        scope: Scope::Write,
        without_read: None,
        confirm: false,
        parameters: p::task_only,
    },
    ToolDef {
        name: "delete_task",
        description: "Delete a task (asks the user first).",
        scope: Scope::Delete,
        without_read: None,
        confirm: true,
        parameters: p::task_only,
    },
    ToolDef {
        name: "create_goal",
        description: "Create a goal.",
        scope: Scope::Write,
        without_read: Some("Created the goal."),
        confirm: false,
        parameters: p::create_goal,
    },
    ToolDef {
        name: "update_goal",
        description: "Change a goal (status, target date…).",
        scope: Scope::Write,
        without_read: None,
        confirm: false,
        parameters: p::update_goal,
    },
    ToolDef {
        name: "list_goals",
        description: "List the user's goals.",
        scope: Scope::Read,
        without_read: None,
        confirm: false,
        parameters: p::list_goals,
    },
    ToolDef {
        name: "create_schedule_block",
        description: "Add a block to the schedule (fails on overlap with the conflicts listed).",
        scope: Scope::Write,
        without_read: Some("Added the block to the schedule."),
        confirm: false,
        parameters: p::create_block,
    },
    ToolDef {
        name: "move_schedule_block",
        description: "Move a schedule block to a new time.",
        scope: Scope::Write,
        without_read: Some("Moved the block."),
        confirm: false,
        parameters: p::move_block,
    },
    ToolDef {
        name: "list_schedule",
        description: "The schedule's occurrences in a window.",
        scope: Scope::Read,
        without_read: None,
        confirm: false,
        parameters: p::window,
    },
    ToolDef {
        name: "check_conflicts",
        description: "Overlapping schedule occurrences in a window.",
        scope: Scope::Read,
        without_read: None,
        confirm: false,
        parameters: p::window,
    },
    ToolDef {
        name: "create_daily_plan",
        description: "Create the plan of a day with its items.",
        scope: Scope::Write,
        without_read: Some("Created the day's plan."),
        confirm: false,
        parameters: p::daily_plan,
    },
    ToolDef {
        name: "update_daily_plan",
        description: "Change a day's plan (summary, status).",
        scope: Scope::Write,
        without_read: None,
        confirm: false,
        parameters: p::update_daily_plan,
    },
    ToolDef {
        name: "add_plan_item",
        description: "Add an item to a day's plan (the plan is created if missing).",
        scope: Scope::Write,
        without_read: Some("Added the item to the day's plan."),
        confirm: false,
        parameters: p::plan_item,
    },
    ToolDef {
        name: "update_plan_item",
        description: "Change a plan item (status, title, priority).",
        scope: Scope::Write,
        without_read: Some("Updated the plan item."),
        confirm: false,
        parameters: p::update_plan_item,
    },
    ToolDef {
        name: "create_weekly_plan",
        description: "Create the plan of a week.",
        scope: Scope::Write,
        without_read: Some("Created the week's plan."),
        confirm: false,
        parameters: p::weekly_plan,
    },
    ToolDef {
        name: "create_note",
        description: "Create a note.",
        scope: Scope::Write,
        without_read: Some("Saved the note."),
        confirm: false,
        parameters: p::create_note,
    },
    ToolDef {
        name: "summarize_note",
        description: "Write a short summary of a note into its summary field.",
        scope: Scope::Write,
        without_read: None,
        confirm: false,
        parameters: p::note_ref,
    },
    ToolDef {
        name: "search_notes",
        description: "Full-text search in the user's notes.",
        scope: Scope::Read,
        without_read: None,
        confirm: false,
        parameters: p::search_notes,
    },
    ToolDef {
        name: "search_knowledge",
        description: "Search everything the user wrote or planned — notes, tasks, goals, courses, modules, topics, resources — by meaning and words; answers titles, ids and the best passage of each.",
        scope: Scope::Read,
        without_read: None,
        confirm: false,
        parameters: p::search_knowledge,
    },
    ToolDef {
        name: "generate_schedule",
        description: "Draft a study schedule for a window from goals, deadlines and free time (the user accepts it).",
        scope: Scope::Write,
        without_read: Some("Drafting a schedule; the user reviews it in the app."),
        confirm: false,
        parameters: p::generate_schedule,
    },
];

/// The tool called `name`.
#[must_use]
pub fn find(name: &str) -> Option<&'static ToolDef> {
    TOOLS.iter().find(|t| t.name == name)
}
