//! The `maigie` processes: configuration, telemetry, start-up and shutdown of the API
//! and the Temporal worker. `main.rs` is a thin CLI over [`start`]; tests call
//! [`start`] with a listener on port 0.

pub mod config;
pub mod telemetry;
pub mod temporal;

use std::net::SocketAddr;

use maigie_api::{AppState, Dependencies};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

pub use config::{Config, ConfigError};

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
    worker: Option<std::thread::JoinHandle<anyhow::Result<()>>>,
}

/// Connects to PostgreSQL (and migrates), Redis and Temporal, then serves on
/// `listener` (and runs the worker if `mode` says so).
pub async fn start(config: Config, listener: TcpListener, mode: Mode) -> anyhow::Result<Running> {
    let db = maigie_store::connect(&config.database_url, config.database_max_connections)
        .await
        .map_err(|e| anyhow::anyhow!("cannot reach PostgreSQL at DATABASE_URL: {e}"))?;
    maigie_store::migrate(&db).await?;
    let redis = redis::Client::open(config.redis_url.as_str())?;
    let temporal = temporal::connect(&config).await?;
    let (state, stop) = AppState::new(
        config.api.clone(),
        Dependencies {
            db,
            redis: redis.clone(),
            temporal,
        },
    )
    .await?;
    let worker = match mode {
        Mode::Api => None,
        Mode::ApiAndWorker => Some(temporal::spawn_worker_thread(
            config.clone(),
            state.shutdown.clone(),
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
    })
}

type MetricsServer = (SocketAddr, JoinHandle<std::io::Result<()>>);

/// `/metrics` on `METRICS_ADDR` until the API shuts down; says once where metrics are.
async fn serve_metrics(
    config: &Config,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<Option<MetricsServer>> {
    let settings = &config.api.metrics;
    tracing::info!("metrics: {}", maigie_api::metrics::describe(settings));
    let Some(wanted) = settings.addr else {
        return Ok(None);
    };
    let listener = TcpListener::bind(wanted)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on METRICS_ADDR {wanted}: {e}"))?;
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
        self.api.await??;
        if let Some(metrics) = self.metrics {
            metrics.await??;
        }
        if let Some(worker) = self.worker {
            tokio::task::spawn_blocking(move || worker.join())
                .await?
                .map_err(|_| anyhow::anyhow!("worker thread panicked"))??;
        }
        Ok(())
    }

    /// Resolves on Ctrl-C or SIGTERM, then shuts down gracefully.
    pub async fn run_until_signal(self) -> anyhow::Result<()> {
        shutdown_signal().await;
        self.shutdown().await
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

/// Runs only the worker until Ctrl-C or SIGTERM.
pub async fn run_worker_until_signal(config: Config) -> anyhow::Result<()> {
    let (tx, rx) = watch::channel(false);
    let handle = temporal::spawn_worker_thread(config, rx)?;
    shutdown_signal().await;
    let _ = tx.send(true);
    tokio::task::spawn_blocking(move || handle.join())
        .await?
        .map_err(|_| anyhow::anyhow!("worker thread panicked"))?
}
