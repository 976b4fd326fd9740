//! Helpers for turning request input into domain values with field-level errors.

pub use maigie_services::input::{nullable, parse_enum};

use crate::error::{ApiError, ApiResult};

/// Unwraps a value that validation has already vouched for.
pub fn present<T>(value: Option<T>) -> ApiResult<T> {
    value.ok_or_else(|| ApiError::internal(std::io::Error::other("validated value missing")))
}
