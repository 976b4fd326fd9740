//! Maigie's Temporal workflows and the contracts of the activities they call.
//!
//! Workflows here are deterministic: no I/O, no clock, no randomness (those belong in
//! activities, implemented in `maigie-activities`). Every workflow, activity and signal
//! name is pinned explicitly: defaults come from Rust type names and would break
//! in-flight workflows on a rename.
//!
//! Features: none — the workflows' names, ids and inputs, which the use-cases record in
//! the outbox (no Temporal crate); `client` — the search attributes and summaries a
//! start sets (`visibility`), for the API's starter, which starts workflows by name
//! with JSON inputs; `worker` — the workflow definitions and activity contracts (the
//! Temporal SDK), for the worker only.

pub mod account_mail;
pub mod ai_action;
pub mod analytics;
pub mod billing;
pub mod contracts;
pub mod knowledge_backfill;
pub mod knowledge_index;
pub mod onboarding;
pub mod reminder;
pub mod schedule_generation;
#[cfg(feature = "client")]
pub mod visibility;
pub mod voice_message;
pub mod voice_retention;

pub use onboarding::{OnboardingInput, onboarding_workflow_id};
pub use reminder::{ReminderInput, ReminderPlan};
#[cfg(feature = "worker")]
pub use {onboarding::UserOnboardingWorkflow, reminder::ReminderWorkflow};
