//! `POST /api/chat/conversations/{id}/voice`: a recording posted to a conversation.
//!
//! Everything that can be known before any work is checked first: the conversation,
//! the plan and the month's seconds before the upload is read ([`target`]), then the
//! audio itself and the AI allowance. Then, in one
//! transaction, the allowance is counted, the answering `ai_action` and the voice
//! message recorded and the `voice_message` workflow's start put in the outbox; the
//! recording is stored while that transaction is open and it commits only once the
//! audio is safe. The upload is queued for deletion (due in an hour) before it is
//! stored, and the commit takes it off the queue: whatever dies in between, no audio
//! stays behind without its message, and no message without its audio.

use chrono::{DateTime, Utc};
use maigie_store::agent as log;
use maigie_store::chat;
use maigie_store::voice::{self as store, NewVoiceMessage, VoiceMessageRow};
use maigie_voice::StorageError;
use maigie_workflows::ai_action::ai_action_workflow_id;
use maigie_workflows::voice_message::{self, VoiceMessageInput};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::meter::{self, VoiceAdmission};
use super::urls::{AudioLink, AudioPart};
use super::{AudioUpload, VoiceProviders, providers, transcribe};
use crate::error::{ServiceError, ServiceResult};
use crate::{Ctx, Replace, Services};

/// A voice message was taken: follow `voice.*` and the action's `chat.*` events.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VoiceAccepted {
    pub voice_message_id: Uuid,
    /// The `ai_action` that answers (its `chat.*` events carry this id).
    pub action_id: Uuid,
    pub conversation_id: Uuid,
    /// The Temporal workflow running the message (`voice-message-<id>`).
    pub workflow_id: String,
    /// `transcribing`.
    pub status: String,
}

/// A voice message and where it is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VoiceMessageView {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub action_id: Uuid,
    /// transcribing, answering, speaking, completed or failed.
    #[schema(example = "completed")]
    pub status: String,
    /// What was heard (absent until transcribed).
    pub transcript: Option<String>,
    pub language: Option<String>,
    pub duration_secs: Option<f32>,
    /// The user's chat message holding the transcript (`source: voice`).
    pub message_id: Option<Uuid>,
    /// The recording, for a limited time.
    pub recording: AudioLink,
    /// The spoken answer, for a limited time (absent until spoken).
    pub answer: Option<AudioLink>,
    pub answer_duration_secs: Option<f32>,
    /// Why it failed, readable.
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The store's failure as the use-cases': a missing object is gone (404), the rest is
/// a dependency that is down.
pub(super) fn storage_error(err: StorageError) -> ServiceError {
    match err {
        StorageError::NotFound(_) => ServiceError::NotFound,
        StorageError::InvalidKey(key) => ServiceError::internal(StorageError::InvalidKey(key)),
        StorageError::Unavailable(reason) => {
            tracing::warn!(%reason, "audio store unavailable");
            ServiceError::Unavailable("the audio store".to_owned())
        }
    }
}

/// The keys of a user's audio start with this.
pub(super) fn user_prefix(user_id: Uuid) -> String {
    format!("voice/{}/", user_id.simple())
}

/// The key of a voice message's audio.
pub(super) fn audio_key(user_id: Uuid, id: Uuid, part: AudioPart, ext: &str) -> String {
    format!(
        "{}{}/{}.{ext}",
        user_prefix(user_id),
        id.simple(),
        part.as_str()
    )
}

/// A link to `part`: the store's own (S3: presigned) or the API's signed URL.
pub(super) async fn link(
    providers: &VoiceProviders,
    row: &VoiceMessageRow,
    part: AudioPart,
) -> ServiceResult<Option<AudioLink>> {
    let key = match part {
        AudioPart::Recording => Some(row.audio_key.as_str()),
        AudioPart::Answer => row.answer_audio_key.as_deref(),
    };
    let Some(key) = key else { return Ok(None) };
    let now = Utc::now();
    let ttl = providers.urls.ttl();
    let presigned = providers
        .audio
        .presigned_url(key, ttl)
        .await
        .map_err(storage_error)?;
    Ok(Some(match presigned {
        Some(url) => AudioLink {
            url,
            expires_at: now + chrono::Duration::from_std(ttl).unwrap_or_default(),
        },
        None => providers.urls.sign(row.id, part, now),
    }))
}

/// A conversation of the caller's that may take a voice message now: everything that
/// needs no audio is checked. Asked for before the upload is read; only [`target`]
/// makes one.
#[derive(Debug)]
pub struct VoiceTarget {
    admitted: VoiceAdmission,
    conversation_id: Uuid,
}

/// Checks conversation `conversation_id` (404 when it is not the caller's, first) and
/// that the caller may use voice ([`meter::admit`]).
pub async fn target(
    svc: &Services,
    ctx: &Ctx,
    conversation_id: Uuid,
) -> ServiceResult<VoiceTarget> {
    chat::get_conversation(&svc.db, ctx.user_id, conversation_id).await?;
    Ok(VoiceTarget {
        admitted: meter::admit(svc, ctx).await?,
        conversation_id,
    })
}

