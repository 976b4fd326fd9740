//! Maigie's domain vocabulary: values that parse themselves (`Email`, `Password`,
//! `Timezone`, `DisplayName`), account enums (`Role`, `Tier`) and the field-level
//! validation report every layer shares, and the study-schedule [`planner`]. Nothing
//! here does I/O, so every rule is unit-tested beside its type.

#[macro_use]
mod macros;

pub mod account;
pub mod analytics;
pub mod courses;
pub mod event;
pub mod goals;
pub mod hex;
pub mod html;
pub mod intent;
pub mod knowledge;
pub mod notes;
pub mod notifications;
pub mod planner;
pub mod planning;
pub mod plans;
pub mod recurrence;
pub mod resources;
pub mod schedule;
pub mod tasks;
pub mod validation;

pub use account::{DisplayName, Email, Password, Preferences, Role, Tier, Timezone};
pub use event::{EventKind, UserEvent};
pub use planning::{Priority, Tags, Title};
pub use validation::{FieldError, InputError, Validation};
