//! Voice: speech to text and text to speech behind two small traits, so the use-cases
//! neither know nor care which provider answers.
//!
//! - [`OpenAiStt`] speaks OpenAI's `/v1/audio/transcriptions` through async-openai with a
//!   configurable API base: OpenAI itself, a self-hosted server, or the local
//!   faster-whisper sidecar (`scripts/stt_server.py`) are the same code.
//! - [`OpenAiTts`] speaks `/v1/audio/speech` the same way; [`EspeakTts`] runs Debian's
//!   `espeak-ng` locally (no key, no network), the default.
//! - [`format`] tells an upload's format by its first bytes (never by its name) and reads
//!   a WAV's duration from its header.
//! - [`storage`] keeps recordings and spoken answers ([`AudioStore`]: a local directory
//!   or an S3-compatible store).

pub mod error;
pub mod espeak;
pub mod format;
pub mod openai;
pub mod s3;
pub mod storage;

pub use error::VoiceError;
pub use espeak::EspeakTts;
pub use format::{AudioFormat, WavInfo};
pub use openai::{OpenAiEndpoint, OpenAiStt, OpenAiTts};
pub use s3::{S3AudioStore, S3Settings};
pub use storage::{AudioStore, LocalAudioStore, StorageError};

/// What speech-to-text heard.
#[derive(Debug, Clone, PartialEq)]
pub struct Transcription {
    pub text: String,
    /// The audio's length as the provider measured it.
    pub duration_secs: f32,
    /// ISO-639-1 code of the language heard (or asked for).
    pub language: Option<String>,
}

/// Spoken audio and its format.
#[derive(Debug, Clone)]
pub struct Speech {
    pub audio: Vec<u8>,
    pub format: AudioFormat,
    /// Length of the audio when known (always for WAV).
    pub duration_secs: Option<f32>,
}

/// Speech to text.
#[async_trait::async_trait]
pub trait SpeechToText: Send + Sync {
    /// `provider/model`, recorded with the usage.
    fn id(&self) -> &str;

    /// Transcribes `audio` (already checked to be `format`); `language` is a hint.
    async fn transcribe(
        &self,
        audio: Vec<u8>,
        format: AudioFormat,
        language: Option<&str>,
    ) -> Result<Transcription, VoiceError>;
}

/// Text to speech.
#[async_trait::async_trait]
pub trait TextToSpeech: Send + Sync {
    /// `provider/model`, recorded with the usage.
    fn id(&self) -> &str;

    /// The formats this provider can answer in.
    fn formats(&self) -> &[AudioFormat];

    /// Speaks `text` with `voice` (the provider's default when `None`).
    async fn speak(
        &self,
        text: &str,
        voice: Option<&str>,
        format: AudioFormat,
    ) -> Result<Speech, VoiceError>;
}
