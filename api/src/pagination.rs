//! Cursor pagination (see [`maigie_services::pagination`]), plus the conversion of
//! rows to views for the handlers that still read the store directly.

pub use maigie_services::pagination::{
    DEFAULT_LIMIT, MAX_LIMIT, Page, decode, encode, limit, paginate,
};

use crate::error::ApiError;

/// Converts rows to views, failing on a row the domain cannot read.
pub fn views<R, V: TryFrom<R, Error = ApiError>>(rows: Vec<R>) -> Result<Vec<V>, ApiError> {
    rows.into_iter().map(V::try_from).collect()
}
