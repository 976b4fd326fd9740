//! The Temporal worker: its start-up (each step logged and bounded in time, so a
//! worker that cannot start says why and exits within [`STARTUP_DEADLINE`]), its run
//! on a thread of its own, and what its activities are built from.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use maigie_activities::knowledge::KnowledgeIndexActivities;
use maigie_activities::voice::VoiceActivities;
use maigie_activities::{CoreActivities, Mailer};
use maigie_agent::Agent;
use maigie_agent::activities::AgentActivities;
use maigie_api::workflows::TemporalStarter;
use maigie_embed::Embedder;
use maigie_services::settings::KnowledgeSettings;
use maigie_services::{ServiceSettings, Services};
use maigie_store::vector_index::VectorEngine;
use maigie_store::{EventBus, PgPool};
use maigie_workflows::account_mail::AccountMailWorkflow;
use maigie_workflows::ai_action::AiActionWorkflow;
use maigie_workflows::analytics::{AnalyticsDispatchWorkflow, DailyAnalyticsWorkflow};
use maigie_workflows::billing::SubscriptionLifecycleWorkflow;
use maigie_workflows::knowledge_backfill::KnowledgeBackfillWorkflow;
use maigie_workflows::knowledge_index::KnowledgeIndexWorkflow;
use maigie_workflows::schedule_generation::ScheduleGenerationWorkflow;
use maigie_workflows::voice_message::VoiceMessageWorkflow;
use maigie_workflows::voice_retention::VoiceRetentionWorkflow;
use maigie_workflows::{ReminderWorkflow, UserOnboardingWorkflow};
use temporalio_client::Client;
use temporalio_common::telemetry::TelemetryOptions;
use temporalio_common::telemetry::metrics::CoreMeter;
use temporalio_sdk::runtime::RuntimeOptions;
use temporalio_sdk::{Runtime, Worker, WorkerOptions};
use tokio::sync::{oneshot, watch};

use crate::StartupError;
use crate::config::Config;
use crate::temporal::{
    connect, ensure_analytics_schedule, ensure_search_attributes, ensure_voice_retention_schedule,
};
use crate::temporal_metrics::MetricsBridge;
use crate::worker_http::WorkerStatus;

/// A worker that has not reached its task queue by then gives up (and exits
/// non-zero): each step below has a shorter limit of its own.
pub const STARTUP_DEADLINE: Duration = Duration::from_secs(25);

/// Runs one start-up step: logs it, bounds it in time, names it in the error.
async fn step<T, E: std::fmt::Display>(
    what: &str,
    limit: Duration,
    fut: impl Future<Output = Result<T, E>>,
) -> anyhow::Result<T> {
    tracing::info!("worker start-up: {what}");
    match tokio::time::timeout(limit, fut).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => Err(StartupError(format!("{what}: {err}")).into()),
        Err(_) => {
            Err(StartupError(format!("{what}: no answer within {}s", limit.as_secs())).into())
        }
    }
}

/// The worker's Temporal runtime: its metrics go to the process's `/metrics`.
fn runtime() -> anyhow::Result<Runtime> {
    let telemetry = TelemetryOptions::builder()
        .metrics(Arc::new(MetricsBridge::new()) as Arc<dyn CoreMeter>)
        .build();
    let options = RuntimeOptions::builder()
        .telemetry_options(telemetry)
        .build()
        .map_err(|e| anyhow::anyhow!("Temporal runtime options: {e}"))?;
    Ok(Runtime::from_current_tokio(options)?)
}

struct Prepared {
    runtime: Runtime,
    client: Client,
    options: WorkerOptions,
    /// The activities' use-cases (their workflow starts are drained at shutdown).
    services: Services,
}

