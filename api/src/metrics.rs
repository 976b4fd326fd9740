//! Prometheus metrics: recorded in every process, but `/metrics` is not public. The
//! API serves it on a listener of its own (`METRICS_ADDR`, e.g. a private interface)
//! and then not on the API listener, or on the API listener behind a bearer token
//! (`METRICS_TOKEN`, compared in constant time), or both; with neither it is not
//! served at all (404), closed by default. A separate worker serves it on its own
//! listener (`WORKER_HTTP_ADDR`, next to its `/health`), behind `METRICS_TOKEN` too
//! when that is set.
//!
//! Every metric has `# HELP` text, and every label has a bounded set of values: HTTP
//! metrics are labelled with the matched route template (`unmatched` for any unknown
//! URL), never with the raw path. Some values are read when scraped: the process
//! (`/proc/self`), the database pools, the workflow outbox backlog, the LLM circuit
//! breakers (see [`set_collector`]).

mod process;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maigie_store::PgPool;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;

use crate::auth::extractor::bearer;
use crate::error::ApiError;
use crate::settings::MetricsSettings;

/// HTTP requests by method, route template and status.
pub const HTTP_REQUESTS: &str = "maigie_http_requests_total";
/// HTTP request latency (to the response head) by method, route template and status.
pub const HTTP_DURATION: &str = "maigie_http_request_duration_seconds";
/// HTTP requests being handled.
pub const HTTP_IN_FLIGHT: &str = "maigie_http_requests_in_flight";
/// The route label of a request that matched no route.
pub const UNMATCHED: &str = "unmatched";

const WEBSOCKETS: &str = "maigie_websocket_connections";
const WORKFLOW_STARTS: &str = "maigie_workflow_starts_total";
const POOL_SIZE: &str = "maigie_db_pool_connections";
const POOL_IDLE: &str = "maigie_db_pool_idle_connections";
const POOL_IN_USE: &str = "maigie_db_pool_in_use_connections";
const POOL_MAX: &str = "maigie_db_pool_max_connections";
const OUTBOX_PENDING: &str = "maigie_workflow_outbox_pending";
const OUTBOX_OLDEST: &str = "maigie_workflow_outbox_oldest_pending_age_seconds";
const SCRAPE_ERRORS: &str = "maigie_metrics_collect_errors_total";

/// Histogram buckets (seconds) of every duration histogram.
const BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
];

/// How long one scrape-time collector may take before the scrape goes on without it.
const COLLECT_TIMEOUT: Duration = Duration::from_secs(2);

/// The Prometheus recorder is process-global: installed once, by the first call.
/// Processes call this first thing, so that every metric recorded (and described)
/// later lands in it.
pub fn install() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new();
        let builder = match builder.set_buckets(&BUCKETS) {
            Ok(b) => b,
            Err(_) => PrometheusBuilder::new(),
        };
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if ::metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder was installed first: /metrics stays empty");
        }
        // Histograms keep their samples until drained: drain them even if nothing
        // scrapes.
        let upkeep = handle.clone();
        let _ = std::thread::Builder::new()
            .name("metrics-upkeep".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(Duration::from_secs(5));
                    upkeep.run_upkeep();
                }
            });
        describe();
        handle
    })
}

/// The `# HELP` text of the metrics recorded here (the LLM client and the Temporal
/// bridge describe their own).
fn describe() {
    use ::metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests answered, by method, route template (unmatched for unknown URLs) and status."
    );
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "Time to the response head of HTTP requests, by method, route template and status."
    );
    describe_gauge!(HTTP_IN_FLIGHT, "HTTP requests being handled now.");
    describe_gauge!(
        WEBSOCKETS,
        "Open WebSocket connections (/ws) on this instance."
    );
    describe_counter!(
        WORKFLOW_STARTS,
        "Temporal workflows started (or signalled with start) from the outbox, by workflow type."
    );
    describe_gauge!(
        POOL_SIZE,
        "PostgreSQL connections open in the pool (idle + in use), by pool (api, worker)."
    );
    describe_gauge!(
        POOL_IDLE,
        "Idle PostgreSQL connections in the pool, by pool."
    );
    describe_gauge!(
        POOL_IN_USE,
        "PostgreSQL connections checked out of the pool, by pool."
    );
    describe_gauge!(
        POOL_MAX,
        "Most PostgreSQL connections the pool may open (DATABASE_MAX_CONNECTIONS), by pool."
    );
    describe_gauge!(
        OUTBOX_PENDING,
        "Workflow starts recorded in the outbox and not made yet (Temporal down or slow)."
    );
    describe_gauge!(
        OUTBOX_OLDEST,
        Unit::Seconds,
        "Age of the oldest workflow start still waiting in the outbox (0 when none)."
    );
    describe_counter!(
        SCRAPE_ERRORS,
        "Scrape-time readings that failed or timed out, by collector."
    );
}

/// A reading taken at scrape time: it sets gauges.
pub type Collect = Pin<Box<dyn Future<Output = ()> + Send>>;
type Collector = Arc<dyn Fn() -> Collect + Send + Sync>;

fn collectors() -> &'static Mutex<BTreeMap<String, Collector>> {
    static COLLECTORS: OnceLock<Mutex<BTreeMap<String, Collector>>> = OnceLock::new();
    COLLECTORS.get_or_init(Mutex::default)
}

