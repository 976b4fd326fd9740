//! `user_onboarding`: what happens after someone registers.

#[cfg(feature = "worker")]
use std::time::Duration;

use serde::{Deserialize, Serialize};
#[cfg(feature = "worker")]
use serde_json::json;
#[cfg(feature = "worker")]
use temporalio_macros::{workflow, workflow_methods};
#[cfg(feature = "worker")]
use temporalio_sdk::{ActivityOptions, WorkflowContext, WorkflowResult};
use uuid::Uuid;

#[cfg(feature = "worker")]
use crate::account_mail::{AccountMail, AccountMailInput, mail_options};
#[cfg(feature = "worker")]
use crate::contracts::{CommonActivities, PublishEventInput, WelcomeEmailInput};

/// Workflow type name, as seen in the Temporal UI and CLI.
pub const WORKFLOW_NAME: &str = "user_onboarding";

/// The live event it publishes last (`maigie_domain::EventKind::Welcome`; this crate
/// stays free of the domain, a test in `activities` holds the two together). Its data:
/// `{email, name}` (`maigie_services::live::Welcome`).
pub const WELCOME_EVENT: &str = "welcome";

/// The patch that added the `verify_email` step.
pub const VERIFY_EMAIL_PATCH: &str = "onboarding-verify-email";

/// The id is derived from the user id, so a retried registration (or a replayed start)
/// can never start a second onboarding for the same user.
#[must_use]
pub fn onboarding_workflow_id(user_id: Uuid) -> String {
    format!("user-onboarding-{user_id}")
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnboardingInput {
    pub user_id: Uuid,
    pub email: String,
    pub name: Option<String>,
}

#[cfg(feature = "worker")]
#[workflow]
#[derive(Default)]
pub struct UserOnboardingWorkflow;

#[cfg(feature = "worker")]
#[workflow_methods]
impl UserOnboardingWorkflow {
    /// Sends the welcome e-mail, pushes a `welcome` event to the user's channel, then
    /// mails the link that verifies the address (`verify_email`; nothing when the
    /// address is verified already, as after a Google sign-up). The last step came
    /// later, behind the patch [`VERIFY_EMAIL_PATCH`]: onboardings recorded before it
    /// (see `workflows/histories/`) replay without it.
    #[run(name = "user_onboarding")]
    pub async fn run(
        ctx: &mut WorkflowContext<Self>,
        input: OnboardingInput,
    ) -> WorkflowResult<()> {
        ctx.execute_activity(
            CommonActivities::send_welcome_email,
            WelcomeEmailInput {
                user_id: input.user_id,
                email: input.email.clone(),
                name: input.name.clone(),
            },
            activity_options(),
        )
        .await?;
        ctx.execute_activity(
            CommonActivities::publish_event,
            PublishEventInput {
                user_id: input.user_id,
                kind: WELCOME_EVENT.to_owned(),
                data: json!({ "email": input.email, "name": input.name }),
            },
            activity_options(),
        )
        .await?;
        if !ctx.patched(VERIFY_EMAIL_PATCH) {
            return Ok(());
        }
        ctx.execute_activity(
            CommonActivities::send_account_mail,
            AccountMailInput {
                request_key: onboarding_workflow_id(input.user_id),
                mail: AccountMail::VerifyEmail {
                    user_id: input.user_id,
                },
            },
            mail_options(),
        )
        .await?;
        Ok(())
    }
}

#[cfg(feature = "worker")]
fn activity_options() -> ActivityOptions {
    // Retries are Temporal's default (exponential backoff, unlimited): a mail server or
    // Redis that is down for a while delays the welcome, it does not lose it.
    ActivityOptions::start_to_close_timeout(Duration::from_secs(30))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_id_is_stable_per_user() {
        let id = Uuid::nil();
        assert_eq!(
            onboarding_workflow_id(id),
            "user-onboarding-00000000-0000-0000-0000-000000000000"
        );
    }
}
