//! A real HTTP server between the app and the local speech-to-text server, to make the
//! speech service misbehave on cue: down for the first requests (503), or holding the
//! first request until the test has killed the worker that sent it. Every other
//! request is passed through unchanged.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// How the proxy misbehaves.
#[derive(Debug, Clone, Copy)]
pub enum Misbehaviour {
    /// The first `n` requests answer 503, as a server that is down.
    DownFor(usize),
    /// The first request is held forever (its client is expected to die).
    HoldFirst,
}

struct Shared {
    upstream: String,
    mode: Misbehaviour,
    requests: AtomicUsize,
    arrived: Notify,
    http: reqwest::Client,
}

/// A running proxy; `url` is its OpenAI-style base (`…/v1`).
pub struct SttProxy {
    pub url: String,
    shared: Arc<Shared>,
}

impl SttProxy {
    /// Proxies to `upstream` (an OpenAI-style base URL ending in `/v1`).
    pub async fn start(upstream: &str, mode: Misbehaviour) -> SttProxy {
        let shared = Arc::new(Shared {
            upstream: upstream.trim_end_matches('/').to_owned(),
            mode,
            requests: AtomicUsize::new(0),
            arrived: Notify::new(),
            http: reqwest::Client::new(),
        });
        let app = axum::Router::new()
            .route("/v1/audio/transcriptions", axum::routing::post(transcribe))
            .with_state(shared.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        SttProxy {
            url: format!("http://{addr}/v1"),
            shared,
        }
    }

    /// Requests received so far.
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// Waits until the first request has arrived.
    pub async fn first_request(&self) {
        let arrived = self.shared.arrived.notified();
        if self.requests() > 0 {
            return;
        }
        arrived.await;
    }
}

async fn transcribe(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let n = s.requests.fetch_add(1, Ordering::SeqCst);
    s.arrived.notify_waiters();
    match s.mode {
        Misbehaviour::DownFor(k) if n < k => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({"error": {"message": "down for maintenance"}})),
            )
                .into_response();
        }
        Misbehaviour::HoldFirst if n == 0 => std::future::pending::<()>().await,
        _ => {}
    }
    let mut request = s
        .http
        .post(format!("{}/audio/transcriptions", s.upstream))
        .body(body);
    if let Some(kind) = headers.get("content-type") {
        request = request.header("content-type", kind.clone());
    }
    match request.send().await {
        Ok(res) => {
            let status =
                StatusCode::from_u16(res.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
            let bytes = res.bytes().await.unwrap_or_default();
            (status, [("content-type", "application/json")], bytes).into_response()
        }
        Err(err) => (StatusCode::BAD_GATEWAY, err.to_string()).into_response(),
    }
}
