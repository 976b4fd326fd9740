//! Single-use tokens mailed to prove control of an address (password reset, e-mail
//! verification, confirming or reverting a change of address). Only a SHA-256 of a
//! token is stored; the tokens of one mailing share a `request_key`, and spending one
//! spends them all (see `migrations/0018_account_tokens.sql`).

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::StoreError;
pub use crate::tokens::hash_token;

/// What a token proves, as stored in `account_tokens.purpose`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    PasswordReset,
    VerifyEmail,
    EmailChange,
    EmailRevert,
}

impl Purpose {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PasswordReset => "password_reset",
            Self::VerifyEmail => "verify_email",
            Self::EmailChange => "email_change",
            Self::EmailRevert => "email_revert",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "password_reset" => Self::PasswordReset,
            "verify_email" => Self::VerifyEmail,
            "email_change" => Self::EmailChange,
            "email_revert" => Self::EmailRevert,
            other => return Err(StoreError::InvalidValue(format!("token purpose {other:?}"))),
        })
    }
}

/// A token to store.
#[derive(Debug, Clone)]
pub struct NewAccountToken<'a> {
    pub token: &'a str,
    pub user_id: Uuid,
    pub purpose: Purpose,
    pub email: &'a str,
    pub request_key: &'a str,
    pub ttl_secs: i64,
}

/// A token that was just spent.
#[derive(Debug, Clone)]
pub struct SpentToken {
    pub user_id: Uuid,
    pub purpose: Purpose,
    /// The address the token proves.
    pub email: String,
    pub created_at: DateTime<Utc>,
}

/// Stores a token; answers when it expires.
pub async fn insert(
    db: impl PgExecutor<'_>,
    t: NewAccountToken<'_>,
) -> Result<DateTime<Utc>, StoreError> {
    let expires_at = sqlx::query_scalar(
        "INSERT INTO account_tokens (token_hash, user_id, purpose, email, request_key, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6::float8))
         RETURNING expires_at",
    )
    .bind(hash_token(t.token))
    .bind(t.user_id)
    .bind(t.purpose.as_str())
    .bind(t.email)
    .bind(t.request_key)
    .bind(t.ttl_secs)
    .fetch_one(db)
    .await?;
    Ok(expires_at)
}

/// Whether `token` is live (unused, unexpired) for one of `purposes`: a read, so a
/// costly step (hashing a new password) can be skipped for a dead link before the
/// token is spent by [`spend`].
pub async fn is_live(
    db: impl PgExecutor<'_>,
    token: &str,
    purposes: &[Purpose],
) -> Result<bool, StoreError> {
    let names: Vec<&str> = purposes.iter().map(|p| p.as_str()).collect();
    let live: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM account_tokens
          WHERE token_hash = $1 AND purpose = ANY($2)
            AND used_at IS NULL AND expires_at > now())",
    )
    .bind(hash_token(token))
    .bind(&names)
    .fetch_one(db)
    .await?;
    Ok(live)
}

/// Spends a live token of one of `purposes`, with every other token of its mailing;
/// `None` when it is unknown, used or expired (one answer for all three, so a probe
/// learns nothing). Run it in the transaction that acts on the token, so a failure
/// after it leaves the token unspent.
pub async fn spend(
    db: &mut sqlx::PgConnection,
    token: &str,
    purposes: &[Purpose],
) -> Result<Option<SpentToken>, StoreError> {
    let names: Vec<&str> = purposes.iter().map(|p| p.as_str()).collect();
    let row: Option<(Uuid, String, String, DateTime<Utc>, String)> = sqlx::query_as(
        "UPDATE account_tokens SET used_at = now()
          WHERE token_hash = $1 AND purpose = ANY($2)
            AND used_at IS NULL AND expires_at > now()
          RETURNING user_id, purpose, email::text, created_at, request_key",
    )
    .bind(hash_token(token))
    .bind(&names)
    .fetch_optional(&mut *db)
    .await?;
    let Some((user_id, purpose, email, created_at, request_key)) = row else {
        return Ok(None);
    };
    sqlx::query(
        "UPDATE account_tokens SET used_at = now()
          WHERE request_key = $1 AND user_id = $2 AND used_at IS NULL",
    )
    .bind(&request_key)
    .bind(user_id)
    .execute(&mut *db)
    .await?;
    Ok(Some(SpentToken {
        user_id,
        purpose: Purpose::parse(&purpose)?,
        email,
        created_at,
    }))
}

/// Spends every live token of the user for `purposes` (a newer request supersedes
/// older links; a reset password makes other reset links worthless).
pub async fn spend_all(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    purposes: &[Purpose],
) -> Result<(), StoreError> {
    let names: Vec<&str> = purposes.iter().map(|p| p.as_str()).collect();
    sqlx::query(
        "UPDATE account_tokens SET used_at = now()
          WHERE user_id = $1 AND purpose = ANY($2) AND used_at IS NULL",
    )
    .bind(user_id)
    .bind(&names)
    .execute(db)
    .await?;
    Ok(())
}
