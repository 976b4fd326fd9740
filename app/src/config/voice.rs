//! Voice: the speech-to-text and text-to-speech providers (`VOICE_STT_*`,
//! `VOICE_TTS_*`) and the caps (`VOICE_MAX_*`, `LIMIT_*_VOICE_SECONDS_PER_MONTH`).

use std::time::Duration;

use maigie_services::voice::VoiceSettings;
use maigie_voice::{OpenAiEndpoint, S3Settings};

use super::{ConfigError, Env, invalid};

/// Which text-to-speech provider speaks.
#[derive(Debug, Clone)]
pub enum TtsProvider {
    /// Debian's `espeak-ng`, run locally (`VOICE_TTS_PROVIDER=espeak`, the default).
    Espeak { program: String, voice: String },
    /// An OpenAI-compatible `/audio/speech` (`VOICE_TTS_PROVIDER=openai`).
    OpenAi {
        endpoint: OpenAiEndpoint,
        voice: String,
    },
}

/// Where audio is kept.
#[derive(Debug, Clone)]
pub enum AudioStorage {
    /// A local directory (`VOICE_STORAGE=local`, the default; `VOICE_STORAGE_DIR`).
    Local(std::path::PathBuf),
    /// An S3-compatible bucket (`VOICE_STORAGE=s3`, `VOICE_S3_*`).
    S3(S3Settings),
}

fn storage<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<AudioStorage, ConfigError> {
    match env.or("VOICE_STORAGE", "local").as_str() {
        "local" => Ok(AudioStorage::Local(
            env.or("VOICE_STORAGE_DIR", "data/audio").into(),
        )),
        "s3" => {
            let endpoint = match env.get("VOICE_S3_ENDPOINT") {
                Some(raw) if !raw.trim().is_empty() => Some(
                    env.url("VOICE_S3_ENDPOINT", "")?
                        .to_string()
                        .trim_end_matches('/')
                        .to_owned(),
                ),
                _ => None,
            };
            Ok(AudioStorage::S3(S3Settings {
                bucket: env.required("VOICE_S3_BUCKET")?,
                endpoint,
                region: env.or("VOICE_S3_REGION", "us-east-1"),
                access_key_id: env.required("VOICE_S3_ACCESS_KEY_ID")?,
                secret_access_key: env.required("VOICE_S3_SECRET_ACCESS_KEY")?,
                prefix: env.or("VOICE_S3_PREFIX", ""),
                virtual_hosted: env.parse("VOICE_S3_VIRTUAL_HOSTED", false)?,
                timeout: secs(env, "VOICE_S3_TIMEOUT_SECS", 30)?,
            }))
        }
        other => Err(invalid(
            "VOICE_STORAGE",
            format!("{other:?}: use local or s3"),
        )),
    }
}

/// The voice providers.
#[derive(Debug, Clone)]
pub struct VoiceProviderSettings {
    /// Speech to text at an OpenAI-compatible `/audio/transcriptions` (by default the
    /// local faster-whisper server that `scripts/dev` and `scripts/test` start).
    pub stt: OpenAiEndpoint,
    pub tts: TtsProvider,
    pub tts_timeout: Duration,
    /// Where recordings and spoken answers are kept (`VOICE_STORAGE`).
    pub storage: AudioStorage,
    /// How long a signed audio link works (`VOICE_AUDIO_URL_TTL_SECS`).
    pub url_ttl: Duration,
    /// Whether this worker keeps the hourly `voice_retention` schedule
    /// (`VOICE_RETENTION_SCHEDULE`).
    pub retention_schedule: bool,
}

fn secs<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
    name: &'static str,
    default: u64,
) -> Result<Duration, ConfigError> {
    match env.parse(name, default)? {
        0 => Err(invalid(name, "must be greater than 0")),
        s => Ok(Duration::from_secs(s)),
    }
}

pub(super) fn providers<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
) -> Result<VoiceProviderSettings, ConfigError> {
    let stt = OpenAiEndpoint {
        api_base: env
            .url("VOICE_STT_BASE_URL", "http://127.0.0.1:8178/v1")?
            .to_string(),
        api_key: env.get("VOICE_STT_API_KEY"),
        model: env.or("VOICE_STT_MODEL", "whisper-1"),
        timeout: secs(env, "VOICE_STT_TIMEOUT_SECS", 60)?,
    };
    let tts_timeout = secs(env, "VOICE_TTS_TIMEOUT_SECS", 20)?;
    let tts = match env.or("VOICE_TTS_PROVIDER", "espeak").as_str() {
        "espeak" => TtsProvider::Espeak {
            program: env.or("ESPEAK_NG_PATH", "espeak-ng"),
            voice: env.or("VOICE_TTS_VOICE", "en-us"),
        },
        "openai" => TtsProvider::OpenAi {
            endpoint: OpenAiEndpoint {
                api_base: env
                    .url("VOICE_TTS_BASE_URL", "https://api.openai.com/v1")?
                    .to_string(),
                api_key: env.get("VOICE_TTS_API_KEY"),
                model: env.or("VOICE_TTS_MODEL", "gpt-4o-mini-tts"),
                timeout: tts_timeout,
            },
            voice: env.or("VOICE_TTS_VOICE", "alloy"),
        },
        other => {
            return Err(invalid(
                "VOICE_TTS_PROVIDER",
                format!("{other:?}: use espeak or openai"),
            ));
        }
    };
    Ok(VoiceProviderSettings {
        stt,
        tts,
        tts_timeout,
        storage: storage(env)?,
        url_ttl: secs(env, "VOICE_AUDIO_URL_TTL_SECS", 3600)?,
        retention_schedule: env.parse("VOICE_RETENTION_SCHEDULE", true)?,
    })
}

/// A monthly cap in seconds; 0 is unlimited.
fn cap<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
    name: &'static str,
    default: u32,
) -> Result<Option<u32>, ConfigError> {
    Ok(Some(env.parse(name, default)?).filter(|s| *s > 0))
}

pub(super) fn limits<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
) -> Result<VoiceSettings, ConfigError> {
    let defaults = VoiceSettings::default();
    let max_upload_bytes = env.parse("VOICE_MAX_UPLOAD_BYTES", defaults.max_upload_bytes)?;
    let max_audio_secs = env.parse("VOICE_MAX_AUDIO_SECS", defaults.max_audio_secs)?;
    let max_speak_chars = env.parse("VOICE_MAX_SPEAK_CHARS", defaults.max_speak_chars)?;
    if max_upload_bytes == 0 || max_audio_secs == 0 || max_speak_chars == 0 {
        return Err(invalid("VOICE_MAX_*", "must be greater than 0"));
    }
    Ok(VoiceSettings {
        max_upload_bytes,
        max_audio_secs,
        max_speak_chars,
        free_seconds_per_month: cap(env, "LIMIT_FREE_VOICE_SECONDS_PER_MONTH", 600)?,
        premium_seconds_per_month: cap(env, "LIMIT_PREMIUM_VOICE_SECONDS_PER_MONTH", 36_000)?,
        retention: match env.parse("VOICE_RETENTION_DAYS", 30_u64)? {
            0 => return Err(invalid("VOICE_RETENTION_DAYS", "must be greater than 0")),
            days => Duration::from_secs(days.saturating_mul(24 * 3600)),
        },
    })
}
