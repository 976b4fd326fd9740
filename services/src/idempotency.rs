//! A use-case run once under a key the caller chooses — the AI agent's
//! `ai:<action>:<call>:<what>` keys, so a tool call retried after a crash writes once.
//!
//! The REST API gets the same guarantee from its `Idempotency-Key` middleware; this is
//! its counterpart for callers that are not HTTP requests, over the same store
//! (`idempotency_keys`, scoped to the user, kept 24 hours):
//! - the key is claimed for the user with a hash of the request;
//! - a stored answer is replayed (the JSON of the view), nothing is run;
//! - otherwise the use-case runs and its answer is stored; on an error the claim is
//!   abandoned (nothing was written), so a retry runs it again;
//! - a claim still running elsewhere is [`ServiceError::Conflict`]
//!   `idempotency_in_progress` (the agent's activity retries it: it is transient).
//!
//! The window left: a crash after the use-case's transaction commits and before its
//! answer is stored leaves the claim running. After a minute of silence it reads as
//! `idempotency_outcome_unknown` (a conflict): the write may have happened, so it is
//! never run again under that key and the caller reports the failure instead of
//! writing twice.

use std::future::Future;

use maigie_store::idempotency::{self, Claim};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{ServiceError, ServiceResult};
use crate::{Ctx, Services};

/// Runs `run` at most once for `(ctx.user_id, key)` and answers its view as JSON (the
/// stored one on a replay). `request` names the operation and its input: the same key
/// with another request is refused (`idempotency_key_reused`). Without a key, `run`
/// simply runs.
pub async fn once<T, F, Fut>(
    svc: &Services,
    ctx: &Ctx,
    key: Option<&str>,
    request: (&str, &Value),
    run: F,
) -> ServiceResult<Value>
where
    T: Serialize,
    F: FnOnce() -> Fut,
    Fut: Future<Output = ServiceResult<T>>,
{
    let Some(key) = key else {
        return to_json(&run().await?);
    };
    let hash = digest(request);
    if let Some(stored) = claim(svc, ctx, key, &hash).await? {
        return Ok(stored);
    }
    match run().await {
        Ok(view) => {
            let body = to_json(&view)?;
            let stored = idempotency::finish(&svc.db, ctx.user_id, key, 200, Some(body.clone()));
            if let Err(err) = stored.await {
                tracing::warn!(error = %err, key, "could not store an idempotent answer");
            }
            Ok(body)
        }
        Err(err) => {
            abandon(svc, ctx, key).await;
            Err(err)
        }
    }
}

/// Claims the key: `Some(answer)` to replay, `None` to run.
async fn claim(svc: &Services, ctx: &Ctx, key: &str, hash: &[u8]) -> ServiceResult<Option<Value>> {
    // Two rounds at most: an error answer stored by the REST middleware under this key
    // (before the agent stopped going through it) is dropped and the key claimed anew.
    for _ in 0..2 {
        match idempotency::claim(&svc.db, ctx.user_id, key, hash).await? {
            Claim::Run => return Ok(None),
            Claim::Replay { status, .. } if status >= 400 => abandon(svc, ctx, key).await,
            Claim::Replay { body, .. } => return Ok(Some(body.unwrap_or(Value::Null))),
            Claim::Mismatch => {
                return Err(ServiceError::Unprocessable {
                    code: "idempotency_key_reused",
                    message: "This Idempotency-Key was used for a different request.".into(),
                });
            }
            Claim::InProgress => {
                return Err(ServiceError::conflict(
                    "idempotency_in_progress",
                    "A request with this Idempotency-Key is still being processed.",
                ));
            }
            Claim::Unknown => {
                return Err(ServiceError::conflict(
                    "idempotency_outcome_unknown",
                    "The first request with this Idempotency-Key did not finish; check whether \
                     it took effect, then retry with a new key.",
                ));
            }
        }
    }
    Err(ServiceError::conflict(
        "idempotency_in_progress",
        "A request with this Idempotency-Key is still being processed.",
    ))
}

async fn abandon(svc: &Services, ctx: &Ctx, key: &str) {
    if let Err(err) = idempotency::abandon(&svc.db, ctx.user_id, key).await {
        tracing::warn!(error = %err, key, "could not release an idempotency key");
    }
}

fn to_json<T: Serialize>(view: &T) -> ServiceResult<Value> {
    serde_json::to_value(view).map_err(ServiceError::internal)
}

fn digest((operation, input): (&str, &Value)) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(operation.as_bytes());
    hasher.update([0]);
    hasher.update(input.to_string().as_bytes());
    hasher.finalize().to_vec()
}
