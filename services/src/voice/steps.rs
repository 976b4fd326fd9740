//! The steps of the `voice_message` workflow, each safe to retry: hear the recording
//! once, speak the answer once, record a failure; and the retention purge.

use chrono::Utc;
use maigie_domain::EventKind;
use maigie_store::agent as log;
use maigie_store::chat::{self, NewMessage};
use maigie_store::voice::{self as store, VoiceMessageRow};
use maigie_voice::{AudioFormat, StorageError, VoiceError};
use maigie_workflows::voice_message::{Heard, VoiceFailure, VoiceStep};
use maigie_workflows::voice_retention::Purged;

use super::events::{VoiceAudio, VoiceFailed, VoicePending, VoiceTranscript};
use super::message::{audio_key, link, storage_error};
use super::urls::AudioPart;
use super::{meter, providers};
use crate::Services;
use crate::error::{ServiceError, ServiceResult};

/// A transcript is stored as a message of at most this many characters.
const TRANSCRIPT_MAX: usize = 8_000;

fn not_heard(code: &str, message: &str) -> Heard {
    Heard {
        heard: false,
        code: Some(code.to_owned()),
        message: Some(message.to_owned()),
    }
}

/// Transcribes the recording (once), stores the transcript as the user's message and
/// announces it. A speech server that is down is an `Unavailable` error (the activity
/// retries), announced once as `voice.pending`.
pub async fn hear(svc: &Services, step: &VoiceStep) -> ServiceResult<Heard> {
    let providers = providers(svc)?;
    let row = store::get(&svc.db, step.user_id, step.voice_message_id).await?;
    if let (Some(text), Some(message_id)) = (&row.transcript, row.message_id) {
        // Heard by an earlier attempt: announce again (the first may not have been).
        let heard = (row.duration_secs.unwrap_or(0.0), row.language.clone());
        announce_transcript(svc, &row, text, message_id, heard).await;
        return Ok(Heard {
            heard: true,
            code: None,
            message: None,
        });
    }
    let audio = match providers.audio.get(&row.audio_key).await {
        Ok(audio) => audio,
        Err(StorageError::NotFound(_)) => {
            return Ok(not_heard(
                "audio_missing",
                "The recording is no longer stored.",
            ));
        }
        Err(err) => return Err(storage_error(err)),
    };
    let format = AudioFormat::parse(&row.audio_format).unwrap_or(AudioFormat::Wav);
    let heard = match providers
        .stt
        .transcribe(audio, format, row.language.as_deref())
        .await
    {
        Ok(heard) => heard,
        Err(VoiceError::Refused(reason) | VoiceError::InvalidResponse(reason)) => {
            tracing::info!(%reason, voice_message_id = %row.id, "speech-to-text refused the recording");
            return Ok(not_heard(
                "audio_undecodable",
                "The recording could not be decoded as speech.",
            ));
        }
        Err(err) => {
            tracing::warn!(error = %err, voice_message_id = %row.id, "speech-to-text unavailable; retrying");
            pending(svc, &row).await;
            return Err(ServiceError::Unavailable("speech-to-text".to_owned()));
        }
    };
    let cap = svc.settings.voice.max_audio_secs;
    #[allow(clippy::cast_precision_loss)]
    if heard.duration_secs > cap as f32 {
        return Ok(not_heard(
            "audio_too_long",
            &format!("Audio may be at most {cap} seconds long."),
        ));
    }
    meter::record(
        svc,
        row.user_id,
        providers.stt.id(),
        "stt",
        heard.duration_secs,
        &format!("stt:voice:{}", row.id),
    )
    .await?;
    let text: String = heard.text.trim().chars().take(TRANSCRIPT_MAX).collect();
    if text.is_empty() {
        return Ok(not_heard(
            "audio_silent",
            "No speech was heard in the recording.",
        ));
    }
    let message_id = store_transcript(
        svc,
        &row,
        &text,
        heard.duration_secs,
        heard.language.as_deref(),
    )
    .await?;
    let language = heard.language.or_else(|| row.language.clone());
    announce_transcript(
        svc,
        &row,
        &text,
        message_id,
        (heard.duration_secs, language),
    )
    .await;
    Ok(Heard {
        heard: true,
        code: None,
        message: None,
    })
}

