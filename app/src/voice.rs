//! The voice providers from configuration: speech to text at an OpenAI-compatible
//! endpoint, text to speech by espeak-ng or an OpenAI-compatible endpoint.

use std::sync::Arc;

use maigie_services::voice::VoiceProviders;
use maigie_voice::{EspeakTts, OpenAiStt, OpenAiTts, SpeechToText, TextToSpeech};

use crate::config::{TtsProvider, VoiceProviderSettings};

/// Builds the clients; reaches no provider (a provider that is down answers 503
/// `voice_unavailable` per request, and typed chat is unaffected).
pub fn build(settings: &VoiceProviderSettings) -> anyhow::Result<Arc<VoiceProviders>> {
    let stt: Arc<dyn SpeechToText> = Arc::new(OpenAiStt::new(settings.stt.clone())?);
    let tts: Arc<dyn TextToSpeech> = match &settings.tts {
        TtsProvider::Espeak { program, voice } => Arc::new(EspeakTts {
            program: program.into(),
            default_voice: voice.clone(),
            timeout: settings.tts_timeout,
        }),
        TtsProvider::OpenAi { endpoint, voice } => {
            Arc::new(OpenAiTts::new(endpoint.clone(), voice.clone())?)
        }
    };
    Ok(Arc::new(VoiceProviders { stt, tts }))
}
