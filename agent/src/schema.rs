//! Checks tool arguments against the tool's JSON schema with the `jsonschema` crate
//! (formats `date-time`, `date` and `uuid` asserted). Models — local ones especially —
//! often send arguments that parse as JSON but do not fit; the errors, one per
//! mismatch as `$.path: problem`, tell them what to fix.

use std::collections::HashMap;
use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

use crate::registry::{self, ToolDef};

/// Every mismatch, as `path: problem`; empty when `value` fits.
#[must_use]
pub fn check(value: &Value, schema: &Value) -> Vec<String> {
    match validator(schema) {
        Ok(v) => mismatches(&v, value),
        Err(e) => vec![format!("$: the tool's schema is invalid ({e})")],
    }
}

/// [`check`] against `tool`'s parameters, with its validator built once per process
/// (generating and compiling a schema costs more than checking arguments with it).
#[must_use]
pub fn check_arguments(tool: &ToolDef, value: &Value) -> Vec<String> {
    static BUILT: OnceLock<HashMap<&'static str, Result<Validator, String>>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        registry::TOOLS
            .iter()
            .map(|t| {
                (
                    t.name,
                    validator(&(t.parameters)()).map_err(|e| e.to_string()),
                )
            })
            .collect()
    });
    match built.get(tool.name) {
        Some(Ok(v)) => mismatches(v, value),
        Some(Err(e)) => vec![format!("$: the tool's schema is invalid ({e})")],
        None => check(value, &(tool.parameters)()),
    }
}

fn mismatches(validator: &Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .flat_map(|e| describe(&e))
        .collect()
}

fn validator(schema: &Value) -> Result<Validator, ValidationError<'static>> {
    jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
}

/// A JSON pointer (`/items/1/title`) as a path (`$.items[1].title`).
fn path_of(pointer: &str) -> String {
    let mut path = "$".to_owned();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if segment.parse::<usize>().is_ok() {
            path.push_str(&format!("[{segment}]"));
        } else {
            path.push_str(&format!(".{segment}"));
        }
    }
    path
}

fn a(kind: &str) -> String {
    match kind {
        "boolean" => "true or false".to_owned(),
        "array" | "integer" | "object" => format!("an {kind}"),
        other => format!("a {other}"),
    }
}

fn describe(error: &ValidationError<'_>) -> Vec<String> {
    let path = path_of(error.instance_path().as_str());
    let one = |problem: String| vec![format!("{path}: {problem}")];
    match error.kind() {
        ValidationErrorKind::Required { property } => {
            let name = property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_owned);
            vec![format!("{path}.{name}: is required")]
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => unexpected
            .iter()
            .map(|name| format!("{path}.{name}: is not a known field"))
            .collect(),
        ValidationErrorKind::Enum { options } => one(format!("must be one of {options}")),
        ValidationErrorKind::Type {
            kind: TypeKind::Single(t),
        } => one(format!("must be {}", a(&t.to_string()))),
        ValidationErrorKind::Format { format } => one(format!("must be a valid {format}")),
        ValidationErrorKind::Minimum { limit } => one(format!("must be at least {limit}")),
        ValidationErrorKind::Maximum { limit } => one(format!("must be at most {limit}")),
        ValidationErrorKind::MaxItems { limit } => one(format!("at most {limit} items")),
        _ => one(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;
    use serde_json::json;

    fn errors(tool: &str, args: Value) -> Vec<String> {
        let def = registry::find(tool).expect("tool");
        let once = check(&args, &(def.parameters)());
        assert_eq!(
            check_arguments(def, &args),
            once,
            "the kept validator agrees"
        );
        once
    }

    #[test]
    fn well_formed_arguments_pass() {
        assert!(
            errors(
                "create_task",
                json!({"title": "Read", "priority": "high",
            "due_at": "2026-12-03T16:00:00Z", "tags": ["a"]})
            )
            .is_empty()
        );
        assert!(
            errors(
                "list_schedule",
                json!({"from": "2026-12-01T00:00:00Z",
            "to": "2026-12-08T00:00:00+01:00"})
            )
            .is_empty()
        );
    }

    #[test]
    fn each_mismatch_is_named() {
        let e = errors(
            "create_task",
            json!({"priority": "huge", "due_at": "tomorrow",
            "reminder_minutes": -5, "colour": "red", "tags": "x"}),
        );
        assert_eq!(e.len(), 6, "{e:?}");
        assert!(e.contains(&"$.title: is required".to_owned()));
        assert!(
            e.iter()
                .any(|m| m.starts_with("$.priority: must be one of"))
        );
        assert!(e.contains(&"$.due_at: must be a valid date-time".to_owned()));
        assert!(e.contains(&"$.reminder_minutes: must be at least 0".to_owned()));
        assert!(e.contains(&"$.colour: is not a known field".to_owned()));
        assert!(e.contains(&"$.tags: must be an array".to_owned()));
    }

    #[test]
    fn nested_items_are_checked() {
        let e = errors(
            "create_daily_plan",
            json!({"plan_date": "2026-12-02",
            "items": [{"title": "a"}, {"priority": "low"}]}),
        );
        assert_eq!(e, vec!["$.items[1].title: is required".to_owned()]);
    }

    #[test]
    fn a_nullable_field_names_the_type_it_wants() {
        let e = errors("create_task", json!({"title": "Read", "description": 5}));
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("$.description: "), "{e:?}");
    }

    #[test]
    fn generated_schemas_keep_the_rest_fields_and_add_the_tool_ones() {
        let update = (registry::find("update_task").expect("tool").parameters)();
        for field in ["title", "due_at", "recurrence_rule", "task_id", "task"] {
            assert!(
                update["properties"].get(field).is_some(),
                "{field}: {update}"
            );
        }
        let moved = (registry::find("move_schedule_block")
            .expect("tool")
            .parameters)();
        assert_eq!(moved["required"], json!(["block_id", "start_at", "end_at"]));
        assert!(moved["properties"].get("title").is_none(), "{moved}");
    }

    #[test]
    fn every_tool_schema_is_a_closed_object() {
        for t in registry::TOOLS {
            let s = (t.parameters)();
            assert!(validator(&s).is_ok(), "{}: {s}", t.name);
            assert_eq!(s["type"], "object", "{}", t.name);
            assert_eq!(s["additionalProperties"], false, "{}", t.name);
            assert!(
                !s.to_string().contains("$ref"),
                "{}: self-contained: {s}",
                t.name
            );
        }
    }
}
