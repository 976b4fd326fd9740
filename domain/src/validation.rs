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
