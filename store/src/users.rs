//! Users: the account row every other table hangs from.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgExecutor, PgPool};
use uuid::Uuid;

use crate::StoreError;

/// The unique constraint that makes e-mail addresses one account each.
pub const EMAIL_TAKEN: &str = "users_email_key";
/// The cap on the stored preferences document.
pub const PREFERENCES_TOO_LARGE: &str = "users_preferences_size_check";

/// The selected columns, as a macro so queries stay `&'static str` (sqlx refuses
/// dynamically built SQL).
macro_rules! columns {
    () => {
        "id, email::text AS email, password_hash, name, role, tier, timezone, \
         preferences, email_verified, email_verified_at, session_epoch, created_at, updated_at"
    };
}

/// A user as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub password_hash: Option<String>,
    pub name: Option<String>,
    pub role: String,
    pub tier: String,
    pub timezone: String,
    pub preferences: Value,
    pub email_verified: bool,
    /// When the address was last proven (a mailed link or an identity provider).
    pub email_verified_at: Option<DateTime<Utc>>,
    /// Access tokens issued in an earlier epoch are refused (see `sessions`).
    pub session_epoch: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub password_hash: Option<&'a str>,
    pub name: Option<&'a str>,
    pub role: &'a str,
    pub email_verified: bool,
}

/// Changes to a profile; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ProfileChanges {
    /// `Some(None)` clears the name.
    pub name: Option<Option<String>>,
    pub timezone: Option<String>,
    /// Merged key by key (top level) into the stored object; keys set to `null` are
    /// removed.
    pub preferences: Option<Value>,
}

pub async fn create(db: impl PgExecutor<'_>, user: NewUser<'_>) -> Result<UserRow, StoreError> {
    let sql = concat!(
        "INSERT INTO users (email, password_hash, name, role, email_verified)
         VALUES ($1, $2, $3, $4, $5) RETURNING ",
        columns!()
    );
    let row = sqlx::query_as(sql)
        .bind(user.email)
        .bind(user.password_hash)
        .bind(user.name)
        .bind(user.role)
        .bind(user.email_verified)
        .fetch_one(db)
        .await?;
    Ok(row)
}

pub async fn find_by_email(
    db: impl PgExecutor<'_>,
    email: &str,
) -> Result<Option<UserRow>, StoreError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM users WHERE email = $1::citext"
    );
    Ok(sqlx::query_as(sql).bind(email).fetch_optional(db).await?)
}

pub async fn find_by_id(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<UserRow>, StoreError> {
    let sql = concat!("SELECT ", columns!(), " FROM users WHERE id = $1");
    Ok(sqlx::query_as(sql).bind(id).fetch_optional(db).await?)
}

/// Applies profile changes and returns the updated row ([`StoreError::NotFound`] if
/// the user is gone).
pub async fn update_profile(
    db: impl PgExecutor<'_>,
    id: Uuid,
    changes: ProfileChanges,
) -> Result<UserRow, StoreError> {
    let sql = concat!(
        "UPDATE users SET
             name = CASE WHEN $2 THEN $3 ELSE name END,
             timezone = COALESCE($4, timezone),
             preferences = CASE WHEN $5::jsonb IS NULL THEN preferences
                                ELSE (preferences || $5::jsonb) - ARRAY(
                                    SELECT key FROM jsonb_each($5::jsonb)
                                    WHERE value = 'null'::jsonb) END
         WHERE id = $1 RETURNING ",
        columns!()
    );
    let (set_name, name) = match changes.name {
        Some(name) => (true, name),
        None => (false, None),
    };
    let row = sqlx::query_as(sql)
        .bind(id)
        .bind(set_name)
        .bind(name)
        .bind(changes.timezone)
        .bind(changes.preferences)
        .fetch_optional(db)
        .await?;
    row.ok_or(StoreError::NotFound)
}

pub async fn set_password_hash(
    db: impl PgExecutor<'_>,
    id: Uuid,
    hash: &str,
) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(id)
        .bind(hash)
        .execute(db)
        .await?;
    crate::rows::touched(&done)
}

pub async fn record_login(db: &PgPool, id: Uuid) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET last_login_at = now() WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Marks the e-mail as verified by an identity provider. If it was unverified, the
/// password is removed: whoever registered the address before its owner proved it
/// (a pre-account-takeover) loses access. Answers whether a password was removed.
pub async fn verify_email_by_provider(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> Result<bool, StoreError> {
    let cleared: Option<bool> = sqlx::query_scalar(
        "UPDATE users u SET email_verified = true,
                email_verified_at = CASE WHEN old.email_verified THEN old.email_verified_at
                                         ELSE now() END,
                password_hash = CASE WHEN old.email_verified THEN u.password_hash END
         FROM users old WHERE u.id = $1 AND old.id = u.id
         RETURNING (NOT old.email_verified AND old.password_hash IS NOT NULL)",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    cleared.ok_or(StoreError::NotFound)
}

/// Marks the address as proven by a mailed link, if it is still the account's
/// address; answers the account as it is now (`None`: gone, or its address changed
/// since the link was sent).
pub async fn mark_email_verified(
    db: impl PgExecutor<'_>,
    id: Uuid,
    email: &str,
) -> Result<Option<UserRow>, StoreError> {
    let sql = concat!(
        "UPDATE users SET email_verified = true,
                email_verified_at = CASE WHEN email_verified THEN email_verified_at
                                         ELSE now() END
          WHERE id = $1 AND email = $2::citext RETURNING ",
        columns!()
    );
    Ok(sqlx::query_as(sql)
        .bind(id)
        .bind(email)
        .fetch_optional(db)
        .await?)
}

/// Moves the account to an address it has just proven (a confirmed change, or a
/// revert to the old one); [`StoreError::Conflict`] with [`EMAIL_TAKEN`] when another
/// account holds it now.
pub async fn set_verified_email(
    db: impl PgExecutor<'_>,
    id: Uuid,
    email: &str,
) -> Result<UserRow, StoreError> {
    let sql = concat!(
        "UPDATE users SET email = $2::citext, email_verified = true,
                email_verified_at = now()
          WHERE id = $1 RETURNING ",
        columns!()
    );
    sqlx::query_as(sql)
        .bind(id)
        .bind(email)
        .fetch_optional(db)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Sets a user's role by e-mail; answers whether such a user exists.
pub async fn set_role_by_email(
    db: impl PgExecutor<'_>,
    email: &str,
    role: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE users SET role = $2 WHERE email = $1::citext")
        .bind(email)
        .bind(role)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Deletes the user; every table holding their data cascades from `users`.
pub async fn delete(db: impl PgExecutor<'_>, id: Uuid) -> Result<(), StoreError> {
    let done = sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    crate::rows::touched(&done)
}

/// The user's IANA time zone (UTC if the user is gone: callers 404 on their own).
/// The user's tier as stored (current, unlike the one in an access token).
pub async fn tier(db: impl PgExecutor<'_>, id: Uuid) -> Result<String, StoreError> {
    sqlx::query_scalar("SELECT tier FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The account's tier and time zone, in one read (`NotFound` when it is gone).
pub async fn tier_and_timezone(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> Result<(String, String), StoreError> {
    sqlx::query_as("SELECT tier, timezone FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn timezone(db: impl PgExecutor<'_>, id: Uuid) -> Result<String, StoreError> {
    let tz: Option<String> = sqlx::query_scalar("SELECT timezone FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(tz.unwrap_or_else(|| "UTC".to_owned()))
}
