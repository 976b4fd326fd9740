//! The shared pieces every operation refers to: the standard error responses, the
//! rate-limit and request-id headers, the `Idempotency-Key` parameter.

use serde_json::{Map, Value, json};

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

pub(super) fn add_components(doc: &mut Value) {
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    let components = root
        .entry("components")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(components) = components.as_object_mut() else {
        return;
    };
    let common = super::contract::standard_headers("200", true);
    let retry = super::contract::standard_headers("429", true);
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
