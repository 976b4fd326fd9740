//! The voice activities (`voice.hear`, `voice.speak`, `voice.fail`, `voice.purge`):
//! adapters over [`maigie_services::voice::steps`].

use std::sync::Arc;

use maigie_services::voice::steps;
use maigie_services::{ServiceError, Services};
use maigie_workflows::contracts::voice_markers;
use maigie_workflows::voice_message::{Heard, VoiceFailure, VoiceStep};
use maigie_workflows::voice_retention::{PurgeInput, Purged};
use temporalio_macros::activities;
use temporalio_sdk::ApplicationFailure;
use temporalio_sdk::activities::{ActivityContext, ActivityError};

use crate::heartbeat::beating;

/// The voice activities, holding the use-cases (with the voice providers).
pub struct VoiceActivities {
    services: Services,
}

impl VoiceActivities {
    #[must_use]
    pub fn new(services: Services) -> Self {
        Self { services }
    }
}

/// A dependency that is down (the speech server, the store, the database) is retried;
/// anything else would fail the same way again.
fn failure(err: ServiceError) -> ActivityError {
    let retryable = match &err {
        ServiceError::Unavailable(_) | ServiceError::Internal(_) | ServiceError::Busy { .. } => {
            true
        }
        ServiceError::Refused { status, .. } => *status >= 500,
        _ => false,
    };
    if retryable {
        ActivityError::from(err)
    } else {
        ActivityError::application(ApplicationFailure::non_retryable(err))
    }
}

#[activities]
impl VoiceActivities {
    #[activity(definition = voice_markers::Hear)]
    pub async fn hear(
        self: Arc<Self>,
        ctx: ActivityContext,
        input: VoiceStep,
    ) -> Result<Heard, ActivityError> {
        let heard = beating(ctx, steps::hear(&self.services, &input))
            .await
            .map_err(failure)?;
        tracing::info!(voice_message_id = %input.voice_message_id, heard = heard.heard, code = ?heard.code, "voice message heard");
        Ok(heard)
    }

    #[activity(definition = voice_markers::Speak)]
    pub async fn speak(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: VoiceStep,
    ) -> Result<(), ActivityError> {
        steps::speak(&self.services, &input).await.map_err(failure)
    }

    #[activity(definition = voice_markers::Fail)]
    pub async fn fail(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: VoiceFailure,
    ) -> Result<(), ActivityError> {
        steps::fail(&self.services, &input).await.map_err(failure)
    }

    #[activity(definition = voice_markers::Purge)]
    pub async fn purge(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: PurgeInput,
    ) -> Result<Purged, ActivityError> {
        let purged = steps::purge(&self.services, input.page_size, input.user_id)
            .await
            .map_err(failure)?;
        if purged.messages_expired > 0 || purged.objects_deleted > 0 {
            tracing::info!(
                expired = purged.messages_expired,
                deleted = purged.objects_deleted,
                "voice audio purged"
            );
        }
        Ok(purged)
    }
}
