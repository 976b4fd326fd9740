//! The `maigie` processes: configuration, telemetry, start-up and shutdown of the API
//! and the Temporal worker. `main.rs` is a thin CLI over [`start`]; tests call
//! [`start`] with a listener on port 0.

pub mod config;
pub mod embedding;
pub mod llm_chain;
pub mod telemetry;
pub mod temporal;
pub mod temporal_metrics;
pub mod vectors;
pub mod voice;
pub mod worker;
pub mod worker_http;

use std::net::SocketAddr;
use std::sync::Arc;

use maigie_api::{AppState, Dependencies};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

pub use config::{Config, ConfigError, DatabaseConfig};
pub use worker::WorkerThread;
pub use worker_http::WorkerStatus;

/// A failure to start that is the environment's (a service that cannot be reached, an
/// address already taken, a model the provider does not serve), not a bug: `maigie`
/// prints it as one line and exits non-zero.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StartupError(pub String);

/// Which processes [`start`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// API only (`maigie serve`).
    Api,
    /// API and worker in one process (`maigie dev`).
    ApiAndWorker,
}

/// A running API, and the worker if asked for.
pub struct Running {
    pub addr: SocketAddr,
    /// The listener of `/metrics` when `METRICS_ADDR` is set.
    pub metrics_addr: Option<SocketAddr>,
    trigger: Option<oneshot::Sender<()>>,
    api: JoinHandle<std::io::Result<()>>,
    metrics: Option<JoinHandle<std::io::Result<()>>>,
    worker: Option<WorkerThread>,
    /// The API's use-cases (their workflow starts are drained at shutdown).
    services: maigie_services::Services,
}

/// Connects to PostgreSQL (and migrates), Redis and Temporal, then serves on
/// `listener` (and runs the worker if `mode` says so).
pub async fn start(config: Config, listener: TcpListener, mode: Mode) -> anyhow::Result<Running> {
    maigie_api::metrics::install();
    let db = maigie_store::connect(&config.database_url, config.database_max_connections)
        .await
        .map_err(|e| StartupError(format!("cannot reach PostgreSQL at DATABASE_URL: {e}")))?;
    maigie_store::migrate(&db).await?;
    let mut config = config;
    config.api.knowledge.vector_engine = vectors::choose(&config, &db).await?;
    maigie_api::metrics::watch_pool("api", db.clone());
    let redis = redis::Client::open(config.redis_url.as_str())?;
    let temporal = temporal::connect(&config).await?;
    temporal::ensure_search_attributes(&temporal, &config.temporal_namespace).await?;
    // One model for the API's queries and the worker's indexing.
    let embedder = embedding::build(&config)?;
    let (state, stop) = AppState::new(
        config.api.clone(),
        Dependencies {
            db,
            redis: redis.clone(),
            temporal,
            embedder: embedder.clone(),
            voice: Some(voice::build(&config)?),
        },
    )
    .await
    .map_err(|e| StartupError(e.to_string()))?;
    maigie_api::metrics::watch_outbox(state.services.clone());
    let services = state.services.clone();
    let worker = match mode {
        Mode::Api => None,
        Mode::ApiAndWorker => Some(worker::spawn_worker_thread(
            config.clone(),
            state.shutdown.clone(),
            Arc::new(WorkerStatus::default()),
            embedder,
        )?),
    };
    let addr = listener.local_addr()?;
    let metrics = serve_metrics(&config, state.shutdown.clone()).await?;
    let (trigger, triggered) = oneshot::channel::<()>();
    let api = tokio::spawn(maigie_api::serve(
        listener,
        state,
        stop,
        redis,
        async move {
            let _ = triggered.await;
        },
    ));
    tracing::info!(%addr, ?mode, "listening");
    Ok(Running {
        addr,
        metrics_addr: metrics.as_ref().map(|(a, _)| *a),
        trigger: Some(trigger),
        api,
        metrics: metrics.map(|(_, task)| task),
        worker,
        services,
    })
}

type MetricsServer = (SocketAddr, JoinHandle<std::io::Result<()>>);

