//! `account_mail`: one mail about the account itself — a password reset link, an
//! address verification link, the confirmation of a change of address, the notice
//! to the old address (with its revert link), the notice that a password was reset.
//!
//! The mail is a workflow so the request that asks for it answers at once and the
//! same way whatever happens next (a reset for an unknown address does nothing, and
//! looks exactly like one that sends), and so a mail server that is down delays the
//! mail instead of losing it. The token a link carries is created by the activity,
//! never passed through the workflow: nothing secret is in Temporal's history.

#[cfg(feature = "worker")]
use std::time::Duration;

use serde::{Deserialize, Serialize};
#[cfg(feature = "worker")]
use temporalio_macros::{workflow, workflow_methods};
#[cfg(feature = "worker")]
use temporalio_sdk::{ActivityCloseTimeouts, ActivityOptions, WorkflowContext, WorkflowResult};
use uuid::Uuid;

#[cfg(feature = "worker")]
use crate::contracts::CommonActivities;

/// Workflow type name, as seen in the Temporal UI and CLI.
pub const WORKFLOW_NAME: &str = "account_mail";

/// The id of a one-off account mail (`request` is fresh per request).
#[must_use]
pub fn account_mail_workflow_id(request: Uuid) -> String {
    format!("account-mail-{request}")
}

/// Which mail, with what it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AccountMail {
    /// A reset link to the account with this address; nothing is sent when there is
    /// none (the requester must not learn which).
    PasswordReset { email: String },
    /// A verification link to the user's current address (nothing when it is
    /// verified already).
    VerifyEmail { user_id: Uuid },
    /// A confirmation link to the address the user wants to move to.
    ConfirmEmailChange { user_id: Uuid, new_email: String },
    /// To the address the account just left: what happened, and a link to undo it.
    EmailChanged {
        user_id: Uuid,
        old_email: String,
        new_email: String,
    },
    /// To the account's address: its password was reset.
    PasswordResetDone { user_id: Uuid },
}

impl AccountMail {
    /// The user it is about, when known before the activity looks.
    #[must_use]
    pub fn user_id(&self) -> Option<Uuid> {
        match self {
            Self::PasswordReset { .. } => None,
            Self::VerifyEmail { user_id }
            | Self::ConfirmEmailChange { user_id, .. }
            | Self::EmailChanged { user_id, .. }
            | Self::PasswordResetDone { user_id } => Some(*user_id),
        }
    }

    /// Its name in logs, summaries and Message-IDs.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::PasswordReset { .. } => "password_reset",
            Self::VerifyEmail { .. } => "verify_email",
            Self::ConfirmEmailChange { .. } => "confirm_email_change",
            Self::EmailChanged { .. } => "email_changed",
            Self::PasswordResetDone { .. } => "password_reset_done",
        }
    }
}

/// Input of `account_mail` and of its activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountMailInput {
    /// Names this mailing: its Message-ID, and the group of tokens a retried send
    /// issues (using one spends them all).
    pub request_key: String,
    pub mail: AccountMail,
}

#[cfg(feature = "worker")]
#[workflow]
#[derive(Default)]
pub struct AccountMailWorkflow;

#[cfg(feature = "worker")]
#[workflow_methods]
impl AccountMailWorkflow {
    /// Sends the mail (the activity issues the link's token, if it has one).
    #[run(name = "account_mail")]
    pub async fn run(
        ctx: &mut WorkflowContext<Self>,
        input: AccountMailInput,
    ) -> WorkflowResult<()> {
        ctx.execute_activity(CommonActivities::send_account_mail, input, mail_options())
            .await?;
        Ok(())
    }
}

/// Retries with Temporal's default backoff for up to a day: after that a link would
/// have expired anyway (the longest, a revert link, is re-sent by nobody).
#[must_use]
#[cfg(feature = "worker")]
pub fn mail_options() -> ActivityOptions {
    ActivityOptions::with_close_timeouts(ActivityCloseTimeouts::ScheduleAndStartToClose {
        schedule_to_close: Duration::from_secs(86_400),
        start_to_close: Duration::from_secs(30),
    })
    .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_input_reads_as_tagged_json() {
        let input = AccountMailInput {
            request_key: "k".into(),
            mail: AccountMail::PasswordReset {
                email: "a@example.com".into(),
            },
        };
        let json = serde_json::to_value(&input).expect("json");
        assert_eq!(json["mail"]["kind"], "password_reset");
        assert_eq!(
            serde_json::from_value::<AccountMailInput>(json).expect("back"),
            input
        );
    }
}
