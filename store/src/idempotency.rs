//! Idempotency keys: the first response to a (user, key) is stored and replayed for
//! retries with the same request; a different request under the same key is refused.
//!
//! A claim is never handed out twice: once inserted, the key's request runs at most
//! once. A claim left unfinished (its process died mid-way) stays "in progress" for
//! [`STALE_AFTER_SECS`], then its outcome is "unknown" for as long as the key is kept:
//! the request may have written, so running it again could do it twice.

use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use crate::StoreError;

/// What to do with a request carrying an idempotency key.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// First time: run it, then [`finish`] (or [`abandon`] on a server error).
    Run,
    /// Seen before: answer this.
    Replay { status: u16, body: Option<Value> },
    /// The same key was used for a different request.
    Mismatch,
    /// The first request with this key is still running.
    InProgress,
    /// The first request never finished (process died, timed out mid-way): it may
    /// have written, so it must not run again under this key.
    Unknown,
}

/// A request still "running" after this long is taken to have died with its process
/// (requests time out after 30 s by default); its outcome is unknown. Keys are
/// remembered for 24 hours.
pub const STALE_AFTER_SECS: i32 = 60;

/// A claimed key as stored: request hash, response status and body, stale.
type Stored = (Vec<u8>, Option<i32>, Option<Value>, bool);

/// Claims `key` for the user, or says what became of the request that claimed it.
/// The common case (a new key) is one statement; a key older than 24 hours is
/// claimed afresh by the same statement.
pub async fn claim(
    db: &PgPool,
    user_id: Uuid,
    key: &str,
    hash: &[u8],
) -> Result<Claim, StoreError> {
    // Twice at most: a claim given up (its request failed) between the insert and the
    // read leaves the key free again.
    for _ in 0..2 {
        let claimed: Option<Uuid> = sqlx::query_scalar(
            "INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, $2, $3)
             ON CONFLICT ON CONSTRAINT idempotency_keys_user_key_key DO UPDATE
                 SET request_hash = EXCLUDED.request_hash, response_status = NULL,
                     response_body = NULL, created_at = now(), updated_at = now()
                 WHERE idempotency_keys.created_at < now() - interval '24 hours'
             RETURNING id",
        )
        .bind(user_id)
        .bind(key)
        .bind(hash)
        .fetch_optional(db)
        .await?;
        if claimed.is_some() {
            return Ok(Claim::Run);
        }
        let stored: Option<Stored> = sqlx::query_as(
            "SELECT request_hash, response_status, response_body,
                    updated_at < now() - make_interval(secs => $3)
             FROM idempotency_keys WHERE user_id = $1 AND key = $2",
        )
        .bind(user_id)
        .bind(key)
        .bind(f64::from(STALE_AFTER_SECS))
        .fetch_optional(db)
        .await?;
        if let Some((stored_hash, status, body, stale)) = stored {
            return Ok(if stored_hash != hash {
                Claim::Mismatch
            } else if let Some(status) = status {
                Claim::Replay {
                    status: u16::try_from(status).unwrap_or(500),
                    body,
                }
            } else if stale {
                // Never run again: the first run may have written before it died.
                Claim::Unknown
            } else {
                Claim::InProgress
            });
        }
    }
    // Claimed and given up twice while we looked: someone else is at it.
    Ok(Claim::InProgress)
}

/// Stores the response of a claimed request.
pub async fn finish(
    db: &PgPool,
    user_id: Uuid,
    key: &str,
    status: u16,
    body: Option<Value>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE idempotency_keys SET response_status = $3, response_body = $4
         WHERE user_id = $1 AND key = $2",
    )
    .bind(user_id)
    .bind(key)
    .bind(i32::from(status))
    .bind(body)
    .execute(db)
    .await?;
    Ok(())
}

/// Forgets a claim whose request failed on our side (a 5xx: the use-case rolled back),
/// so a retry runs again.
pub async fn abandon(db: &PgPool, user_id: Uuid, key: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2")
        .bind(user_id)
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets keys older than a day (called periodically).
pub async fn purge_expired(db: &PgPool) -> Result<u64, StoreError> {
    let done =
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'")
            .execute(db)
            .await?;
    Ok(done.rows_affected())
}
