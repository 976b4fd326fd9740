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

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Routes outside the rate limiter (`http::rate_limit::EXEMPT`).
const UNLIMITED: [&str; 3] = ["/health", "/ready", "/api/webhooks/stripe"];

/// Applies the rules to `doc` (an OpenAPI 3.1 document as JSON).
pub fn apply(doc: &mut Value) {
    add_components(doc);
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

/// What the verb of an operation id is inferred from.
pub struct Shape<'a> {
    /// The methods on the same path.
    pub methods_here: &'a BTreeSet<String>,
    /// Every path of the document.
    pub templates: &'a [String],
    /// The success answer is an array or a page (`items`).
    pub lists: bool,
    /// The success answer is 201 Created.
    pub creates: bool,
}

/// `tasks_list`, `tasks_create`, `tasks_get`, `tasks_update`, `tasks_delete`, and the
/// bare resource name for an action (`auth_login`, `tasks_complete`).
pub fn operation_id(path: &str, method: &str, shape: &Shape<'_>) -> String {
    let segments: Vec<&str> = path
        .trim_start_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let resource = segments
        .iter()
        .filter(|s| !s.starts_with('{') && **s != "api")
        .map(|s| s.replace(['-', '.'], "_"))
        .collect::<Vec<_>>()
        .join("_");
    let last = segments.last().copied().unwrap_or_default();
    let ends_in_param = last.starts_with('{');
    let prefix = format!("{path}/{{");
    let collection = !ends_in_param
        && (shape.lists
            || shape
                .templates
                .iter()
                .any(|t| t.starts_with(&prefix) && !t[prefix.len()..].contains('/')));
    let plural = last.ends_with('s');
    let verb = match method {
        "get" if collection => "list",
        "get" => "get",
        "post" if collection || shape.methods_here.contains("get") => "create",
        "post" if shape.creates && plural => "create",
        "post" => return resource,
        "put" => "replace",
        "patch" => "update",
        _ => "delete",
    };
    format!("{resource}_{verb}")
}

