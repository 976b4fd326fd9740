//! The worker's own small HTTP listener (`WORKER_HTTP_ADDR`): `GET /health` for
//! orchestrators (and `maigie healthcheck`), `GET /metrics` for Prometheus (behind
//! `METRICS_TOKEN` when that is set). Keep it on a private interface.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use maigie_store::PgPool;
use serde_json::{Value, json};
use temporalio_client::Client;
use temporalio_client::tonic::IntoRequest;
use temporalio_common::protos::temporal::api::workflowservice::v1::GetSystemInfoRequest;
use tokio::net::TcpListener;

/// What the worker has reached, shared between its thread and the listener.
#[derive(Default)]
pub struct WorkerStatus {
    polling: AtomicBool,
    stopping: AtomicBool,
    temporal: OnceLock<Client>,
    db: OnceLock<PgPool>,
}

impl WorkerStatus {
    pub(crate) fn connected(&self, temporal: Client, db: PgPool) {
        let _ = self.temporal.set(temporal);
        let _ = self.db.set(db);
    }

    pub(crate) fn set_polling(&self, polling: bool) {
        self.polling.store(polling, Ordering::SeqCst);
    }

    pub(crate) fn set_stopping(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }

    /// Whether the worker polls its task queue.
    #[must_use]
    pub fn is_polling(&self) -> bool {
        self.polling.load(Ordering::SeqCst)
    }
}

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

async fn check<E: std::fmt::Display>(f: impl Future<Output = Result<(), E>>) -> Value {
    match tokio::time::timeout(CHECK_TIMEOUT, f).await {
        Ok(Ok(())) => json!({ "ok": true }),
        Ok(Err(err)) => json!({ "ok": false, "error": err.to_string() }),
        Err(_) => json!({ "ok": false, "error": "timed out" }),
    }
}

/// 200 when the worker polls and Temporal and PostgreSQL answer; else 503 saying why.
async fn health(State(status): State<Arc<WorkerStatus>>) -> (StatusCode, Json<Value>) {
    if status.stopping.load(Ordering::SeqCst) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "stopping" })),
        );
    }
    let (Some(temporal), Some(db), true) =
        (status.temporal.get(), status.db.get(), status.is_polling())
    else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "starting" })),
        );
    };
    let temporal = temporal.clone();
    let (temporal, database) = tokio::join!(
        check(async move {
            temporal
                .connection()
                .workflow_service()
                .get_system_info(GetSystemInfoRequest::default().into_request())
                .await
                .map(|_| ())
        }),
        check(maigie_store::ping(db)),
    );
    let ok = temporal["ok"] == true && database["ok"] == true;
    let code = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if ok { "ok" } else { "unavailable" },
        "version": env!("CARGO_PKG_VERSION"),
        "checks": { "temporal": temporal, "database": database },
    });
    (code, Json(body))
}

/// Serves `/health` and `/metrics` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    status: Arc<WorkerStatus>,
    metrics_token: Option<String>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = Router::new()
        .route("/health", get(health))
        .with_state(status)
        .merge(maigie_api::metrics::routes(metrics_token));
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// `maigie healthcheck`: GET `url` (default: the worker's `/health` on
/// `WORKER_HTTP_ADDR`) with a plain HTTP/1.0 request; `Ok` on a 2xx answer.
pub async fn probe(url: &str, timeout: Duration) -> Result<String, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("{url:?} is not a URL: {e}"))?;
    if parsed.scheme() != "http" {
        return Err(format!("{url}: only http:// is supported"));
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| format!("{url}: no host"))?
        .to_owned();
    let port = parsed.port_or_known_default().unwrap_or(80);
    let path = match parsed.query() {
        Some(q) => format!("{}?{q}", parsed.path()),
        None => parsed.path().to_owned(),
    };
    let exchange = async {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let connect_host = host.trim_start_matches('[').trim_end_matches(']');
        let mut stream = tokio::net::TcpStream::connect((connect_host, port))
            .await
            .map_err(|e| format!("cannot connect to {host}:{port}: {e}"))?;
        let request = format!(
            "GET {path} HTTP/1.0\r\nHost: {host}\r\nUser-Agent: maigie-healthcheck\r\n\r\n"
        );
        stream
            .write_all(request.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let mut reply = Vec::new();
        stream
            .take(64 * 1024)
            .read_to_end(&mut reply)
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(String::from_utf8_lossy(&reply).into_owned())
    };
    let reply = tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| format!("{url}: no answer within {}s", timeout.as_secs()))??;
    let status: u16 = reply
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{url}: not an HTTP answer"))?;
    let body = reply
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if (200..300).contains(&status) {
        Ok(format!("{url}: {status} {body}"))
    } else {
        Err(format!("{url}: {status} {body}"))
    }
}

/// The URL of the worker's `/health` for `WORKER_HTTP_ADDR` (a wildcard address is
/// reached on loopback).
#[must_use]
pub fn health_url(addr: std::net::SocketAddr) -> String {
    let ip = match addr.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => std::net::IpAddr::from([127, 0, 0, 1]),
        ip if ip.is_unspecified() => std::net::IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!(
        "http://{}/health",
        std::net::SocketAddr::new(ip, addr.port())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_address_is_probed_on_loopback() {
        assert_eq!(
            health_url("0.0.0.0:8081".parse().expect("addr")),
            "http://127.0.0.1:8081/health"
        );
        assert_eq!(
            health_url("[::]:8081".parse().expect("addr")),
            "http://[::1]:8081/health"
        );
        assert_eq!(
            health_url("10.0.0.5:9".parse().expect("addr")),
            "http://10.0.0.5:9/health"
        );
    }

    #[tokio::test]
    async fn probe_reports_the_status_line() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = Router::new()
            .route("/health", get(|| async { "fine" }))
            .route(
                "/down",
                get(|| async { (StatusCode::SERVICE_UNAVAILABLE, "nope") }),
            );
        tokio::spawn(async move { axum::serve(listener, app).await });
        let ok = probe(&format!("http://{addr}/health"), Duration::from_secs(5)).await;
        assert_eq!(ok, Ok(format!("http://{addr}/health: 200 fine")));
        let down = probe(&format!("http://{addr}/down"), Duration::from_secs(5)).await;
        assert!(down.expect_err("503").contains(": 503 nope"));
        let closed = probe("http://127.0.0.1:1/health", Duration::from_secs(5)).await;
        assert!(closed.expect_err("closed").contains("cannot connect"));
    }
}
