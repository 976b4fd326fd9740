//! What an operator sees of each workflow in the Temporal UI and CLI: the `UserId` and
//! `WorkflowKind` search attributes and a one-line static summary, set on every start
//! (by the API's starter, the analytics schedule and the analytics dispatcher).
//!
//! "What did the AI do for user X":
//! `temporal workflow list --query "UserId = 'X' AND WorkflowKind STARTS_WITH 'ai.'"`
//! (or the same query in the UI's search box). Summaries name ids only: no titles,
//! messages or e-mail addresses (those stay in the database).
//!
//! The attributes are registered from `temporal/search-attributes.txt`; a server
//! without them refuses the start, so the processes check them at start-up.

use temporalio_common::search_attributes::{SearchAttributeKey, SearchAttributes};
use uuid::Uuid;

use crate::account_mail::AccountMailInput;
use crate::ai_action::AiActionInput;
use crate::analytics::ZoneDay;
use crate::billing::LifecycleInput;
use crate::knowledge_index::IndexInput;
use crate::onboarding::OnboardingInput;
use crate::reminder::ReminderInput;
use crate::schedule_generation::DraftInput;

/// The user a workflow works for (absent on system workflows such as analytics).
pub const USER_ID: SearchAttributeKey<String> = SearchAttributeKey::keyword("UserId");
/// What the workflow does: one of [`kind`]. AI work starts with `ai.`.
pub const WORKFLOW_KIND: SearchAttributeKey<String> = SearchAttributeKey::keyword("WorkflowKind");

/// Every custom search attribute the app sets, with its type as the Temporal CLI
/// spells it (the same list as `temporal/search-attributes.txt`).
pub const SEARCH_ATTRIBUTES: [(&str, &str); 4] = [
    ("UserId", "Keyword"),
    ("WorkflowKind", "Keyword"),
    ("ReminderKind", "Keyword"),
    ("DueAt", "Datetime"),
];

/// The values of `WorkflowKind`.
pub mod kind {
    /// The welcome e-mail after sign-up (`user_onboarding`).
    pub const ONBOARDING: &str = "onboarding";
    /// A mail about the account: reset, verification, change of address (`account_mail`).
    pub const ACCOUNT_MAIL: &str = "account.mail";
    /// One source's search index kept in step with its text (`knowledge_index`).
    pub const KNOWLEDGE_INDEX: &str = "knowledge.index";
    /// One message to the AI assistant and the tools it ran (`ai_action`).
    pub const AI_ACTION: &str = "ai.action";
    /// A study schedule drafted by the AI planner (`schedule_generation`).
    pub const AI_SCHEDULE: &str = "ai.schedule_generation";
    /// A task's or schedule block's reminder (`reminder`).
    pub const REMINDER: &str = "reminder";
    /// A Stripe customer's subscription clock (`subscription_lifecycle`).
    pub const SUBSCRIPTION: &str = "billing.subscription";
    /// The hourly analytics dispatcher (`analytics_dispatch`).
    pub const ANALYTICS_DISPATCH: &str = "analytics.dispatch";
    /// One time zone's day of analytics (`daily_analytics`).
    pub const ANALYTICS_DAY: &str = "analytics.day";
    /// A voice message heard, answered and spoken (`voice_message`).
    pub const VOICE_MESSAGE: &str = "voice.message";
    /// Voice audio past retention or of a deleted account, deleted (`voice_retention`).
    pub const VOICE_RETENTION: &str = "voice.retention";
}

/// The search attributes and summary of one workflow start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visibility {
    pub kind: &'static str,
    pub user_id: Option<Uuid>,
    /// One line for the Temporal UI.
    pub summary: String,
}

impl Visibility {
    /// `WorkflowKind`, and `UserId` when there is a user.
    #[must_use]
    pub fn search_attributes(&self) -> SearchAttributes {
        let mut attributes = vec![WORKFLOW_KIND.value_set(self.kind.to_owned())];
        if let Some(user) = self.user_id {
            attributes.push(USER_ID.value_set(user.to_string()));
        }
        SearchAttributes::new(attributes)
    }

    #[must_use]
    pub fn onboarding(input: &OnboardingInput) -> Self {
        Self {
            kind: kind::ONBOARDING,
            user_id: Some(input.user_id),
            summary: format!("Welcome e-mail for new user {}", input.user_id),
        }
    }

    #[must_use]
    pub fn account_mail(input: &AccountMailInput) -> Self {
        let summary = match input.mail.user_id() {
            Some(user) => format!("Account mail ({}) for user {user}", input.mail.kind()),
            None => format!("Account mail ({})", input.mail.kind()),
        };
        Self {
            kind: kind::ACCOUNT_MAIL,
            user_id: input.mail.user_id(),
            summary,
        }
    }

