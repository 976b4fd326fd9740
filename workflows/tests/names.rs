//! The API starts and signals workflows by name (it does not build the definitions):
//! the names it uses, the crate's constants, must be the ones the definitions register,
//! and the inputs it sends the types they read.

use maigie_workflows::account_mail::{self, AccountMailInput, AccountMailWorkflow};
use maigie_workflows::ai_action::{self, AiActionInput, AiActionWorkflow};
use maigie_workflows::billing::{self, LifecycleInput, SubscriptionLifecycleWorkflow};
use maigie_workflows::knowledge_backfill::{self, KnowledgeBackfillWorkflow};
use maigie_workflows::knowledge_index::{self, IndexInput, KnowledgeIndexWorkflow};
use maigie_workflows::onboarding::{self, OnboardingInput, UserOnboardingWorkflow};
use maigie_workflows::reminder::{self, ReminderInput, ReminderPlan, ReminderWorkflow};
use maigie_workflows::schedule_generation::{self, DraftInput, ScheduleGenerationWorkflow};
use maigie_workflows::voice_message::{self, VoiceMessageInput, VoiceMessageWorkflow};
use maigie_workflows::voice_retention::{self, RetentionInput, VoiceRetentionWorkflow};
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

/// `_ = input_of(&X::run)` compiles only where the definition reads `T`: the inputs
/// the starter reads from the outbox and sends, checked by the compiler.
fn input_of<W: WorkflowDefinition>(_: &W) -> std::marker::PhantomData<W::Input> {
    std::marker::PhantomData
}

fn signal_input_of<S: SignalDefinition>(_: &S) -> std::marker::PhantomData<S::Input> {
    std::marker::PhantomData
}

#[test]
fn inputs_are_the_types_the_starter_sends() {
    use std::marker::PhantomData;
    let _: PhantomData<OnboardingInput> = input_of(&UserOnboardingWorkflow::run);
    let _: PhantomData<AccountMailInput> = input_of(&AccountMailWorkflow::run);
    let _: PhantomData<AiActionInput> = input_of(&AiActionWorkflow::run);
    let _: PhantomData<LifecycleInput> = input_of(&SubscriptionLifecycleWorkflow::run);
    let _: PhantomData<IndexInput> = input_of(&KnowledgeIndexWorkflow::run);
    let _: PhantomData<ReminderInput> = input_of(&ReminderWorkflow::run);
    let _: PhantomData<DraftInput> = input_of(&ScheduleGenerationWorkflow::run);
    let _: PhantomData<VoiceMessageInput> = input_of(&VoiceMessageWorkflow::run);
    let _: PhantomData<RetentionInput> = input_of(&VoiceRetentionWorkflow::run);
    let _: PhantomData<()> = signal_input_of(&AiActionWorkflow::confirm);
    let _: PhantomData<()> = signal_input_of(&AiActionWorkflow::reject);
    let _: PhantomData<String> = signal_input_of(&SubscriptionLifecycleWorkflow::stripe_event);
    let _: PhantomData<IndexInput> = signal_input_of(&KnowledgeIndexWorkflow::changed);
    let _: PhantomData<ReminderPlan> = signal_input_of(&ReminderWorkflow::reschedule);
}
