//! `Idempotency-Key` on authenticated POSTs: a retry with the same key and the same
//! request gets the first response again (header `idempotent-replayed: true`) and
//! writes nothing; the same key with another request is a 422
//! `idempotency_key_reused`; a retry while the first is still running is a 409
//! `idempotency_in_progress`, and once the first has been silent for a minute (its
//! process died mid-way) a 409 `idempotency_outcome_unknown`: it may or may not have
//! written, so it is never run again under that key. Server errors are not
//! remembered, so they can be retried. Keys are scoped to the user and kept 24 hours.
//!
//! A keyed request runs to its end even if the client goes away or the request
//! timeout answers 503 first (it is detached from the connection), so its answer is
//! stored and a retry replays it. It gets at most [`RUN_LIMIT`] — less than the minute
//! after which an unfinished claim counts as dead — so "outcome unknown" is only ever
//! said of a request that is no longer running (its process died, or it overran).
//!
//! Some answers are never stored, and a key on them is refused up front with a 409
//! `idempotency_not_supported` (nothing runs): answers that carry secrets (sign-in,
//! tokens, passwords, the calendar feed secret, MCP tokens, Stripe checkout and
//! portal URLs) — a replay table must not hold them for a day — and streamed answers
//! (`Accept: text/event-stream`, and the chat message route unless the client asks
//! for JSON only), which cannot be replayed. Should another route stream or answer
//! something that cannot be kept, that answer passes through and the key is marked
//! `idempotency_not_supported`, so a retry is told, never run again.

use std::time::Duration;

use axum::body::{Body, HttpBody, to_bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use maigie_store::idempotency::{self, Claim};
use sha2::{Digest, Sha256};
use tracing::Instrument;
use uuid::Uuid;

use crate::auth::extractor::bearer;
use crate::error::ApiError;
use crate::http::wants_json_only;
use crate::state::AppState;

const HEADER: &str = "idempotency-key";
/// Routes whose requests or responses carry secrets (passwords, tokens, the feed
/// URL, payment links). A trailing `/` matches the whole subtree.
pub const SECRET_ROUTES: [&str; 6] = [
    "/api/auth/",
    "/api/users/me/password",
    "/api/calendar/token",
    "/api/mcp/tokens",
    "/api/subscription/checkout",
    "/api/subscription/portal",
];
/// Routes that answer with a Server-Sent Events stream unless asked for JSON only.
pub const STREAMED_ROUTES: [&str; 1] = ["/api/chat/conversations/{id}/messages"];
/// Responses larger than this are not stored (they are returned, not replayable).
const MAX_STORED_RESPONSE: usize = 1024 * 1024;
/// How long a keyed request may run: a margin below the claim's staleness.
pub const RUN_LIMIT: Duration = Duration::from_secs(idempotency::STALE_AFTER_SECS as u64 - 5);

pub async fn idempotency(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get(HEADER) else {
        return next.run(req).await;
    };
    if never_stored(&req) {
        return not_supported().into_response();
    }
    let key = match key.to_str() {
        Ok(k) if (1..=255).contains(&k.len()) => k.to_owned(),
        _ => {
            return ApiError::bad_request(
                "invalid_idempotency_key",
                "Idempotency-Key must be 1–255 visible ASCII characters.",
            )
            .into_response();
        }
    };
    // Keys belong to a user: without a valid token the handler answers 401 itself.
    let Some(user_id) = bearer(req.headers())
        .and_then(|t| state.jwt.verify(t).ok())
        .map(|c| c.sub)
    else {
        return next.run(req).await;
    };
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, state.settings.body_limit_bytes).await else {
        return ApiError::client(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "The request body is too large.",
        )
        .into_response();
    };
    let hash = request_hash(&parts.uri, &bytes);
    match idempotency::claim(&state.db, user_id, &key, &hash).await {
        Ok(Claim::Run) => {}
        Ok(Claim::Replay { status, body }) => return replay(status, body),
        Ok(Claim::Mismatch) => {
            return ApiError::client(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "This Idempotency-Key was used for a different request.",
            )
            .into_response();
        }
        Ok(Claim::InProgress) => {
            return ApiError::conflict(
                "idempotency_in_progress",
                "A request with this Idempotency-Key is still being processed.",
            )
            .into_response();
        }
        Ok(Claim::Unknown) => {
            return ApiError::conflict(
                "idempotency_outcome_unknown",
                "The first request with this Idempotency-Key did not finish; check whether it \
                 took effect, then retry with a new key.",
            )
            .into_response();
        }
        Err(err) => return ApiError::from(err).into_response(),
    }
    let req = Request::from_parts(parts, Body::from(bytes));
    run_detached(state, user_id, key, req, next).await
}