/// Whether the 200 answer is a list: an array, or a page object with `items`.
fn answers_a_list(op: &Map<String, Value>) -> bool {
    let schema = &op["responses"]["200"]["content"]["application/json"]["schema"];
    schema["type"] == "array"
        || schema["$ref"]
            .as_str()
            .is_some_and(|r| r.ends_with("Page") || r.ends_with("List"))
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

fn standard_headers(status: &str, limited: bool) -> Vec<(&'static str, &'static str)> {
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

fn error_response(description: &str, headers: &[(&str, &str)]) -> Value {
    let headers: Map<String, Value> = headers
        .iter()
        .map(|(name, component)| {
            (
                (*name).to_owned(),
                json!({"$ref": format!("#/components/headers/{component}")}),
            )
        })
        .collect();
    json!({
        "description": description,
        "headers": headers,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    })
}

fn add_components(doc: &mut Value) {
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    let components = root
        .entry("components")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(components) = components.as_object_mut() else {
        return;
    };
    let common = standard_headers("200", true);
    let retry = standard_headers("429", true);
    let responses = json!({
        "BadRequest": error_response(
            "The request could not be read: malformed JSON (`malformed_json`), a query or \
             path value of the wrong type (`invalid_query`, `invalid_path`), or a bad \
             `Idempotency-Key` (`invalid_idempotency_key`).", &common),
        "Unauthorized": error_response(
            "Missing, invalid or expired credentials (`unauthorized`, `token_expired`, \
             `token_revoked`, `session_ended`).", &common),
        "Forbidden": error_response(
            "The account may not do this (`admin_only`: administrators only).", &common),
        "NotFound": error_response(
            "No such resource, or it belongs to another user (`not_found`).", &common),
        "Conflict": error_response(
            "An earlier request with this `Idempotency-Key` is still running or ended \
             without a recorded outcome (`idempotency_outcome_unknown`), or this route \
             does not store outcomes (`idempotency_not_supported`).", &common),
        "PayloadTooLarge": error_response(
            "The body is larger than the server accepts (`payload_too_large`).", &common),
        "UnsupportedMediaType": error_response(
            "The body must be JSON with `Content-Type: application/json` \
             (`unsupported_media_type`).", &common),
        "ValidationFailed": error_response(
            "Invalid fields (`validation_failed`, `invalid_body`; `details.fields` lists \
             each as `{field, code, message}`), or an `Idempotency-Key` already used for \
             a different request (`idempotency_key_reused`).", &common),
        "TooManyRequests": error_response(
            "Rate limit (`rate_limited`) or AI quota (`quota_exceeded`) reached: retry \
             after `Retry-After` seconds.", &retry),
        "InternalError": error_response(
            "Unexpected failure (`internal_error`); the body holds no detail, quote the \
             `x-request-id`.", &common),
        "Unavailable": error_response(
            "Temporarily unavailable (`timeout`, `unavailable`, `password_hashing_busy`): \
             the request took longer than the server's limit or a dependency is down. \
             Retry after `Retry-After` seconds when present.", &retry),
    });
    let headers = json!({
        "RequestId": {
            "description": "The request's id (echoed when the client sent one); quote it \
                            when reporting a problem.",
            "schema": {"type": "string"},
        },
        "RateLimitLimit": {
            "description": "Requests allowed per window for this client.",
            "schema": {"type": "integer", "minimum": 0},
        },
        "RateLimitRemaining": {
            "description": "Requests left in the current window.",
            "schema": {"type": "integer", "minimum": 0},
        },
        "RateLimitReset": {
            "description": "Seconds until the window is full again.",
            "schema": {"type": "integer", "minimum": 0},
        },
        "RetryAfter": {
            "description": "Seconds to wait before retrying.",
            "schema": {"type": "integer", "minimum": 0},
        },
    });
    let parameters = json!({
        "IdempotencyKey": {
            "name": "Idempotency-Key",
            "in": "header",
            "required": false,
            "description": "1–255 visible ASCII characters. A retry with the same key \
                            within 24 h answers the first outcome instead of running \
                            again (not for streamed answers or answers holding a secret).",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        },
    });
    for (section, entries) in [
        ("responses", responses),
        ("headers", headers),
        ("parameters", parameters),
    ] {
        let target = components
            .entry(section)
            .or_insert_with(|| Value::Object(Map::new()));
        if let (Some(target), Value::Object(entries)) = (target.as_object_mut(), entries) {
            for (name, value) in entries {
                target.entry(name).or_insert(value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(path: &str, method: &str, here: &[&str], all: &[&str]) -> String {
        let here = here.iter().map(|m| (*m).to_owned()).collect();
        let all: Vec<String> = all.iter().map(|p| (*p).to_owned()).collect();
        let shape = Shape {
            methods_here: &here,
            templates: &all,
            lists: false,
            creates: false,
        };
        operation_id(path, method, &shape)
    }

    #[test]
    fn collections_list_and_create_items_get_update_delete_and_actions_keep_their_name() {
        let all = ["/api/tasks", "/api/tasks/{id}", "/api/tasks/{id}/complete"];
        assert_eq!(
            id("/api/tasks", "get", &["get", "post"], &all),
            "tasks_list"
        );
        assert_eq!(
            id("/api/tasks", "post", &["get", "post"], &all),
            "tasks_create"
        );
        assert_eq!(id("/api/tasks/{id}", "get", &["get"], &all), "tasks_get");
        assert_eq!(
            id("/api/tasks/{id}", "patch", &["patch"], &all),
            "tasks_update"
        );
        assert_eq!(
            id("/api/tasks/{id}", "delete", &["delete"], &all),
            "tasks_delete"
        );
        assert_eq!(
            id("/api/tasks/{id}/complete", "post", &["post"], &all),
            "tasks_complete"
        );
        assert_eq!(id("/api/auth/login", "post", &["post"], &all), "auth_login");
        assert_eq!(id("/api/users/me", "get", &["get"], &all), "users_me_get");
    }

    #[test]
    fn a_page_is_listed_and_a_201_on_a_plural_creates() {
        let here = BTreeSet::from(["get".to_owned()]);
        let shape = Shape {
            methods_here: &here,
            templates: &[],
            lists: true,
            creates: false,
        };
        assert_eq!(
            operation_id("/api/goals/{id}/tasks", "get", &shape),
            "goals_tasks_list"
        );
        let here = BTreeSet::from(["post".to_owned()]);
        let shape = Shape {
            methods_here: &here,
            templates: &[],
            lists: false,
            creates: true,
        };
        assert_eq!(
            operation_id("/api/plans/daily/{id}/items", "post", &shape),
            "plans_daily_items_create"
        );
        assert_eq!(
            operation_id("/api/auth/register", "post", &shape),
            "auth_register"
        );
    }

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
