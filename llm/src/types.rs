//! Provider-neutral request and reply types.

use serde::{Deserialize, Serialize};

/// One message of a conversation, in the roles OpenAI-compatible chat APIs know.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Message {
    /// Instructions for the model.
    System {
        /// Instruction text.
        content: String,
    },
    /// What the person wrote.
    User {
        /// Message text.
        content: String,
    },
    /// A previous model turn: text, tool calls, or both.
    Assistant {
        /// Text of the turn, if any.
        content: Option<String>,
        /// Tools the model asked to run.
        #[serde(default)]
        tool_calls: Vec<ToolCall>,
    },
    /// The result of running one tool call, sent back to the model.
    Tool {
        /// [`ToolCall::id`] this answers.
        tool_call_id: String,
        /// Result text (usually JSON).
        content: String,
    },
}

impl Message {
    /// A system message.
    pub fn system(content: impl Into<String>) -> Self {
        Self::System {
            content: content.into(),
        }
    }

    /// A user message.
    pub fn user(content: impl Into<String>) -> Self {
        Self::User {
            content: content.into(),
        }
    }

    /// A tool result answering `tool_call_id`.
    pub fn tool(tool_call_id: impl Into<String>, content: impl Into<String>) -> Self {
        Self::Tool {
            tool_call_id: tool_call_id.into(),
            content: content.into(),
        }
    }

    /// The assistant turn a [`Completion`] stands for, to append to the conversation.
    pub fn assistant(completion: &Completion) -> Self {
        let content = (!completion.content.is_empty()).then(|| completion.content.clone());
        Self::Assistant {
            content,
            tool_calls: completion.tool_calls.clone(),
        }
    }

    /// Characters of text in the message, for token estimates.
    pub(crate) fn text_len(&self) -> usize {
        match self {
            Self::System { content } | Self::User { content } => content.chars().count(),
            Self::Tool { content, .. } => content.chars().count(),
            Self::Assistant {
                content,
                tool_calls,
            } => {
                content.as_deref().map_or(0, |c| c.chars().count())
                    + tool_calls
                        .iter()
                        .map(|c| c.name.len() + c.arguments.chars().count())
                        .sum::<usize>()
            }
        }
    }
}

/// A tool the model asked to run.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ToolCall {
    /// Provider-given id, echoed back in the [`Message::Tool`] result.
    pub id: String,
    /// Tool (function) name.
    pub name: String,
    /// Raw JSON text as the model sent it; see [`crate::repair_arguments`].
    pub arguments: String,
}

/// A tool offered to the model.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ToolSpec {
    /// Function name (a-z, A-Z, 0-9, `_`, `-`; at most 64 characters).
    pub name: String,
    /// What the tool does, for the model to decide when to call it.
    pub description: String,
    /// JSON Schema object of the arguments.
    pub parameters: serde_json::Value,
}

/// One completion request: the conversation so far and the tools on offer.
#[derive(Clone, Debug, Default)]
pub struct ChatRequest {
    /// Conversation, oldest first.
    pub messages: Vec<Message>,
    /// Tools the model may call; none offered when empty.
    pub tools: Vec<ToolSpec>,
    /// Cap on generated tokens.
    pub max_tokens: Option<u32>,
}

impl ChatRequest {
    /// Estimated prompt tokens (characters / 4), for providers that report no usage.
    pub(crate) fn estimated_tokens(&self) -> u32 {
        let tools: usize = self
            .tools
            .iter()
            .map(|t| t.name.len() + t.description.chars().count() + t.parameters.to_string().len())
            .sum();
        estimate_tokens(self.messages.iter().map(Message::text_len).sum::<usize>() + tools)
    }
}

/// Token counts of one completion.
#[derive(Clone, Debug, Serialize, Deserialize, Default, PartialEq)]
pub struct Usage {
    /// Tokens read.
    pub prompt_tokens: u32,
    /// Tokens generated.
    pub completion_tokens: u32,
}

/// The model's reply.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Completion {
    /// [`crate::ProviderConfig::name`] of the provider that answered.
    pub provider: String,
    /// Model that answered, as the provider reports it.
    pub model: String,
    /// Reply text (may be empty when the model only calls tools).
    pub content: String,
    /// Tools to run, in the order the model listed them.
    pub tool_calls: Vec<ToolCall>,
    /// Reported token counts, or estimates (characters / 4) when the provider sent none.
    pub usage: Usage,
}

/// Progress of a completion, passed to the caller while it arrives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delta {
    /// The next fragment of reply text.
    Text(String),
    /// The attempt that sent the text so far failed and another is starting: discard that text.
    Restart,
}

/// Characters / 4, rounded up.
pub(crate) fn estimate_tokens(chars: usize) -> u32 {
    u32::try_from(chars.div_ceil(4)).unwrap_or(u32::MAX)
}
