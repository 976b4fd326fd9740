//! MCP tokens: the bearer secrets of external agents, stored only as their SHA-256,
//! each with the scopes (`read`, `write`, `delete`) that bound what it may call.

use chrono::{DateTime, Utc};
use maigie_store::mcp::{self, McpTokenRow};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

pub use maigie_store::mcp::McpCaller;

use crate::error::{ServiceError, ServiceResult};
use crate::{Ctx, Services};

const SCOPES: [&str; 3] = ["read", "write", "delete"];

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMcpToken {
    /// 1–100 characters, e.g. the agent's name.
    pub name: String,
    /// Any of read, write, delete.
    #[schema(value_type = Vec<crate::schema_enums::McpScope>)]
    pub scopes: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct McpTokenView {
    pub id: Uuid,
    pub name: String,
    #[schema(value_type = Vec<crate::schema_enums::McpScope>)]
    pub scopes: Vec<String>,
    /// Shown once, on creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

fn view(r: McpTokenRow, token: Option<String>) -> McpTokenView {
    McpTokenView {
        id: r.id,
        name: r.name,
        scopes: r.scopes,
        token,
        last_used_at: r.last_used_at,
        created_at: r.created_at,
    }
}

/// How tokens are stored (and looked up): their SHA-256.
fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The name, trimmed, and the scopes, each once; refused field by field.
fn checked(body: &CreateMcpToken) -> ServiceResult<(&str, Vec<String>)> {
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ServiceError::invalid_field(
            "name",
            "invalid_length",
            "must be 1–100 characters",
        ));
    }
    let mut scopes: Vec<String> = Vec::new();
    for s in &body.scopes {
        if !SCOPES.contains(&s.as_str()) {
            return Err(ServiceError::invalid_field(
                "scopes",
                "unknown_value",
                "each scope is read, write or delete",
            ));
        }
        if !scopes.contains(s) {
            scopes.push(s.clone());
        }
    }
    if scopes.is_empty() {
        return Err(ServiceError::invalid_field(
            "scopes",
            "required",
            "give at least one scope",
        ));
    }
    Ok((name, scopes))
}

/// Creates a token for the caller; its secret is in the answer, and only there.
pub async fn create(
    svc: &Services,
    ctx: &Ctx,
    body: &CreateMcpToken,
) -> ServiceResult<McpTokenView> {
    let (name, scopes) = checked(body)?;
    let token = format!("mcp_{}", crate::secret::random_token());
    let row = mcp::create(&svc.db, ctx.user_id, name, &hash(&token), &scopes).await?;
    Ok(view(row, Some(token)))
}

/// The caller's live tokens, without their secrets.
pub async fn list(svc: &Services, ctx: &Ctx) -> ServiceResult<Vec<McpTokenView>> {
    let rows = mcp::list(&svc.db, ctx.user_id).await?;
    Ok(rows.into_iter().map(|r| view(r, None)).collect())
}

/// Revokes one of the caller's tokens: it stops working at once.
pub async fn revoke(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<()> {
    Ok(mcp::revoke(&svc.db, ctx.user_id, id).await?)
}

/// The live token `secret` is, with its user's tier (none: no such live token).
pub async fn authenticate(svc: &Services, secret: &str) -> ServiceResult<Option<McpCaller>> {
    Ok(mcp::authenticate(&svc.db, &hash(secret)).await?)
}
