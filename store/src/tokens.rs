//! Refresh tokens: stored as SHA-256 hashes, rotated on every use, grouped in families
//! so that a reused (stolen) token revokes every token descended from the same login.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::{PgExecutor, PgPool};
use uuid::Uuid;

use crate::StoreError;

/// SHA-256 of a refresh token: only this is stored, so a database leak yields no
/// usable tokens.
#[must_use]
pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A refresh token to store.
#[derive(Debug, Clone)]
pub struct NewRefreshToken<'a> {
    pub user_id: Uuid,
    pub family_id: Uuid,
    pub token: &'a str,
    pub expires_at: DateTime<Utc>,
    pub user_agent: Option<&'a str>,
    /// The client's address (shown in the sessions list).
    pub ip: Option<IpAddr>,
}

pub async fn insert(db: impl PgExecutor<'_>, t: NewRefreshToken<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at, user_agent, ip)
         VALUES ($1, $2, $3, $4, $5, $6::inet)",
    )
    .bind(t.user_id)
    .bind(t.family_id)
    .bind(hash_token(t.token))
    .bind(t.expires_at)
    .bind(t.user_agent)
    .bind(t.ip.map(|ip| ip.to_string()))
    .execute(db)
    .await?;
    Ok(())
}

/// What presenting a refresh token led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// The token was live: it is now spent; store its successor in `family_id`.
    Rotated { user_id: Uuid, family_id: Uuid },
    /// The token had already been spent: its family is now revoked.
    Reused { user_id: Uuid },
    /// Unknown, expired or revoked.
    Invalid,
}

#[derive(sqlx::FromRow)]
struct TokenState {
    user_id: Uuid,
    family_id: Uuid,
    expires_at: DateTime<Utc>,
    spent_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

/// Spends `token` and, if it was live, stores `next` in the same family — one
/// transaction, the row locked, so two concurrent uses cannot both succeed.
pub async fn rotate(
    db: &PgPool,
    token: &str,
    next: &str,
    next_expires_at: DateTime<Utc>,
    user_agent: Option<&str>,
    ip: Option<IpAddr>,
) -> Result<Rotation, StoreError> {
    let mut tx = db.begin().await?;
    let state: Option<TokenState> = sqlx::query_as(
        "SELECT user_id, family_id, expires_at, spent_at, revoked_at
         FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE",
    )
    .bind(hash_token(token))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(state) = state else {
        return Ok(Rotation::Invalid);
    };
    if state.revoked_at.is_some() || state.expires_at <= Utc::now() {
        return Ok(Rotation::Invalid);
    }
    if state.spent_at.is_some() {
        revoke_family(&mut *tx, state.family_id).await?;
        tx.commit().await?;
        return Ok(Rotation::Reused {
            user_id: state.user_id,
        });
    }
    sqlx::query("UPDATE refresh_tokens SET spent_at = now() WHERE token_hash = $1")
        .bind(hash_token(token))
        .execute(&mut *tx)
        .await?;
    insert(
        &mut *tx,
        NewRefreshToken {
            user_id: state.user_id,
            family_id: state.family_id,
            token: next,
            expires_at: next_expires_at,
            user_agent,
            ip,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Rotation::Rotated {
        user_id: state.user_id,
        family_id: state.family_id,
    })
}

pub async fn revoke_family(db: impl PgExecutor<'_>, family_id: Uuid) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = now()
         WHERE family_id = $1 AND revoked_at IS NULL",
    )
    .bind(family_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Revokes the family `token` belongs to, if it belongs to `user_id`; answers
/// whether one was found.
pub async fn revoke_family_of(db: &PgPool, user_id: Uuid, token: &str) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = now()
         WHERE revoked_at IS NULL AND family_id = (
             SELECT family_id FROM refresh_tokens WHERE token_hash = $1 AND user_id = $2)",
    )
    .bind(hash_token(token))
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Revokes every refresh token of a user (password change, "log out everywhere").
pub async fn revoke_all(db: impl PgExecutor<'_>, user_id: Uuid) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
    )
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(())
}
