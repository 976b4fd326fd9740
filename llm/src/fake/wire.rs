//! OpenAI's wire formats for the fake's replies: a whole JSON completion, or stream chunks.

use serde_json::{Value, json};

use super::server::text_of;

/// A reply decided for one request, with tool-call ids assigned.
pub(super) enum Planned {
    Text(String),
    Calls(Vec<(String, String, String)>),
}

pub(super) fn prompt_tokens(request: &Value) -> usize {
    let messages = request["messages"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    messages
        .iter()
        .map(|m| text_of(m).chars().count())
        .sum::<usize>()
        .div_ceil(4)
        .max(1)
}

pub(super) fn completion_tokens(planned: &Planned) -> usize {
    match planned {
        Planned::Text(text) => text.split_whitespace().count(),
        Planned::Calls(calls) => calls
            .iter()
            .map(|(_, n, a)| (n.len() + a.len()).div_ceil(4))
            .sum(),
    }
}

pub(super) fn whole_reply(model: &str, planned: Planned, usage: Value) -> Value {
    let (message, finish) = match planned {
        Planned::Text(text) => (json!({ "role": "assistant", "content": text }), "stop"),
        Planned::Calls(calls) => {
            let calls: Vec<Value> = calls
                .into_iter()
                .map(|(id, name, arguments)| {
                    json!({ "id": id, "type": "function", "function": { "name": name, "arguments": arguments } })
                })
                .collect();
            (
                json!({ "role": "assistant", "content": null, "tool_calls": calls }),
                "tool_calls",
            )
        }
    };
    json!({
        "id": "chatcmpl-fake", "object": "chat.completion", "created": 0, "model": model,
        "choices": [{ "index": 0, "message": message, "finish_reason": finish }],
        "usage": usage,
    })
}

/// The reply as OpenAI streams it: a role chunk, content of a few words per chunk or tool
/// calls split into id/name then argument fragments, and a chunk with the finish reason.
pub(super) fn chunks(model: &str, planned: Planned) -> Vec<Value> {
    let chunk = |delta: Value, finish: Value| {
        json!({ "id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": model,
                "choices": [{ "index": 0, "delta": delta, "finish_reason": finish }] })
    };
    let mut out = vec![chunk(
        json!({ "role": "assistant", "content": "" }),
        Value::Null,
    )];
    let finish = match planned {
        Planned::Text(text) => {
            let words: Vec<&str> = text.split_inclusive(' ').collect();
            for group in words.chunks(3) {
                out.push(chunk(json!({ "content": group.concat() }), Value::Null));
            }
            "stop"
        }
        Planned::Calls(calls) => {
            for (index, (id, name, arguments)) in calls.into_iter().enumerate() {
                let head = json!({ "index": index, "id": id, "type": "function",
                                   "function": { "name": name, "arguments": "" } });
                out.push(chunk(json!({ "tool_calls": [head] }), Value::Null));
                let chars: Vec<char> = arguments.chars().collect();
                for piece in chars.chunks(8) {
                    let part = json!({ "index": index, "function": { "arguments": piece.iter().collect::<String>() } });
                    out.push(chunk(json!({ "tool_calls": [part] }), Value::Null));
                }
            }
            "tool_calls"
        }
    };
    out.push(chunk(json!({}), json!(finish)));
    out
}
