//! The scope gate every tool call passes, from chat (which holds every scope) and from
//! MCP (whose token holds some): a caller lacking a scope the tool needs
//! ([`ToolDef::missing`]) is refused before anything runs, and a caller without
//! `read` never sees the user's data in an answer — neither rows nor matches nor
//! the occurrences a conflict lists.

use serde_json::{Map, Value, json};

use crate::exec::{Outcome, id_of, refused};
use crate::registry::{Scope, Scopes, ToolDef};

/// Error details that describe the caller's own request or account, not the user's
/// rows: kept for a caller without `read`.
const OWN_DETAILS: [&str; 3] = [
    "validation_failed",
    "tier_limit_reached",
    "ai_quota_exceeded",
];

fn names(scopes: &[Scope]) -> Vec<&'static str> {
    scopes.iter().map(|s| s.as_str()).collect()
}

/// The refusal (403 `insufficient_scope`, naming the missing scopes) when `granted`
/// does not cover `tool`; `None` when the call may run.
#[must_use]
pub fn refusal(tool: &ToolDef, granted: Scopes) -> Option<Outcome> {
    let missing = tool.missing(granted);
    if missing.is_empty() {
        return None;
    }
    let required = names(&tool.required());
    let message = format!(
        "This token may not call {}: it lacks the {} scope ({} needs {}).",
        tool.name,
        names(&missing).join(" and "),
        tool.name,
        required.join(" and "),
    );
    let error = json!({"code": "insufficient_scope", "message": message,
                       "details": {"tool": tool.name, "required": required, "missing": names(&missing)}});
    Some(refused(403, error))
}

/// What a caller without `read` is told: on success only the id of the row created or
/// changed and the tool's fixed sentence; on refusal the status, code and message,
/// with details only when they are about the request itself.
pub(super) fn without_read(tool: &ToolDef, mut outcome: Outcome) -> Outcome {
    if outcome.ok {
        outcome.result = id_of(&outcome.result).map_or_else(|| json!({}), |id| json!({"id": id}));
        outcome.summary = tool.without_read.unwrap_or("Done.").to_owned();
        return outcome;
    }
    let mut kept = Map::new();
    for key in ["status", "field"] {
        if let Some(v) = outcome.result.get(key) {
            kept.insert(key.to_owned(), v.clone());
        }
    }
    if let Some(error) = outcome.result.get("error") {
        let code = error["code"].as_str().unwrap_or("refused");
        let message = error["message"]
            .as_str()
            .map_or_else(|| generic(code), str::to_owned);
        let mut redacted = json!({"code": code, "message": message});
        if OWN_DETAILS.contains(&code) {
            // The summary names the caller's own fields or plan limits: kept.
            if let Some(details) = error.get("details") {
                redacted["details"] = details.clone();
            }
        } else {
            if error.get("details").is_some() || code == "schedule_conflict" {
                // The message may count or name what is in the way.
                redacted["message"] = Value::String(generic(code));
            }
            outcome.summary = redacted["message"]
                .as_str()
                .unwrap_or("The request was refused.")
                .to_owned();
        }
        kept.insert("error".into(), redacted);
    } else {
        outcome.summary = "The request was refused.".into();
    }
    outcome.result = Value::Object(kept);
    outcome
}

fn generic(code: &str) -> String {
    if code == "schedule_conflict" {
        "It overlaps something already on the schedule; pick another time.".into()
    } else {
        format!("The request was refused ({code}).")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{self, TOOLS};

    const WRITE_ONLY: Scopes = Scopes {
        read: false,
        write: true,
        delete: false,
    };

    #[test]
    fn a_write_only_caller_may_run_only_the_tools_that_read_nothing() {
        let callable: Vec<&str> = TOOLS
            .iter()
            .filter(|t| refusal(t, WRITE_ONLY).is_none())
            .map(|t| t.name)
            .collect();
        assert_eq!(
            callable,
            [
                "create_task",
                "create_goal",
                "create_schedule_block",
                "move_schedule_block",
                "create_daily_plan",
                "add_plan_item",
                "update_plan_item",
                "create_weekly_plan",
                "create_note",
                "generate_schedule",
            ]
        );
    }

    #[test]
    fn the_refusal_names_the_missing_scope() {
        let tool = registry::find("summarize_note").expect("tool");
        let refused = refusal(tool, WRITE_ONLY).expect("refused");
        assert_eq!(refused.result["status"], 403);
        assert_eq!(refused.result["error"]["code"], "insufficient_scope");
        assert_eq!(
            refused.result["error"]["details"]["missing"],
            json!(["read"])
        );
        assert!(refusal(tool, Scopes::ALL).is_none());
    }

    #[test]
    fn without_read_a_success_is_an_id_and_a_conflict_lists_nothing() {
        let tool = registry::find("create_schedule_block").expect("tool");
        let id = uuid::Uuid::new_v4();
        let made = crate::exec::changed(
            json!({"id": id, "title": "Lab", "description": "secret"}),
            "Added “Lab”".into(),
            Vec::new(),
        );
        let acked = without_read(tool, made);
        assert_eq!(acked.result, json!({"id": id}));
        assert_eq!(acked.summary, "Added the block to the schedule.");

        let conflict = refused(
            409,
            json!({"code": "schedule_conflict", "message": "This overlaps 2 other occurrence(s)",
                   "details": {"conflicts": [{"title": "Therapy"}]}}),
        );
        let redacted = without_read(tool, conflict);
        assert_eq!(redacted.result["error"]["code"], "schedule_conflict");
        assert!(redacted.result["error"].get("details").is_none());
        assert!(!redacted.result.to_string().contains("Therapy"));
        assert!(!redacted.summary.contains('2'));
    }
}
