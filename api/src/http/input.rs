//! Helpers for turning request input into domain values with field-level errors.

use std::str::FromStr;

use maigie_domain::{InputError, Validation};
use serde::{Deserialize, Deserializer};

use crate::error::{ApiError, ApiResult};

/// For PATCH bodies: distinguishes an absent field (`None`) from an explicit `null`
/// (`Some(None)`, "clear it"). Use with `#[serde(default, deserialize_with = "nullable")]`.
pub fn nullable<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// Parses an optional enum-like text field, recording a field error if it is unknown.
pub fn parse_enum<T: FromStr<Err = InputError>>(
    v: &mut Validation,
    field: &str,
    raw: Option<&str>,
) -> Option<T> {
    raw.and_then(|s| v.check(field, s.parse::<T>()))
}

/// Unwraps a value that validation has already vouched for.
pub fn present<T>(value: Option<T>) -> ApiResult<T> {
    value.ok_or_else(|| ApiError::internal(std::io::Error::other("validated value missing")))
}
