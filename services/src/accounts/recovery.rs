//! A forgotten password: asking for a reset link, and setting a new password with it.
//!
//! Asking answers the same way, in the same time, whether an account has the address
//! or not: the use-case only records an `account_mail` workflow start, and the
//! activity looks the address up (and sends nothing when no account has it).

use maigie_domain::{Email, Password};
use maigie_store::account_tokens::{self, Purpose};
use maigie_store::audit;
use maigie_store::users;
use maigie_workflows::account_mail::{
    self, AccountMail, AccountMailInput, account_mail_workflow_id,
};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::PasswordHasher;
use super::error::{AccountError, AccountResult};
use super::write::entry;
use crate::error::{ServiceError, ServiceResult};
use crate::{Replace, Services, Work};

/// Asks for a password reset link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotPassword {
    #[schema(example = "ada@example.com", max_length = 254)]
    pub email: String,
}

/// Sets a new password with the token of a reset link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    /// The `token` of the link in the reset mail.
    #[schema(max_length = 256)]
    pub token: String,
    /// 8–128 characters.
    pub new_password: String,
}

/// Checks the address and records the mailing of a reset link to it (sent only if
/// an account has it). Answers the address as checked, for the caller's per-address
/// limit.
pub fn parse_forgot(body: &ForgotPassword) -> ServiceResult<Email> {
    Email::parse(&body.email)
        .map_err(|e| ServiceError::invalid_field("email", "invalid_email", e.to_string()))
}

/// Records the reset mail's workflow start (see the module comment).
pub async fn request_password_reset(svc: &Services, email: &Email) -> ServiceResult<()> {
    let mut work = svc.begin().await?;
    record_mail(
        &mut work,
        AccountMail::PasswordReset {
            email: email.as_str().to_owned(),
        },
    )
    .await?;
    work.commit(svc).await
}

/// Records the start of one account mail in `work`'s transaction.
pub(super) async fn record_mail(work: &mut Work, mail: AccountMail) -> ServiceResult<()> {
    let id = account_mail_workflow_id(Uuid::new_v4());
    let user_id = mail.user_id();
    let input = AccountMailInput {
        request_key: id.clone(),
        mail,
    };
    work.start_workflow(
        user_id,
        account_mail::WORKFLOW_NAME,
        &id,
        &input,
        Replace::Never,
    )
    .await
}

/// The one answer for a link that is unknown, used or expired.
pub(super) fn invalid_token() -> AccountError {
    ServiceError::bad_request(
        "invalid_token",
        "This link is invalid, expired or already used. Ask for a new one.",
    )
    .into()
}

/// Sets the new password, spends every reset link of the account, proves its
/// address (the link reached that mailbox), ends every session (`user.password_reset`
/// audited with the new epoch) and mails a notice, in one transaction.
pub async fn reset_password(
    svc: &Services,
    hasher: &dyn PasswordHasher,
    body: ResetPassword,
) -> AccountResult<()> {
    let new = Password::parse(&body.new_password).map_err(|e| {
        ServiceError::invalid_field("new_password", "invalid_password", e.to_string())
    })?;
    // A dead link costs no password hash.
    if body.token.len() > 256
        || !account_tokens::is_live(&svc.db, &body.token, &[Purpose::PasswordReset]).await?
    {
        return Err(invalid_token());
    }
    let hash = hasher.hash(new.expose().to_owned()).await?;
    let mut work = svc.begin().await?;
    let spent = account_tokens::spend(work.conn(), &body.token, &[Purpose::PasswordReset])
        .await?
        .ok_or_else(invalid_token)?;
    let user_id = spent.user_id;
    users::set_password_hash(work.conn(), user_id, &hash).await?;
    account_tokens::spend_all(work.conn(), user_id, &[Purpose::PasswordReset]).await?;
    users::mark_email_verified(work.conn(), user_id, &spent.email).await?;
    let epoch = work.end_sessions(user_id).await?;
    let details = json!({ "epoch": epoch });
    audit::record(work.conn(), entry(user_id, "user.password_reset", details)).await?;
    record_mail(&mut work, AccountMail::PasswordResetDone { user_id }).await?;
    work.commit(svc).await?;
    Ok(())
}