/// `/metrics` on `METRICS_ADDR` until the API shuts down; says once where metrics are.
async fn serve_metrics(
    config: &Config,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<Option<MetricsServer>> {
    let settings = &config.api.metrics;
    tracing::info!(
        "metrics: {}",
        maigie_api::metrics::describe_settings(settings)
    );
    let Some(wanted) = settings.addr else {
        return Ok(None);
    };
    let listener = TcpListener::bind(wanted)
        .await
        .map_err(|e| StartupError(format!("cannot listen on METRICS_ADDR {wanted}: {e}")))?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(maigie_api::metrics::serve(
        listener,
        settings.token.clone(),
        async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        },
    ));
    Ok(Some((addr, task)))
}

impl Running {
    /// Graceful shutdown: stop accepting, drain requests, close WebSockets, let the
    /// worker finish its running activities.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        if let Some(trigger) = self.trigger.take() {
            let _ = trigger.send(());
        }
        self.wait().await
    }

    /// Waits until the API (and worker) have stopped.
    pub async fn wait(self) -> anyhow::Result<()> {
        let served = self.api.await;
        worker::drain_starts(&self.services).await;
        served??;
        if let Some(metrics) = self.metrics {
            metrics.await??;
        }
        if let Some(worker) = self.worker {
            worker.join().await?;
        }
        Ok(())
    }

    /// Resolves on Ctrl-C or SIGTERM, then shuts down gracefully. If the worker (of
    /// `maigie dev`) stops by itself, the API is shut down too and its error returned.
    pub async fn run_until_signal(mut self) -> anyhow::Result<()> {
        let Some(mut worker) = self.worker.take() else {
            shutdown_signal().await;
            return self.shutdown().await;
        };
        let stopped = tokio::select! {
            () = shutdown_signal() => None,
            stopped = worker.stopped() => Some(stopped),
        };
        match stopped {
            None => {
                self.worker = Some(worker);
                self.shutdown().await
            }
            Some(stopped) => {
                let err = stopped
                    .err()
                    .unwrap_or_else(|| anyhow::anyhow!("the worker stopped"));
                tracing::error!(error = %format!("{err:#}"), "worker stopped: shutting down the API");
                let _ = self.shutdown().await;
                let _ = worker.join().await;
                Err(err)
            }
        }
    }
}

/// Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutdown signal received");
}

/// Runs only the worker (and its `WORKER_HTTP_ADDR` listener) until Ctrl-C or
/// SIGTERM; returns at once, with the error, if the worker cannot start or stops by
/// itself.
pub async fn run_worker_until_signal(config: Config) -> anyhow::Result<()> {
    maigie_api::metrics::install();
    let (tx, rx) = watch::channel(false);
    let status = Arc::new(WorkerStatus::default());
    let http = match config.worker_http_addr {
        Some(addr) => {
            let listener = TcpListener::bind(addr).await.map_err(|e| {
                StartupError(format!("cannot listen on WORKER_HTTP_ADDR {addr}: {e}"))
            })?;
            let bound = listener.local_addr()?;
            let token = config.api.metrics.token.clone();
            tracing::info!(addr = %bound, metrics_token = token.is_some(),
                "worker /health and /metrics listening");
            let mut stopped = rx.clone();
            Some(tokio::spawn(worker_http::serve(
                listener,
                status.clone(),
                token,
                async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                },
            )))
        }
        None => {
            tracing::info!("WORKER_HTTP_ADDR not set: no /health or /metrics listener");
            None
        }
    };
    let embedder = embedding::build(&config)?;
    let mut worker = worker::spawn_worker_thread(config, rx, status, embedder)?;
    let stopped = tokio::select! {
        () = shutdown_signal() => None,
        stopped = worker.stopped() => Some(stopped),
    };
    let _ = tx.send(true);
    let result = match stopped {
        None => worker.join().await,
        Some(stopped) => {
            let _ = worker.join().await;
            Err(stopped
                .err()
                .unwrap_or_else(|| anyhow::anyhow!("the worker stopped by itself")))
        }
    };
    if let Some(http) = http {
        let _ = http.await;
    }
    result
}
