//! Maigie's domain vocabulary: values that parse themselves (`Email`, `Password`,
//! `Timezone`, `DisplayName`), account enums (`Role`, `Tier`) and the field-level
//! validation report every layer shares. Nothing here does I/O, so every rule is
//! unit-tested beside its type.

pub mod account;
pub mod event;
pub mod validation;

pub use account::{DisplayName, Email, Password, Preferences, Role, Tier, Timezone};
pub use event::UserEvent;
pub use validation::{FieldError, Validation};
