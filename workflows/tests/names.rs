//! The API starts and signals workflows by name (it does not build the definitions):
//! the names it uses, the crate's constants, must be the ones the definitions register.

use maigie_workflows::account_mail::{self, AccountMailWorkflow};
use maigie_workflows::ai_action::{self, AiActionWorkflow};
use maigie_workflows::billing::{self, SubscriptionLifecycleWorkflow};
use maigie_workflows::knowledge_backfill::{self, KnowledgeBackfillWorkflow};
use maigie_workflows::knowledge_index::{self, KnowledgeIndexWorkflow};
use maigie_workflows::onboarding::{self, UserOnboardingWorkflow};
use maigie_workflows::reminder::{self, ReminderWorkflow};
use maigie_workflows::schedule_generation::{self, ScheduleGenerationWorkflow};
use maigie_workflows::voice_message::{self, VoiceMessageWorkflow};
use maigie_workflows::voice_retention::{self, VoiceRetentionWorkflow};
use temporalio_common::{SignalDefinition, WorkflowDefinition};

#[test]
fn workflow_names_are_the_constants_the_starter_uses() {
    let registered = [
        (
            UserOnboardingWorkflow::run.name(),
            onboarding::WORKFLOW_NAME,
        ),
        (AccountMailWorkflow::run.name(), account_mail::WORKFLOW_NAME),
        (AiActionWorkflow::run.name(), ai_action::WORKFLOW_NAME),
        (
            SubscriptionLifecycleWorkflow::run.name(),
            billing::WORKFLOW_NAME,
        ),
        (
            KnowledgeBackfillWorkflow::run.name(),
            knowledge_backfill::WORKFLOW_NAME,
        ),
        (
            KnowledgeIndexWorkflow::run.name(),
            knowledge_index::WORKFLOW_NAME,
        ),
        (ReminderWorkflow::run.name(), reminder::WORKFLOW_NAME),
        (
            ScheduleGenerationWorkflow::run.name(),
            schedule_generation::WORKFLOW_NAME,
        ),
        (
            VoiceMessageWorkflow::run.name(),
            voice_message::WORKFLOW_NAME,
        ),
        (
            VoiceRetentionWorkflow::run.name(),
            voice_retention::WORKFLOW_NAME,
        ),
    ];
    for (definition, constant) in registered {
        assert_eq!(definition, constant);
    }
}

#[test]
fn signal_names_are_the_constants_the_starter_uses() {
    let registered = [
        (AiActionWorkflow::confirm.name(), ai_action::CONFIRM_SIGNAL),
        (AiActionWorkflow::reject.name(), ai_action::REJECT_SIGNAL),
        (
            SubscriptionLifecycleWorkflow::stripe_event.name(),
            billing::EVENT_SIGNAL,
        ),
        (
            KnowledgeIndexWorkflow::changed.name(),
            knowledge_index::CHANGED_SIGNAL,
        ),
        (
            ReminderWorkflow::reschedule.name(),
            reminder::RESCHEDULE_SIGNAL,
        ),
    ];
    for (definition, constant) in registered {
        assert_eq!(definition, constant);
    }
}
