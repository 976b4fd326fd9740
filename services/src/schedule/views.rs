//! Response shapes for schedule blocks and their occurrences.

use chrono::{DateTime, Utc};
use maigie_domain::schedule::{BlockType, Occurrence};
use maigie_store::schedule::BlockRow;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ServiceError;

/// A schedule block (a series when `rrule` is set).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BlockView {
    pub id: Uuid,
    pub title: String,
    pub description: Option<String>,
    /// The first occurrence.
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    /// IANA zone the rule is expanded in.
    #[schema(example = "Europe/London")]
    pub timezone: String,
    pub block_type: BlockType,
    pub course_id: Option<Uuid>,
    pub goal_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    /// Canonical RRULE (UNTIL in UTC).
    #[schema(example = "FREQ=WEEKLY;BYDAY=MO")]
    pub rrule: Option<String>,
    /// End of the last occurrence of a bounded series.
    pub recurrence_end_at: Option<DateTime<Utc>>,
    pub reminder_minutes: Option<i32>,
    /// Completion of a one-off block.
    pub completed_at: Option<DateTime<Utc>>,
    pub is_ai_generated: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<&BlockRow> for BlockView {
    type Error = ServiceError;

    fn try_from(r: &BlockRow) -> Result<Self, ServiceError> {
        Ok(Self {
            id: r.id,
            title: r.title.clone(),
            description: r.description.clone(),
            start_at: r.start_at,
            end_at: r.end_at,
            timezone: r.timezone.clone(),
            block_type: r.block_type.parse().map_err(ServiceError::internal)?,
            course_id: r.course_id,
            goal_id: r.goal_id,
            task_id: r.task_id,
            rrule: r.recurrence_rule.clone(),
            recurrence_end_at: r.recurrence_end_at,
            reminder_minutes: r.reminder_minutes,
            completed_at: r.completed_at,
            is_ai_generated: r.is_ai_generated,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// One occurrence of a block, exceptions applied.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OccurrenceView {
    pub block_id: Uuid,
    /// The start the rule generated: this occurrence's key in
    /// `/api/schedule/{id}/occurrences/{occurrence_start}`, even after a move.
    pub occurrence_start: DateTime<Utc>,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    pub title: String,
    pub block_type: BlockType,
    pub timezone: String,
    pub recurring: bool,
    /// Moved away from the time the rule gives.
    pub moved: bool,
    /// Only ever true in the answer to the PATCH that cancelled it: listings leave
    /// cancelled occurrences out.
    pub cancelled: bool,
    pub completed: bool,
    pub completed_at: Option<DateTime<Utc>>,
    pub course_id: Option<Uuid>,
    pub goal_id: Option<Uuid>,
    pub reminder_minutes: Option<i32>,
}

impl OccurrenceView {
    /// The view of occurrence `o` of `block`.
    pub fn new(o: &Occurrence, block: &BlockRow) -> Result<Self, ServiceError> {
        let recurring = block.recurrence_rule.is_some();
        // A one-off block has no exceptions: its completion is the block's.
        let completed_at = if recurring {
            o.completed_at
        } else {
            block.completed_at
        };
        Ok(Self {
            block_id: block.id,
            occurrence_start: o.occurrence_start,
            start_at: o.start,
            end_at: o.end,
            title: o.title.clone().unwrap_or_else(|| block.title.clone()),
            block_type: block.block_type.parse().map_err(ServiceError::internal)?,
            timezone: block.timezone.clone(),
            recurring,
            moved: o.moved,
            cancelled: false,
            completed: completed_at.is_some(),
            completed_at,
            course_id: block.course_id,
            goal_id: block.goal_id,
            reminder_minutes: block.reminder_minutes,
        })
    }
}

/// Occurrences in a window, by start.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OccurrenceList {
    pub items: Vec<OccurrenceView>,
    /// More occurrences than the cap fall in the window: ask again from the last
    /// `start_at`.
    pub truncated: bool,
}

/// Two occurrences of different blocks that overlap.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConflictPair {
    pub first: OccurrenceView,
    pub second: OccurrenceView,
}

/// Overlapping pairs in a window, by the first one's start.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConflictList {
    pub items: Vec<ConflictPair>,
    pub truncated: bool,
}

/// A page of blocks (series) by start.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BlockPage {
    pub items: Vec<BlockView>,
    pub next_cursor: Option<String>,
}
