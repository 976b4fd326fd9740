//! A plausible request body from an operation's schema in the OpenAPI document: the
//! required fields, or else one harmless field to change, with values that pass
//! validation, so a handler reaches its ownership check.

use std::collections::HashMap;

use chrono::{SecondsFormat, Utc};
use serde_json::{Map, Value, json};

/// Optional fields worth changing, in order of preference, for bodies that require none.
const PREFERRED: [&str; 6] = [
    "title",
    "summary",
    "notes",
    "description",
    "content",
    "completed",
];

pub fn sample(doc: &Value, schema: &Value, fixtures: &HashMap<&'static str, String>) -> Value {
    value(doc, schema, "", fixtures)
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap_or_default();
            resolve(doc, &doc["components"]["schemas"][name])
        }
        None => schema,
    }
}

fn value(doc: &Value, schema: &Value, field: &str, fx: &HashMap<&'static str, String>) -> Value {
    let schema = resolve(doc, schema);
    if let Some(first) = schema["oneOf"].get(0).or_else(|| schema["allOf"].get(0)) {
        return value(doc, first, field, fx);
    }
    let ty = match &schema["type"] {
        Value::String(t) => t.as_str(),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if schema["properties"].is_object() => "object",
        _ => "string",
    };
    let tomorrow = Utc::now() + chrono::Duration::days(1);
    match ty {
        "object" => object(doc, schema, fx),
        // A list of ids names A's plan items (the only required list of ids).
        "array" if field == "item_ids" => json!([fx["plan_item"]]),
        "array" => json!([value(doc, &schema["items"], field, fx)]),
        "integer" => json!(0),
        "number" => json!(1.0),
        "boolean" => json!(true),
        _ => match (schema["enum"].get(0), schema["format"].as_str()) {
            (Some(first), _) => first.clone(),
            (None, Some("uuid")) => json!(uuid::Uuid::new_v4()),
            (None, Some("date")) => json!(tomorrow.date_naive()),
            (None, Some("date-time")) => json!(tomorrow.to_rfc3339_opts(SecondsFormat::Secs, true)),
            _ => json!("B was here"),
        },
    }
}

fn object(doc: &Value, schema: &Value, fx: &HashMap<&'static str, String>) -> Value {
    let empty = Map::new();
    let props = schema["properties"].as_object().unwrap_or(&empty);
    let mut out = Map::new();
    for name in schema["required"].as_array().into_iter().flatten() {
        let name = name.as_str().expect("field name");
        out.insert(name.to_owned(), value(doc, &props[name], name, fx));
    }
    if out.is_empty()
        && let Some(name) = PREFERRED.iter().find(|n| props.contains_key(**n))
    {
        out.insert((*name).to_owned(), value(doc, &props[*name], name, fx));
    }
    Value::Object(out)
}
