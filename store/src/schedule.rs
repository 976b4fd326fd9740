//! SQL for schedule blocks, their per-occurrence exceptions, and the calendar feed
//! (the user's feed secret and the due tasks it lists).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use maigie_domain::Timezone;
use maigie_domain::schedule::{Exception, Rule, ScheduleError, Series, Span};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::StoreError;

/// The composite foreign keys that refuse links to another user's rows.
pub const COURSE_FKEY: &str = "schedule_blocks_course_fkey";
pub const GOAL_FKEY: &str = "schedule_blocks_goal_fkey";
pub const TASK_FKEY: &str = "schedule_blocks_task_fkey";

/// Most blocks one feed or window query loads.
const MAX_BLOCKS: i64 = 5_000;

macro_rules! columns {
    () => {
        "id, title, description, start_at, end_at, timezone, block_type, course_id, goal_id, \
         task_id, recurrence_rule, recurrence_end_at, reminder_minutes, completed_at, \
         is_ai_generated, created_at, updated_at"
    };
}

macro_rules! exception_columns {
    () => {
        "block_id, occurrence_start, cancelled, override_start_at, override_end_at, \
         override_title, completed_at, updated_at"
    };
}

/// A schedule block as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BlockRow {
    pub id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    pub timezone: String,
    pub block_type: String,
    pub course_id: Option<Uuid>,
    pub goal_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub recurrence_rule: Option<String>,
    pub recurrence_end_at: Option<DateTime<Utc>>,
    pub reminder_minutes: Option<i32>,
    pub completed_at: Option<DateTime<Utc>>,
    pub is_ai_generated: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Every writable column of a block (PATCH merges into the current row first).
#[derive(Debug, Clone)]
pub struct BlockFields {
    pub title: String,
    pub description: Option<String>,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    pub timezone: String,
    pub block_type: String,
    pub course_id: Option<Uuid>,
    pub goal_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub recurrence_rule: Option<String>,
    pub recurrence_end_at: Option<DateTime<Utc>>,
    pub reminder_minutes: Option<i32>,
    pub completed_at: Option<DateTime<Utc>>,
}

impl From<&BlockRow> for BlockFields {
    fn from(r: &BlockRow) -> Self {
        Self {
            title: r.title.clone(),
            description: r.description.clone(),
            start_at: r.start_at,
            end_at: r.end_at,
            timezone: r.timezone.clone(),
            block_type: r.block_type.clone(),
            course_id: r.course_id,
            goal_id: r.goal_id,
            task_id: r.task_id,
            recurrence_rule: r.recurrence_rule.clone(),
            recurrence_end_at: r.recurrence_end_at,
            reminder_minutes: r.reminder_minutes,
            completed_at: r.completed_at,
        }
    }
}

/// One occurrence's exception as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExceptionRow {
    pub block_id: Uuid,
    pub occurrence_start: DateTime<Utc>,
    pub cancelled: bool,
    pub override_start_at: Option<DateTime<Utc>>,
    pub override_end_at: Option<DateTime<Utc>>,
    pub override_title: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl BlockRow {
    /// The block's timing (validated when it was saved).
    pub fn series(&self) -> Result<Series, ScheduleError> {
        let tz = Timezone::parse(&self.timezone)
            .map_err(|e| ScheduleError::InvalidRule(e.to_string()))?
            .tz();
        let rule = self
            .recurrence_rule
            .as_deref()
            .map(|r| Rule::parse(r, tz))
            .transpose()?;
        Ok(Series {
            start: self.start_at,
            end: self.end_at,
            tz,
            rule,
        })
    }
}

impl ExceptionRow {
    #[must_use]
    pub fn exception(&self) -> Exception {
        Exception {
            occurrence_start: self.occurrence_start,
            cancelled: self.cancelled,
            moved_to: self
                .override_start_at
                .zip(self.override_end_at)
                .map(|(start, end)| Span { start, end }),
            title: self.override_title.clone(),
            completed_at: self.completed_at,
        }
    }
}

/// Serialises schedule writes per user (until commit), so two concurrent creates
/// cannot both pass the conflict check.
pub async fn lock_user_schedule(tx: &mut PgConnection, user_id: Uuid) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('schedule'), hashtext($1::text))")
        .bind(user_id)
        .execute(tx)
        .await?;
    Ok(())
}

