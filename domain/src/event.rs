//! Events pushed to a user's real-time channel, and the one list of their kinds.
//!
//! [`EventKind`] is the source of truth for what a client can receive on `GET /ws`
//! (and, for the `chat.*` kinds, on the chat answer's Server-Sent Events): every
//! publisher names its event with a variant, so an event that is not listed here
//! cannot be sent, and the AsyncAPI document (`GET /asyncapi.json`) lists exactly
//! these, each with the schema of its `data`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use uuid::Uuid;

use crate::validation::InputError;

/// Declares [`EventKind`]: each variant with its wire name and its description.
macro_rules! event_kinds {
    ($( $(#[doc = $doc:literal])+ $variant:ident = $name:literal, )+) => {
        /// The type of a live event (`type` in `{"id","type","data","ts"}`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EventKind {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl EventKind {
            /// Every kind, in the order of the declaration.
            pub const ALL: &'static [EventKind] = &[$(EventKind::$variant),+];

            /// The wire name, e.g. `task.created`.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $(EventKind::$variant => $name),+ }
            }

            /// What the event means: its documentation above, as one paragraph.
            #[must_use]
            pub fn description(self) -> String {
                let doc = match self { $(EventKind::$variant => concat!($($doc, "\n"),+)),+ };
                doc.split('\n').map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
            }
        }

        impl FromStr for EventKind {
            type Err = InputError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($name => Ok(EventKind::$variant),)+
                    other => Err(InputError::UnknownVariant(other.chars().take(64).collect())),
                }
            }
        }
    };
}

