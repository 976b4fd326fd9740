//! Prometheus metrics: recorded for every API request, but `/metrics` is not public.
//! It is served on a listener of its own (`METRICS_ADDR`, e.g. a private interface)
//! and then not on the API listener, or on the API listener behind a bearer token
//! (`METRICS_TOKEN`, compared in constant time), or both; with neither it is not
//! served at all (404), closed by default.

use std::future::Future;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_prometheus::metrics_exporter_prometheus::PrometheusHandle;
use axum_prometheus::{PrometheusMetricLayer, PrometheusMetricLayerBuilder};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;

use crate::auth::extractor::bearer;
use crate::error::ApiError;
use crate::settings::MetricsSettings;

/// The Prometheus recorder is process-global: install it once.
fn prometheus() -> &'static (PrometheusMetricLayer<'static>, PrometheusHandle) {
    static PAIR: OnceLock<(PrometheusMetricLayer<'static>, PrometheusHandle)> = OnceLock::new();
    PAIR.get_or_init(|| {
        PrometheusMetricLayerBuilder::new()
            .with_prefix("maigie")
            .with_default_metrics()
            .build_pair()
    })
}

/// The layer that records request counts and latencies.
pub(crate) fn layer() -> PrometheusMetricLayer<'static> {
    prometheus().0.clone()
}

/// Where `/metrics` is served, for the start-up log.
#[must_use]
pub fn describe(settings: &MetricsSettings) -> String {
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

fn routes<S: Clone + Send + Sync + 'static>(token: Option<String>) -> Router<S> {
    let expected: Option<Arc<[u8]>> = token.map(|t| Sha256::digest(t.as_bytes()).to_vec().into());
    Router::new().route(
        "/metrics",
        get(move |headers: HeaderMap| {
            let expected = expected.clone();
            async move { render(&headers, expected.as_deref()) }
        }),
    )
}

fn render(headers: &HeaderMap, expected: Option<&[u8]>) -> Response {
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
    prometheus().1.render().into_response()
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