/// The user's own time zone (the default for new blocks).
pub async fn user_timezone(db: impl PgExecutor<'_>, user_id: Uuid) -> Result<String, StoreError> {
    sqlx::query_scalar("SELECT timezone FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(db)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn insert(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    f: &BlockFields,
) -> Result<BlockRow, StoreError> {
    let sql = concat!(
        "INSERT INTO schedule_blocks (user_id, title, description, start_at, end_at, timezone,
             block_type, course_id, goal_id, task_id, recurrence_rule, recurrence_end_at,
             reminder_minutes, completed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING ",
        columns!()
    );
    bind_fields(sqlx::query_as(sql).bind(user_id), f)
        .fetch_one(db)
        .await
        .map_err(Into::into)
}

/// Overwrites every writable column of the user's block.
pub async fn update(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
    f: &BlockFields,
) -> Result<BlockRow, StoreError> {
    let sql = concat!(
        "UPDATE schedule_blocks SET title = $2, description = $3, start_at = $4, end_at = $5,
             timezone = $6, block_type = $7, course_id = $8, goal_id = $9, task_id = $10,
             recurrence_rule = $11, recurrence_end_at = $12, reminder_minutes = $13,
             completed_at = $14
         WHERE id = $1 AND user_id = $15 RETURNING ",
        columns!()
    );
    bind_fields(sqlx::query_as(sql).bind(id), f)
        .bind(user_id)
        .fetch_optional(db)
        .await?
        .ok_or(StoreError::NotFound)
}

type RowQuery<'q> = sqlx::query::QueryAs<'q, sqlx::Postgres, BlockRow, sqlx::postgres::PgArguments>;

fn bind_fields<'q>(q: RowQuery<'q>, f: &'q BlockFields) -> RowQuery<'q> {
    q.bind(&f.title)
        .bind(&f.description)
        .bind(f.start_at)
        .bind(f.end_at)
        .bind(&f.timezone)
        .bind(&f.block_type)
        .bind(f.course_id)
        .bind(f.goal_id)
        .bind(f.task_id)
        .bind(&f.recurrence_rule)
        .bind(f.recurrence_end_at)
        .bind(f.reminder_minutes)
        .bind(f.completed_at)
}

/// The user's block; [`StoreError::NotFound`] for a missing or foreign id.
pub async fn get(db: impl PgExecutor<'_>, user_id: Uuid, id: Uuid) -> Result<BlockRow, StoreError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM schedule_blocks WHERE id = $1 AND user_id = $2"
    );
    sqlx::query_as(sql)
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn delete(db: impl PgExecutor<'_>, user_id: Uuid, id: Uuid) -> Result<(), StoreError> {
    crate::rows::delete_owned(
        db,
        "DELETE FROM schedule_blocks WHERE id = $1 AND user_id = $2",
        id,
        user_id,
    )
    .await
}

/// A page of the user's blocks (series, not occurrences) in `(start_at, id)` order,
/// strictly after `after`.
pub async fn list(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<BlockRow>, StoreError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM schedule_blocks WHERE user_id = $1
           AND ($2::timestamptz IS NULL OR (start_at, id) > ($2, $3))
         ORDER BY start_at, id LIMIT $4"
    );
    let (at, id) = after.map_or((None, None), |(a, i)| (Some(a), Some(i)));
    Ok(sqlx::query_as(sql)
        .bind(user_id)
        .bind(at)
        .bind(id)
        .bind(limit)
        .fetch_all(db)
        .await?)
}

/// Blocks that may have an occurrence overlapping `[from, to)`: one-off blocks that
/// overlap it, recurring series begun before `to` and not finished before `from`,
/// and any block with an occurrence moved into the window.
pub async fn in_window(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<BlockRow>, StoreError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM schedule_blocks b WHERE user_id = $1 AND (
             (recurrence_rule IS NULL AND start_at < $3 AND end_at > $2)
          OR (recurrence_rule IS NOT NULL AND start_at < $3
              AND (recurrence_end_at IS NULL OR recurrence_end_at > $2))
          OR EXISTS (SELECT 1 FROM schedule_block_exceptions e
                      WHERE e.block_id = b.id AND e.user_id = $1
                        AND e.override_start_at < $3 AND e.override_end_at > $2))
         ORDER BY start_at, id LIMIT $4"
    );
    Ok(sqlx::query_as(sql)
        .bind(user_id)
        .bind(from)
        .bind(to)
        .bind(MAX_BLOCKS)
        .fetch_all(db)
        .await?)
}

mod exceptions;
mod feed;
mod reminder;

pub use exceptions::{clear_exceptions, exceptions_of, put_exception};
pub use feed::{DueTaskRow, all_blocks, due_tasks, set_calendar_token, user_by_calendar_token};
pub use reminder::{BlockReminder, next_reminder};
