//! Stored blocks → occurrences in a window, and conflict checks over them.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use maigie_domain::schedule::{
    CONFLICT_HORIZON_DAYS, Exception, Occurrence, Series, occurrences, overlapping_pairs,
};
use maigie_store::schedule::{self, BlockRow, ExceptionRow};
use uuid::Uuid;

use super::views::{ConflictPair, OccurrenceView};
use crate::error::{ServiceError, ServiceResult};

/// A transaction on the store.
pub type Tx<'a> = maigie_store::Transaction<'a, maigie_store::Postgres>;

/// Most occurrences one listing returns.
pub const MAX_OCCURRENCES: usize = 2_000;
/// Most conflicting pairs one listing (or one 409) reports.
pub const MAX_CONFLICTS: usize = 200;

/// The timing of a stored block (validated when it was saved).
pub fn series_of(row: &BlockRow) -> ServiceResult<Series> {
    row.series().map_err(ServiceError::internal)
}

/// The exception of a stored row.
pub fn exception_of(e: &ExceptionRow) -> Exception {
    e.exception()
}

/// The effective occurrences of the user's blocks in `[from, to)`, by start.
pub struct Expanded {
    pub blocks: HashMap<Uuid, BlockRow>,
    pub occurrences: Vec<Occurrence>,
    pub truncated: bool,
}

impl Expanded {
    /// The view of one of the expanded occurrences.
    pub fn view(&self, o: &Occurrence) -> ServiceResult<OccurrenceView> {
        let block = self
            .blocks
            .get(&o.block_id)
            .ok_or_else(|| ServiceError::internal(std::fmt::Error))?;
        OccurrenceView::new(o, block)
    }
}

/// Loads and expands the user's blocks overlapping `[from, to)`, leaving out
/// `exclude` (the block being changed).
pub async fn window(
    db: &mut Tx<'_>,
    user_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    exclude: Option<Uuid>,
) -> ServiceResult<Expanded> {
    let rows = schedule::in_window(&mut **db, user_id, from, to).await?;
    let rows: Vec<BlockRow> = rows.into_iter().filter(|r| Some(r.id) != exclude).collect();
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut exceptions: HashMap<Uuid, Vec<Exception>> = HashMap::new();
    for e in schedule::exceptions_of(&mut **db, user_id, &ids).await? {
        exceptions
            .entry(e.block_id)
            .or_default()
            .push(exception_of(&e));
    }
    let mut all = Vec::new();
    for row in &rows {
        let series = series_of(row)?;
        let list = exceptions.get(&row.id).map_or(&[][..], Vec::as_slice);
        let occ = occurrences(row.id, &series, list, from, to, MAX_OCCURRENCES + 1)
            .map_err(ServiceError::internal)?;
        all.extend(occ);
    }
    all.sort_by_key(|o| (o.start, o.block_id, o.occurrence_start));
    let truncated = all.len() > MAX_OCCURRENCES;
    all.truncate(MAX_OCCURRENCES);
    Ok(Expanded {
        blocks: rows.into_iter().map(|r| (r.id, r)).collect(),
        occurrences: all,
        truncated,
    })
}

/// Overlapping pairs among `occurrences` (different blocks), as views.
pub fn pairs(expanded: &Expanded) -> ServiceResult<(Vec<ConflictPair>, bool)> {
    let found = overlapping_pairs(&expanded.occurrences, MAX_CONFLICTS + 1);
    let truncated = found.len() > MAX_CONFLICTS;
    let items = found
        .into_iter()
        .take(MAX_CONFLICTS)
        .map(|(a, b)| {
            Ok(ConflictPair {
                first: expanded.view(&expanded.occurrences[a])?,
                second: expanded.view(&expanded.occurrences[b])?,
            })
        })
        .collect::<ServiceResult<_>>()?;
    Ok((items, truncated))
}

/// The window a new or moved block is checked in: a one-off block's own time; for a
/// series, [`CONFLICT_HORIZON_DAYS`] from its start or from now, whichever is later.
pub fn horizon(series: &Series, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    if series.rule.is_none() {
        return (series.start, series.end);
    }
    let from = series.start.max(now);
    (from, from + Duration::days(CONFLICT_HORIZON_DAYS))
}

/// The user's other occurrences that overlap any of `mine` (all of one block).
pub async fn conflicts_with(
    db: &mut Tx<'_>,
    user_id: Uuid,
    mine: Vec<Occurrence>,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> ServiceResult<Vec<OccurrenceView>> {
    let Some(own) = mine.first().map(|o| o.block_id) else {
        return Ok(Vec::new());
    };
    let mut others = window(db, user_id, from, to, Some(own)).await?;
    let split = others.occurrences.len();
    others.occurrences.extend(mine);
    let mut hit: Vec<usize> = overlapping_pairs(&others.occurrences, usize::MAX)
        .into_iter()
        .map(|(a, b)| if a < split { a } else { b })
        .filter(|&i| i < split)
        .collect();
    hit.sort_unstable();
    hit.dedup();
    hit.truncate(MAX_CONFLICTS);
    hit.into_iter()
        .map(|i| others.view(&others.occurrences[i]))
        .collect()
}

/// `schedule_conflict`, listing the occurrences in the way.
pub fn conflict_error(conflicts: &[OccurrenceView]) -> ServiceError {
    ServiceError::ConflictWith {
        code: "schedule_conflict",
        message: format!(
            "This overlaps {} other occurrence(s); retry with ?allow_overlap=true to save anyway.",
            conflicts.len()
        ),
        details: serde_json::json!({ "conflicts": conflicts }),
    }
}
