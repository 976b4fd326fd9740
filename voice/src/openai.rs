//! Any OpenAI-compatible audio API through async-openai: `/v1/audio/transcriptions`
//! and `/v1/audio/speech` at a configurable base URL (OpenAI, a self-hosted server, or
//! the local faster-whisper sidecar of `scripts/stt_server.py`).
//!
//! async-openai rather than hand-written multipart: the request and response types are
//! OpenAI's own (verbose JSON with duration and language), the chat and embedding
//! clients already use it, and its reqwest is the one the workspace builds anyway.

use std::time::Duration;

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::types::InputSource;
use async_openai::types::audio::{
    AudioInput, AudioResponseFormat, CreateSpeechRequest, CreateTranscriptionRequest, SpeechModel,
    SpeechResponseFormat, Voice,
};

use crate::format::{AudioFormat, WavInfo};
use crate::{Speech, SpeechToText, TextToSpeech, Transcription, VoiceError};
use maigie_embed::{HttpStatus, StatusService};

/// One endpoint and the model asked there.
#[derive(Clone)]
pub struct OpenAiEndpoint {
    /// API base including the version path, e.g. `https://api.openai.com/v1`.
    pub api_base: String,
    /// Bearer token; `None` for local servers that want none.
    pub api_key: Option<String>,
    pub model: String,
    /// Whole-request timeout.
    pub timeout: Duration,
}

// Hand-written so that the API key never reaches a log line through `{:?}`.
impl std::fmt::Debug for OpenAiEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiEndpoint")
            .field("api_base", &self.api_base)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("model", &self.model)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl OpenAiEndpoint {
    fn client(&self) -> Result<Client<OpenAIConfig>, VoiceError> {
        let url = url::Url::parse(&self.api_base).map_err(|e| {
            VoiceError::Config(format!("invalid API base {:?}: {e}", self.api_base))
        })?;
        if !matches!(url.scheme(), "http" | "https") || self.model.trim().is_empty() {
            return Err(VoiceError::Config(format!(
                "API base {:?} must be http(s) and the model named",
                self.api_base
            )));
        }
        // Key and organisation always set: async-openai would otherwise fall back to the
        // OPENAI_* environment variables and hand an OpenAI key to another server.
        let config = OpenAIConfig::new()
            .with_api_base(self.api_base.trim_end_matches('/'))
            .with_api_key(self.api_key.clone().unwrap_or_default())
            .with_org_id("")
            .with_project_id("");
        let http = reqwest::Client::builder()
            .connect_timeout(self.timeout.min(Duration::from_secs(5)))
            .build()
            .map_err(|e| VoiceError::Config(format!("HTTP client: {e}")))?;
        Ok(Client::with_config(config).with_http_service(StatusService { client: http }))
    }

    fn host(&self) -> String {
        url::Url::parse(&self.api_base)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| "openai-compatible".into())
    }
}

/// Speech to text at an OpenAI-compatible `/audio/transcriptions`.
#[derive(Clone)]
pub struct OpenAiStt {
    client: Client<OpenAIConfig>,
    endpoint: OpenAiEndpoint,
    id: String,
}

impl OpenAiStt {
    /// Builds the client; sends nothing.
    pub fn new(endpoint: OpenAiEndpoint) -> Result<Self, VoiceError> {
        Ok(Self {
            client: endpoint.client()?,
            id: format!("{}/{}", endpoint.host(), endpoint.model),
            endpoint,
        })
    }
}

#[async_trait::async_trait]
impl SpeechToText for OpenAiStt {
    fn id(&self) -> &str {
        &self.id
    }