/// Everything before polling: connections, checks, registrations.
async fn prepare(
    config: &Config,
    status: &WorkerStatus,
    embedder: Arc<dyn Embedder>,
) -> anyhow::Result<Prepared> {
    let runtime = runtime()?;
    let db = step(
        "connecting to PostgreSQL (DATABASE_URL)",
        Duration::from_secs(8),
        maigie_store::connect(&config.database_url, config.database_max_connections),
    )
    .await?;
    maigie_api::metrics::watch_pool("worker", db.clone());
    let vector_engine = crate::vectors::choose(config, &db).await?;
    let redis = redis::Client::open(config.redis_url.as_str())?;
    let redis_config = redis::aio::ConnectionManagerConfig::new()
        .set_number_of_retries(2)
        .set_connection_timeout(Some(Duration::from_secs(2)));
    let redis = step(
        "connecting to Redis (REDIS_URL)",
        Duration::from_secs(6),
        redis.get_connection_manager_with_config(redis_config),
    )
    .await?;
    let events = EventBus::new(redis, config.api.redis_prefix.clone());
    let client = step(
        &format!(
            "connecting to Temporal at {} (namespace {})",
            config.temporal_address, config.temporal_namespace
        ),
        Duration::from_secs(10),
        connect(config),
    )
    .await?;
    step(
        "checking Temporal search attributes",
        Duration::from_secs(6),
        ensure_search_attributes(&client, &config.temporal_namespace),
    )
    .await?;
    status.connected(client.clone(), db.clone());
    let chain = Arc::new(crate::llm_chain::llm_chain(config)?);
    crate::llm_chain::check_models(config, &chain).await?;
    let mailer = Mailer::new(&config.smtp_url, &config.mail_from)
        .map_err(|e| StartupError(format!("SMTP_URL / MAIL_FROM: {e}")))?;
    let knowledge = KnowledgeIndexActivities::new(db.clone(), embedder.clone());
    let services = services(config, db.clone(), events.clone(), client.clone(), embedder)
        .with_settings(service_settings(config, vector_engine));
    let voice = VoiceActivities::new(services.clone());
    let agent = Agent::new(services.clone(), chain);
    let activities = CoreActivities::new(
        db,
        mailer,
        events,
        config.api.public_base_url.to_string(),
        config.reminder_late_after,
    )
    .with_billing(billing_rules(config))
    .with_account_mail(config.account_mail.clone());
    let options = WorkerOptions::new(config.api.temporal_task_queue.clone())
        .register_workflow::<UserOnboardingWorkflow>()?
        .register_workflow::<AccountMailWorkflow>()?
        .register_workflow::<ReminderWorkflow>()?
        .register_workflow::<AnalyticsDispatchWorkflow>()?
        .register_workflow::<DailyAnalyticsWorkflow>()?
        .register_workflow::<SubscriptionLifecycleWorkflow>()?
        .register_workflow::<AiActionWorkflow>()?
        .register_workflow::<ScheduleGenerationWorkflow>()?
        .register_workflow::<KnowledgeIndexWorkflow>()?
        .register_workflow::<KnowledgeBackfillWorkflow>()?
        .register_workflow::<VoiceMessageWorkflow>()?
        .register_workflow::<VoiceRetentionWorkflow>()?
        .register_activities(activities)
        .register_activities(knowledge)
        .register_activities(AgentActivities::new(agent))
        .register_activities(voice)
        .build();
    if config.analytics_schedule {
        step(
            "creating the hourly analytics schedule",
            Duration::from_secs(8),
            ensure_analytics_schedule(
                &client,
                &config.temporal_namespace,
                &config.api.temporal_task_queue,
            ),
        )
        .await?;
    }
    if config.voice.retention_schedule {
        step(
            "creating the hourly voice retention schedule",
            Duration::from_secs(8),
            ensure_voice_retention_schedule(&client, &config.api.temporal_task_queue),
        )
        .await?;
    }
    Ok(Prepared {
        runtime,
        client,
        options,
        services,
    })
}

/// Runs a worker on the configured task queue until `shutdown` flips; running
/// activities finish before it returns. Must run on a `LocalSet` (the SDK's worker
/// future is not `Send`). An error before polling is a [`StartupError`].
pub async fn run_worker(
    config: Config,
    mut shutdown: watch::Receiver<bool>,
    status: Arc<WorkerStatus>,
    embedder: Arc<dyn Embedder>,
) -> anyhow::Result<()> {
    maigie_api::metrics::install();
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        task_queue = %config.api.temporal_task_queue,
        namespace = %config.temporal_namespace,
        "worker starting"
    );
    let prepared = tokio::select! {
        prepared = tokio::time::timeout(STARTUP_DEADLINE, prepare(&config, &status, embedder)) => match prepared {
            Ok(prepared) => prepared?,
            Err(_) => {
                return Err(StartupError(format!(
                    "the worker did not start within {}s",
                    STARTUP_DEADLINE.as_secs()
                ))
                .into());
            }
        },
        _ = shutdown.wait_for(|stopping| *stopping) => {
            tracing::info!("worker start-up interrupted by shutdown");
            return Ok(());
        }
    };
    let Prepared {
        runtime,
        client,
        options,
        services,
    } = prepared;
    let mut worker = Worker::new(&runtime, client, options)
        .map_err(|e| StartupError(format!("cannot create the Temporal worker: {e}")))?;
    let stop = worker.shutdown_handle();
    let stopping = status.clone();
    tokio::task::spawn_local(async move {
        let _ = shutdown.wait_for(|stopping| *stopping).await;
        tracing::info!("worker shutting down: finishing running activities");
        stopping.set_stopping();
        stop();
    });
    status.set_polling(true);
    tracing::info!(task_queue = %config.api.temporal_task_queue, "worker started: polling");
    let result = worker.run().await;
    status.set_polling(false);
    drain_starts(&services).await;
    result?;
    tracing::info!("worker stopped");
    Ok(())
}

