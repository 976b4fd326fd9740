//! Rules the document keeps beyond what the validator checks: what a client generator
//! and a fuzzer rely on.

use std::collections::BTreeSet;

use serde_json::Value;

/// Routes outside the rate limiter.
const UNLIMITED: [&str; 3] = ["/health", "/ready", "/api/webhooks/stripe"];

pub fn check_rules(doc: &Value) {
    let mut problems = Vec::new();
    let mut ids = BTreeSet::new();
    assert!(
        doc["servers"].as_array().is_some_and(|s| !s.is_empty()),
        "servers"
    );
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let at = format!("{} {path}", method.to_uppercase());
            let id = op["operationId"].as_str().unwrap_or_default();
            let readable = !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit());
            if !readable || !ids.insert(id.to_owned()) {
                problems.push(format!(
                    "{at}: operationId {id:?} missing, unreadable or repeated"
                ));
            }
            check_parameters(&at, path, op, &mut problems);
            check_responses(&at, path, op, doc, &mut problems);
            if op["requestBody"]["content"]["application/json"].is_object()
                && op["requestBody"]["content"]["application/json"]["example"].is_null()
            {
                problems.push(format!("{at}: request body without an example"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the document breaks its rules:\n{}",
        problems.join("\n")
    );
}

fn check_parameters(at: &str, path: &str, op: &Value, problems: &mut Vec<String>) {
    let template: BTreeSet<&str> = path
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect();
    let declared: BTreeSet<&str> = op["parameters"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .filter(|p| p["in"] == "path")
                .filter_map(|p| p["name"].as_str())
                .collect()
        })
        .unwrap_or_default();
    if template != declared {
        problems.push(format!(
            "{at}: path parameters {declared:?}, template has {template:?}"
        ));
    }
}

fn check_responses(at: &str, path: &str, op: &Value, doc: &Value, problems: &mut Vec<String>) {
    let responses = op["responses"].as_object().expect("responses");
    let secured = op["security"].as_array().is_some_and(|s| {
        s.iter()
            .any(|r| r.as_object().is_some_and(|r| !r.is_empty()))
    });
    if secured && !responses.contains_key("401") {
        problems.push(format!("{at}: secured but no 401"));
    }
    if !UNLIMITED.contains(&path) && !responses.contains_key("429") {
        problems.push(format!("{at}: rate limited but no 429"));
    }
    for (status, response) in responses {
        let response = resolve(response, doc);
        if response["description"].as_str().is_none_or(str::is_empty) {
            problems.push(format!("{at}: response {status} has no description"));
        }
        if response["headers"]["x-request-id"].is_null() {
            problems.push(format!(
                "{at}: response {status} does not declare x-request-id"
            ));
        }
        if status.starts_with('4') || status.starts_with('5') {
            let schema = &response["content"]["application/json"]["schema"]["$ref"];
            if schema != "#/components/schemas/ErrorBody" && path != "/ready" {
                problems.push(format!("{at}: error {status} without the error body"));
            }
        }
    }
}

fn resolve<'a>(value: &'a Value, doc: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(r) => doc
            .pointer(r.trim_start_matches('#'))
            .unwrap_or(&Value::Null),
        None => value,
    }
}
