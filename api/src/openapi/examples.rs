//! An example for every JSON request body, built from its schema: the fields' own
//! `example`s where the types declare them, the first value of an enum, and a
//! plausible value for each format; optional fields without an example are left out,
//! so the example is the smallest body the route accepts.

use serde_json::{Map, Value, json};

/// Deep enough for our nested bodies; a cycle stops here.
const MAX_DEPTH: usize = 8;

/// Adds `example` to every `application/json` request body that has none.
pub fn add_request_examples(doc: &mut Value) {
    let schemas = doc["components"]["schemas"].clone();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for op in item.values_mut() {
            let Some(media) = op
                .pointer_mut("/requestBody/content/application~1json")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            if media.contains_key("example") || media.contains_key("examples") {
                continue;
            }
            if let Some(schema) = media.get("schema") {
                let example = example_of(schema, &schemas, 0);
                media.insert("example".into(), example);
            }
        }
    }
}

/// An example value that `schema` accepts.
pub fn example_of(schema: &Value, schemas: &Value, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    if let Some(example) = schema.get("example") {
        return example.clone();
    }
    if let Some(first) = schema.get("examples").and_then(|e| e.get(0)) {
        return first.clone();
    }
    if let Some(name) = schema["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        return example_of(&schemas[name], schemas, depth + 1);
    }
    if let Some(first) = schema.get("enum").and_then(|e| e.get(0)) {
        return first.clone();
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            let chosen = options
                .iter()
                .find(|o| o["type"] != "null")
                .unwrap_or(&Value::Null);
            return example_of(chosen, schemas, depth + 1);
        }
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for part in parts {
            if let Value::Object(fields) = example_of(part, schemas, depth + 1) {
                merged.extend(fields);
            }
        }
        return Value::Object(merged);
    }
    match main_type(schema) {
        Some("object") => object_example(schema, schemas, depth),
        Some("array") => {
            let item = example_of(&schema["items"], schemas, depth + 1);
            let wants_item = schema["minItems"].as_u64().unwrap_or(0) > 0
                || schema["items"].get("example").is_some();
            if wants_item { json!([item]) } else { json!([]) }
        }
        Some("string") => string_example(schema),
        Some("integer") => json!(schema["minimum"].as_i64().unwrap_or(1).max(0)),
        Some("number") => json!(schema["minimum"].as_f64().unwrap_or(1.0)),
        Some("boolean") => json!(true),
        Some("null") => Value::Null,
        _ => json!({}),
    }
}

fn main_type(schema: &Value) -> Option<&str> {
    match &schema["type"] {
        Value::String(t) => Some(t.as_str()),
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null"),
        _ if schema.get("properties").is_some() => Some("object"),
        _ => None,
    }
}

fn object_example(schema: &Value, schemas: &Value, depth: usize) -> Value {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut fields = Map::new();
    if let Some(properties) = schema["properties"].as_object() {
        for (name, property) in properties {
            let declared = property.get("example").is_some() || property.get("examples").is_some();
            if required.contains(&name.as_str()) || declared {
                fields.insert(name.clone(), example_of(property, schemas, depth + 1));
            }
        }
    }
    Value::Object(fields)
}

fn string_example(schema: &Value) -> Value {
    let text = match schema["format"].as_str() {
        Some("uuid") => "3f0c1a52-9a1e-4c47-8a1e-2d1f5b9c7e10",
        Some("date-time") => "2026-03-02T09:00:00Z",
        Some("date") => "2026-03-02",
        Some("time") => "09:00:00",
        Some("email") => "ada@example.com",
        Some("uri" | "url") => "https://example.com/",
        _ => "example",
    };
    let min = usize::try_from(schema["minLength"].as_u64().unwrap_or(0)).unwrap_or(0);
    if text.len() >= min {
        json!(text)
    } else {
        json!("x".repeat(min))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_fields_and_declared_examples_only() {
        let schemas = json!({"Priority": {"type": "string", "enum": ["low", "high"]}});
        let schema = json!({
            "type": "object",
            "required": ["title", "due"],
            "properties": {
                "title": {"type": "string", "example": "Revise"},
                "due": {"type": "string", "format": "date-time"},
                "priority": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Priority"}],
                             "example": "high"},
                "notes": {"type": ["string", "null"]},
            },
        });
        assert_eq!(
            example_of(&schema, &schemas, 0),
            json!({"title": "Revise", "due": "2026-03-02T09:00:00Z", "priority": "high"})
        );
    }
}
