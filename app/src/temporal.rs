//! Connecting to Temporal, and the worker.

use std::thread::JoinHandle;

use maigie_activities::{CoreActivities, Mailer};
use maigie_store::EventBus;
use maigie_workflows::{ReminderWorkflow, UserOnboardingWorkflow};
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
    let activities = CoreActivities::new(
        db,
        mailer,
        events,
        config.api.public_base_url.to_string(),
        config.reminder_late_after,
    );
    let options = WorkerOptions::new(config.api.temporal_task_queue.clone())
        .register_workflow::<UserOnboardingWorkflow>()?
        .register_workflow::<ReminderWorkflow>()?
        .register_activities(activities)
        .build();
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