    async fn transcribe(
        &self,
        audio: Vec<u8>,
        format: AudioFormat,
        language: Option<&str>,
    ) -> Result<Transcription, VoiceError> {
        let request = CreateTranscriptionRequest {
            file: AudioInput {
                source: InputSource::VecU8 {
                    filename: format.file_name().to_owned(),
                    vec: audio,
                },
            },
            model: self.endpoint.model.clone(),
            language: language.map(str::to_owned),
            response_format: Some(AudioResponseFormat::VerboseJson),
            ..CreateTranscriptionRequest::default()
        };
        let audio_api = self.client.audio();
        let transcriptions = audio_api.transcription();
        let reply = tokio::time::timeout(
            self.endpoint.timeout,
            transcriptions.create_verbose_json(request),
        )
        .await
        .map_err(|_| VoiceError::Timeout(self.endpoint.timeout))?
        .map_err(classify)?;
        Ok(Transcription {
            text: reply.text.trim().to_owned(),
            duration_secs: reply.duration,
            language: Some(reply.language).filter(|l| !l.is_empty()),
        })
    }
}

/// Text to speech at an OpenAI-compatible `/audio/speech`.
#[derive(Clone)]
pub struct OpenAiTts {
    client: Client<OpenAIConfig>,
    endpoint: OpenAiEndpoint,
    default_voice: String,
    id: String,
}

impl OpenAiTts {
    /// Builds the client; sends nothing.
    pub fn new(endpoint: OpenAiEndpoint, default_voice: String) -> Result<Self, VoiceError> {
        Ok(Self {
            client: endpoint.client()?,
            id: format!("{}/{}", endpoint.host(), endpoint.model),
            endpoint,
            default_voice,
        })
    }
}

#[async_trait::async_trait]
impl TextToSpeech for OpenAiTts {
    fn id(&self) -> &str {
        &self.id
    }

    fn formats(&self) -> &[AudioFormat] {
        &[AudioFormat::Wav, AudioFormat::Mp3, AudioFormat::Ogg]
    }

    async fn speak(
        &self,
        text: &str,
        voice: Option<&str>,
        format: AudioFormat,
    ) -> Result<Speech, VoiceError> {
        let response_format = match format {
            AudioFormat::Wav => SpeechResponseFormat::Wav,
            AudioFormat::Mp3 => SpeechResponseFormat::Mp3,
            AudioFormat::Ogg => SpeechResponseFormat::Opus,
            other => {
                return Err(VoiceError::Refused(format!(
                    "cannot speak {}",
                    other.as_str()
                )));
            }
        };
        let request = CreateSpeechRequest {
            input: text.to_owned(),
            model: SpeechModel::Other(self.endpoint.model.clone()),
            voice: Voice::Other(voice.unwrap_or(&self.default_voice).to_owned()),
            response_format: Some(response_format),
            ..CreateSpeechRequest::default()
        };
        let audio_api = self.client.audio();
        let speech = audio_api.speech();
        let reply = tokio::time::timeout(self.endpoint.timeout, speech.create(request))
            .await
            .map_err(|_| VoiceError::Timeout(self.endpoint.timeout))?
            .map_err(classify)?;
        let audio = reply.bytes.to_vec();
        let duration_secs = WavInfo::parse(&audio).map(|w| w.duration_secs());
        Ok(Speech {
            audio,
            format,
            duration_secs,
        })
    }
}

fn classify(err: OpenAIError) -> VoiceError {
    let status = |status: u16, message: String| {
        if status == 429 || status >= 500 {
            VoiceError::Transient(format!("HTTP {status}: {message}"))
        } else {
            VoiceError::Refused(format!("HTTP {status}: {message}"))
        }
    };
    match err {
        OpenAIError::Boxed(boxed) => match boxed.downcast::<HttpStatus>() {
            Ok(s) => status(s.status, s.message),
            Err(other) => VoiceError::Transient(other.to_string()),
        },
        // Connect errors, resets: the URL may carry a key, so it is left out.
        OpenAIError::Reqwest(e) => VoiceError::Transient(e.without_url().to_string()),
        OpenAIError::ApiError(api) => status(api.status_code.as_u16(), api.api_error.message),
        OpenAIError::JSONDeserialize(e, _) => VoiceError::InvalidResponse(e.to_string()),
        other => VoiceError::InvalidResponse(other.to_string()),
    }
}
