//! Cursor pagination with a stable order: the cursor carries the sort key and id of
//! the last row returned, and the next page starts strictly after that pair (keyset
//! pagination), so rows inserted meanwhile neither repeat nor shift a page.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::ServiceError;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// Encodes the position after the last row of a page.
#[must_use]
pub fn encode<K: Serialize>(key: &K) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

/// Decodes a cursor from a client; anything malformed is `invalid_cursor`.
pub fn decode<K: DeserializeOwned>(cursor: &str) -> Result<K, ServiceError> {
    let invalid = || {
        ServiceError::bad_request(
            "invalid_cursor",
            "The cursor is malformed or stale; start again without it.",
        )
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .map_err(|_| invalid())?;
    serde_json::from_slice(&bytes).map_err(|_| invalid())
}

/// The page size a client asked for, checked.
pub fn limit(requested: Option<i64>) -> Result<i64, ServiceError> {
    match requested {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(ServiceError::invalid_field(
            "limit",
            "out_of_range",
            format!("must be between 1 and {MAX_LIMIT}"),
        )),
    }
}

/// Keeps `limit` of the `limit + 1` rows fetched; answers them and, when there were
/// more, the cursor after the last one kept.
pub fn paginate<R, K: Serialize>(
    mut rows: Vec<R>,
    limit: i64,
    key: impl Fn(&R) -> K,
) -> (Vec<R>, Option<String>) {
    let limit = usize::try_from(limit).unwrap_or(0);
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = if more {
        rows.last().map(|r| encode(&key(r)))
    } else {
        None
    };
    (rows, next)
}

/// A page of results.
#[derive(Debug, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = encode(&("2026-01-01", 7));
        assert_eq!(
            decode::<(String, i32)>(&c).ok(),
            Some(("2026-01-01".into(), 7))
        );
        assert!(decode::<(String, i32)>("!!").is_err());
        assert!(decode::<(String, i32)>(&encode(&"x")).is_err());
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(limit(None).ok(), Some(DEFAULT_LIMIT));
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(MAX_LIMIT + 1)).is_err());
    }
}
