//! Implementations of the activities declared in `maigie_workflows::contracts`.
//! Each holds its dependencies (mailer, event bus) on `self`, so tests and the worker
//! build them the same way.

pub mod analytics;
pub mod billing;
pub mod mail;
pub mod reminders;
mod skeleton;

pub use mail::{MailError, Mailer};
pub use skeleton::CoreActivities;
