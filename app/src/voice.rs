//! The voice providers from configuration: speech to text at an OpenAI-compatible
//! endpoint, text to speech by espeak-ng or an OpenAI-compatible endpoint, and the
//! audio store with its signed links.

use std::sync::Arc;

use maigie_services::voice::{AudioUrls, VoiceProviders};
use maigie_voice::{
    AudioStore, EspeakTts, LocalAudioStore, OpenAiStt, OpenAiTts, S3AudioStore, SpeechToText,
    TextToSpeech,
};

use crate::config::{AudioStorage, Config, TtsProvider};

/// Builds the clients; reaches no provider (a provider that is down answers 503
/// `voice_unavailable` per request, and typed chat is unaffected).
pub fn build(config: &Config) -> anyhow::Result<Arc<VoiceProviders>> {
    let settings = &config.voice;
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
    let audio: Arc<dyn AudioStore> = match &settings.storage {
        AudioStorage::Local(dir) => Arc::new(LocalAudioStore::new(dir)),
        AudioStorage::S3(s3) => Arc::new(S3AudioStore::new(s3)?),
    };
    let urls = AudioUrls::new(
        config.api.public_base_url.as_str(),
        &config.api.jwt_secret,
        settings.url_ttl,
    );
    Ok(Arc::new(VoiceProviders {
        stt,
        tts,
        audio,
        urls,
    }))
}
