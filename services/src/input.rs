//! Helpers for turning request input into domain values with field-level errors.

use std::str::FromStr;

use maigie_domain::{InputError, Validation};
use serde::{Deserialize, Deserializer};

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

/// Parses a query value as the serde form of `T` (e.g. a sort key), recording a field
/// error if it is unknown.
pub fn parse_query<T: serde::de::DeserializeOwned>(
    v: &mut Validation,
    field: &str,
    raw: Option<&str>,
) -> Option<T> {
    let raw = raw?;
    match serde_json::from_value(serde_json::Value::String(raw.to_owned())) {
        Ok(t) => Some(t),
        Err(_) => {
            v.push(field, "unknown_value", format!("unknown value {raw:?}"));
            None
        }
    }
}