/// Posts the caller's recording to the conversation `target` names.
pub async fn post(
    svc: &Services,
    target: VoiceTarget,
    upload: AudioUpload,
) -> ServiceResult<VoiceAccepted> {
    let providers = providers(svc)?;
    let VoiceTarget {
        admitted,
        conversation_id,
    } = target;
    let user_id = admitted.user_id;
    let format = transcribe::check_audio(svc, &upload.audio)?;
    let language = transcribe::language(upload.language.as_deref())?;
    let bytes = i32::try_from(upload.audio.len()).map_err(|_| {
        ServiceError::refused(413, "audio_too_large", "The recording is too large.")
    })?;
    let id = Uuid::new_v4();
    let action_id = Uuid::new_v4();
    let workflow_id = voice_message::voice_message_workflow_id(id);
    let key = audio_key(user_id, id, AudioPart::Recording, format.as_str());

    let mut work = svc.begin().await?;
    crate::chat::send::count(svc, &mut work, user_id).await?;
    let action_workflow = ai_action_workflow_id(action_id);
    log::create_action(
        work.conn(),
        action_id,
        user_id,
        Some(conversation_id),
        None,
        "voice",
        Some(&action_workflow),
    )
    .await?;
    store::insert(
        work.conn(),
        &NewVoiceMessage {
            id,
            user_id,
            conversation_id,
            action_id,
            workflow_id: &workflow_id,
            audio_key: &key,
            audio_format: format.as_str(),
            audio_bytes: bytes,
            language: language.as_deref(),
        },
    )
    .await?;
    let agent = &svc.settings.agent;
    let input = VoiceMessageInput {
        voice_message_id: id,
        user_id,
        action_id,
        max_turns: agent.max_turns,
        confirm_timeout_secs: agent.confirm_timeout.as_secs(),
    };
    work.start_workflow(
        Some(user_id),
        voice_message::WORKFLOW_NAME,
        &workflow_id,
        &input,
        Replace::Never,
    )
    .await?;
    // Queued for deletion outside the transaction, before the audio exists.
    store::queue_deletion(&svc.db, &key, Utc::now() + chrono::Duration::hours(1)).await?;
    providers
        .audio
        .put(&key, upload.audio, format.content_type())
        .await
        .map_err(storage_error)?;
    store::unqueue_deletion(work.conn(), &key).await?;
    if let Err(err) = work.commit(svc).await {
        if let Err(e) = providers.audio.delete(&key).await {
            tracing::warn!(error = %e, %key, "could not delete an upload whose message failed; it stays queued");
        }
        return Err(err);
    }
    Ok(VoiceAccepted {
        voice_message_id: id,
        action_id,
        conversation_id,
        workflow_id,
        status: "transcribing".to_owned(),
    })
}

/// The caller's voice message, with fresh links to its audio.
pub async fn get(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<VoiceMessageView> {
    let providers = providers(svc)?;
    let row = store::get(&svc.db, ctx.user_id, id).await?;
    let recording = link(providers, &row, AudioPart::Recording)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let answer = link(providers, &row, AudioPart::Answer).await?;
    Ok(VoiceMessageView {
        id: row.id,
        conversation_id: row.conversation_id,
        action_id: row.action_id,
        status: row.status,
        transcript: row.transcript,
        language: row.language,
        duration_secs: row.duration_secs,
        message_id: row.message_id,
        recording,
        answer,
        answer_duration_secs: row.answer_duration_secs,
        error: row.error,
        created_at: row.created_at,
    })
}

/// Audio fetched through a signed URL.
#[derive(Debug, Clone)]
pub struct AudioFile {
    pub audio: Vec<u8>,
    pub content_type: &'static str,
}

/// The audio a signed URL names: 403 when the signature is wrong or expired, 404 when
/// the message or its audio is gone (deleted, or past retention).
pub async fn audio(
    svc: &Services,
    id: Uuid,
    part: AudioPart,
    expires: i64,
    signature: &str,
) -> ServiceResult<AudioFile> {
    let providers = providers(svc)?;
    providers
        .urls
        .verify(id, part, expires, signature, Utc::now())?;
    let row = store::by_id(&svc.db, id).await?;
    let (key, format) = match part {
        AudioPart::Recording => (Some(row.audio_key), Some(row.audio_format)),
        AudioPart::Answer => (row.answer_audio_key, row.answer_format),
    };
    let key = key.ok_or(ServiceError::NotFound)?;
    let content_type = format
        .as_deref()
        .and_then(maigie_voice::AudioFormat::parse)
        .map_or(
            "application/octet-stream",
            maigie_voice::AudioFormat::content_type,
        );
    let audio = providers.audio.get(&key).await.map_err(storage_error)?;
    Ok(AudioFile {
        audio,
        content_type,
    })
}
