//! Activity declarations shared by workflows (which call them) and the worker (which
//! implements them, bound at compile time with `#[activity(definition = ...)]`).

use serde::{Deserialize, Serialize};
use serde_json::Value;
#[cfg(feature = "worker")]
use temporalio_macros::activity_definitions;
#[cfg(feature = "worker")]
use temporalio_sdk::activities::ActivityError;
use uuid::Uuid;

/// Input of [`CommonActivities::send_welcome_email`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WelcomeEmailInput {
    pub user_id: Uuid,
    pub email: String,
    pub name: Option<String>,
}

/// Input of [`CommonActivities::publish_event`]: one event for one user's channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishEventInput {
    pub user_id: Uuid,
    pub kind: String,
    pub data: Value,
}

/// Input of [`CommonActivities::deliver_reminder`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliverReminderInput {
    pub user_id: Uuid,
    pub source_type: String,
    pub source_id: Uuid,
    pub title: String,
    /// The moment reminded of (Unix ms); with the source it keys the delivery.
    pub occurrence_at_ms: i64,
    /// When the reminder was meant to fire (Unix ms).
    pub fire_at_ms: i64,
    /// Fired more than a minute after `fire_at_ms` (a worker or Temporal was down).
    pub late: bool,
}

/// Input of [`CommonActivities::next_reminder`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextReminderInput {
    pub user_id: Uuid,
    pub source_type: String,
    pub source_id: Uuid,
    /// The occurrence just reminded of (Unix ms): the next one starts after it.
    pub after_ms: i64,
}

/// Input of [`CommonActivities::aggregate_day`]: one page of a zone's users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AggregateInput {
    pub timezone: String,
    /// `YYYY-MM-DD`, a calendar day in `timezone`.
    pub day: String,
    /// Users after this id (by id order).
    pub after: Option<Uuid>,
    pub limit: u32,
}

/// What [`CommonActivities::aggregate_day`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AggregatePage {
    pub computed: u32,
    /// The last user of the page, to continue after.
    pub last: Option<Uuid>,
}

/// Activities shared by workflows: mail, live events, reminder delivery.
#[cfg(feature = "worker")]
pub struct CommonActivities;

#[cfg(feature = "worker")]
#[activity_definitions]
impl CommonActivities {
    /// Sends the welcome e-mail over SMTP.
    #[activity(name = "email.send_welcome")]
    pub fn send_welcome_email(input: WelcomeEmailInput) -> Result<(), ActivityError> {
        unimplemented!()
    }

    /// Sends one mail about the account (issuing its link's token, if it has one);
    /// does nothing when there is no one to send it to (an unknown address, a gone
    /// account, an address verified already).
    #[activity(name = "account.send_mail")]
    pub fn send_account_mail(
        input: crate::account_mail::AccountMailInput,
    ) -> Result<(), ActivityError> {
        unimplemented!()
    }

    /// Appends an event to the user's stream and fans it out to every API instance.
    #[activity(name = "events.publish")]
    pub fn publish_event(input: PublishEventInput) -> Result<(), ActivityError> {
        unimplemented!()
    }

    /// Records the reminder's notification and delivers it once per channel
    /// (WebSocket, e-mail); a retry after a partial delivery sends only what is missing.
    /// Answers, when the user's quiet hours hold the e-mail back, the time (Unix ms)
    /// they end: the workflow calls it again then. (Recorded before quiet hours, the
    /// result was `()`, which reads as `None`.)
    #[activity(name = "reminders.deliver")]
    pub fn deliver_reminder(input: DeliverReminderInput) -> Result<Option<i64>, ActivityError> {
        unimplemented!()
    }

    /// The plan of a recurring source's next reminder after an occurrence, from the
    /// source as stored now; `None` when there is none (series over, source gone,
    /// reminder turned off).
    #[activity(name = "reminders.next")]
    pub fn next_reminder(
        input: NextReminderInput,
    ) -> Result<Option<crate::reminder::ReminderPlan>, ActivityError> {
        unimplemented!()
    }

    /// For every time zone with users, the calendar day that ended last there.
    #[activity(name = "analytics.due_days")]
    pub fn due_days(
        input: crate::analytics::DispatchInput,
    ) -> Result<Vec<crate::analytics::ZoneDay>, ActivityError> {
        unimplemented!()
    }

    /// Computes and stores one day for a page of a zone's users (replacing earlier
    /// computations of that day).
    #[activity(name = "analytics.aggregate")]
    pub fn aggregate_day(input: AggregateInput) -> Result<AggregatePage, ActivityError> {
        unimplemented!()
    }

    /// Applies one recorded Stripe event to the customer's subscription (once: an
    /// event already processed or ignored is not applied again) and answers the state.
    #[activity(name = "billing.apply_event")]
    pub fn apply_billing_event(
        input: crate::billing::ApplyEventInput,
    ) -> Result<crate::billing::Snapshot, ActivityError> {
        unimplemented!()
    }

    /// Sends one dunning e-mail of a grace period (once), unless it has been paid.
    #[activity(name = "billing.dunning")]
    pub fn send_dunning(input: crate::billing::DunningInput) -> Result<(), ActivityError> {
        unimplemented!()
    }

    /// Ends the subscription if its grace period or (cancelled) period is really over;
    /// answers the state.
    #[activity(name = "billing.expire")]
    pub fn expire_subscription(
        input: crate::billing::ExpireInput,
    ) -> Result<crate::billing::Snapshot, ActivityError> {
        unimplemented!()
    }
}

