//! Shared application state: cheap clones of pools and clients.

use std::sync::Arc;

use axum::extract::FromRef;
use maigie_services::Services;
use maigie_store::{EventBus, PgPool};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use temporalio_client::Client as TemporalClient;
use tokio::sync::watch;

use crate::auth::jwt::JwtKeys;
use crate::auth::password::PasswordHashing;
use crate::realtime::Hub;
use crate::settings::ApiSettings;

/// Why the state could not be built.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot connect to Redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("cannot build the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

/// What every handler and middleware is given. Axum's `State` clones it for each
/// middleware and handler of every request, so a clone is one reference count: as a
/// plain struct of ~15 fields (some holding `String`s) cloning and dropping it took
/// ~8 % of an authenticated read's CPU (perf, `bench/run`, 2026-12-06).
#[derive(Clone)]
pub struct AppState(Arc<AppStateInner>);

impl std::ops::Deref for AppState {
    type Target = AppStateInner;

    fn deref(&self) -> &AppStateInner {
        &self.0
    }
}

/// The parts of [`AppState`].
pub struct AppStateInner {
    pub db: PgPool,
    /// The use-cases, over the same pool, event bus and Temporal client.
    pub services: Services,
    pub redis: ConnectionManager,
    pub events: EventBus,
    pub temporal: TemporalClient,
    /// Embeds search queries.
    pub embedder: Arc<dyn maigie_embed::Embedder>,
    pub settings: Arc<ApiSettings>,
    pub jwt: Arc<JwtKeys>,
    pub hub: Hub,
    pub http: reqwest::Client,
    /// Google's ID-token signing keys, cached for the process.
    pub google_keys: crate::auth::google::jwks::JwksCache,
    /// argon2 under the process-wide cap (`PASSWORD_HASH_CONCURRENCY`).
    pub passwords: PasswordHashing,
    /// Flips to `true` when the server begins a graceful shutdown; WebSockets close.
    pub shutdown: watch::Receiver<bool>,
}

/// Rate limits, the revocation list and live events all fail open when Redis is
/// down, so a call must fail fast: with the client's default of six reconnect
/// retries (~10 s of backoff), every request would stall that long per Redis call.
fn redis_config() -> ConnectionManagerConfig {
    ConnectionManagerConfig::new()
        .set_number_of_retries(1)
        .set_connection_timeout(Some(std::time::Duration::from_secs(1)))
}

/// External services the API is built from.
pub struct Dependencies {
    pub db: PgPool,
    pub redis: redis::Client,
    pub temporal: TemporalClient,
    /// Turns search queries into vectors (the same model the worker indexes with).
    pub embedder: Arc<dyn maigie_embed::Embedder>,
    /// Speech to text and text to speech (none: voice answers 503).
    pub voice: Option<Arc<maigie_services::voice::VoiceProviders>>,
}

impl AppState {
    /// Connects what needs connecting and returns the state plus the sender that
    /// starts a graceful shutdown.
    pub async fn new(
        settings: ApiSettings,
        deps: Dependencies,
    ) -> Result<(Self, watch::Sender<bool>), StateError> {
        let redis = deps
            .redis
            .get_connection_manager_with_config(redis_config())
            .await?;
        let events = EventBus::new(redis.clone(), settings.redis_prefix.clone());
        let (tx, rx) = watch::channel(false);
        let starter = crate::workflows::TemporalStarter::new(
            deps.temporal.clone(),
            settings.temporal_task_queue.clone(),
        );
        let services = Services::new(deps.db.clone(), Arc::new(events.clone()), Arc::new(starter))
            .with_settings(maigie_services::ServiceSettings {
                limits: settings.limits,
                agent: settings.agent.clone(),
                knowledge: settings.knowledge.clone(),
                voice: settings.voice,
            })
            .with_embedder(deps.embedder.clone());
        let services = match deps.voice {
            Some(providers) => services.with_voice(providers),
            None => services,
        };
        let state = Self(Arc::new(AppStateInner {
            db: deps.db,
            services,
            redis,
            events,
            temporal: deps.temporal,
            embedder: deps.embedder,
            jwt: Arc::new(JwtKeys::new(&settings.jwt_secret, settings.access_ttl)),
            passwords: PasswordHashing::new(settings.password_hashing),
            settings: Arc::new(settings),
            hub: Hub::default(),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()?,
            google_keys: crate::auth::google::jwks::JwksCache::default(),
            shutdown: rx,
        }));
        Ok((state, tx))
    }

    /// A Redis key under this deployment's prefix.
    #[must_use]
    pub fn redis_key(&self, suffix: &str) -> String {
        format!("{}:{suffix}", self.settings.redis_prefix)
    }
}

impl FromRef<AppState> for PgPool {
    fn from_ref(state: &AppState) -> Self {
        state.db.clone()
    }
}
