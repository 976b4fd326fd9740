//! Voice: what the user says becomes text ([`transcribe`]) and text becomes speech
//! ([`speak`]), for Premium accounts (`LIMIT_FREE_VOICE`), metered in seconds of audio
//! in `token_usage` (kinds `stt` and `tts`) against a monthly cap per tier.
//!
//! Bad input is refused before any provider is asked: empty, too large, not an audio
//! format we take (told by its first bytes, not its name), or a WAV longer than the cap.
//! Other formats' length is known only once heard; one over the cap is refused then,
//! and not counted.

pub mod events;
mod message;
mod meter;
mod speak;
pub mod steps;
mod transcribe;
pub mod urls;

use std::sync::Arc;
use std::time::Duration;

use maigie_voice::{AudioStore, SpeechToText, TextToSpeech, VoiceError};

pub use message::{
    AudioFile, VoiceAccepted, VoiceMessageView, VoiceTarget, audio, get, post, target,
};
pub use meter::{VoiceAdmission, VoiceUsage, admit, usage};
pub use speak::{SpeakRequest, SpokenAudio, speak};
pub use transcribe::{AudioUpload, Transcript, transcribe};
pub use urls::{AudioLink, AudioPart, AudioUrls};

use crate::error::ServiceError;

/// The providers voice runs on.
pub struct VoiceProviders {
    pub stt: Arc<dyn SpeechToText>,
    pub tts: Arc<dyn TextToSpeech>,
    /// Where recordings and spoken answers are kept.
    pub audio: Arc<dyn AudioStore>,
    /// Signs the API's links to that audio.
    pub urls: AudioUrls,
}

/// Caps on what one request may hold, and on a month's audio per tier.
#[derive(Debug, Clone, Copy)]
pub struct VoiceSettings {
    /// Largest upload (`VOICE_MAX_UPLOAD_BYTES`).
    pub max_upload_bytes: usize,
    /// Longest audio heard (`VOICE_MAX_AUDIO_SECS`).
    pub max_audio_secs: u32,
    /// Longest text spoken, in characters (`VOICE_MAX_SPEAK_CHARS`).
    pub max_speak_chars: usize,
    /// Seconds of audio a month for FREE accounts when `LIMIT_FREE_VOICE` lets them use
    /// voice at all (`LIMIT_FREE_VOICE_SECONDS_PER_MONTH`); `None`: unlimited.
    pub free_seconds_per_month: Option<u32>,
    /// Seconds of audio a month for Premium accounts
    /// (`LIMIT_PREMIUM_VOICE_SECONDS_PER_MONTH`); `None`: unlimited.
    pub premium_seconds_per_month: Option<u32>,
    /// How long a voice message's audio is kept (`VOICE_RETENTION_DAYS`); its
    /// transcript stays in the conversation.
    pub retention: Duration,
}

impl Default for VoiceSettings {
    fn default() -> Self {
        Self {
            max_upload_bytes: 10 * 1024 * 1024,
            max_audio_secs: 120,
            max_speak_chars: 2_000,
            free_seconds_per_month: Some(600),
            premium_seconds_per_month: Some(36_000),
            retention: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

/// The providers, or 503 `voice_unavailable` when this deployment has none.
fn providers(svc: &crate::Services) -> Result<&VoiceProviders, ServiceError> {
    svc.voice.as_deref().ok_or_else(unavailable)
}

fn unavailable() -> ServiceError {
    ServiceError::refused(
        503,
        "voice_unavailable",
        "Voice is not available right now; typed chat still works.",
    )
}

/// A provider's failure as the use-cases' error: down or slow is 503
/// `voice_unavailable` (try again), a refusal of the input is 422.
fn provider_error(err: VoiceError, refused_code: &'static str) -> ServiceError {
    match err {
        VoiceError::Unavailable(reason)
        | VoiceError::Transient(reason)
        | VoiceError::Config(reason) => {
            tracing::warn!(%reason, "voice provider unavailable");
            unavailable()
        }
        VoiceError::Timeout(after) => {
            tracing::warn!(?after, "voice provider timed out");
            unavailable()
        }
        VoiceError::Refused(reason) => {
            tracing::info!(%reason, "voice provider refused the input");
            ServiceError::Unprocessable {
                code: refused_code,
                message: "The voice provider could not use this input.".into(),
            }
        }
        err @ VoiceError::InvalidResponse(_) => ServiceError::internal(err),
    }
}
