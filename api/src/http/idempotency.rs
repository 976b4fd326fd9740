//! `Idempotency-Key` on authenticated POSTs: a retry with the same key and the same
//! request gets the first response again (header `idempotent-replayed: true`) and
//! writes nothing; the same key with another request is a 422
//! `idempotency_key_reused`; a retry while the first is still running is a 409
//! `idempotency_in_progress`, and once the first has been silent for a minute (its
//! process died, or it timed out mid-way) a 409 `idempotency_outcome_unknown`: it may
//! or may not have written, so it is never run again under that key. Server errors
//! are not remembered, so they can be retried. Keys are scoped to the user and kept
//! 24 hours. Routes that carry secrets (sign-in, password, calendar token) ignore the
//! header: their requests and responses are never stored.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use maigie_store::idempotency::{self, Claim};
use sha2::{Digest, Sha256};

use crate::auth::extractor::bearer;
use crate::error::ApiError;
use crate::state::AppState;

const HEADER: &str = "idempotency-key";
/// Routes whose requests or responses carry secrets (passwords, tokens, the feed
/// URL): never stored, so the header is ignored there.
const NOT_STORED: [&str; 3] = [
    "/api/auth/",
    "/api/users/me/password",
    "/api/calendar/token",
];
/// Responses larger than this are not stored (they are returned, not replayable).
const MAX_STORED_RESPONSE: usize = 1024 * 1024;

pub async fn idempotency(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if req.method() != Method::POST || NOT_STORED.iter().any(|p| path.starts_with(p)) {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get(HEADER) else {
        return next.run(req).await;
    };
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
    let mut hasher = Sha256::new();
    hasher.update(parts.uri.path().as_bytes());
    hasher.update([0]);
    hasher.update(parts.uri.query().unwrap_or_default().as_bytes());
    hasher.update([0]);
    hasher.update(&bytes);
    let hash = hasher.finalize();
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
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    remember(&state, user_id, &key, response).await
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

async fn remember(
    state: &AppState,
    user_id: uuid::Uuid,
    key: &str,
    response: Response,
) -> Response {
    let status = response.status();
    if status.is_server_error() {
        if let Err(err) = idempotency::abandon(&state.db, user_id, key).await {
            tracing::warn!(error = %err, "could not release an idempotency key");
        }
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_STORED_RESPONSE).await else {
        let _ = idempotency::abandon(&state.db, user_id, key).await;
        return ApiError::Internal("response too large to keep".into()).into_response();
    };
    let is_json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let stored = if is_json {
        serde_json::from_slice(&bytes).ok()
    } else {
        None
    };
    if let Err(err) = idempotency::finish(&state.db, user_id, key, status.as_u16(), stored).await {
        tracing::warn!(error = %err, "could not store an idempotent response");
    }
    Response::from_parts(parts, Body::from(bytes))
}