/// Waits (a little) for the workflow starts the last activities queued: what is
/// still queued after that is sent by the relay when its outbox row falls due.
pub async fn drain_starts(services: &Services) {
    if tokio::time::timeout(DRAIN_STARTS, services.starts_settled())
        .await
        .is_err()
    {
        tracing::warn!("workflow starts still queued at shutdown: the relay will send them");
    }
}

/// How long a shutdown waits for queued workflow starts.
const DRAIN_STARTS: Duration = Duration::from_secs(5);

/// The use-cases the agent's tools call: the API's, without the API (no HTTP state, no
/// JWT keys, no WebSocket hub).
fn services(
    config: &Config,
    db: PgPool,
    events: EventBus,
    client: Client,
    embedder: Arc<dyn Embedder>,
) -> Services {
    let starter = TemporalStarter::new(client, config.api.temporal_task_queue.clone());
    let services = Services::new(db, Arc::new(events), Arc::new(starter)).with_embedder(embedder);
    match crate::voice::build(config) {
        Ok(voice) => services.with_voice(voice),
        Err(err) => {
            tracing::warn!(error = %err, "voice providers unusable: voice messages will fail");
            services
        }
    }
}

/// The use-cases' settings, with the vector engine chosen at start.
fn service_settings(config: &Config, vector_engine: VectorEngine) -> ServiceSettings {
    ServiceSettings {
        limits: config.api.limits,
        agent: config.api.agent.clone(),
        voice: config.api.voice,
        knowledge: KnowledgeSettings {
            vector_engine,
            ..config.api.knowledge
        },
    }
}

fn billing_rules(config: &Config) -> maigie_activities::billing::BillingRules {
    let b = &config.api.billing;
    let span =
        |d: std::time::Duration| chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
    maigie_activities::billing::BillingRules {
        grace: span(b.grace),
        dunning_offsets: b.dunning_offsets.iter().copied().map(span).collect(),
        prices: b.prices(),
    }
}

/// A worker on a thread of its own, and the way to learn that it stopped.
///
/// The thread drives the worker's run loop (the SDK runs workflow code there, on a
/// `LocalSet`, and polls for activities); each activity, and the SDK's own background
/// tasks, are spawned on the worker runtime's pool of threads. So an activity's
/// database and Temporal round trips do not wait for a workflow activation, nor for
/// each other, to be polled.
pub struct WorkerThread {
    result: Option<oneshot::Receiver<anyhow::Result<()>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl WorkerThread {
    /// Resolves when the worker stopped (on shutdown, or by itself: a failed start,
    /// a fatal error). Answers once; later calls wait forever.
    pub async fn stopped(&mut self) -> anyhow::Result<()> {
        let Some(result) = self.result.take() else {
            return std::future::pending().await;
        };
        result
            .await
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the worker thread panicked")))
    }

    /// Waits for the thread to end.
    pub async fn join(mut self) -> anyhow::Result<()> {
        let result = match self.result.take() {
            Some(result) => result
                .await
                .unwrap_or_else(|_| Err(anyhow::anyhow!("the worker thread panicked"))),
            None => Ok(()),
        };
        if let Some(thread) = self.thread.take() {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
        result
    }
}

/// Runs [`run_worker`] on a thread of its own.
pub fn spawn_worker_thread(
    config: Config,
    shutdown: watch::Receiver<bool>,
    status: Arc<WorkerStatus>,
    embedder: Arc<dyn Embedder>,
) -> std::io::Result<WorkerThread> {
    let (tx, rx) = oneshot::channel();
    let thread = std::thread::Builder::new()
        .name("temporal-worker".into())
        .spawn(move || {
            let result = tokio::runtime::Builder::new_multi_thread()
                .thread_name("temporal-worker-pool")
                .enable_all()
                .build()
                .map_err(anyhow::Error::from)
                .and_then(|runtime| {
                    let local = tokio::task::LocalSet::new();
                    runtime
                        .block_on(local.run_until(run_worker(config, shutdown, status, embedder)))
                });
            let _ = tx.send(result);
        })?;
    Ok(WorkerThread {
        result: Some(rx),
        thread: Some(thread),
    })
}
