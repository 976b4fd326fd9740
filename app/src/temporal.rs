//! Connecting to Temporal, and the worker.

use std::sync::Arc;
use std::thread::JoinHandle;

use maigie_activities::{CoreActivities, Mailer};
use maigie_agent::Agent;
use maigie_agent::activities::AgentActivities;
use maigie_api::workflows::TemporalStarter;
use maigie_services::{ServiceSettings, Services};
use maigie_store::{EventBus, PgPool};
use maigie_workflows::ai_action::AiActionWorkflow;
use maigie_workflows::analytics::{
    self, AnalyticsDispatchWorkflow, DailyAnalyticsWorkflow, DispatchInput,
};
use maigie_workflows::billing::SubscriptionLifecycleWorkflow;
use maigie_workflows::schedule_generation::ScheduleGenerationWorkflow;
use maigie_workflows::{ReminderWorkflow, UserOnboardingWorkflow};
use temporalio_client::schedules::{
    CreateScheduleOptions, ScheduleAction, ScheduleError, ScheduleIntervalSpec,
    ScheduleOverlapPolicy, ScheduleSpec,
};
use temporalio_client::{
    Client, ClientOptions, Connection, ConnectionOptions, UntypedWorkflow, WorkflowExecutionInfo,
    WorkflowFetchHistoryOptions, WorkflowHandle,
};
use temporalio_sdk::{Runtime, Worker, WorkerOptions};
use tokio::sync::watch;

use crate::config::Config;

/// A client bound to the configured namespace.
pub async fn connect(config: &Config) -> anyhow::Result<Client> {
    let options = ConnectionOptions::new(config.temporal_address.clone())
        .identity(format!("maigie@{}", std::process::id()))
        .connect_timeout(std::time::Duration::from_secs(10))
        .build();
    let connection = Connection::connect(options).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot reach Temporal at TEMPORAL_ADDRESS={}: {e}",
            config.temporal_address
        )
    })?;
    Ok(Client::new(
        connection,
        ClientOptions::new(config.temporal_namespace.clone()).build(),
    )?)
}

/// Runs a worker on the configured task queue until `shutdown` flips; running
/// activities finish before it returns. Must run on a `LocalSet` (the SDK's worker
/// future is not `Send`).
pub async fn run_worker(config: Config, mut shutdown: watch::Receiver<bool>) -> anyhow::Result<()> {
    let runtime = Runtime::from_current_tokio(Default::default())?;
    let client = connect(&config).await?;
    let redis = redis::Client::open(config.redis_url.as_str())?;
    let events = EventBus::new(
        redis.get_connection_manager().await?,
        config.api.redis_prefix.clone(),
    );
    let mailer = Mailer::new(&config.smtp_url, &config.mail_from)?;
    let db = maigie_store::connect(&config.database_url, config.database_max_connections).await?;
    let services = services(&config, db.clone(), events.clone(), client.clone());
    let agent = Agent::new(
        services,
        Arc::new(llm_chain(&config)?),
        Arc::new(events.clone()),
    );
    let activities = CoreActivities::new(
        db,
        mailer,
        events,
        config.api.public_base_url.to_string(),
        config.reminder_late_after,
    )
    .with_billing(billing_rules(&config));
    let options = WorkerOptions::new(config.api.temporal_task_queue.clone())
        .register_workflow::<UserOnboardingWorkflow>()?
        .register_workflow::<ReminderWorkflow>()?
        .register_workflow::<AnalyticsDispatchWorkflow>()?
        .register_workflow::<DailyAnalyticsWorkflow>()?
        .register_workflow::<SubscriptionLifecycleWorkflow>()?
        .register_workflow::<AiActionWorkflow>()?
        .register_workflow::<ScheduleGenerationWorkflow>()?
        .register_activities(activities)
        .register_activities(AgentActivities::new(agent))
        .build();
    if config.analytics_schedule {
        ensure_analytics_schedule(&client, &config.api.temporal_task_queue).await?;
    }
    let mut worker = Worker::new(&runtime, client, options)?;
    let stop = worker.shutdown_handle();
    tokio::task::spawn_local(async move {
        let _ = shutdown.wait_for(|stopping| *stopping).await;
        tracing::info!("worker shutting down: finishing running activities");
        stop();
    });
    tracing::info!(task_queue = %config.api.temporal_task_queue, "worker started");
    worker.run().await?;
    Ok(())
}

