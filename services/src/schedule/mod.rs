//! The schedule: blocks (one-off or recurring series), their occurrences in a
//! window, per-occurrence edits, and conflicts. The time-zone and DST policy is
//! documented in [`maigie_domain::schedule`].
//!
//! Every write locks the user's schedule (so two creates cannot both pass the
//! conflict check), keeps the block's reminder plan in the same transaction, and
//! announces `schedule_block.created|updated|deleted` or
//! `schedule_occurrence.updated`.

mod blocks;
pub mod calendar;
pub mod drafts;
mod expand;
mod input;
mod occurrences;
mod views;

use chrono::{DateTime, Utc};
use maigie_domain::Validation;
use maigie_domain::schedule as rules;
use maigie_domain::validation::ParseError;
use serde::Deserialize;
use utoipa::IntoParams;

pub use blocks::{BlockListParams, create, delete, get, list, update};
pub use drafts::DraftOptions;
pub use expand::{Expanded, MAX_CONFLICTS, MAX_OCCURRENCES, Tx, exception_of, series_of, window};
pub use input::{CreateBlock, OverlapParams, UpdateBlock, instant};
pub use occurrences::{
    UpdateOccurrence, complete_occurrence, conflicts, occurrences, update_occurrence,
};
pub use views::{BlockPage, BlockView, ConflictList, ConflictPair, OccurrenceList, OccurrenceView};

use crate::error::{ServiceError, ServiceResult};

/// A `[from, to)` window, at most 366 days.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WindowParams {
    /// RFC 3339 (inclusive).
    pub from: Option<String>,
    /// RFC 3339 (exclusive); at most 366 days after `from`.
    pub to: Option<String>,
}

impl WindowParams {
    /// The checked window.
    pub fn parse(&self) -> ServiceResult<(DateTime<Utc>, DateTime<Utc>)> {
        let mut v = Validation::new();
        let mut get = |field: &str, raw: &Option<String>| match raw {
            Some(raw) => instant(&mut v, field, raw),
            None => {
                v.push(field, "required", "is required (RFC 3339)");
                None
            }
        };
        let (from, to) = (get("from", &self.from), get("to", &self.to));
        v.finish()?;
        let (Some(from), Some(to)) = (from, to) else {
            return Err(ServiceError::invalid_field(
                "from",
                "required",
                "is required",
            ));
        };
        rules::window(from, to)
            .map_err(|e| ServiceError::invalid_field("to", e.code(), e.to_string()))
    }
}
