//! `account.send_mail`: a mail about the account, with the single-use link it carries.
//!
//! The token is made here, stored hashed (`account_tokens`) and put in the mail: it
//! never passes through Temporal. A retry after a send that may have gone through
//! makes a fresh token under the same `request_key` (the plaintext of the first is
//! not kept, so it cannot be resent); the Message-ID stays the same, so a mail client
//! that got both shows one, and whichever link it shows works.

use std::time::Duration;

use maigie_store::PgPool;
use maigie_store::account_tokens::{self, NewAccountToken, Purpose};
use maigie_store::users::{self, UserRow};
use maigie_workflows::account_mail::{AccountMail, AccountMailInput};
use thiserror::Error;

use crate::mail::{Email, MailError, Mailer};
use crate::templates::{self, Fields, Mail};

/// How long each kind of link works, and where links point.
#[derive(Debug, Clone)]
pub struct AccountMailSettings {
    /// The client app's base URL: links go to `{base}/reset-password?token=…`,
    /// `{base}/verify-email?token=…` and `{base}/revert-email?token=…`.
    pub app_base_url: String,
    pub password_reset_ttl: Duration,
    pub verify_email_ttl: Duration,
    pub email_change_ttl: Duration,
    pub email_revert_ttl: Duration,
}

impl Default for AccountMailSettings {
    fn default() -> Self {
        Self {
            app_base_url: "http://127.0.0.1:8080".into(),
            password_reset_ttl: Duration::from_secs(30 * 60),
            verify_email_ttl: Duration::from_secs(48 * 3600),
            email_change_ttl: Duration::from_secs(24 * 3600),
            email_revert_ttl: Duration::from_secs(7 * 86_400),
        }
    }
}

#[derive(Debug, Error)]
pub enum AccountMailError {
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Store(#[from] maigie_store::StoreError),
    #[error("template: {0}")]
    Template(#[from] askama::Error),
}

impl AccountMailError {
    /// Whether retrying cannot help (a bad address or template).
    #[must_use]
    pub fn is_permanent(&self) -> bool {
        match self {
            Self::Mail(e) => e.is_permanent(),
            Self::Store(_) => false,
            Self::Template(_) => true,
        }
    }
}

/// What the activity did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// Nobody to send it to: no account with that address, the account is gone, or
    /// its address is verified already.
    Skipped,
}

/// A mail to send: the recipient and its template.
struct Letter<'a> {
    to: &'a UserRow,
    address: &'a str,
    mail: Mail,
    subject: &'a str,
    action: &'a str,
    link: String,
    valid_for: String,
}

