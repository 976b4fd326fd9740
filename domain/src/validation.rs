//! Field-level validation reports: one entry per bad field, so clients can show
//! each message next to its input.

use serde::Serialize;

/// One rejected field: which, a stable machine code, and a human message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

/// Collects field errors while a request body is parsed into domain values.
#[derive(Debug, Default)]
pub struct Validation {
    errors: Vec<FieldError>,
}

impl Validation {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the error of `result` under `field` and returns the value, if any.
    pub fn check<T, E: ParseError>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(err) => {
                self.push(field, err.code(), err.to_string());
                None
            }
        }
    }

    pub fn push(&mut self, field: &str, code: &'static str, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.to_owned(),
            code,
            message: message.into(),
        });
    }

    /// `Ok(())` when no field failed, else every failure at once.
    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}

/// A parse error that knows its stable machine code.
pub trait ParseError: std::fmt::Display {
    fn code(&self) -> &'static str;
}

/// Why a piece of input was rejected; each variant has a stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("must be a valid e-mail address")]
    InvalidEmail,
    #[error("must be at most {max} characters")]
    TooLong { max: usize },
    #[error("must be at least {min} characters")]
    TooShort { min: usize },
    #[error("must not be blank")]
    Blank,
    #[error("must be an IANA time zone such as Europe/Paris, not {0:?}")]
    UnknownTimezone(String),
    #[error("must be a JSON object of at most {max} bytes")]
    BadPreferences { max: usize },
    #[error("unknown value {0:?}")]
    UnknownVariant(String),
    #[error("at most {max} items")]
    TooMany { max: usize },
    #[error("must be between {min} and {max}")]
    OutOfRange { min: String, max: String },
    #[error("must not contain control characters")]
    ControlCharacters,
    #[error("invalid notification settings: {0}")]
    BadNotificationSettings(String),
}

impl ParseError for InputError {
    fn code(&self) -> &'static str {
        match self {
            Self::InvalidEmail => "invalid_email",
            Self::TooLong { .. } => "too_long",
            Self::TooShort { .. } => "too_short",
            Self::Blank => "blank",
            Self::UnknownTimezone(_) => "unknown_timezone",
            Self::BadPreferences { .. } => "invalid_preferences",
            Self::UnknownVariant(_) => "unknown_value",
            Self::TooMany { .. } => "too_many",
            Self::OutOfRange { .. } => "out_of_range",
            Self::ControlCharacters => "control_characters",
            Self::BadNotificationSettings(_) => "invalid_notification_settings",
        }
    }
}
