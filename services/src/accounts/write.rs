//! The account use-cases.

use chrono::{DateTime, TimeDelta, Utc};
use maigie_domain::EventKind;
use maigie_domain::{Email, Password};
use maigie_store::StoreError;
use maigie_store::audit::{self, AuditEntry};
use maigie_store::users::{self, NewUser, UserRow};
use maigie_workflows::onboarding::{self, OnboardingInput};
use serde_json::json;
use uuid::Uuid;

use super::error::{AccountError, AccountResult};
use super::input::{ChangePassword, DeleteAccount, UpdateProfile};
use super::{PasswordHasher, UserView};
use crate::error::{ServiceError, ServiceResult};
use crate::notifications::profile_error;
use crate::{Ctx, Replace, Services};

/// A new account.
#[derive(Debug, Clone, Copy)]
pub struct NewAccount<'a> {
    pub email: &'a Email,
    /// Already hashed; `None` for an account that signs in with Google only.
    pub password_hash: Option<&'a str>,
    pub name: Option<&'a str>,
    /// `user` in practice: the admin role comes only from [`super::grant_admin`].
    pub role: &'a str,
    pub email_verified: bool,
}

/// Creates a user with the start of their onboarding workflow and the
/// `user.registered` audit entry, in one transaction (409 `email_taken`). Shared by
/// password registration and OAuth sign-up.
pub async fn register(svc: &Services, account: NewAccount<'_>) -> ServiceResult<UserRow> {
    let mut work = svc.begin().await?;
    let new = NewUser {
        email: account.email.as_str(),
        password_hash: account.password_hash,
        name: account.name,
        role: account.role,
        email_verified: account.email_verified,
    };
    let user = users::create(work.conn(), new)
        .await
        .map_err(|err| match err {
            StoreError::Conflict(c) if c == users::EMAIL_TAKEN => ServiceError::conflict(
                "email_taken",
                "An account with this e-mail address already exists.",
            ),
            other => other.into(),
        })?;
    let input = OnboardingInput {
        user_id: user.id,
        email: user.email.clone(),
        name: user.name.clone(),
    };
    let id = onboarding::onboarding_workflow_id(user.id);
    work.start_workflow(
        Some(user.id),
        onboarding::WORKFLOW_NAME,
        &id,
        &input,
        Replace::Never,
    )
    .await?;
    let details = json!({ "password": account.password_hash.is_some() });
    audit::record(work.conn(), entry(user.id, "user.registered", details)).await?;
    work.commit(svc).await?;
    Ok(user)
}

/// The user's own audit entry.
pub(super) fn entry(
    user_id: Uuid,
    action: &'static str,
    details: serde_json::Value,
) -> AuditEntry<'static> {
    AuditEntry {
        actor_id: Some(user_id),
        subject_id: Some(user_id),
        action,
        details,
        request_id: None,
    }
}

/// The caller's account row (a valid token for a deleted account is no longer a
/// credential: [`AccountError::Gone`]).
pub async fn profile(svc: &Services, ctx: &Ctx) -> AccountResult<UserRow> {
    users::find_by_id(&svc.db, ctx.user_id)
        .await?
        .ok_or(AccountError::Gone)
}

/// Changes name, time zone or preferences; announces `user.updated`.
pub async fn update_profile(
    svc: &Services,
    ctx: &Ctx,
    body: UpdateProfile,
) -> AccountResult<UserView> {
    let changes = body.parse()?;
    let mut work = svc.begin().await?;
    let row = users::update_profile(work.conn(), ctx.user_id, changes)
        .await
        .map_err(|e| match profile_error(e) {
            ServiceError::NotFound => AccountError::Gone,
            other => other.into(),
        })?;
    let view = UserView::try_from(&row)?;
    work.announce(ctx.user_id, EventKind::UserUpdated, &view);
    work.commit(svc).await?;
    Ok(view)
}