/// The AI agent's activities (`ai_action` workflow).
#[cfg(feature = "worker")]
pub struct AgentActivities;

#[cfg(feature = "worker")]
#[activity_definitions]
impl AgentActivities {
    /// One model turn: reads the conversation and this action's tool results, asks the
    /// model (or the offline parser), streams `chat.delta`, stores the assistant message
    /// and the tool calls as steps (once per turn, whatever the retries).
    #[activity(name = "ai.turn")]
    pub fn turn(
        input: crate::ai_action::TurnInput,
    ) -> Result<crate::ai_action::TurnOutput, ActivityError> {
        unimplemented!()
    }

    /// Marks the action as waiting for the user and tells them what would change.
    #[activity(name = "ai.await_confirmation")]
    pub fn await_confirmation(input: crate::ai_action::AwaitInput) -> Result<(), ActivityError> {
        unimplemented!()
    }

    /// Runs one recorded tool call (once: a completed step answers its stored result).
    #[activity(name = "ai.run_tool")]
    pub fn run_tool(input: crate::ai_action::ToolInput) -> Result<(), ActivityError> {
        unimplemented!()
    }

    /// Records that a tool call was not run (declined or not confirmed in time).
    #[activity(name = "ai.skip_tool")]
    pub fn skip_tool(input: crate::ai_action::ToolInput) -> Result<(), ActivityError> {
        unimplemented!()
    }

    /// Records the outcome and sends `chat.done`.
    #[activity(name = "ai.finish")]
    pub fn finish(input: crate::ai_action::FinishInput) -> Result<(), ActivityError> {
        unimplemented!()
    }

    /// Loads what the planner needs, plans, and stores the draft's blocks (once).
    #[activity(name = "schedule.plan")]
    pub fn plan_schedule(
        input: crate::schedule_generation::DraftInput,
    ) -> Result<crate::schedule_generation::PlanSummary, ActivityError> {
        unimplemented!()
    }

    /// Writes the draft's explanation and marks it ready.
    #[activity(name = "schedule.explain")]
    pub fn explain_schedule(
        input: crate::schedule_generation::DraftInput,
    ) -> Result<(), ActivityError> {
        unimplemented!()
    }
}

/// Activities of the search index (implemented where the embedding model is).
#[cfg(feature = "worker")]
pub struct KnowledgeActivities;

#[cfg(feature = "worker")]
#[activity_definitions]
impl KnowledgeActivities {
    /// Brings one source's search chunks in step with its text (only changed chunks
    /// are embedded, in one batch; a source that is gone loses its chunks).
    #[activity(name = "knowledge.index_source")]
    pub fn index_source(
        input: crate::knowledge_index::IndexInput,
    ) -> Result<crate::knowledge_index::IndexOutcome, ActivityError> {
        unimplemented!()
    }

    /// Indexes one page of the sources not indexed with the current model.
    #[activity(name = "knowledge.backfill_page")]
    pub fn backfill_page(
        input: crate::knowledge_backfill::BackfillPage,
    ) -> Result<crate::knowledge_backfill::PageDone, ActivityError> {
        unimplemented!()
    }
}

/// Activities of voice messages (`voice_message`, `voice_retention`).
#[cfg(feature = "worker")]
pub struct VoiceActivities;

#[cfg(feature = "worker")]
#[activity_definitions]
impl VoiceActivities {
    /// Transcribes the stored recording once, stores the transcript as the user's
    /// message and sends `voice.transcript` (`voice.pending` once while the speech
    /// server is down).
    #[activity(name = "voice.hear")]
    pub fn hear(
        input: crate::voice_message::VoiceStep,
    ) -> Result<crate::voice_message::Heard, ActivityError> {
        unimplemented!()
    }

    /// Speaks the action's answer, stores it and sends `voice.audio`.
    #[activity(name = "voice.speak")]
    pub fn speak(input: crate::voice_message::VoiceStep) -> Result<(), ActivityError> {
        unimplemented!()
    }

    /// Records why the message failed and sends `voice.failed`.
    #[activity(name = "voice.fail")]
    pub fn fail(input: crate::voice_message::VoiceFailure) -> Result<(), ActivityError> {
        unimplemented!()
    }

    /// Deletes the voice messages past retention and one page of the audio objects due
    /// for deletion; answers how much was done.
    #[activity(name = "voice.purge")]
    pub fn purge(
        input: crate::voice_retention::PurgeInput,
    ) -> Result<crate::voice_retention::Purged, ActivityError> {
        unimplemented!()
    }
}

/// Markers the voice activities bind to.
#[cfg(feature = "worker")]
pub mod voice_markers {
    pub use super::voice_activities::{Fail, Hear, Purge, Speak};
}

/// Markers the search index's implementations bind to.
#[cfg(feature = "worker")]
pub mod knowledge_markers {
    pub use super::knowledge_activities::{BackfillPage, IndexSource};
}

/// Markers the agent's worker binds its implementations to.
#[cfg(feature = "worker")]
pub mod agent_markers {
    pub use super::agent_activities::{
        AwaitConfirmation, ExplainSchedule, Finish, PlanSchedule, RunTool, SkipTool, Turn,
    };
}

/// Markers the worker binds its implementations to.
#[cfg(feature = "worker")]
pub mod markers {
    pub use super::common_activities::{
        AggregateDay, ApplyBillingEvent, DeliverReminder, DueDays, ExpireSubscription,
        NextReminder, PublishEvent, SendAccountMail, SendDunning, SendWelcomeEmail,
    };
}