/// Runs `collect` before each scrape, under `key` (a later collector with the same
/// key replaces it). A collector that takes longer than 2 s is left behind (and
/// counted in `maigie_metrics_collect_errors_total`).
pub fn set_collector(
    key: impl Into<String>,
    collect: impl Fn() -> Collect + Send + Sync + 'static,
) {
    if let Ok(mut map) = collectors().lock() {
        map.insert(key.into(), Arc::new(collect));
    }
}

/// Stops running the collector `key`.
pub fn remove_collector(key: &str) {
    if let Ok(mut map) = collectors().lock() {
        map.remove(key);
    }
}

/// Reports a pool's connections at each scrape, labelled `pool`.
pub fn watch_pool(pool_name: &'static str, pool: PgPool) {
    set_collector(format!("db_pool:{pool_name}"), move || {
        let size = pool.size();
        let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX).min(size);
        let max = pool.options().get_max_connections();
        Box::pin(async move {
            ::metrics::gauge!(POOL_SIZE, "pool" => pool_name).set(f64::from(size));
            ::metrics::gauge!(POOL_IDLE, "pool" => pool_name).set(f64::from(idle));
            ::metrics::gauge!(POOL_IN_USE, "pool" => pool_name).set(f64::from(size - idle));
            ::metrics::gauge!(POOL_MAX, "pool" => pool_name).set(f64::from(max));
        })
    });
}

/// Reports the workflow outbox backlog at each scrape (one indexed query).
pub fn watch_outbox(services: maigie_services::Services) {
    set_collector("outbox", move || {
        let services = services.clone();
        Box::pin(async move {
            match services.outbox_backlog().await {
                Ok((pending, oldest)) => {
                    ::metrics::gauge!(OUTBOX_PENDING).set(pending as f64);
                    ::metrics::gauge!(OUTBOX_OLDEST).set(oldest);
                }
                Err(err) => {
                    tracing::warn!(error = %err, "metrics: cannot read the outbox backlog");
                    ::metrics::counter!(SCRAPE_ERRORS, "collector" => "outbox").increment(1);
                }
            }
        })
    });
}

/// Counts one workflow start (from the starter).
pub(crate) fn workflow_started(workflow_type: &str) {
    // Workflow types come from the code (an unknown one is refused before this).
    ::metrics::counter!(WORKFLOW_STARTS, "workflow" => workflow_type.to_owned()).increment(1);
}

/// Counts a WebSocket opening (`1.0`) or closing (`-1.0`).
pub(crate) fn websocket(delta: f64) {
    ::metrics::gauge!(WEBSOCKETS).increment(delta);
}

/// The whole exposition: collectors run, then the recorder's metrics and the
/// process metrics.
pub async fn render() -> String {
    let handle = install();
    let pending: Vec<(String, Collector)> = collectors()
        .lock()
        .map(|map| map.iter().map(|(k, c)| (k.clone(), c.clone())).collect())
        .unwrap_or_default();
    futures::future::join_all(pending.into_iter().map(|(key, collect)| async move {
        if tokio::time::timeout(COLLECT_TIMEOUT, collect())
            .await
            .is_err()
        {
            tracing::warn!(collector = %key, "metrics: collector timed out");
            ::metrics::counter!(SCRAPE_ERRORS, "collector" => key).increment(1);
        }
    }))
    .await;
    handle.run_upkeep();
    let mut text = handle.render();
    process::render(&mut text);
    text
}

/// Where `/metrics` is served, for the start-up log.
#[must_use]
pub fn describe_settings(settings: &MetricsSettings) -> String {
    match (&settings.addr, &settings.token) {
        (Some(addr), None) => format!("/metrics on {addr} only"),
        (Some(addr), Some(_)) => format!("/metrics on {addr} only, behind METRICS_TOKEN"),
        (None, Some(_)) => "/metrics on the API listener, behind METRICS_TOKEN".into(),
        (None, None) => "/metrics not served (set METRICS_ADDR or METRICS_TOKEN)".into(),
    }
}

/// `/metrics` for the API listener: only with a token and no listener of its own.
pub(crate) fn api_routes<S: Clone + Send + Sync + 'static>(
    settings: &MetricsSettings,
) -> Router<S> {
    match (&settings.addr, &settings.token) {
        (None, Some(token)) => routes(Some(token.clone())),
        _ => Router::new(),
    }
}

/// `GET /metrics`, behind `Authorization: Bearer <token>` when a token is given.
pub fn routes<S: Clone + Send + Sync + 'static>(token: Option<String>) -> Router<S> {
    let expected: Option<Arc<[u8]>> = token.map(|t| Sha256::digest(t.as_bytes()).to_vec().into());
    Router::new().route(
        "/metrics",
        get(move |headers: HeaderMap| {
            let expected = expected.clone();
            async move { answer(&headers, expected.as_deref()).await }
        }),
    )
}

async fn answer(headers: &HeaderMap, expected: Option<&[u8]>) -> Response {
    if let Some(expected) = expected {
        let presented = Sha256::digest(bearer(headers).unwrap_or_default().as_bytes());
        if !constant_time_eq(&presented, expected) {
            return ApiError::unauthorized(
                "invalid_metrics_token",
                "GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.",
            )
            .into_response();
        }
    }
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        render().await,
    )
        .into_response()
}

/// Compares digests of equal length without an early exit.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Serves `/metrics` (and nothing else) on its own listener until `shutdown`.
pub async fn serve(
    listener: TcpListener,
    token: Option<String>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = routes(token).fallback(crate::route_not_found);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn tokens_compare_equal_only_when_identical() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