/// The transcript as the user's message (once, by its dedupe key), linked to the
/// voice message and the answering action, in one transaction.
async fn store_transcript(
    svc: &Services,
    row: &VoiceMessageRow,
    text: &str,
    duration_secs: f32,
    language: Option<&str>,
) -> ServiceResult<uuid::Uuid> {
    let dedupe = format!("voice:{}", row.id);
    let mut tx = svc.db.begin().await?;
    let message = chat::add_message_on(
        &mut tx,
        row.user_id,
        &NewMessage {
            conversation_id: row.conversation_id,
            role: "user",
            content: text,
            dedupe_key: Some(&dedupe),
            source: Some("voice"),
            ..NewMessage::default()
        },
    )
    .await?;
    crate::chat::send::title_after(&mut tx, row.user_id, row.conversation_id, text).await?;
    store::set_transcript(&mut *tx, row.id, text, duration_secs, language, message.id).await?;
    log::set_message(&mut *tx, row.action_id, message.id).await?;
    tx.commit().await?;
    Ok(message.id)
}

async fn announce_transcript(
    svc: &Services,
    row: &VoiceMessageRow,
    text: &str,
    message_id: uuid::Uuid,
    (duration_secs, language): (f32, Option<String>),
) {
    let data = VoiceTranscript {
        voice_message_id: row.id,
        action_id: row.action_id,
        conversation_id: row.conversation_id,
        message_id,
        text: text.to_owned(),
        language,
        duration_secs,
    };
    svc.publish(row.user_id, EventKind::VoiceTranscript, &data)
        .await;
}

/// `voice.pending`, once per message.
async fn pending(svc: &Services, row: &VoiceMessageRow) {
    match store::mark_pending_notified(&svc.db, row.id).await {
        Ok(true) => {
            let data = VoicePending {
                voice_message_id: row.id,
                action_id: row.action_id,
                message: "The speech service is unavailable; your message will be heard as soon as it is back."
                    .to_owned(),
            };
            svc.publish(row.user_id, EventKind::VoicePending, &data)
                .await;
        }
        Ok(false) => {}
        Err(err) => tracing::warn!(error = %err, "could not record voice.pending"),
    }
}

/// Speaks the action's answer (once: a stored answer is announced again), stores it and
/// sends `voice.audio`. An action with no answer sends `voice.failed` (`no_answer`).
pub async fn speak(svc: &Services, step: &VoiceStep) -> ServiceResult<()> {
    let providers = providers(svc)?;
    let row = store::get(&svc.db, step.user_id, step.voice_message_id).await?;
    if row.answer_audio_key.is_some() {
        announce_audio(svc, &row).await?;
        return Ok(());
    }
    let action = log::get_action(&svc.db, row.user_id, row.action_id).await?;
    let Some(text) = action
        .summary
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    else {
        store::set_status(&svc.db, row.id, "completed", None).await?;
        let failed = VoiceFailed {
            voice_message_id: row.id,
            action_id: row.action_id,
            stage: "speak".to_owned(),
            code: "no_answer".to_owned(),
            message: "The assistant gave no answer to speak.".to_owned(),
        };
        svc.publish(row.user_id, EventKind::VoiceFailed, &failed)
            .await;
        return Ok(());
    };
    store::set_status(&svc.db, row.id, "speaking", None).await?;
    let text = spoken_text(text, svc.settings.voice.max_speak_chars);
    let spoken = providers
        .tts
        .speak(&text, None, AudioFormat::Wav)
        .await
        .map_err(|e| match e {
            VoiceError::Refused(reason) => ServiceError::Unprocessable {
                code: "speech_refused",
                message: reason,
            },
            other => {
                tracing::warn!(error = %other, "text-to-speech unavailable; retrying");
                ServiceError::Unavailable("text-to-speech".to_owned())
            }
        })?;
    let seconds = spoken.duration_secs.unwrap_or(0.0);
    let format = spoken.format;
    let key = audio_key(row.user_id, row.id, AudioPart::Answer, format.as_str());
    store::queue_deletion(&svc.db, &key, Utc::now() + chrono::Duration::hours(1)).await?;
    providers
        .audio
        .put(&key, spoken.audio, format.content_type())
        .await
        .map_err(storage_error)?;
    let mut tx = svc.db.begin().await?;
    if !store::set_answer(&mut tx, row.id, &key, format.as_str(), seconds).await? {
        // The message was deleted meanwhile; the queued deletion removes the audio.
        return Ok(());
    }
    store::set_status(&mut *tx, row.id, "completed", None).await?;
    tx.commit().await?;
    meter::record(
        svc,
        row.user_id,
        providers.tts.id(),
        "tts",
        seconds,
        &format!("tts:voice:{}", row.id),
    )
    .await?;
    let row = VoiceMessageRow {
        answer_audio_key: Some(key),
        answer_format: Some(format.as_str().to_owned()),
        answer_duration_secs: Some(seconds),
        ..row
    };
    announce_audio(svc, &row).await
}

