//! Occurrences of a series with its exceptions applied, the next reminder, windows
//! and overlaps.

#[allow(clippy::wildcard_imports)]
use super::*;

/// A stored per-occurrence exception (RFC 5545 RECURRENCE-ID semantics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    pub occurrence_start: DateTime<Utc>,
    pub cancelled: bool,
    pub moved_to: Option<Span>,
    pub title: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// One occurrence as the user sees it (exceptions applied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub block_id: Uuid,
    /// The start the rule generated: the occurrence's key, even when moved.
    pub occurrence_start: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub title: Option<String>,
    pub moved: bool,
    pub completed_at: Option<DateTime<Utc>>,
}

/// The effective occurrences of one block overlapping `[from, to)`: generated ones,
/// minus cancelled, with moves and retitles applied, plus occurrences moved into
/// the window from outside it. Sorted by start.
pub fn occurrences(
    block_id: Uuid,
    series: &Series,
    exceptions: &[Exception],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    cap: usize,
) -> Result<Vec<Occurrence>, ScheduleError> {
    let by_key: HashMap<_, _> = exceptions.iter().map(|e| (e.occurrence_start, e)).collect();
    let overlaps = |s: &Span| s.start < to && s.end > from;
    let mut out = Vec::new();
    let generated = series.spans(from, to, cap)?;
    for span in &generated {
        let exception = by_key.get(&span.start).copied();
        let occ = apply(block_id, *span, exception);
        out.extend(occ.filter(|o| {
            overlaps(&Span {
                start: o.start,
                end: o.end,
            })
        }));
    }
    // Moved in from outside the window: their generated start is not in `generated`.
    for e in exceptions {
        let Some(moved) = e.moved_to else { continue };
        let inside = generated.iter().any(|s| s.start == e.occurrence_start);
        if !e.cancelled && !inside && overlaps(&moved) {
            let span = Span {
                start: e.occurrence_start,
                end: e.occurrence_start + series.duration(),
            };
            out.extend(apply(block_id, span, Some(e)));
        }
    }
    out.sort_by_key(|o| (o.start, o.occurrence_start));
    out.truncate(cap);
    Ok(out)
}

fn apply(block_id: Uuid, span: Span, exception: Option<&Exception>) -> Option<Occurrence> {
    if exception.is_some_and(|e| e.cancelled) {
        return None;
    }
    let moved_to = exception.and_then(|e| e.moved_to);
    let at = moved_to.unwrap_or(span);
    Some(Occurrence {
        block_id,
        occurrence_start: span.start,
        start: at.start,
        end: at.end,
        title: exception.and_then(|e| e.title.clone()),
        moved: moved_to.is_some(),
        completed_at: exception.and_then(|e| e.completed_at),
    })
}

/// How far past its earliest candidate [`next_reminder`] looks (a yearly series
/// always has an occurrence within it).
pub const REMINDER_LOOKAHEAD_DAYS: i64 = 400;

/// The occurrence a block's reminder is next for: the first (exceptions applied, not
/// completed) that starts after `after`, and whose reminder time — `minutes` before
/// its start — is not before `not_before`.
pub fn next_reminder(
    block_id: Uuid,
    series: &Series,
    exceptions: &[Exception],
    minutes: i64,
    after: Option<DateTime<Utc>>,
    not_before: DateTime<Utc>,
) -> Result<Option<Occurrence>, ScheduleError> {
    let mut earliest = not_before + Duration::minutes(minutes);
    if let Some(after) = after {
        earliest = earliest.max(after + Duration::milliseconds(1));
    }
    let to = earliest + Duration::days(REMINDER_LOOKAHEAD_DAYS);
    Ok(
        occurrences(block_id, series, exceptions, earliest, to, MAX_SCAN)?
            .into_iter()
            .find(|o| o.start >= earliest && o.completed_at.is_none()),
    )
}

/// Checks a `[from, to)` query window: `to` after `from`, at most a year long.
pub fn window(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), ScheduleError> {
    if to <= from {
        return Err(ScheduleError::WindowReversed);
    }
    if to - from > Duration::days(MAX_WINDOW_DAYS) {
        return Err(ScheduleError::WindowTooLong);
    }
    Ok((from, to))
}

/// Pairs of occurrences that overlap in time (touching ends do not), each pair once,
/// earlier start first; occurrences of the same block never conflict with each
/// other. At most `cap` pairs.
#[must_use]
pub fn overlapping_pairs(occurrences: &[Occurrence], cap: usize) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..occurrences.len()).collect();
    order.sort_by_key(|&i| (occurrences[i].start, occurrences[i].end));
    let mut pairs = Vec::new();
    for (n, &i) in order.iter().enumerate() {
        let a = &occurrences[i];
        for &j in &order[n + 1..] {
            let b = &occurrences[j];
            if b.start >= a.end {
                break;
            }
            if a.block_id != b.block_id {
                pairs.push((i, j));
                if pairs.len() >= cap {
                    return pairs;
                }
            }
        }
    }
    pairs
}
