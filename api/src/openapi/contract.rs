//! Rules every operation of the document follows, applied once to the document the
//! handlers' annotations produce, so a new route cannot forget them:
//!
//! - a readable, unique `operationId` derived from the method and the path
//!   (`tasks_list`, `tasks_create`, `tasks_get`, `tasks_complete`): generated clients
//!   name their methods after it, so it must not follow Rust function names;
//! - every path parameter declared (a UUID for `id` and `*_id`);
//! - every error the cross-cutting layers can answer, with the standard error body:
//!   400 (unreadable JSON, query or path), 401 (secured routes), 403 (admin routes),
//!   404 (routes with path parameters), 409 and 422 (idempotency), 413/415/422 (routes
//!   with a body), 429 (every rate-limited route), 500, and 503 (the request timeout, by
//!   design);
//! - `x-request-id` and `RateLimit-*` headers on every response, `Retry-After` on
//!   429 and 503, `Idempotency-Key` on authenticated POSTs;
//! - a description on every response.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::operation_ids::{Shape, answers_a_list, operation_id};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Routes outside the rate limiter (`http::rate_limit::EXEMPT`).
const UNLIMITED: [&str; 3] = ["/health", "/ready", "/api/webhooks/stripe"];

/// Applies the rules to `doc` (an OpenAPI 3.1 document as JSON).
pub fn apply(doc: &mut Value) {
    super::components::add_components(doc);
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let templates: Vec<String> = paths.keys().cloned().collect();
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        let methods: BTreeSet<String> = item
            .keys()
            .filter(|m| METHODS.contains(&m.as_str()))
            .cloned()
            .collect();
        for method in &methods {
            if let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) {
                let shape = Shape {
                    methods_here: &methods,
                    templates: &templates,
                    lists: answers_a_list(op),
                    creates: op["responses"].get("201").is_some(),
                };
                let id = operation_id(path, method, &shape);
                op.insert("operationId".into(), Value::String(id));
                declare_path_params(path, op);
                add_standard_responses(path, method, op);
                describe_responses(op);
            }
        }
    }
}

fn declare_path_params(path: &str, op: &mut Map<String, Value>) {
    let params = op
        .entry("parameters")
        .or_insert_with(|| Value::Array(Vec::new()));
    let Some(params) = params.as_array_mut() else {
        return;
    };
    let declared: BTreeSet<String> = params
        .iter()
        .filter(|p| p["in"] == "path")
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect();
    for name in path_params(path) {
        if declared.contains(name) {
            continue;
        }
        let schema = if name == "id" || name.ends_with("_id") {
            json!({"type": "string", "format": "uuid"})
        } else {
            json!({"type": "string"})
        };
        params.push(json!({
            "name": name,
            "in": "path",
            "required": true,
            "description": format!("The `{name}` of the resource, as listed by the API."),
            "schema": schema,
        }));
    }
    if params.is_empty() {
        op.remove("parameters");
    }
}

fn path_params(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
}

fn add_standard_responses(path: &str, method: &str, op: &mut Map<String, Value>) {
    let secured = op
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| {
            s.iter()
                .any(|r| r.as_object().is_some_and(|r| !r.is_empty()))
        });
    let has_body = op.contains_key("requestBody");
    let has_query = op
        .get("parameters")
        .and_then(Value::as_array)
        .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
    let has_path = path_params(path).next().is_some();
    let limited = !UNLIMITED.contains(&path);
    let admin = op
        .get("tags")
        .and_then(Value::as_array)
        .is_some_and(|tags| tags.iter().any(|t| t == "admin"));
    let idempotent_post = method == "post" && secured;

    if idempotent_post {
        let params = op
            .entry("parameters")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(params) = params.as_array_mut() {
            params.push(json!({"$ref": "#/components/parameters/IdempotencyKey"}));
        }
    }
    let mut wanted: Vec<(&str, &str)> = Vec::new();
    if has_body || has_query || has_path || idempotent_post {
        wanted.push(("400", "BadRequest"));
    }
    if secured {
        wanted.push(("401", "Unauthorized"));
    }
    if admin {
        wanted.push(("403", "Forbidden"));
    }
    if has_path {
        wanted.push(("404", "NotFound"));
    }
    if idempotent_post {
        wanted.push(("409", "Conflict"));
    }
    if has_body {
        wanted.push(("413", "PayloadTooLarge"));
        wanted.push(("415", "UnsupportedMediaType"));
    }
    if has_body || has_query || idempotent_post {
        wanted.push(("422", "ValidationFailed"));
    }
    if limited {
        wanted.push(("429", "TooManyRequests"));
    }
    wanted.push(("500", "InternalError"));
    wanted.push(("503", "Unavailable"));

    let responses = op
        .entry("responses")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(responses) = responses.as_object_mut() else {
        return;
    };
    for (status, name) in wanted {
        responses
            .entry(status)
            .or_insert_with(|| json!({"$ref": format!("#/components/responses/{name}")}));
    }
    for (status, response) in responses.iter_mut() {
        add_headers(status, response, limited);
    }
}

