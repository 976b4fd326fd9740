//! `/api/voice`: speech to text and text to speech for Premium accounts (see
//! [`maigie_services::voice`]). The handlers read the upload (streamed, stopped at the
//! size cap) or the JSON, call the use-case and answer.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maigie_services::voice::{self, AudioUpload, SpeakRequest, Transcript};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::extractor::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::http::extract::Json;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(transcribe))
        .routes(routes!(speak))
        // The upload is read in pieces and stopped at VOICE_MAX_UPLOAD_BYTES by the
        // handler, which answers 413 `audio_too_large` itself.
        .layer(axum::extract::DefaultBodyLimit::disable())
}

/// The multipart form of a transcription.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the form; the handler reads the parts one by one
pub struct TranscribeForm {
    /// The recording: webm/opus, ogg, mp3, m4a/mp4 or wav (told by its content, not its
    /// name), at most `VOICE_MAX_UPLOAD_BYTES` and `VOICE_MAX_AUDIO_SECS`.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// ISO-639-1 language hint (`en`).
    language: Option<String>,
}

/// Spoken audio (`audio/wav` by default).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct AudioBody(#[allow(dead_code)] Vec<u8>);

fn too_large(max: usize) -> ApiError {
    ApiError::client(
        StatusCode::PAYLOAD_TOO_LARGE,
        "audio_too_large",
        format!("Audio may be at most {max} bytes."),
    )
}

fn bad_form(detail: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(
        "invalid_multipart",
        format!("Unreadable multipart form: {detail}"),
    )
}

/// The form's `file` (read up to `max` bytes) and `language`.
async fn read_form(mut form: Multipart, max: usize) -> ApiResult<AudioUpload> {
    let mut audio: Option<Vec<u8>> = None;
    let mut language = None;
    while let Some(mut field) = form.next_field().await.map_err(bad_form)? {
        match field.name() {
            Some("file") => {
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(bad_form)? {
                    if bytes.len() + chunk.len() > max {
                        return Err(too_large(max));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                audio = Some(bytes);
            }
            Some("language") => {
                let text = field.text().await.map_err(bad_form)?;
                if text.len() > 16 {
                    return Err(ApiError::bad_request(
                        "invalid_language",
                        "language is too long",
                    ));
                }
                language = Some(text);
            }
            _ => {}
        }
    }
    let audio = audio.ok_or_else(|| {
        ApiError::bad_request(
            "audio_missing",
            "The form has no `file` part with the audio.",
        )
    })?;
    Ok(AudioUpload { audio, language })
}

/// Transcribe a recording (Premium).
#[utoipa::path(post, path = "/api/voice/transcribe", tag = "voice", security(("bearer" = [])),
    request_body(content = TranscribeForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, body = Transcript),
        (status = 400, description = "`audio_empty`, `audio_corrupt`, `audio_missing`, `invalid_multipart`", body = ErrorBody),
        (status = 402, description = "`tier_limit_reached`: voice is a Premium feature", body = ErrorBody),
        (status = 413, description = "`audio_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_audio_format`", body = ErrorBody),
        (status = 422, description = "`audio_too_long`, `audio_undecodable`, `validation_failed`", body = ErrorBody),
        (status = 429, description = "`voice_quota_exceeded`: the month's seconds are used up", body = ErrorBody),
        (status = 503, description = "`voice_unavailable`: the speech-to-text provider is down", body = ErrorBody)))]
pub async fn transcribe(
    State(state): State<AppState>,
    user: AuthUser,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<Json<Transcript>> {
    let form = form.map_err(bad_form)?;
    let upload = read_form(form, state.services.settings.voice.max_upload_bytes).await?;
    let ctx = user.ctx().with_source(maigie_services::Source::Voice);
    Ok(Json(
        voice::transcribe(&state.services, &ctx, upload).await?,
    ))
}

/// Speak a text (Premium); answers the audio itself.
#[utoipa::path(post, path = "/api/voice/speak", tag = "voice", security(("bearer" = [])),
    request_body = SpeakRequest,
    responses(
        (status = 200, description = "The spoken text", content_type = "audio/wav", body = AudioBody),
        (status = 402, description = "`tier_limit_reached`: voice is a Premium feature", body = ErrorBody),
        (status = 422, description = "`validation_failed` (text length, format), `speech_refused`", body = ErrorBody),
        (status = 429, description = "`voice_quota_exceeded`: the month's seconds are used up", body = ErrorBody),
        (status = 503, description = "`voice_unavailable`: no text-to-speech here (espeak-ng missing) or it is down", body = ErrorBody)))]
pub async fn speak(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<SpeakRequest>,
) -> ApiResult<Response> {
    let ctx = user.ctx().with_source(maigie_services::Source::Voice);
    let spoken = voice::speak(&state.services, &ctx, &body).await?;
    Ok((
        [
            (header::CONTENT_TYPE, spoken.content_type),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Bytes::from(spoken.audio),
    )
        .into_response())
}
