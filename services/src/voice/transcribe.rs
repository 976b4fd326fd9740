//! `POST /api/voice/transcribe`: audio in, text out.

use maigie_voice::{AudioFormat, WavInfo};
use serde::Serialize;
use utoipa::ToSchema;

use super::meter::{self, VoiceAdmission};
use super::{provider_error, providers};
use crate::error::{ServiceError, ServiceResult};
use crate::{Ctx, Services};

/// An uploaded recording and an optional language hint.
#[derive(Debug, Clone)]
pub struct AudioUpload {
    pub audio: Vec<u8>,
    /// ISO-639-1 code (`en`), a hint for the provider.
    pub language: Option<String>,
}

/// What was heard.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Transcript {
    #[schema(example = "Add a task to call the dentist tomorrow at 10am.")]
    pub text: String,
    /// Length of the audio, as metered.
    pub duration_secs: f32,
    /// ISO-639-1 code of the language heard (or asked for).
    #[schema(example = "en")]
    pub language: Option<String>,
}

/// The upload's format and, for WAV, its length — refused before any work when
/// empty, too large, not audio we take, or too long.
pub(crate) fn check_audio(svc: &Services, audio: &[u8]) -> ServiceResult<AudioFormat> {
    let settings = &svc.settings.voice;
    if audio.is_empty() {
        return Err(ServiceError::bad_request(
            "audio_empty",
            "The audio file is empty.",
        ));
    }
    if audio.len() > settings.max_upload_bytes {
        return Err(ServiceError::refused(
            413,
            "audio_too_large",
            format!("Audio may be at most {} bytes.", settings.max_upload_bytes),
        ));
    }
    let format = AudioFormat::sniff(audio).ok_or_else(|| {
        ServiceError::refused(
            415,
            "unsupported_audio_format",
            "The file is not audio in a format we take (webm, ogg, mp3, m4a/mp4, wav).",
        )
    })?;
    if format == AudioFormat::Wav {
        let info = WavInfo::parse(audio).ok_or_else(|| {
            ServiceError::bad_request("audio_corrupt", "The WAV file cannot be read.")
        })?;
        if info.data_len == 0 {
            return Err(ServiceError::bad_request(
                "audio_empty",
                "The audio holds no sound.",
            ));
        }
        too_long(svc, info.duration_secs())?;
    }
    Ok(format)
}

fn too_long(svc: &Services, seconds: f32) -> ServiceResult<()> {
    let cap = svc.settings.voice.max_audio_secs;
    #[allow(clippy::cast_precision_loss)]
    if seconds > cap as f32 {
        return Err(ServiceError::Unprocessable {
            code: "audio_too_long",
            message: format!("Audio may be at most {cap} seconds long."),
        });
    }
    Ok(())
}

pub(super) fn language(hint: Option<&str>) -> ServiceResult<Option<String>> {
    match hint.map(str::trim).filter(|l| !l.is_empty()) {
        None => Ok(None),
        Some(l) if (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_alphabetic()) => {
            Ok(Some(l.to_ascii_lowercase()))
        }
        Some(_) => Err(ServiceError::invalid_field(
            "language",
            "invalid_language",
            "must be an ISO-639-1 code such as `en`",
        )),
    }
}

/// Transcribes the recording of the caller `admitted` ([`super::admit`], asked for
/// before the upload was read); its seconds are counted once, under `request_id` (the
/// caller's, so a retried request is not counted twice).
pub async fn transcribe(
    svc: &Services,
    ctx: &Ctx,
    admitted: VoiceAdmission,
    upload: AudioUpload,
) -> ServiceResult<Transcript> {
    let providers = providers(svc)?;
    let user_id = admitted.user_id;
    let format = check_audio(svc, &upload.audio)?;
    let language = language(upload.language.as_deref())?;
    let heard = providers
        .stt
        .transcribe(upload.audio, format, language.as_deref())
        .await
        .map_err(|e| provider_error(e, "audio_undecodable"))?;
    too_long(svc, heard.duration_secs)?;
    let request_id = ctx
        .request_id
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    meter::record(
        svc,
        user_id,
        providers.stt.id(),
        "stt",
        heard.duration_secs,
        &format!("stt:{request_id}"),
    )
    .await?;
    Ok(Transcript {
        text: heard.text,
        duration_secs: heard.duration_secs,
        language: heard.language.or(language),
    })
}
