//! `POST /api/voice/speak`: text in, audio out.

use maigie_voice::AudioFormat;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{meter, provider_error, providers};
use crate::error::{ServiceError, ServiceResult};
use crate::{Ctx, Services};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpeakRequest {
    /// 1 to `VOICE_MAX_SPEAK_CHARS` characters.
    #[schema(example = "Done: I added “Call the dentist” for tomorrow at 10:00.")]
    pub text: String,
    /// The provider's voice (espeak-ng: `en-us`, `en-gb`, `en-us+f3`…); default from
    /// `VOICE_TTS_VOICE`.
    #[serde(default)]
    pub voice: Option<String>,
    /// `wav` (default; the only one espeak-ng speaks), `mp3`, `ogg`.
    #[serde(default)]
    pub format: Option<String>,
}

/// Spoken audio.
#[derive(Debug, Clone)]
pub struct SpokenAudio {
    pub audio: Vec<u8>,
    pub content_type: &'static str,
    pub duration_secs: f32,
}

fn checked(svc: &Services, body: &SpeakRequest) -> ServiceResult<AudioFormat> {
    let mut fields = Vec::new();
    let length = body.text.trim().chars().count();
    let max = svc.settings.voice.max_speak_chars;
    if length == 0 || length > max {
        fields.push(maigie_domain::FieldError {
            field: "text".into(),
            code: "invalid_length",
            message: format!("must be 1–{max} characters"),
        });
    }
    let format = match body.format.as_deref() {
        None => Some(AudioFormat::Wav),
        Some(name) => AudioFormat::parse(name),
    };
    if format.is_none() {
        fields.push(maigie_domain::FieldError {
            field: "format".into(),
            code: "unsupported_format",
            message: "must be wav, mp3 or ogg".into(),
        });
    }
    match format {
        Some(format) if fields.is_empty() => Ok(format),
        _ => Err(ServiceError::Invalid(fields)),
    }
}

/// Speaks `text` for the caller; the audio's seconds are counted.
pub async fn speak(svc: &Services, ctx: &Ctx, body: &SpeakRequest) -> ServiceResult<SpokenAudio> {
    let providers = providers(svc)?;
    meter::admit(svc, ctx).await?;
    let format = checked(svc, body)?;
    if !providers.tts.formats().contains(&format) {
        return Err(ServiceError::invalid_field(
            "format",
            "unsupported_format",
            format!("this deployment speaks {:?}", providers.tts.formats()),
        ));
    }
    let spoken = providers
        .tts
        .speak(body.text.trim(), body.voice.as_deref(), format)
        .await
        .map_err(|e| provider_error(e, "speech_refused"))?;
    let seconds = spoken.duration_secs.unwrap_or(0.0);
    let request_id = ctx
        .request_id
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    meter::record(
        svc,
        ctx.user_id,
        providers.tts.id(),
        "tts",
        seconds,
        &format!("tts:{request_id}"),
    )
    .await?;
    Ok(SpokenAudio {
        content_type: spoken.format.content_type(),
        audio: spoken.audio,
        duration_secs: seconds,
    })
}
