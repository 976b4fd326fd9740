//! Sessions as the database keeps them: one refresh-token family per sign-in, and the
//! account's session epoch, which ends them all at once.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::StoreError;

/// One session (a refresh-token family) as its owner sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    /// The family id: stable across refreshes.
    pub id: Uuid,
    /// When the user signed in.
    pub created_at: DateTime<Utc>,
    /// The last sign-in or refresh.
    pub last_used_at: DateTime<Utc>,
    /// When the session ends unless refreshed again.
    pub expires_at: DateTime<Utc>,
    /// As sent by the client at the last sign-in or refresh.
    pub user_agent: Option<String>,
    /// The client's address at the last sign-in or refresh.
    pub ip: Option<String>,
}

/// The user's live sessions (a family with an unspent, unrevoked, unexpired token),
/// most recently used first; at most 100.
pub async fn list(db: impl PgExecutor<'_>, user_id: Uuid) -> Result<Vec<SessionRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT f.family_id AS id, f.created_at, latest.issued_at AS last_used_at,
                latest.expires_at, latest.user_agent, host(latest.ip) AS ip
         FROM (SELECT family_id, min(issued_at) AS created_at
               FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL
               GROUP BY family_id) f
         JOIN LATERAL (
             SELECT issued_at, expires_at, user_agent, ip, spent_at FROM refresh_tokens t
             WHERE t.family_id = f.family_id AND t.user_id = $1
             ORDER BY issued_at DESC LIMIT 1) latest ON true
         WHERE latest.spent_at IS NULL AND latest.expires_at > now()
         ORDER BY latest.issued_at DESC, f.family_id
         LIMIT 100",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?)
}

/// Ends one of the user's sessions ([`StoreError::NotFound`] if it is not theirs or
/// already ended).
pub async fn revoke(db: impl PgExecutor<'_>, user_id: Uuid, id: Uuid) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = now()
         WHERE family_id = $1 AND user_id = $2 AND revoked_at IS NULL
           AND EXISTS (SELECT 1 FROM refresh_tokens live
                       WHERE live.family_id = $1 AND live.user_id = $2 AND live.revoked_at IS NULL
                         AND live.spent_at IS NULL AND live.expires_at > now())",
    )
    .bind(id)
    .bind(user_id)
    .execute(db)
    .await?;
    crate::rows::touched(&done)
}

/// The family a refresh token belongs to, if it is the user's.
pub async fn family_of(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    token_hash: &[u8],
) -> Result<Option<Uuid>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT family_id FROM refresh_tokens WHERE token_hash = $1 AND user_id = $2",
    )
    .bind(token_hash)
    .bind(user_id)
    .fetch_optional(db)
    .await?)
}

/// Ends every session of the account, in the caller's transaction: moves the session
/// epoch (access tokens of earlier epochs are refused), revokes every refresh token
/// and MCP token, and withdraws the calendar feed secret. Answers the new epoch
/// ([`StoreError::NotFound`] if the user is gone).
pub async fn end_all(conn: &mut PgConnection, user_id: Uuid) -> Result<i64, StoreError> {
    let epoch: Option<i64> = sqlx::query_scalar(
        "UPDATE users SET session_epoch = session_epoch + 1, calendar_token = NULL
         WHERE id = $1 RETURNING session_epoch",
    )
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    let epoch = epoch.ok_or(StoreError::NotFound)?;
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
    )
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE mcp_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
    )
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(epoch)
}

/// The account's current session epoch (`None` if the user is gone).
pub async fn epoch(db: impl PgExecutor<'_>, user_id: Uuid) -> Result<Option<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT session_epoch FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(db)
            .await?,
    )
}
