//! Checks tool arguments against the tool's JSON schema (the subset our schemas use:
//! object/array/string/integer/number/boolean, `properties`, `required`,
//! `additionalProperties: false`, `enum`, `minimum`/`maximum`, and the formats
//! `date-time`, `date` and `uuid`). Models — local ones especially — often send
//! arguments that parse as JSON but do not fit; the errors tell them what to fix.

use serde_json::Value;

/// Every mismatch, as `path: problem`; empty when `value` fits.
#[must_use]
pub fn check(value: &Value, schema: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    walk(value, schema, "$", &mut errors);
    errors
}

fn walk(value: &Value, schema: &Value, path: &str, errors: &mut Vec<String>) {
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            errors.push(format!(
                "{path}: must be one of {}",
                Value::Array(allowed.clone())
            ));
        }
        return;
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => object(value, schema, path, errors),
        Some("array") => match value.as_array() {
            Some(items) => {
                if let Some(max) = schema.get("maxItems").and_then(Value::as_u64)
                    && items.len() as u64 > max
                {
                    errors.push(format!("{path}: at most {max} items"));
                }
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        walk(item, item_schema, &format!("{path}[{i}]"), errors);
                    }
                }
            }
            None => errors.push(format!("{path}: must be an array")),
        },
        Some("string") => match value.as_str() {
            Some(s) => format(s, schema, path, errors),
            None => errors.push(format!("{path}: must be a string")),
        },
        Some("integer") => match value.as_i64() {
            Some(n) => range(n as f64, schema, path, errors),
            None => errors.push(format!("{path}: must be an integer")),
        },
        Some("number") => match value.as_f64() {
            Some(n) => range(n, schema, path, errors),
            None => errors.push(format!("{path}: must be a number")),
        },
        Some("boolean") if !value.is_boolean() => {
            errors.push(format!("{path}: must be true or false"));
        }
        _ => {}
    }
}

fn object(value: &Value, schema: &Value, path: &str, errors: &mut Vec<String>) {
    let Some(map) = value.as_object() else {
        errors.push(format!("{path}: must be an object"));
        return;
    };
    let properties = schema.get("properties").and_then(Value::as_object);
    for name in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !map.contains_key(name) {
            errors.push(format!("{path}.{name}: is required"));
        }
    }
    let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
    for (name, v) in map {
        match properties.and_then(|p| p.get(name)) {
            Some(s) => walk(v, s, &format!("{path}.{name}"), errors),
            None if closed => errors.push(format!("{path}.{name}: is not a known field")),
            None => {}
        }
    }
}

fn format(s: &str, schema: &Value, path: &str, errors: &mut Vec<String>) {
    let ok = match schema.get("format").and_then(Value::as_str) {
        Some("date-time") => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
        Some("date") => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
        Some("uuid") => uuid::Uuid::parse_str(s).is_ok(),
        _ => true,
    };
    if !ok {
        let what = schema.get("format").and_then(Value::as_str).unwrap_or("");
        errors.push(format!("{path}: must be a valid {what}"));
    }
}

fn range(n: f64, schema: &Value, path: &str, errors: &mut Vec<String>) {
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
        && n < min
    {
        errors.push(format!("{path}: must be at least {min}"));
    }
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
        && n > max
    {
        errors.push(format!("{path}: must be at most {max}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;
    use serde_json::json;

    fn errors(tool: &str, args: Value) -> Vec<String> {
        let def = registry::find(tool).expect("tool");
        check(&args, &(def.parameters)())
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
    fn every_tool_schema_is_a_closed_object() {
        for t in registry::TOOLS {
            let s = (t.parameters)();
            assert_eq!(s["type"], "object", "{}", t.name);
            assert_eq!(s["additionalProperties"], false, "{}", t.name);
        }
    }
}
