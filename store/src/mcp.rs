//! MCP bearer tokens: only their SHA-256 is stored; each carries scopes.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::StoreError;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct McpTokenRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub scopes: Vec<String>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

const TOKEN: &str = "id, user_id, name, scopes, last_used_at, created_at";

pub async fn create(
    db: &PgPool,
    user_id: Uuid,
    name: &str,
    hash: &[u8],
    scopes: &[String],
) -> Result<McpTokenRow, StoreError> {
    let sql = format!(
        "INSERT INTO mcp_tokens (user_id, name, token_hash, scopes) VALUES ($1, $2, $3, $4) RETURNING {TOKEN}"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .bind(name)
        .bind(hash)
        .bind(scopes)
        .fetch_one(db)
        .await?)
}

pub async fn list(db: &PgPool, user_id: Uuid) -> Result<Vec<McpTokenRow>, StoreError> {
    let sql = format!(
        "SELECT {TOKEN} FROM mcp_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 100"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .fetch_all(db)
        .await?)
}

pub async fn revoke(db: &PgPool, user_id: Uuid, id: Uuid) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE mcp_tokens SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(user_id)
    .execute(db)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// A live token with its user's tier, as one request found it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct McpCaller {
    #[sqlx(flatten)]
    pub token: McpTokenRow,
    pub tier: String,
}

/// The live token with this hash and its user's tier, in one query; its use is noted
/// at most once a minute (a busy agent does not write on every request).
pub async fn authenticate(db: &PgPool, hash: &[u8]) -> Result<Option<McpCaller>, StoreError> {
    Ok(sqlx::query_as(
        "WITH hit AS (
             SELECT t.id, t.user_id, t.name, t.scopes, t.last_used_at, t.created_at, u.tier
               FROM mcp_tokens t JOIN users u ON u.id = t.user_id
              WHERE t.token_hash = $1 AND t.revoked_at IS NULL),
         used AS (
             UPDATE mcp_tokens SET last_used_at = now()
              WHERE id = (SELECT id FROM hit)
                AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute'))
         SELECT id, user_id, name, scopes, last_used_at, created_at, tier FROM hit",
    )
    .bind(hash)
    .fetch_optional(db)
    .await?)
}
