//! What can go wrong between us and a voice provider.

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum VoiceError {
    /// The provider cannot be used at all here (e.g. espeak-ng is not installed).
    #[error("voice provider unavailable: {0}")]
    Unavailable(String),
    /// The provider could not be reached or answered 5xx / 429: worth retrying.
    #[error("voice provider failed: {0}")]
    Transient(String),
    /// The provider refused the audio or text as such (4xx): retrying will not help.
    #[error("voice provider refused the input: {0}")]
    Refused(String),
    /// The provider did not answer in time.
    #[error("voice provider timed out after {0:?}")]
    Timeout(Duration),
    /// The answer could not be understood.
    #[error("unreadable answer from the voice provider: {0}")]
    InvalidResponse(String),
    /// Bad configuration, found at start-up.
    #[error("voice configuration: {0}")]
    Config(String),
}