event_kinds! {
    /// The account was created: sent once, by the onboarding workflow, after the
    /// welcome e-mail.
    Welcome = "welcome",
    /// The profile changed (name, time zone, preferences).
    UserUpdated = "user.updated",

    /// A course was created.
    CourseCreated = "course.created",
    /// A course changed, or its progress and totals did after a change to one of its
    /// modules or topics (the course alone; the module or topic has its own event).
    CourseUpdated = "course.updated",
    /// A course was deleted with its modules and topics.
    CourseDeleted = "course.deleted",
    /// A module was added to a course.
    ModuleCreated = "module.created",
    /// A module changed or moved (with its topics).
    ModuleUpdated = "module.updated",
    /// A module was deleted with its topics.
    ModuleDeleted = "module.deleted",
    /// A topic was added to a module.
    TopicCreated = "topic.created",
    /// A topic changed, moved, or was completed or reopened.
    TopicUpdated = "topic.updated",
    /// A topic was deleted.
    TopicDeleted = "topic.deleted",

    /// A goal was created.
    GoalCreated = "goal.created",
    /// A goal changed.
    GoalUpdated = "goal.updated",
    /// A goal was deleted (its tasks stay, without the goal).
    GoalDeleted = "goal.deleted",
    /// A task was created (also the next occurrence of a recurring task, and a task
    /// an undo restored).
    TaskCreated = "task.created",
    /// A task changed, was completed or reopened.
    TaskUpdated = "task.updated",
    /// A task was deleted.
    TaskDeleted = "task.deleted",

    /// A schedule block was created.
    ScheduleBlockCreated = "schedule_block.created",
    /// A schedule block (the series) changed.
    ScheduleBlockUpdated = "schedule_block.updated",
    /// A schedule block was deleted with its occurrences.
    ScheduleBlockDeleted = "schedule_block.deleted",
    /// One occurrence of a block was edited, cancelled or completed (the series is
    /// unchanged).
    ScheduleOccurrenceUpdated = "schedule_occurrence.updated",
    /// Progress of a schedule draft being generated (`POST /api/schedule/generate`).
    ScheduleGenerationProgress = "schedule.generation_progress",
    /// A generated schedule draft is ready to be reviewed and accepted.
    ScheduleDraftReady = "schedule.draft_ready",

    /// A weekly plan was created (with its days).
    WeeklyPlanCreated = "weekly_plan.created",
    /// A weekly plan changed (with its days).
    WeeklyPlanUpdated = "weekly_plan.updated",
    /// A weekly plan was deleted (its days stay, unlinked).
    WeeklyPlanDeleted = "weekly_plan.deleted",
    /// A daily plan was created (with its items).
    DailyPlanCreated = "daily_plan.created",
    /// A daily plan changed, or the order of its items did (with its items).
    DailyPlanUpdated = "daily_plan.updated",
    /// A daily plan was deleted with its items.
    DailyPlanDeleted = "daily_plan.deleted",
    /// An item was added to a daily plan.
    PlanItemCreated = "plan_item.created",
    /// A plan item changed.
    PlanItemUpdated = "plan_item.updated",
    /// A plan item was deleted (the ones after it moved up).
    PlanItemDeleted = "plan_item.deleted",

    /// A note was created.
    NoteCreated = "note.created",
    /// A note changed, or was archived or unarchived.
    NoteUpdated = "note.updated",
    /// A note was deleted.
    NoteDeleted = "note.deleted",

    /// A private resource was added to the catalogue.
    ResourceCreated = "resource.created",
    /// A private resource changed.
    ResourceUpdated = "resource.updated",
    /// A private resource was deleted.
    ResourceDeleted = "resource.deleted",
    /// A resource was saved to the user's list.
    SavedResourceCreated = "saved_resource.created",
    /// A saved resource's progress, rating or notes changed.
    SavedResourceUpdated = "saved_resource.updated",
    /// A resource was removed from the user's list.
    SavedResourceDeleted = "saved_resource.deleted",

    /// A notification arrived (a reminder, a billing notice…): the in-app channel.
    NotificationCreated = "notification.created",
    /// A notification was read.
    NotificationUpdated = "notification.updated",
    /// A notification was deleted.
    NotificationDeleted = "notification.deleted",
    /// Every notification was marked read.
    NotificationAllRead = "notification.all_read",
    /// The notification settings changed (channels per kind, quiet hours).
    NotificationPreferencesUpdated = "notification.preferences_updated",

    /// The subscription changed (checkout, renewal, failed payment, cancel, resume,
    /// downgrade).
    SubscriptionUpdated = "subscription.updated",

    /// A piece of the assistant's answer as it is written. Join the `text` of the
    /// deltas of one turn; `reset: true` means start the turn's text again (a
    /// fallback model took over).
    ChatDelta = "chat.delta",
    /// A tool call of the assistant: `planned` (with its arguments), then
    /// `completed`, `failed` or `skipped` (with a summary).
    ChatToolCall = "chat.tool_call",
    /// The assistant wants to run destructive or bulk changes: confirm or reject them
    /// (`POST /api/chat/actions/{id}/confirm|reject`) before `expires_at`.
    ChatConfirmationRequired = "chat.confirmation_required",
    /// The action is over: the final answer and how it ended.
    ChatDone = "chat.done",
    /// An action of the assistant was undone; the restored rows follow as their own
    /// events (`task.created`, `task.updated`, …).
    AiActionUndone = "ai_action.undone",

    /// A voice message waits: the speech service is unavailable, and the message is
    /// retried for a few minutes (typed chat keeps working). Sent once per message.
    VoicePending = "voice.pending",
    /// What was heard in a voice message; it is now the user's message in the
    /// conversation (`source: voice`), and the assistant's `chat.*` events follow.
    VoiceTranscript = "voice.transcript",
    /// The assistant's answer to a voice message, spoken: a signed, expiring URL to
    /// the audio.
    VoiceAudio = "voice.audio",
    /// A voice message could not be heard (nothing was answered) or its answer could
    /// not be spoken (it is in the conversation as text).
    VoiceFailed = "voice.failed",
}

impl EventKind {
    /// A `chat.*` kind: also streamed as Server-Sent Events by the chat answer.
    #[must_use]
    pub fn is_chat(self) -> bool {
        self.as_str().starts_with("chat.")
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for EventKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse()
            .map_err(|_| serde::de::Error::custom(format!("unknown event type {s:?}")))
    }
}

/// An event for one user's WebSocket channel; the transport adds the id and
/// timestamp.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserEvent {
    pub user_id: Uuid,
    #[serde(rename = "type")]
    pub kind: EventKind,
    pub data: Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_and_names_are_unique() {
        let mut names = std::collections::HashSet::new();
        for kind in EventKind::ALL {
            assert!(names.insert(kind.as_str()), "{kind} listed twice");
            assert_eq!(kind.as_str().parse::<EventKind>().ok(), Some(*kind));
            assert!(!kind.description().is_empty());
            let json = serde_json::to_value(kind).expect("serialises");
            assert_eq!(json, kind.as_str());
        }
        assert!("task.exploded".parse::<EventKind>().is_err());
    }

    #[test]
    fn descriptions_are_the_doc_comments() {
        assert_eq!(EventKind::TaskDeleted.description(), "A task was deleted.");
        assert_eq!(
            EventKind::Welcome.description(),
            "The account was created: sent once, by the onboarding workflow, after the welcome e-mail."
        );
    }
}