/// Checks the account's current password (when it has one) given as `field`.
pub(super) async fn confirm_password(
    hasher: &dyn PasswordHasher,
    row: &UserRow,
    given: Option<String>,
    field: &str,
) -> AccountResult<()> {
    if row.password_hash.is_none() {
        return Ok(());
    }
    let Some(given) = given else {
        return Err(ServiceError::invalid_field(
            field,
            "required",
            "Confirm with your current password.",
        )
        .into());
    };
    if hasher.verify(given, row.password_hash.clone()).await? {
        Ok(())
    } else {
        Err(ServiceError::invalid_field(field, "incorrect", "The password is incorrect.").into())
    }
}

/// Sets a new password and ends every session — access, refresh and MCP tokens, the
/// calendar secret, open sockets (`user.password_changed` audited in the same
/// transaction); answers the account as it is now. An account without a
/// password (Google only) has nothing to confirm with, so its first password needs
/// `recent_sign_in` (a stolen token cannot plant one).
pub async fn change_password(
    svc: &Services,
    ctx: &Ctx,
    hasher: &dyn PasswordHasher,
    body: ChangePassword,
    recent_sign_in: bool,
) -> AccountResult<UserRow> {
    let row = profile(svc, ctx).await?;
    if row.password_hash.is_none() && !recent_sign_in {
        return Err(AccountError::ReauthenticationRequired);
    }
    let new = Password::parse(&body.new_password).map_err(|e| {
        ServiceError::invalid_field("new_password", "invalid_password", e.to_string())
    })?;
    confirm_password(hasher, &row, body.current_password, "current_password").await?;
    let hash = hasher.hash(new.expose().to_owned()).await?;
    let mut work = svc.begin().await?;
    users::set_password_hash(work.conn(), ctx.user_id, &hash).await?;
    let epoch = work.end_sessions(ctx.user_id).await?;
    let audit_entry = entry(
        ctx.user_id,
        "user.password_changed",
        json!({ "epoch": epoch }),
    );
    audit::record(work.conn(), audit_entry).await?;
    work.commit(svc).await?;
    // Reloaded: `has_password` turns true when a Google-only account sets its first
    // password.
    profile(svc, ctx).await
}

/// How recent a sign-in must be to stand in for a password an account does not have.
pub const REAUTHENTICATION_WINDOW_SECS: i64 = 600;

/// Deletes the account and every piece of data that belongs to it, after checking
/// its password; `user.deleted` audited in the same transaction. An account without
/// a password (Google only) confirms with a recent sign-in instead: its credential
/// (`token_issued_at`) must be under [`REAUTHENTICATION_WINDOW_SECS`] old, so a
/// stolen or forgotten token cannot erase it.
pub async fn delete(
    svc: &Services,
    ctx: &Ctx,
    hasher: &dyn PasswordHasher,
    body: DeleteAccount,
    token_issued_at: DateTime<Utc>,
) -> AccountResult<()> {
    let row = profile(svc, ctx).await?;
    let age = Utc::now() - token_issued_at;
    if row.password_hash.is_none() && age > TimeDelta::seconds(REAUTHENTICATION_WINDOW_SECS) {
        return Err(AccountError::ReauthenticationRequired);
    }
    confirm_password(hasher, &row, body.password, "password").await?;
    let mut work = svc.begin().await?;
    // Recorded before the delete: the entry keeps the id in `details` because the
    // foreign keys are nulled when the user row goes.
    let details = json!({ "user_id": ctx.user_id });
    audit::record(work.conn(), entry(ctx.user_id, "user.deleted", details)).await?;
    let had_voice = maigie_store::voice::any_for_user(work.conn(), ctx.user_id).await?;
    users::delete(work.conn(), ctx.user_id).await?;
    if had_voice {
        // The trigger queued the account's audio for deletion; purge it now rather
        // than at the next hourly run.
        work.start_workflow(
            None,
            maigie_workflows::voice_retention::WORKFLOW_NAME,
            &maigie_workflows::voice_retention::account_purge_id(ctx.user_id),
            &maigie_workflows::voice_retention::RetentionInput {
                page_size: None,
                user_id: Some(ctx.user_id),
            },
            crate::Replace::Never,
        )
        .await?;
    }
    work.account_gone(ctx.user_id);
    work.commit(svc).await?;
    Ok(())
}
