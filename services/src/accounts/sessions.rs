//! The user's sessions: signing in (a new session: a refresh-token family), refreshing
//! (the token is spent and replaced; a spent one presented again ends its session),
//! the list of where they are signed in, ending one, and ending them all.
//!
//! Access tokens are the adapter's (it holds the signing keys): these use-cases hand
//! it the account and the session it issues one for.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use maigie_domain::Email;
use maigie_store::audit::{self, AuditEntry};
use maigie_store::sessions::{self, SessionRow};
use maigie_store::tokens::{self, NewRefreshToken, Rotation};
use maigie_store::users::{self, UserRow};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::PasswordHasher;
use crate::error::ServiceResult;
use crate::secret::random_token;
use crate::{Ctx, Services};

/// Who is signing in: the client's `User-Agent` and address, kept with the session.
#[derive(Debug, Clone, Copy, Default)]
pub struct SessionClient<'a> {
    pub user_agent: Option<&'a str>,
    pub ip: Option<IpAddr>,
}

/// A session's newest refresh token, stored (only its hash is kept): the adapter
/// answers it with an access token for `user` in session `family_id`.
#[derive(Debug)]
pub struct Opened {
    pub user: UserRow,
    /// Single use: shown to the client once.
    pub refresh_token: String,
    pub family_id: Uuid,
}

/// Starts a new session for `user`: a new refresh-token family, valid until
/// `expires_at` unless refreshed.
pub async fn open(
    svc: &Services,
    user: UserRow,
    client: SessionClient<'_>,
    expires_at: DateTime<Utc>,
) -> ServiceResult<Opened> {
    let refresh_token = random_token();
    let family_id = Uuid::new_v4();
    tokens::insert(
        &svc.db,
        NewRefreshToken {
            user_id: user.id,
            family_id,
            token: &refresh_token,
            expires_at,
            user_agent: client.user_agent,
            ip: client.ip,
        },
    )
    .await?;
    Ok(Opened {
        user,
        refresh_token,
        family_id,
    })
}

/// The account these credentials sign in to (its last sign-in recorded), or `None`:
/// an unknown address, an account without a password and a wrong password look the
/// same, and take the same time (the hasher checks against nothing too).
pub async fn check_password(
    svc: &Services,
    hasher: &dyn PasswordHasher,
    email: &str,
    password: String,
) -> ServiceResult<Option<UserRow>> {
    let user = match Email::parse(email) {
        Ok(email) => users::find_by_email(&svc.db, email.as_str()).await?,
        Err(_) => None,
    };
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    if !hasher.verify(password, stored).await? {
        return Ok(None);
    }
    let Some(user) = user else { return Ok(None) };
    users::record_login(&svc.db, user.id).await?;
    Ok(Some(user))
}

/// What presenting a refresh token did.
#[derive(Debug)]
pub enum Refreshed {
    /// It was live: it is spent, and its session goes on with a new one.
    Rotated(Box<Opened>),
    /// It had been spent already: someone replayed it, so its whole session has ended
    /// (audited as `auth.refresh_token_reused`).
    Reused,
    /// Unknown, expired or revoked (or its account is gone).
    Invalid,
}

/// Spends `presented` for a successor valid until `expires_at`.
pub async fn refresh(
    svc: &Services,
    presented: &str,
    client: SessionClient<'_>,
    expires_at: DateTime<Utc>,
) -> ServiceResult<Refreshed> {
    let next = random_token();
    let rotation = tokens::rotate(
        &svc.db,
        presented,
        &next,
        expires_at,
        client.user_agent,
        client.ip,
    )
    .await?;
    match rotation {
        Rotation::Rotated { user_id, family_id } => {
            Ok(match users::find_by_id(&svc.db, user_id).await? {
                Some(user) => Refreshed::Rotated(Box::new(Opened {
                    user,
                    refresh_token: next,
                    family_id,
                })),
                None => Refreshed::Invalid,
            })
        }
        Rotation::Reused { user_id } => {
            tracing::warn!(%user_id, "refresh token reused; session revoked");
            let entry = AuditEntry {
                actor_id: None,
                subject_id: Some(user_id),
                action: "auth.refresh_token_reused",
                details: json!({}),
                request_id: None,
            };
            audit::record(&svc.db, entry).await?;
            Ok(Refreshed::Reused)
        }
        Rotation::Invalid => Ok(Refreshed::Invalid),
    }
}

/// Ends the caller's session that `refresh_token` belongs to (nothing when it is not
/// one of theirs).
pub async fn end_by_refresh_token(
    svc: &Services,
    ctx: &Ctx,
    refresh_token: &str,
) -> ServiceResult<()> {
    tokens::revoke_family_of(&svc.db, ctx.user_id, refresh_token).await?;
    Ok(())
}

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
