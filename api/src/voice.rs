//! `/api/voice`: speech to text and text to speech for Premium accounts, and voice
//! messages to the assistant (`POST /api/chat/conversations/{id}/voice`, answered by a
//! `voice_message` workflow) with their audio behind signed links (see
//! [`maigie_services::voice`]). The handlers read the upload (streamed, stopped at the
//! size cap) or the JSON, call the use-case and answer.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maigie_services::voice::{
    self, AudioPart, AudioUpload, SpeakRequest, Transcript, VoiceAccepted, VoiceMessageView,
};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::extractor::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::http::extract::{Json, Path, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(transcribe))
        .routes(routes!(speak))
        .routes(routes!(post_voice_message))
        .routes(routes!(get_voice_message))
        .routes(routes!(voice_audio))
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
    let ctx = user.ctx().with_source(maigie_services::Source::Voice);
    // Who may not use voice is refused before the upload is read.
    let admitted = voice::admit(&state.services, &ctx).await?;
    let form = form.map_err(bad_form)?;
    let upload = read_form(form, state.services.settings.voice.max_upload_bytes).await?;
    Ok(Json(
        voice::transcribe(&state.services, &ctx, admitted, upload).await?,
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

/// Send a voice message to the assistant (Premium): the recording is transcribed, the
/// transcript answered like a typed message, and the answer spoken. Follow it on the
/// WebSocket: `voice.transcript`, the action's `chat.*` events, then `voice.audio`
/// (or `voice.pending` while the speech service is down, `voice.failed`).
#[utoipa::path(post, path = "/api/chat/conversations/{id}/voice", tag = "voice", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The conversation")),
    request_body(content = TranscribeForm, content_type = "multipart/form-data"),
    responses(
        (status = 202, body = VoiceAccepted),
        (status = 400, description = "`audio_empty`, `audio_corrupt`, `audio_missing`, `invalid_multipart`", body = ErrorBody),
        (status = 402, description = "`tier_limit_reached`: voice is a Premium feature", body = ErrorBody),
        (status = 404, description = "No such conversation of yours", body = ErrorBody),
        (status = 413, description = "`audio_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_audio_format`", body = ErrorBody),
        (status = 422, description = "`audio_too_long`, `validation_failed`", body = ErrorBody),
        (status = 429, description = "`voice_quota_exceeded` or `ai_quota_exceeded`", body = ErrorBody),
        (status = 503, description = "`voice_unavailable`", body = ErrorBody)))]
pub async fn post_voice_message(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<VoiceAccepted>)> {
    let ctx = user.ctx().with_source(maigie_services::Source::Voice);
    // Someone else's (or no) conversation is a 404, and a plan without voice a 402,
    // whatever the body holds: both before the upload is read.
    let target = voice::target(&state.services, &ctx, id).await?;
    let form = form.map_err(bad_form)?;
    let upload = read_form(form, state.services.settings.voice.max_upload_bytes).await?;
    let accepted = voice::post(&state.services, target, upload).await?;
    Ok((StatusCode::ACCEPTED, Json(accepted)))
}

/// A voice message of yours: where it is, its transcript, and fresh links to its audio.
#[utoipa::path(get, path = "/api/voice/messages/{id}", tag = "voice", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The voice message")),
    responses((status = 200, body = VoiceMessageView), (status = 404, body = ErrorBody),
        (status = 503, description = "`voice_unavailable`", body = ErrorBody)))]
pub async fn get_voice_message(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<VoiceMessageView>> {
    Ok(Json(voice::get(&state.services, &user.ctx(), id).await?))
}

/// The query of a signed audio link.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SignedLink {
    /// Unix seconds after which the link no longer works.
    pub expires: i64,
    /// Hex HMAC of the link.
    pub signature: String,
}

/// Audio of a voice message through a signed, expiring link (no bearer token: the
/// signature is the permission, so an `<audio>` element can play it).
#[utoipa::path(get, path = "/api/voice/messages/{id}/audio/{part}", tag = "voice",
    params(("id" = Uuid, Path, description = "The voice message"),
           ("part" = inline(AudioPart), Path, description = "`recording` or `answer`"), SignedLink),
    responses(
        (status = 200, description = "The audio", content_type = "audio/wav", body = AudioBody),
        (status = 400, body = ErrorBody),
        (status = 403, description = "`invalid_signature`, `url_expired`", body = ErrorBody),
        (status = 404, description = "Gone (deleted, or past retention)", body = ErrorBody)))]
pub async fn voice_audio(
    State(state): State<AppState>,
    Path((id, part)): Path<(Uuid, AudioPart)>,
    Query(link): Query<SignedLink>,
) -> ApiResult<Response> {
    let file = voice::audio(&state.services, id, part, link.expires, &link.signature).await?;
    Ok((
        [
            (header::CONTENT_TYPE, file.content_type),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        Bytes::from(file.audio),
    )
        .into_response())
}
