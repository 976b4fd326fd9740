//! Maigie's use-cases: every read and write that the REST API, the AI agent's tools,
//! MCP and workflow activities perform, with no HTTP, no Temporal SDK and no model
//! in sight.
//!
//! A write is one [`Work`]: a transaction holding the change, its outbox rows
//! (reminder plans, workflow starts) and its audit entry; the live events it
//! collected are published after commit, so every entry point emits the same ones.
//! Callers say who they are with a [`Ctx`]; failures are one [`ServiceError`], which
//! each adapter maps once.

pub mod accounts;
pub mod analytics;
pub mod billing;
pub mod chat;
pub mod courses;
pub mod ctx;
mod dispatch;
pub mod error;
pub mod events;
pub mod goals;
pub mod idempotency;
pub mod input;
pub mod knowledge;
pub mod live;
pub mod mcp_tokens;
pub mod notes;
pub mod notifications;
pub mod pagination;
pub mod plans;
pub mod reminders;
pub mod resources;
pub mod schedule;
pub mod schema_enums;
pub mod secret;
pub mod settings;
pub mod starter;
pub mod tasks;
pub mod voice;
pub mod work;

use std::sync::Arc;

use chrono_tz::Tz;
use maigie_store::PgPool;
use maigie_store::outbox::{self, PendingStart};
use uuid::Uuid;

pub use ctx::{Ctx, Source};
pub use error::{Refusal, ServiceError, ServiceResult};
pub use events::{EndedSessions, EventSink, RecordedEvents};
pub use settings::ServiceSettings;
pub use starter::{RecordingStarter, SentSignal, StartError, WorkflowStart, WorkflowStarter};
pub use work::{Replace, Work};

/// The use-cases' dependencies: cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub db: PgPool,
    pub settings: Arc<ServiceSettings>,
    events: Arc<dyn EventSink>,
    starter: Arc<dyn WorkflowStarter>,
    dispatcher: Arc<dispatch::Dispatcher>,
    embedder: Arc<dyn maigie_embed::Embedder>,
    voice: Option<Arc<voice::VoiceProviders>>,
}

impl Services {
    #[must_use]
    pub fn new(db: PgPool, events: Arc<dyn EventSink>, starter: Arc<dyn WorkflowStarter>) -> Self {
        Self {
            dispatcher: Arc::new(dispatch::Dispatcher::new(db.clone(), starter.clone())),
            db,
            settings: Arc::new(ServiceSettings::default()),
            events,
            starter,
            embedder: Arc::new(knowledge::NoEmbedder),
            voice: None,
        }
    }

    /// The speech-to-text and text-to-speech providers (without them, voice answers
    /// 503 `voice_unavailable`).
    #[must_use]
    pub fn with_voice(mut self, providers: Arc<voice::VoiceProviders>) -> Self {
        self.voice = Some(providers);
        self
    }

    /// The embedding model of search and the assistant's retrieval (without one,
    /// search ranks by words only).
    #[must_use]
    pub fn with_embedder(mut self, embedder: Arc<dyn maigie_embed::Embedder>) -> Self {
        self.embedder = embedder;
        self
    }

    #[must_use]
    pub fn embedder(&self) -> &dyn maigie_embed::Embedder {
        self.embedder.as_ref()
    }

    /// The same services with `settings` (limits, agent) instead of the defaults.
    #[must_use]
    pub fn with_settings(mut self, settings: ServiceSettings) -> Self {
        self.settings = Arc::new(settings);
        self
    }

    /// Opens the transaction of one write.
    pub async fn begin(&self) -> ServiceResult<Work> {
        Work::begin(self).await
    }

    /// A read-only transaction with one snapshot for all its statements (repeatable
    /// read), for answers built from several queries: a write committing between them
    /// cannot tear the answer (e.g. a plan with the children of a later version).
    pub async fn snapshot(
        &self,
    ) -> ServiceResult<maigie_store::Transaction<'static, maigie_store::Postgres>> {
        let mut tx = self.db.begin().await?;
        maigie_store::read_snapshot(&mut tx).await?;
        Ok(tx)
    }

    /// The user's time zone (UTC when it is unknown or unreadable).
    pub async fn zone(&self, user_id: Uuid) -> ServiceResult<Tz> {
        let name = maigie_store::users::timezone(&self.db, user_id).await?;
        Ok(name.parse().unwrap_or(Tz::UTC))
    }

    /// The caller's time zone: the one the entry point read with their tier, or the
    /// stored one.
    pub async fn zone_for(&self, ctx: &Ctx) -> ServiceResult<Tz> {
        match ctx.zone {
            Some(zone) => Ok(zone),
            None => self.zone(ctx.user_id).await,
        }
    }

    /// Publishes a live event that goes with no write of its own (progress of a
    /// workflow: `voice.pending`, the agent's `chat.*`); best effort.
    pub async fn publish(
        &self,
        user_id: Uuid,
        kind: maigie_domain::EventKind,
        data: &impl serde::Serialize,
    ) {
        match serde_json::to_value(data) {
            Ok(data) => {
                let event = maigie_domain::UserEvent {
                    user_id,
                    kind,
                    data,
                };
                self.events.publish(&event).await;
            }
            Err(err) => tracing::warn!(error = %err, %kind, "could not serialise a live event"),
        }
    }

    /// Hands the starts of committed work to the background lanes (see
    /// [`dispatch`]): the caller does not wait for Temporal.
    pub(crate) fn dispatch_soon(&self, starts: Vec<WorkflowStart>) {
        for start in starts {
            self.dispatcher.queue(start);
        }
    }

    /// Waits until every workflow start this process queued has been tried (tests
    /// that look at what was started; a graceful shutdown).
    pub async fn starts_settled(&self) {
        self.dispatcher.settled().await;
    }

    /// Sends a signal to a running workflow (not through the outbox: the caller
    /// reports a failure to the user, who can try again).
    pub async fn signal(
        &self,
        workflow_type: &str,
        workflow_id: &str,
        signal: &str,
    ) -> Result<(), StartError> {
        self.starter
            .signal(workflow_type, workflow_id, signal)
            .await
    }

    /// Workflow starts recorded but not yet made, and the age in seconds of the
    /// oldest (for the metrics).
    pub async fn outbox_backlog(&self) -> ServiceResult<(i64, f64)> {
        Ok(outbox::backlog(&self.db).await?)
    }

    /// Retries up to 50 starts that are due (not started, not leased by another
    /// relay); answers how many it tried.
    pub async fn relay_outbox(&self) -> ServiceResult<usize> {
        let due = outbox::claim_due(&self.db, 50, 30).await?;
        let tried = due.len();
        for PendingStart {
            workflow_type,
            workflow_id,
            input,
            ..
        } in due
        {
            self.dispatcher
                .send(&WorkflowStart {
                    workflow_type,
                    workflow_id,
                    input,
                })
                .await;
        }
        Ok(tried)
    }
}
