//! The data of the assistant's live events (`chat.*`, `ai_action.undone`): sent on the
//! user's WebSockets and, for `chat.*`, streamed by the chat answer as Server-Sent
//! Events. The agent builds them with these types; the AsyncAPI document takes their
//! schemas from them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

/// `chat.delta`: text of the answer as the model writes it (sent every ~150 ms).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChatDelta {
    pub action_id: Uuid,
    pub conversation_id: Uuid,
    /// The model turn (0-based) the text belongs to.
    pub turn: u32,
    /// Text to append (may be empty when only `reset` is news).
    #[schema(example = "Created task “Revise chapter 3”")]
    pub text: String,
    /// Discard the turn's text received so far before appending (another model took
    /// over after a failure).
    pub reset: bool,
}

/// Where a tool call of the assistant stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ToolCallStatus {
    /// The model asked for it; it runs next, or after confirmation.
    Planned,
    /// It ran and succeeded.
    Completed,
    /// It ran and failed (see `summary`).
    Failed,
    /// It did not run: rejected, or not confirmed in time.
    Skipped,
}

/// `chat.tool_call`: a tool call planned (with its `arguments`), then finished (with
/// a `summary`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChatToolCall {
    pub action_id: Uuid,
    /// The model's id of the call (as in the action's steps).
    pub call_id: String,
    /// The tool, e.g. `create_task`.
    #[schema(example = "create_task")]
    pub tool: String,
    pub status: ToolCallStatus,
    /// The arguments the model gave (with `planned`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub arguments: Option<Value>,
    /// What happened, in a sentence (with `completed`, `failed` and `skipped`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

impl ChatToolCall {
    /// A call the model planned, with its arguments.
    #[must_use]
    pub fn planned(action_id: Uuid, call_id: &str, tool: &str, arguments: Value) -> Self {
        Self {
            action_id,
            call_id: call_id.to_owned(),
            tool: tool.to_owned(),
            status: ToolCallStatus::Planned,
            arguments: Some(arguments),
            summary: None,
        }
    }

    /// A call that ended (`completed`, `failed` or `skipped`), with what happened.
    #[must_use]
    pub fn ended(
        action_id: Uuid,
        call_id: &str,
        tool: &str,
        status: ToolCallStatus,
        summary: &str,
    ) -> Self {
        Self {
            action_id,
            call_id: call_id.to_owned(),
            tool: tool.to_owned(),
            status,
            arguments: None,
            summary: Some(summary.to_owned()),
        }
    }
}

/// A change waiting for the user's decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PendingCall {
    pub call_id: String,
    pub tool: String,
    #[schema(value_type = Object)]
    pub arguments: Value,
    /// Deletes something (rather than a bulk change).
    pub destructive: bool,
}

/// `chat.confirmation_required`: the action waits until the user confirms or rejects
/// these calls, or `expires_at` passes (then they are skipped).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChatConfirmationRequired {
    pub action_id: Uuid,
    pub calls: Vec<PendingCall>,
    pub expires_at: DateTime<Utc>,
}

/// `chat.done`: the action is over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChatDone {
    pub action_id: Uuid,
    pub conversation_id: Option<Uuid>,
    /// completed, failed, rejected or expired.
    #[schema(example = "completed")]
    pub status: String,
    /// The final answer.
    pub content: Option<String>,
    /// What the answer drew on from the user's knowledge, each cited source once.
    #[serde(default)]
    pub sources: Vec<crate::knowledge::retrieve::Citation>,
}

/// A row an undo put back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RestoredRow {
    /// task or schedule_block.
    #[schema(example = "task")]
    pub entity: String,
    pub id: Uuid,
}

/// `ai_action.undone`: what the undo restored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ActionUndone {
    pub action_id: Uuid,
    pub restored: Vec<RestoredRow>,
}