/// At most `max` characters, cut at the last sentence or word end that fits.
fn spoken_text(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let end = cut
        .rfind(['.', '!', '?', '\n'])
        .map(|i| i + 1)
        .or_else(|| cut.rfind(' '))
        .unwrap_or(cut.len());
    cut[..end].trim().to_owned()
}

async fn announce_audio(svc: &Services, row: &VoiceMessageRow) -> ServiceResult<()> {
    let providers = providers(svc)?;
    let Some(link) = link(providers, row, AudioPart::Answer).await? else {
        return Ok(());
    };
    let content_type = row
        .answer_format
        .as_deref()
        .and_then(AudioFormat::parse)
        .map_or("application/octet-stream", AudioFormat::content_type);
    let data = VoiceAudio {
        voice_message_id: row.id,
        action_id: row.action_id,
        conversation_id: row.conversation_id,
        url: link.url,
        expires_at: link.expires_at,
        content_type: content_type.to_owned(),
        duration_secs: row.answer_duration_secs.unwrap_or(0.0),
    };
    svc.publish(row.user_id, EventKind::VoiceAudio, &data).await;
    Ok(())
}

/// Records why the message failed and sends `voice.failed`. Failing before anything
/// was heard also ends the answering action (`failed`, with `chat.done`), which never
/// started.
pub async fn fail(svc: &Services, failure: &VoiceFailure) -> ServiceResult<()> {
    let row = match store::get(&svc.db, failure.user_id, failure.voice_message_id).await {
        Ok(row) => row,
        Err(maigie_store::StoreError::NotFound) => return Ok(()),
        Err(err) => return Err(err.into()),
    };
    let status = if failure.stage == "speak" {
        "completed"
    } else {
        "failed"
    };
    store::set_status(&svc.db, row.id, status, Some(&failure.message)).await?;
    if failure.stage == "transcribe" {
        crate::chat::actions::end(
            svc,
            row.user_id,
            row.action_id,
            "failed",
            Some(&failure.message),
        )
        .await?;
    }
    let data = VoiceFailed {
        voice_message_id: row.id,
        action_id: row.action_id,
        stage: failure.stage.clone(),
        code: failure.code.clone(),
        message: failure.message.clone(),
    };
    svc.publish(row.user_id, EventKind::VoiceFailed, &data)
        .await;
    Ok(())
}

/// One page of retention: voice messages past `VOICE_RETENTION_DAYS` are deleted (the
/// trigger queues their audio), then audio objects due for deletion are deleted from
/// the store and forgotten. A store that is down fails the page (retried).
pub async fn purge(
    svc: &Services,
    page_size: u32,
    user_id: Option<uuid::Uuid>,
) -> ServiceResult<Purged> {
    let providers = providers(svc)?;
    let limit = i64::from(page_size.max(1));
    let retention = chrono::Duration::from_std(svc.settings.voice.retention)
        .unwrap_or(chrono::Duration::days(30));
    let messages_expired =
        store::delete_older_than(&svc.db, Utc::now() - retention, limit, user_id).await?;
    let prefix = user_id.map(super::message::user_prefix);
    let keys = store::due_deletions(&svc.db, limit, prefix.as_deref()).await?;
    let mut done = Vec::with_capacity(keys.len());
    for key in keys {
        match providers.audio.delete(&key).await {
            Ok(()) => done.push(key),
            Err(StorageError::InvalidKey(key)) => {
                tracing::error!(%key, "dropping an invalid audio key from the deletion queue");
                done.push(key);
            }
            Err(err) => {
                store::deletions_done(&svc.db, &done).await?;
                return Err(storage_error(err));
            }
        }
    }
    store::deletions_done(&svc.db, &done).await?;
    Ok(Purged {
        messages_expired,
        objects_deleted: done.len() as u64,
    })
}
