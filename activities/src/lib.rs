//! Implementations of the activities declared in `maigie_workflows::contracts`.
//! Each holds its dependencies (mailer, event bus) on `self`, so tests and the worker
//! build them the same way.

pub mod account_mail;
pub mod analytics;
pub mod billing;
mod bindings;
mod heartbeat;
pub mod knowledge;
pub mod mail;
pub mod notify;
pub mod reminders;
pub mod templates;
pub mod voice;

pub use bindings::CoreActivities;
pub use mail::{MailError, Mailer};
