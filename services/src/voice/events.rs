//! The data of the `voice.*` live events.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// `voice.transcript`: what was heard, now the user's message in the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VoiceTranscript {
    pub voice_message_id: Uuid,
    pub action_id: Uuid,
    pub conversation_id: Uuid,
    /// The user's chat message holding the text (`source: voice`).
    pub message_id: Uuid,
    #[schema(example = "Add a task to call the dentist tomorrow at 10am.")]
    pub text: String,
    pub language: Option<String>,
    pub duration_secs: f32,
}

/// `voice.pending`: the speech service is unavailable; the message waits and is
/// retried for a few minutes (typed chat keeps working).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VoicePending {
    pub voice_message_id: Uuid,
    pub action_id: Uuid,
    pub message: String,
}

/// `voice.audio`: the spoken answer, fetched from `url` until `expires_at` (ask
/// `GET /api/voice/messages/{id}` for a fresh link).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VoiceAudio {
    pub voice_message_id: Uuid,
    pub action_id: Uuid,
    pub conversation_id: Uuid,
    pub url: String,
    pub expires_at: DateTime<Utc>,
    #[schema(example = "audio/wav")]
    pub content_type: String,
    pub duration_secs: f32,
}

/// `voice.failed`: the voice message could not be heard, or its answer not spoken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VoiceFailed {
    pub voice_message_id: Uuid,
    pub action_id: Uuid,
    /// `transcribe` (nothing was answered) or `speak` (the answer is in the
    /// conversation as text only).
    #[schema(example = "transcribe")]
    pub stage: String,
    /// `audio_silent`, `audio_undecodable`, `audio_too_long`, `voice_unavailable`,
    /// `no_answer`.
    #[schema(example = "audio_silent")]
    pub code: String,
    pub message: String,
}