/// What a kind of mail says, and the link it carries.
struct Kind {
    mail: Mail,
    subject: &'static str,
    action: &'static str,
    /// The link's purpose, page of the client app and lifetime (none: no link).
    link: Option<(Purpose, &'static str, Duration)>,
}

fn kind_of(mail: &AccountMail, settings: &AccountMailSettings) -> Kind {
    let (mail, subject, action, link) = match mail {
        AccountMail::PasswordReset { .. } => (
            Mail::PasswordReset,
            "Reset your Maigie password",
            "Choose a new password",
            Some((
                Purpose::PasswordReset,
                "reset-password",
                settings.password_reset_ttl,
            )),
        ),
        AccountMail::VerifyEmail { .. } => (
            Mail::VerifyEmail,
            "Confirm your e-mail address",
            "Confirm my address",
            Some((
                Purpose::VerifyEmail,
                "verify-email",
                settings.verify_email_ttl,
            )),
        ),
        AccountMail::ConfirmEmailChange { .. } => (
            Mail::ConfirmEmailChange,
            "Confirm your new e-mail address",
            "Confirm the new address",
            Some((
                Purpose::EmailChange,
                "verify-email",
                settings.email_change_ttl,
            )),
        ),
        AccountMail::EmailChanged { .. } => (
            Mail::EmailChanged,
            "The address of your Maigie account changed",
            "Undo this change",
            Some((
                Purpose::EmailRevert,
                "revert-email",
                settings.email_revert_ttl,
            )),
        ),
        AccountMail::PasswordResetDone { .. } => (
            Mail::PasswordResetDone,
            "Your Maigie password was reset",
            "",
            None,
        ),
    };
    Kind {
        mail,
        subject,
        action,
        link,
    }
}

/// The account a mail is about: by address for a reset, else by id; none when there
/// is no such account, or when the address to verify is verified already.
async fn recipient(db: &PgPool, mail: &AccountMail) -> Result<Option<UserRow>, AccountMailError> {
    let user = match (mail, mail.user_id()) {
        (AccountMail::PasswordReset { email }, _) => users::find_by_email(db, email).await?,
        (_, Some(id)) => users::find_by_id(db, id).await?,
        (_, None) => None,
    };
    let verified = matches!(mail, AccountMail::VerifyEmail { .. });
    Ok(user.filter(|u| !(verified && u.email_verified)))
}

/// Where the mail goes (and the address its link is for): the new address to confirm,
/// the old one an address change left, else the account's.
fn address_of(mail: &AccountMail, user: &UserRow) -> String {
    match mail {
        AccountMail::ConfirmEmailChange { new_email, .. } => new_email.clone(),
        AccountMail::EmailChanged { old_email, .. } => old_email.clone(),
        _ => user.email.clone(),
    }
}

/// Sends the mail `input` asks for.
pub async fn send(
    db: &PgPool,
    mailer: &Mailer,
    settings: &AccountMailSettings,
    input: &AccountMailInput,
) -> Result<Outcome, AccountMailError> {
    let Some(user) = recipient(db, &input.mail).await? else {
        return Ok(Outcome::Skipped);
    };
    let kind = kind_of(&input.mail, settings);
    let address = address_of(&input.mail, &user);
    let base = settings.app_base_url.trim_end_matches('/');
    let (link, ttl) = match kind.link {
        Some((purpose, page, ttl)) => {
            let key = input.request_key.as_str();
            let token = issue(db, user.id, purpose, address.clone(), key, ttl).await?;
            (format!("{base}/{page}?token={token}"), ttl)
        }
        None => (String::new(), Duration::ZERO),
    };
    deliver(
        mailer,
        input,
        Letter {
            to: &user,
            address: &address,
            mail: kind.mail,
            subject: kind.subject,
            action: kind.action,
            link,
            valid_for: human_duration(ttl),
        },
    )
    .await?;
    Ok(Outcome::Sent)
}

async fn deliver(
    mailer: &Mailer,
    input: &AccountMailInput,
    letter: Letter<'_>,
) -> Result<(), AccountMailError> {
    let (old_email, new_email) = match &input.mail {
        AccountMail::EmailChanged {
            old_email,
            new_email,
            ..
        } => (old_email.as_str(), new_email.as_str()),
        _ => ("", ""),
    };
    let fields = Fields {
        subject: letter.subject,
        greeting: letter.to.name.as_deref().unwrap_or("there"),
        link: &letter.link,
        action: letter.action,
        valid_for: &letter.valid_for,
        email: letter.address,
        old_email,
        new_email,
    };
    let rendered = templates::render(letter.mail, &fields)?;
    mailer
        .send(Email {
            to: letter.address,
            to_name: letter.to.name.as_deref(),
            subject: letter.subject,
            text: rendered.text,
            html: rendered.html,
            message_id: format!("<{}.{}@maigie>", input.mail.kind(), input.request_key),
        })
        .await?;
    Ok(())
}

/// Makes a token for `purpose`, stores its hash, and answers it.
async fn issue(
    db: &PgPool,
    user_id: uuid::Uuid,
    purpose: Purpose,
    email: String,
    request_key: &str,
    ttl: Duration,
) -> Result<String, AccountMailError> {
    let token = maigie_services::secret::random_token();
    let row = NewAccountToken {
        token: &token,
        user_id,
        purpose,
        email: &email,
        request_key,
        ttl_secs: i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 2),
    };
    account_tokens::insert(db, row).await?;
    Ok(token)
}

/// "30 minutes", "2 days", "1 hour".
#[must_use]
pub fn human_duration(d: Duration) -> String {
    let secs = d.as_secs();
    let (n, unit) = if secs >= 86_400 && secs.is_multiple_of(86_400) {
        (secs / 86_400, "day")
    } else if secs >= 3600 && secs.is_multiple_of(3600) {
        (secs / 3600, "hour")
    } else if secs >= 60 {
        (secs.div_ceil(60), "minute")
    } else {
        (secs, "second")
    };
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(human_duration(Duration::from_secs(1800)), "30 minutes");
        assert_eq!(human_duration(Duration::from_secs(3600)), "1 hour");
        assert_eq!(human_duration(Duration::from_secs(7 * 86_400)), "7 days");
        assert_eq!(human_duration(Duration::from_secs(90)), "2 minutes");
        assert_eq!(human_duration(Duration::from_secs(5)), "5 seconds");
    }

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let (a, b) = (
            maigie_services::secret::random_token(),
            maigie_services::secret::random_token(),
        );
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }
}
