//! Every message a test receives on `/ws`, and every Server-Sent Event of a chat
//! answer, is checked against the AsyncAPI document the app serves: an event type the
//! document does not list, or `data` that does not fit its schema, fails the test that
//! received it.

use std::collections::HashMap;
use std::sync::LazyLock;

use jsonschema::{Draft, Validator};
use serde_json::{Value, json};

/// A validator per message of the document, by channel and message key.
struct Checker {
    ws: HashMap<String, Validator>,
    sse: HashMap<String, Validator>,
}

fn compile(doc: &Value, payload: &Value) -> Validator {
    // The payload's `$ref`s point into the document's components.
    let schema = json!({ "allOf": [payload], "components": doc["components"] });
    jsonschema::options()
        .with_draft(Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("the AsyncAPI document has an invalid schema: {e}"))
}

/// The validators of one channel's messages, by their key in the channel.
fn channel(doc: &Value, channel: &str) -> HashMap<String, Validator> {
    let messages = doc["channels"][channel]["messages"]
        .as_object()
        .unwrap_or_else(|| panic!("channel {channel} has messages"));
    messages
        .iter()
        .map(|(key, r)| {
            let target = r["$ref"].as_str().expect("a message reference");
            let message = doc
                .pointer(target.trim_start_matches('#'))
                .unwrap_or_else(|| panic!("{target} resolves"));
            (key.clone(), compile(doc, &message["payload"]))
        })
        .collect()
}

static CHECKER: LazyLock<Checker> = LazyLock::new(|| {
    let doc = maigie_api::asyncapi::document();
    Checker {
        ws: channel(doc, "userEvents"),
        sse: channel(doc, "chatAnswer"),
    }
});

fn problems(validator: &Validator, value: &Value) -> Option<String> {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    (!errors.is_empty()).then(|| errors.join("; "))
}

/// Checks a JSON text frame the server sent on `/ws`.
pub fn check_ws(message: &Value) -> anyhow::Result<()> {
    let kind = message["type"].as_str().unwrap_or_default();
    let Some(validator) = CHECKER.ws.get(kind) else {
        anyhow::bail!("/ws sent a {kind:?} message the AsyncAPI document does not list: {message}");
    };
    if let Some(problems) = problems(validator, message) {
        anyhow::bail!(
            "/ws sent a {kind:?} message that does not fit the AsyncAPI document: {problems}\n{message}"
        );
    }
    Ok(())
}

/// Checks one Server-Sent Event of a chat answer (its `event:` and JSON `data:`).
pub fn check_sse(event: &str, data: &Value) -> anyhow::Result<()> {
    let Some(validator) = CHECKER.sse.get(event) else {
        anyhow::bail!(
            "the chat answer streamed a {event:?} event the AsyncAPI document does not list"
        );
    };
    if let Some(problems) = problems(validator, data) {
        anyhow::bail!(
            "the chat answer's {event:?} event does not fit the AsyncAPI document: {problems}\n{data}"
        );
    }
    Ok(())
}