fn add_headers(status: &str, response: &mut Value, limited: bool) {
    let Some(response) = response.as_object_mut() else {
        return;
    };
    if response.contains_key("$ref") {
        return;
    }
    let headers = response
        .entry("headers")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(headers) = headers.as_object_mut() else {
        return;
    };
    for (name, component) in standard_headers(status, limited) {
        headers
            .entry(name)
            .or_insert_with(|| json!({"$ref": format!("#/components/headers/{component}")}));
    }
}

pub(super) fn standard_headers(status: &str, limited: bool) -> Vec<(&'static str, &'static str)> {
    let mut headers = vec![("x-request-id", "RequestId")];
    if limited {
        headers.extend([
            ("RateLimit-Limit", "RateLimitLimit"),
            ("RateLimit-Remaining", "RateLimitRemaining"),
            ("RateLimit-Reset", "RateLimitReset"),
        ]);
    }
    if status == "429" || status == "503" {
        headers.push(("Retry-After", "RetryAfter"));
    }
    headers
}

fn describe_responses(op: &mut Map<String, Value>) {
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
        return;
    };
    for (status, response) in responses.iter_mut() {
        let Some(response) = response.as_object_mut() else {
            continue;
        };
        if response.contains_key("$ref") {
            continue;
        }
        let empty = response
            .get("description")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty);
        if empty {
            response.insert(
                "description".into(),
                Value::String(default_description(status).into()),
            );
        }
    }
}

fn default_description(status: &str) -> &'static str {
    match status {
        "200" => "Success.",
        "201" => "Created.",
        "202" => "Accepted: the work continues in the background.",
        "204" => "Done; no content.",
        "302" | "303" => "Redirect (see `Location`).",
        "400" => "The request could not be read.",
        "401" => "Missing, invalid or expired credentials.",
        "402" => "The plan's limit is reached: upgrade to continue.",
        "403" => "Not allowed for this account.",
        "404" => "No such resource (or it belongs to someone else).",
        "409" => "Conflicts with the current state.",
        "410" => "Gone.",
        "422" => "Invalid fields; `details.fields` lists each.",
        "429" => "Too many requests: retry after `Retry-After` seconds.",
        "502" => "An upstream provider failed.",
        "503" => "Temporarily unavailable: retry later.",
        _ => "See the error body.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undeclared_path_parameters_are_declared_and_errors_added() {
        let mut doc = json!({"paths": {"/api/goals/{id}/tasks": {"get": {
            "security": [{"bearer": []}],
            "responses": {"200": {"description": ""}},
        }}}});
        apply(&mut doc);
        let op = &doc["paths"]["/api/goals/{id}/tasks"]["get"];
        assert_eq!(op["parameters"][0]["name"], "id");
        assert_eq!(op["parameters"][0]["schema"]["format"], "uuid");
        assert_eq!(op["responses"]["200"]["description"], "Success.");
        for status in ["400", "401", "404", "429", "500", "503"] {
            assert!(op["responses"][status].is_object(), "{status} missing");
        }
        assert!(
            op["responses"]["422"].is_null(),
            "no body, no query: no 422"
        );
    }
}
