//! The access log and the HTTP metrics: one `info` line per request (target
//! `maigie_api::access`) with the method, the route template (the matched path, e.g.
//! `/api/tasks/{id}`, or `unmatched`), the status, the latency to the response head in
//! milliseconds, the request id and the user id when the request was authenticated;
//! and the same labels (without the ids) on `maigie_http_requests_total` and
//! `maigie_http_request_duration_seconds`.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use uuid::Uuid;

use crate::metrics::{HTTP_DURATION, HTTP_IN_FLIGHT, HTTP_REQUESTS, UNMATCHED};

tokio::task_local! {
    /// The user the request authenticated as, filled in by [`identify`].
    static USER: Arc<OnceLock<Uuid>>;
}

/// Tells the access log who made the current request (the authentication gate calls
/// it once the token is verified). Outside a request it does nothing.
pub fn identify(user: Uuid) {
    let _ = USER.try_with(|slot| slot.set(user));
}

/// Methods outside the standard set share one label value.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// A request id as long as a client may make it in a log line.
const MAX_REQUEST_ID: usize = 128;

/// Decrements the in-flight gauge however the request ends (even if it is dropped).
struct InFlight;

impl InFlight {
    fn start() -> Self {
        ::metrics::gauge!(HTTP_IN_FLIGHT).increment(1.0);
        Self
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        ::metrics::gauge!(HTTP_IN_FLIGHT).decrement(1.0);
    }
}

pub async fn access_log(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(req.method());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str)
        .to_owned();
    let request_id: String = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .chars()
        .take(MAX_REQUEST_ID)
        .collect();
    let user = Arc::new(OnceLock::new());
    let in_flight = InFlight::start();
    let response = USER.scope(user.clone(), next.run(req)).await;
    drop(in_flight);
    let latency = started.elapsed();
    let status = response.status().as_u16();
    let labels = [
        ("method", method.to_owned()),
        ("route", route.clone()),
        ("status", status.to_string()),
    ];
    ::metrics::counter!(HTTP_REQUESTS, &labels).increment(1);
    ::metrics::histogram!(HTTP_DURATION, &labels).record(latency.as_secs_f64());
    let latency_ms = (latency.as_secs_f64() * 10_000.0).round() / 10.0;
    tracing::info!(
        target: "maigie_api::access",
        method,
        route = %route,
        status,
        latency_ms,
        request_id = %request_id,
        user_id = user.get().map(tracing::field::display),
        "{method} {route} {status} {latency_ms}ms"
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unusual_methods_share_a_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        let custom = Method::from_bytes(b"PURGE").expect("method");
        assert_eq!(method_label(&custom), "OTHER");
    }

    #[tokio::test]
    async fn identify_fills_the_slot_of_the_current_request_only() {
        identify(Uuid::nil());
        let slot = Arc::new(OnceLock::new());
        let user = Uuid::new_v4();
        USER.scope(slot.clone(), async move { identify(user) })
            .await;
        assert_eq!(slot.get(), Some(&user));
    }
}