/// Runs the claimed request on its own task, so a client that disconnects (hyper then
/// drops this future) does not leave the claim unfinished: the handler ends and its
/// answer is stored for the retry.
async fn run_detached(
    state: AppState,
    user_id: Uuid,
    key: String,
    req: Request,
    next: Next,
) -> Response {
    let task = tokio::spawn(
        async move {
            let Ok(response) = tokio::time::timeout(RUN_LIMIT, next.run(req)).await else {
                // Cut off mid-way: the claim stays unfinished, its outcome unknown.
                tracing::warn!("a keyed request overran its limit and was stopped");
                return ApiError::Unavailable("The request took too long.".into()).into_response();
            };
            remember(&state, user_id, &key, response).await
        }
        .instrument(tracing::Span::current()),
    );
    match task.await {
        Ok(response) => response,
        // The claim stays unfinished (outcome unknown); the panic layer answers 500.
        Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
        Err(err) => ApiError::internal(err).into_response(),
    }
}

/// Secret-carrying and streamed answers: refused under a key, before anything runs.
fn never_stored(req: &Request) -> bool {
    let path = req.uri().path();
    let secret = SECRET_ROUTES
        .iter()
        .any(|route| match route.strip_suffix('/') {
            Some(dir) => path.starts_with(route) || path == dir,
            None => path == *route || path.strip_prefix(route).is_some_and(|r| r.starts_with('/')),
        });
    secret || streams(req.headers(), req.extensions().get::<MatchedPath>())
}

fn streams(headers: &HeaderMap, route: Option<&MatchedPath>) -> bool {
    let asks_for_stream = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("text/event-stream"));
    let streams_by_default = route.is_some_and(|r| STREAMED_ROUTES.contains(&r.as_str()));
    asks_for_stream || (streams_by_default && !wants_json_only(headers))
}

fn not_supported() -> ApiError {
    ApiError::conflict(
        "idempotency_not_supported",
        "This request's answer is streamed or carries a secret, so it is never stored: send \
         it without an Idempotency-Key.",
    )
}

fn request_hash(uri: &axum::http::Uri, body: &[u8]) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(uri.path().as_bytes());
    hasher.update([0]);
    hasher.update(uri.query().unwrap_or_default().as_bytes());
    hasher.update([0]);
    hasher.update(body);
    hasher.finalize().to_vec()
}

fn replay(status: u16, body: Option<serde_json::Value>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut response = match body {
        Some(body) => (status, axum::Json(body)).into_response(),
        None => status.into_response(),
    };
    response
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

async fn remember(state: &AppState, user_id: Uuid, key: &str, response: Response) -> Response {
    let status = response.status();
    if status.is_server_error() {
        if let Err(err) = idempotency::abandon(&state.db, user_id, key).await {
            tracing::warn!(error = %err, "could not release an idempotency key");
        }
        return response;
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let fits = response
        .body()
        .size_hint()
        .upper()
        .is_some_and(|n| n <= MAX_STORED_RESPONSE as u64);
    if content_type.starts_with("text/event-stream") || !fits {
        // Streamed or too large: passed through untouched, never buffered or stored.
        mark_not_supported(state, user_id, key).await;
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_STORED_RESPONSE).await {
        Ok(bytes) => bytes,
        Err(err) => {
            mark_not_supported(state, user_id, key).await;
            return ApiError::internal(std::io::Error::other(err.to_string())).into_response();
        }
    };
    let stored = if content_type.starts_with("application/json") {
        serde_json::from_slice(&bytes).ok()
    } else {
        None
    };
    if stored.is_none() && !bytes.is_empty() {
        // A body that is not JSON cannot be replayed as it was.
        mark_not_supported(state, user_id, key).await;
    } else if let Err(err) =
        idempotency::finish(&state.db, user_id, key, status.as_u16(), stored).await
    {
        tracing::warn!(error = %err, "could not store an idempotent response");
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The request ran but its answer cannot be kept: a retry is told so (409
/// `idempotency_not_supported`, replayed), never run again.
async fn mark_not_supported(state: &AppState, user_id: Uuid, key: &str) {
    let error = not_supported().into_response();
    let status = error.status().as_u16();
    let body = to_bytes(error.into_body(), MAX_STORED_RESPONSE)
        .await
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    if let Err(err) = idempotency::finish(&state.db, user_id, key, status, body).await {
        tracing::warn!(error = %err, "could not mark an idempotency key");
    }
}
