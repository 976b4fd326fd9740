//! The assistant's conversations: their history, messages answered by a durable
//! `ai_action` workflow ([`send`]), the action log with confirm, reject and undo
//! ([`actions`], [`undo`]), and usage against the tier's allowance ([`usage`]).

pub mod actions;
mod conversations;
pub mod events;
pub mod send;
pub mod undo;
pub mod usage;

use chrono::{DateTime, Utc};
use maigie_store::chat::{ConversationRow, MessageRow};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub use conversations::{
    clear_conversation, create_conversation, delete_conversation, get_conversation, history,
    list_conversations, rename_conversation,
};

use crate::error::{ServiceError, ServiceResult};

/// What a conversation can be about.
const CONTEXTS: [&str; 7] = [
    "course",
    "goal",
    "task",
    "note",
    "daily_plan",
    "weekly_plan",
    "schedule_block",
];

/// A conversation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConversationView {
    pub id: Uuid,
    pub title: Option<String>,
    /// course, goal, task, note, daily_plan, weekly_plan or schedule_block.
    pub context_type: Option<String>,
    pub context_id: Option<Uuid>,
    pub last_message_at: DateTime<Utc>,
    /// History before this moment is hidden (cleared).
    pub cleared_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ConversationRow> for ConversationView {
    fn from(r: ConversationRow) -> Self {
        Self {
            id: r.id,
            title: r.title,
            context_type: r.context_type,
            context_id: r.context_id,
            last_message_at: r.last_message_at,
            cleared_at: r.cleared_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A message of a conversation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageView {
    pub id: Uuid,
    /// user, assistant or tool.
    #[schema(value_type = crate::schema_enums::MessageRole)]
    pub role: String,
    pub content: String,
    /// The assistant's tool calls (OpenAI shape).
    #[schema(value_type = Option<Vec<Object>>)]
    pub tool_calls: Option<Value>,
    pub tool_call_id: Option<String>,
    /// What the assistant's answer drew on from your notes, tasks, goals, courses and
    /// resources (absent when nothing was retrieved).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<crate::knowledge::retrieve::Citation>>,
    /// Where the message came from: `chat` (typed), `voice` (what was heard from a voice
    /// message) or `mcp`.
    #[schema(value_type = crate::schema_enums::MessageSource)]
    pub source: String,
    pub created_at: DateTime<Utc>,
}

impl From<MessageRow> for MessageView {
    fn from(r: MessageRow) -> Self {
        Self {
            id: r.id,
            role: r.role,
            content: r.content,
            tool_calls: r.tool_calls,
            tool_call_id: r.tool_call_id,
            sources: r.sources.and_then(|v| serde_json::from_value(v).ok()),
            source: r.source,
            created_at: r.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConversationPage {
    pub items: Vec<ConversationView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessagePage {
    /// Newest first.
    pub items: Vec<MessageView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    pub cursor: Option<String>,
    /// 1–200 (default 50).
    pub limit: Option<i64>,
}

#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateConversation {
    /// 1–200 characters; default: the start of the first message.
    pub title: Option<String>,
    /// What the conversation is about: course, goal, task, note, daily_plan, weekly_plan
    /// or schedule_block (one of yours, given as `context_id`).
    pub context_type: Option<String>,
    pub context_id: Option<Uuid>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameConversation {
    /// 1–200 characters.
    pub title: String,
}

pub(crate) fn title(raw: &str) -> ServiceResult<String> {
    let t = raw.trim();
    if t.is_empty() || t.chars().count() > 200 {
        return Err(ServiceError::invalid_field(
            "title",
            "invalid_length",
            "must be 1–200 characters",
        ));
    }
    Ok(t.to_owned())
}
