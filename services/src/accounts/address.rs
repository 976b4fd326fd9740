//! The account's e-mail address: proving it (a mailed link), moving to a new one
//! (nothing changes until the new address confirms), and undoing a move from the
//! old address (for seven days by default).

use chrono::{DateTime, Utc};
use maigie_domain::{Email, EventKind, Role};
use maigie_store::StoreError;
use maigie_store::account_tokens::{self, Purpose};
use maigie_store::audit;
use maigie_store::users::{self, UserRow};
use maigie_workflows::account_mail::AccountMail;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::error::{AccountError, AccountResult};
use super::recovery::{invalid_token, record_mail};
use super::write::{confirm_password, entry, profile};
use super::{AdminGrant, PasswordHasher, UserView, grant_admin};
use crate::error::ServiceError;
use crate::{Ctx, Services, Work};

/// The token of a mailed link (verification, confirmation of a new address, or
/// the undo of a change).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressToken {
    #[schema(max_length = 256)]
    pub token: String,
}

/// A move to a new address, confirmed with the current password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeEmail {
    #[schema(example = "ada.lovelace@example.com", max_length = 254)]
    pub new_email: String,
    /// The current password (an account without one confirms with a sign-in under
    /// ten minutes old instead).
    pub password: Option<String>,
}

/// The address a link proved.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailConfirmed {
    /// The account's address now.
    pub email: String,
    pub email_verified: bool,
    pub email_verified_at: Option<DateTime<Utc>>,
    /// Whether the account moved to this address (a confirmed change or an undo).
    pub changed: bool,
}

/// A change of address waiting for the new address to confirm.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailChangePending {
    pub pending_email: String,
    /// The account's address until then.
    pub email: String,
}

/// Who may become an admin by a proven address, and the request that proves it.
#[derive(Debug, Clone, Copy)]
pub struct AdminPolicy<'a> {
    /// `ADMIN_EMAILS`, lower-case.
    pub admin_emails: &'a [String],
    pub request_id: Option<&'a str>,
}

fn taken(err: StoreError) -> AccountError {
    match err {
        StoreError::Conflict(c) if c == users::EMAIL_TAKEN => ServiceError::conflict(
            "email_taken",
            "An account with this e-mail address already exists.",
        )
        .into(),
        other => other.into(),
    }
}

/// Mails a new verification link (409 `email_already_verified` when there is
/// nothing to verify).
pub async fn resend_verification(svc: &Services, ctx: &Ctx) -> AccountResult<()> {
    let row = profile(svc, ctx).await?;
    if row.email_verified {
        return Err(ServiceError::conflict(
            "email_already_verified",
            "This address is verified already.",
        )
        .into());
    }
    let mut work = svc.begin().await?;
    record_mail(&mut work, AccountMail::VerifyEmail { user_id: row.id }).await?;
    work.commit(svc).await?;
    Ok(())
}

/// Spends a verification or change link: verifies the address, or moves the account
/// to the new one (telling the old address, with a link to undo it). A listed
/// `ADMIN_EMAILS` address that is now proven makes the account an admin (audited).
pub async fn confirm_email(
    svc: &Services,
    body: AddressToken,
    admins: AdminPolicy<'_>,
) -> AccountResult<EmailConfirmed> {
    let purposes = [Purpose::VerifyEmail, Purpose::EmailChange];
    let mut work = svc.begin().await?;
    let spent = account_tokens::spend(work.conn(), &body.token, &purposes)
        .await?
        .ok_or_else(invalid_token)?;
    let user_id = spent.user_id;
    let (row, changed) = match spent.purpose {
        Purpose::EmailChange => {
            let old = users::find_by_id(work.conn(), user_id)
                .await?
                .ok_or_else(invalid_token)?;
            let row = users::set_verified_email(work.conn(), user_id, &spent.email)
                .await
                .map_err(taken)?;
            account_tokens::spend_all(work.conn(), user_id, &purposes).await?;
            let details = json!({ "from": old.email, "to": row.email });
            audit::record(work.conn(), entry(user_id, "user.email_changed", details)).await?;
            let mail = AccountMail::EmailChanged {
                user_id,
                old_email: old.email,
                new_email: row.email.clone(),
            };
            record_mail(&mut work, mail).await?;
            (row, true)
        }
        // The address changed since this link was sent: it proves nothing now.
        _ => users::mark_email_verified(work.conn(), user_id, &spent.email)
            .await?
            .map(|row| (row, false))
            .ok_or_else(invalid_token)?,
    };
    finish(svc, work, &row, changed, admins).await
}

