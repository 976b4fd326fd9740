//! Turning provider replies (whole or streamed chunk by chunk) into a [`Completion`].

use async_openai::types::chat::{
    ChatCompletionMessageToolCallChunk, ChatCompletionMessageToolCalls, CompletionUsage,
    CreateChatCompletionResponse, CreateChatCompletionStreamResponse,
};

use crate::types::{ChatRequest, Completion, ToolCall, Usage, estimate_tokens};

/// Accumulates streamed chunks: text in order, tool calls by index, the last usage seen.
#[derive(Debug, Default)]
pub(crate) struct Assembler {
    model: String,
    content: String,
    calls: Vec<PartialCall>,
    usage: Option<Usage>,
}

#[derive(Debug, Default)]
struct PartialCall {
    index: u32,
    id: String,
    name: String,
    arguments: String,
}

impl Assembler {
    /// Takes one chunk; returns the text fragment it carried, if any, for the caller's delta.
    pub(crate) fn push(&mut self, chunk: CreateChatCompletionStreamResponse) -> Option<String> {
        if self.model.is_empty() {
            self.model = chunk.model;
        }
        if let Some(usage) = chunk.usage {
            self.usage = Some(from_usage(&usage));
        }
        // Only the first choice is used: requests never ask for n > 1.
        let choice = chunk.choices.into_iter().find(|c| c.index == 0)?;
        for fragment in choice.delta.tool_calls.unwrap_or_default() {
            self.push_tool_fragment(fragment);
        }
        let text = choice.delta.content.filter(|t| !t.is_empty())?;
        self.content.push_str(&text);
        Some(text)
    }

    fn push_tool_fragment(&mut self, fragment: ChatCompletionMessageToolCallChunk) {
        let id = fragment.id.filter(|id| !id.is_empty());
        // Fragments of one call share an index; some servers reuse index 0 for every call but
        // give each its own id, so a new id at a known index starts a new call.
        let existing = self.calls.iter().rposition(|c| c.index == fragment.index);
        let position = match (existing, &id) {
            (Some(p), Some(id)) if !self.calls[p].id.is_empty() && self.calls[p].id != *id => None,
            (found, _) => found,
        };
        let call = match position {
            Some(p) => &mut self.calls[p],
            None => {
                self.calls.push(PartialCall {
                    index: fragment.index,
                    ..PartialCall::default()
                });
                let last = self.calls.len() - 1;
                &mut self.calls[last]
            }
        };
        if let Some(id) = id {
            call.id = id;
        }
        if let Some(function) = fragment.function {
            match function.name.filter(|n| !n.is_empty()) {
                // Most servers send the name once; some repeat it whole in every fragment.
                Some(name) if call.name.is_empty() || call.name == name => call.name = name,
                Some(name) => call.name.push_str(&name),
                None => {}
            }
            if let Some(arguments) = function.arguments {
                call.arguments.push_str(&arguments);
            }
        }
    }

    pub(crate) fn finish(
        self,
        provider: &str,
        request: &ChatRequest,
        fallback_model: &str,
    ) -> Completion {
        let calls = self
            .calls
            .into_iter()
            .enumerate()
            .map(|(i, c)| ToolCall {
                id: or_generated_id(c.id, i),
                name: c.name,
                arguments: c.arguments,
            })
            .collect();
        let model = if self.model.is_empty() {
            fallback_model.to_string()
        } else {
            self.model
        };
        complete(provider, model, self.content, calls, self.usage, request)
    }
}

/// A whole (non-streamed) reply as a completion.
pub(crate) fn from_response(
    provider: &str,
    response: CreateChatCompletionResponse,
    request: &ChatRequest,
    fallback_model: &str,
) -> Completion {
    let usage = response.usage.as_ref().map(from_usage);
    let model = if response.model.is_empty() {
        fallback_model.to_string()
    } else {
        response.model
    };
    let Some(choice) = response.choices.into_iter().next() else {
        return complete(provider, model, String::new(), Vec::new(), usage, request);
    };
    let calls = choice
        .message
        .tool_calls
        .unwrap_or_default()
        .into_iter()
        .filter_map(|call| match call {
            ChatCompletionMessageToolCalls::Function(f) => {
                Some((f.id, f.function.name, f.function.arguments))
            }
            ChatCompletionMessageToolCalls::Custom(_) => None,
        })
        .enumerate()
        .map(|(i, (id, name, arguments))| ToolCall {
            id: or_generated_id(id, i),
            name,
            arguments,
        })
        .collect();
    let content = choice.message.content.unwrap_or_default();
    complete(provider, model, content, calls, usage, request)
}

fn complete(
    provider: &str,
    model: String,
    content: String,
    tool_calls: Vec<ToolCall>,
    usage: Option<Usage>,
    request: &ChatRequest,
) -> Completion {
    let usage = usage.unwrap_or_else(|| {
        let generated = content.chars().count()
            + tool_calls
                .iter()
                .map(|c| c.name.len() + c.arguments.chars().count())
                .sum::<usize>();
        Usage {
            prompt_tokens: request.estimated_tokens(),
            completion_tokens: estimate_tokens(generated),
        }
    });
    Completion {
        provider: provider.to_string(),
        model,
        content,
        tool_calls,
        usage,
    }
}

fn from_usage(usage: &CompletionUsage) -> Usage {
    Usage {
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: usage.completion_tokens,
    }
}

/// Tool results must name the call they answer; servers that send no id get a stable one.
fn or_generated_id(id: String, position: usize) -> String {
    if id.is_empty() {
        format!("call_{position}")
    } else {
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chunk(delta: serde_json::Value) -> CreateChatCompletionStreamResponse {
        serde_json::from_value(json!({
            "id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m",
            "choices": [{ "index": 0, "delta": delta, "finish_reason": null }],
        }))
        .expect("chunk")
    }

    fn call(index: u32, id: Option<&str>, name: Option<&str>, args: &str) -> serde_json::Value {
        json!({ "tool_calls": [{ "index": index, "id": id, "function": { "name": name, "arguments": args } }] })
    }

    #[test]
    fn repeated_names_are_kept_once_and_a_new_id_at_a_reused_index_starts_a_new_call() {
        let mut a = Assembler::default();
        a.push(chunk(call(0, Some("a"), Some("create_task"), "{\"t\":")));
        a.push(chunk(call(0, None, Some("create_task"), "1}")));
        a.push(chunk(call(0, Some("b"), Some("list_tasks"), "{}")));
        let done = a.finish("p", &ChatRequest::default(), "m");
        let calls: Vec<_> = done
            .tool_calls
            .iter()
            .map(|c| (&*c.id, &*c.name, &*c.arguments))
            .collect();
        assert_eq!(
            calls,
            [("a", "create_task", "{\"t\":1}"), ("b", "list_tasks", "{}")]
        );
    }

    #[test]
    fn missing_ids_and_usage_are_filled_in() {
        let mut a = Assembler::default();
        assert_eq!(
            a.push(chunk(json!({ "content": "12345678" }))),
            Some("12345678".into())
        );
        a.push(chunk(call(0, None, Some("f"), "{}")));
        let request = ChatRequest {
            messages: vec![crate::Message::user("abcdefgh")],
            ..Default::default()
        };
        let done = a.finish("p", &request, "m");
        assert_eq!(done.tool_calls[0].id, "call_0");
        assert_eq!(
            done.usage,
            Usage {
                prompt_tokens: 2,
                completion_tokens: 3
            }
        );
    }
}
