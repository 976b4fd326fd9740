//! The user's sessions: the list of where they are signed in, ending one, and ending
//! them all.

use chrono::{DateTime, Utc};
use maigie_store::audit::{self, AuditEntry};
use maigie_store::sessions::{self, SessionRow};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ServiceResult;
use crate::{Ctx, Services};

/// A signed-in session (one sign-in, kept alive by its refresh token).
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    /// Stable across refreshes; pass it to `DELETE /api/users/me/sessions/{id}`.
    pub id: Uuid,
    /// When the user signed in.
    pub created_at: DateTime<Utc>,
    /// The last sign-in or token refresh.
    pub last_used_at: DateTime<Utc>,
    /// When the session ends unless it is refreshed.
    pub expires_at: DateTime<Utc>,
    /// The client's `User-Agent` at its last sign-in or refresh.
    pub user_agent: Option<String>,
    /// The client's address at its last sign-in or refresh.
    pub ip: Option<String>,
    /// Whether this is the session making the request.
    pub current: bool,
}

impl SessionView {
    fn new(row: SessionRow, current: Option<Uuid>) -> Self {
        Self {
            current: current == Some(row.id),
            id: row.id,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            expires_at: row.expires_at,
            user_agent: row.user_agent,
            ip: row.ip,
        }
    }
}

/// The user's live sessions, most recently used first; `current` marks the caller's.
pub async fn list(
    svc: &Services,
    ctx: &Ctx,
    current: Option<Uuid>,
) -> ServiceResult<Vec<SessionView>> {
    let rows = sessions::list(&svc.db, ctx.user_id).await?;
    Ok(rows
        .into_iter()
        .map(|r| SessionView::new(r, current))
        .collect())
}

fn entry<'a>(ctx: &'a Ctx, action: &'static str, details: serde_json::Value) -> AuditEntry<'a> {
    AuditEntry {
        actor_id: Some(ctx.user_id),
        subject_id: Some(ctx.user_id),
        action,
        details,
        request_id: ctx.request_id.as_deref(),
    }
}

/// Ends one session: its refresh token stops working at once, its access tokens and
/// sockets within the same request on every instance (404 if it is not the
/// caller's or is already over). Audited as `auth.session_ended`.
pub async fn end(svc: &Services, ctx: &Ctx, session_id: Uuid) -> ServiceResult<()> {
    let mut work = svc.begin().await?;
    work.end_session(ctx.user_id, session_id).await?;
    let details = json!({ "session_id": session_id, "source": ctx.source.as_str() });
    audit::record(work.conn(), entry(ctx, "auth.session_ended", details)).await?;
    work.commit(svc).await
}

/// Signs out everywhere: every session, access token, MCP token and the calendar
/// feed secret of the account end together. Audited as `auth.sessions_ended`.
pub async fn end_all(svc: &Services, ctx: &Ctx) -> ServiceResult<()> {
    let mut work = svc.begin().await?;
    let epoch = work.end_sessions(ctx.user_id).await?;
    let details = json!({ "reason": "logout_all", "epoch": epoch });
    audit::record(work.conn(), entry(ctx, "auth.sessions_ended", details)).await?;
    work.commit(svc).await
}