/// Announces the account as it is now, commits, and promotes a listed address.
async fn finish(
    svc: &Services,
    mut work: Work,
    row: &UserRow,
    changed: bool,
    admins: AdminPolicy<'_>,
) -> AccountResult<EmailConfirmed> {
    work.announce(row.id, EventKind::UserUpdated, &UserView::try_from(row)?);
    work.commit(svc).await?;
    let listed = admins
        .admin_emails
        .iter()
        .any(|a| a.eq_ignore_ascii_case(&row.email));
    if listed && row.role != Role::Admin.as_str() {
        let grant = AdminGrant {
            email: &row.email,
            via: "verified_email",
            provider: Some("email_link"),
            request_id: admins.request_id,
        };
        grant_admin(&svc.db, grant).await?;
    }
    Ok(EmailConfirmed {
        email: row.email.clone(),
        email_verified: row.email_verified,
        email_verified_at: row.email_verified_at,
        changed,
    })
}

/// Asks to move the account to `new_email`: a confirmation link goes there, and
/// nothing changes until it is used (a newer request replaces an older one).
pub async fn request_email_change(
    svc: &Services,
    ctx: &Ctx,
    hasher: &dyn PasswordHasher,
    body: ChangeEmail,
    recent_sign_in: bool,
) -> AccountResult<EmailChangePending> {
    let row = profile(svc, ctx).await?;
    if row.password_hash.is_none() && !recent_sign_in {
        return Err(AccountError::ReauthenticationRequired);
    }
    let new = Email::parse(&body.new_email)
        .map_err(|e| ServiceError::invalid_field("new_email", "invalid_email", e.to_string()))?;
    if new.as_str().eq_ignore_ascii_case(&row.email) {
        return Err(ServiceError::invalid_field(
            "new_email",
            "same_email",
            "This is the account's address already.",
        )
        .into());
    }
    confirm_password(hasher, &row, body.password, "password").await?;
    if users::find_by_email(&svc.db, new.as_str()).await?.is_some() {
        return Err(taken(StoreError::Conflict(users::EMAIL_TAKEN.into())));
    }
    let mut work = svc.begin().await?;
    account_tokens::spend_all(work.conn(), row.id, &[Purpose::EmailChange]).await?;
    let details = json!({ "to": new.as_str() });
    audit::record(
        work.conn(),
        entry(row.id, "user.email_change_requested", details),
    )
    .await?;
    let mail = AccountMail::ConfirmEmailChange {
        user_id: row.id,
        new_email: new.as_str().to_owned(),
    };
    record_mail(&mut work, mail).await?;
    work.commit(svc).await?;
    Ok(EmailChangePending {
        pending_email: new.as_str().to_owned(),
        email: row.email,
    })
}

/// Undoes a change of address from the old one: the account goes back to it, every
/// session ends (whoever made the change is signed out), and a password reset link
/// goes to the restored address (they may know the password).
pub async fn revert_email(
    svc: &Services,
    body: AddressToken,
    admins: AdminPolicy<'_>,
) -> AccountResult<EmailConfirmed> {
    let mut work = svc.begin().await?;
    let spent = account_tokens::spend(work.conn(), &body.token, &[Purpose::EmailRevert])
        .await?
        .ok_or_else(invalid_token)?;
    let user_id = spent.user_id;
    let row = users::set_verified_email(work.conn(), user_id, &spent.email)
        .await
        .map_err(taken)?;
    let pending = [
        Purpose::EmailChange,
        Purpose::EmailRevert,
        Purpose::VerifyEmail,
    ];
    account_tokens::spend_all(work.conn(), user_id, &pending).await?;
    let epoch = work.end_sessions(user_id).await?;
    let details = json!({ "to": row.email, "epoch": epoch });
    audit::record(work.conn(), entry(user_id, "user.email_reverted", details)).await?;
    let reset = AccountMail::PasswordReset {
        email: row.email.clone(),
    };
    record_mail(&mut work, reset).await?;
    finish(svc, work, &row, true, admins).await
}