/// The use-cases the agent's tools call: the API's, without the API (no HTTP state, no
/// JWT keys, no WebSocket hub).
fn services(config: &Config, db: PgPool, events: EventBus, client: Client) -> Services {
    let starter = TemporalStarter::new(client, config.api.temporal_task_queue.clone());
    Services::new(db, Arc::new(events), Arc::new(starter)).with_settings(ServiceSettings {
        limits: config.api.limits,
        agent: config.api.agent.clone(),
    })
}

/// The model providers of `LLM_*` (none: the agent answers offline).
pub fn llm_chain(config: &Config) -> anyhow::Result<maigie_llm::LlmChain> {
    let llm = &config.llm;
    let mut chain = maigie_llm::ChainConfig::from_env_values(
        &llm.base_urls,
        &llm.api_keys,
        &llm.models,
        llm.timeout,
    )
    .map_err(|e| anyhow::anyhow!("LLM_BASE_URL / LLM_API_KEY / LLM_MODEL: {e}"))?;
    if !llm.stream {
        for p in &mut chain.providers {
            p.stream = false;
        }
    }
    if chain.providers.is_empty() {
        tracing::info!("no LLM_BASE_URL: the assistant answers with the built-in offline parser");
    }
    Ok(maigie_llm::LlmChain::new(chain)?)
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

/// Creates the hourly schedule of the daily analytics (five past each hour) unless it
/// exists. Each task queue has its own schedule.
pub async fn ensure_analytics_schedule(client: &Client, task_queue: &str) -> anyhow::Result<()> {
    let id = analytics::schedule_id(task_queue);
    let spec = ScheduleSpec::builder()
        .intervals(vec![ScheduleIntervalSpec::new(
            std::time::Duration::from_secs(3600),
            Some(std::time::Duration::from_secs(300)),
        )])
        .build();
    let options = CreateScheduleOptions::builder()
        .action(ScheduleAction::start_workflow(
            AnalyticsDispatchWorkflow::run,
            DispatchInput {
                task_queue: task_queue.to_owned(),
            },
            task_queue,
            format!("analytics-dispatch-{task_queue}"),
        ))
        .spec(spec)
        .overlap_policy(ScheduleOverlapPolicy::Skip)
        .note("Daily analytics: computes each time zone's day after its midnight.".to_owned())
        .build();
    match client.create_schedule(id.as_str(), options).await {
        Ok(_) => {
            tracing::info!(schedule = %id, "analytics schedule created");
            Ok(())
        }
        Err(ScheduleError::Rpc(status)) if format!("{:?}", status.code()) == "AlreadyExists" => {
            Ok(())
        }
        Err(err) => Err(err.into()),
    }
}

/// Runs [`run_worker`] on a thread of its own (current-thread runtime + `LocalSet`).
pub fn spawn_worker_thread(
    config: Config,
    shutdown: watch::Receiver<bool>,
) -> std::io::Result<JoinHandle<anyhow::Result<()>>> {
    std::thread::Builder::new()
        .name("temporal-worker".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let local = tokio::task::LocalSet::new();
            runtime.block_on(local.run_until(run_worker(config, shutdown)))
        })
}

/// The event history of a workflow (its latest run), as JSON.
pub async fn history_json(
    config: &Config,
    workflow_id: &str,
    run_id: Option<&str>,
) -> anyhow::Result<Vec<u8>> {
    let client = connect(config).await?;
    let info = WorkflowExecutionInfo::builder()
        .namespace(config.temporal_namespace.clone())
        .workflow_id(workflow_id)
        .maybe_run_id(run_id.map(str::to_owned))
        .build();
    let handle = WorkflowHandle::<_, UntypedWorkflow>::new(client, info);
    let history = handle.fetch_history(WorkflowFetchHistoryOptions::default());
    Ok(history.to_json().await?)
}