    #[must_use]
    pub fn knowledge_index(input: &IndexInput) -> Self {
        Self {
            kind: kind::KNOWLEDGE_INDEX,
            user_id: Some(input.user_id),
            summary: format!(
                "Search index of {} {} for user {}",
                input.source_type, input.source_id, input.user_id
            ),
        }
    }

    #[must_use]
    pub fn ai_action(input: &AiActionInput) -> Self {
        Self {
            kind: kind::AI_ACTION,
            user_id: Some(input.user_id),
            summary: format!(
                "AI assistant: action {} for user {} (chat message, tools, confirmations)",
                input.action_id, input.user_id
            ),
        }
    }

    #[must_use]
    pub fn voice_message(input: &crate::voice_message::VoiceMessageInput) -> Self {
        Self {
            kind: kind::VOICE_MESSAGE,
            user_id: Some(input.user_id),
            summary: format!(
                "Voice message {} of user {}: heard, answered (action {}), spoken",
                input.voice_message_id, input.user_id, input.action_id
            ),
        }
    }

    #[must_use]
    pub fn voice_retention(input: &crate::voice_retention::RetentionInput) -> Self {
        Self {
            kind: kind::VOICE_RETENTION,
            user_id: input.user_id,
            summary: match input.user_id {
                Some(user) => format!("Voice audio of deleted account {user}: purged"),
                None => "Voice audio past retention: purged".to_owned(),
            },
        }
    }

    #[must_use]
    pub fn schedule_generation(input: &DraftInput) -> Self {
        Self {
            kind: kind::AI_SCHEDULE,
            user_id: Some(input.user_id),
            summary: format!(
                "AI planner: schedule draft {} for user {}",
                input.draft_id, input.user_id
            ),
        }
    }

    #[must_use]
    pub fn reminder(input: &ReminderInput) -> Self {
        let what = input.source_type.replace('_', " ");
        Self {
            kind: kind::REMINDER,
            user_id: Some(input.user_id),
            summary: format!(
                "Reminder of {what} {} for user {}",
                input.source_id, input.user_id
            ),
        }
    }

    #[must_use]
    pub fn subscription(input: &LifecycleInput) -> Self {
        let summary = match input.user_id {
            Some(user) => format!(
                "Subscription lifecycle of Stripe customer {} (user {user})",
                input.customer
            ),
            None => format!(
                "Subscription lifecycle of Stripe customer {}",
                input.customer
            ),
        };
        Self {
            kind: kind::SUBSCRIPTION,
            user_id: input.user_id,
            summary,
        }
    }

    #[must_use]
    pub fn analytics_dispatch(task_queue: &str) -> Self {
        Self {
            kind: kind::ANALYTICS_DISPATCH,
            user_id: None,
            summary: format!(
                "Hourly analytics dispatch: starts each time zone's day after its midnight \
                 (task queue {task_queue})"
            ),
        }
    }

    #[must_use]
    pub fn analytics_day(zd: &ZoneDay) -> Self {
        Self {
            kind: kind::ANALYTICS_DAY,
            user_id: None,
            summary: format!("Daily analytics of {} for {}", zd.day, zd.timezone),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_workflows_carry_the_user_and_ai_kinds_share_a_prefix() {
        let user = Uuid::from_u128(7);
        let action = Visibility::ai_action(&AiActionInput {
            action_id: Uuid::from_u128(8),
            user_id: user,
            max_turns: 6,
            confirm_timeout_secs: 600,
        });
        let draft = Visibility::schedule_generation(&DraftInput {
            draft_id: Uuid::from_u128(9),
            user_id: user,
        });
        for v in [&action, &draft] {
            assert_eq!(v.user_id, Some(user));
            assert!(v.kind.starts_with("ai."), "{}", v.kind);
            assert!(v.summary.contains(&user.to_string()));
        }
        let system = Visibility::analytics_day(&ZoneDay {
            timezone: "Europe/Paris".into(),
            day: "2026-01-02".into(),
        });
        assert_eq!(system.user_id, None);
        assert_eq!(system.search_attributes().len(), 1);
        let attributes = action.search_attributes();
        assert_eq!(attributes.get(&USER_ID), Some(user.to_string()));
        assert_eq!(
            attributes.get(&WORKFLOW_KIND).as_deref(),
            Some(kind::AI_ACTION)
        );
    }

    #[test]
    fn the_attribute_list_matches_the_registration_file() {
        let file = include_str!("../../temporal/search-attributes.txt");
        let registered: Vec<(String, String)> = file
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let mut parts = l.split_whitespace();
                Some((parts.next()?.to_owned(), parts.next()?.to_owned()))
            })
            .collect();
        for (name, kind) in SEARCH_ATTRIBUTES {
            assert!(
                registered.iter().any(|(n, k)| n == name && k == kind),
                "{name} {kind} missing from temporal/search-attributes.txt"
            );
        }
    }
}
