//! Tasks: CRUD, filtered and sorted lists with keyset pagination, and completion of
//! recurring tasks (exactly one next occurrence, whatever the retries).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use sqlx::{PgExecutor, PgPool, Postgres, QueryBuilder, Transaction};
use uuid::Uuid;

use crate::StoreError;

/// A foreign goal (or another user's) was referenced.
pub const GOAL_FKEY: &str = "tasks_goal_fkey";

macro_rules! columns {
    () => {
        "id, goal_id, title, description, priority, tags, due_at, due_date, recurrence_rule, \
         recurrence_mode, recurrence_parent_id, recurrence_anchor, occurrence_index, completed, \
         completed_at, position, is_ai_generated, created_at, updated_at, reminder_minutes"
    };
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TaskRow {
    pub id: Uuid,
    pub goal_id: Option<Uuid>,
    pub title: String,
    pub description: Option<String>,
    pub priority: String,
    pub tags: Vec<String>,
    pub due_at: Option<DateTime<Utc>>,
    pub due_date: Option<NaiveDate>,
    pub recurrence_rule: Option<String>,
    pub recurrence_mode: String,
    pub recurrence_parent_id: Option<Uuid>,
    pub recurrence_anchor: Option<NaiveDateTime>,
    pub occurrence_index: i32,
    pub completed: bool,
    pub completed_at: Option<DateTime<Utc>>,
    pub position: i32,
    pub is_ai_generated: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub reminder_minutes: Option<i32>,
}

/// A task as written. On update, every field is written as given: the API layer
/// merges a patch into the stored task first, so the domain rules see the whole.
#[derive(Debug, Clone, Default)]
pub struct TaskFields {
    pub goal_id: Option<Uuid>,
    pub title: String,
    pub description: Option<String>,
    pub priority: String,
    pub tags: Vec<String>,
    pub due_at: Option<DateTime<Utc>>,
    pub due_date: Option<NaiveDate>,
    pub recurrence_rule: Option<String>,
    pub recurrence_mode: String,
    pub recurrence_anchor: Option<NaiveDateTime>,
    pub reminder_minutes: Option<i32>,
}

impl TaskFields {
    /// The stored fields of a task, to patch.
    #[must_use]
    pub fn of(row: &TaskRow) -> Self {
        Self {
            goal_id: row.goal_id,
            title: row.title.clone(),
            description: row.description.clone(),
            priority: row.priority.clone(),
            tags: row.tags.clone(),
            due_at: row.due_at,
            due_date: row.due_date,
            recurrence_rule: row.recurrence_rule.clone(),
            recurrence_mode: row.recurrence_mode.clone(),
            recurrence_anchor: row.recurrence_anchor,
            reminder_minutes: row.reminder_minutes,
        }
    }
}

pub async fn create(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    f: &TaskFields,
) -> Result<TaskRow, StoreError> {
    let sql = concat!(
        "INSERT INTO tasks (user_id, goal_id, title, description, priority, tags, due_at, due_date,
                            recurrence_rule, recurrence_mode, recurrence_anchor, reminder_minutes, position)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                 COALESCE((SELECT max(position) + 1 FROM tasks WHERE goal_id = $2), 0))
         RETURNING ",
        columns!()
    );
    Ok(sqlx::query_as(sql)
        .bind(user_id)
        .bind(f.goal_id)
        .bind(&f.title)
        .bind(&f.description)
        .bind(&f.priority)
        .bind(&f.tags)
        .bind(f.due_at)
        .bind(f.due_date)
        .bind(&f.recurrence_rule)
        .bind(&f.recurrence_mode)
        .bind(f.recurrence_anchor)
        .bind(f.reminder_minutes)
        .fetch_one(db)
        .await?)
}

pub async fn get(db: impl PgExecutor<'_>, user_id: Uuid, id: Uuid) -> Result<TaskRow, StoreError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM tasks WHERE id = $1 AND user_id = $2"
    );
    sqlx::query_as(sql)
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The task, locked until the transaction ends.
pub async fn lock(
    tx: &mut Transaction<'_, Postgres>,
    user_id: Uuid,
    id: Uuid,
) -> Result<TaskRow, StoreError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM tasks WHERE id = $1 AND user_id = $2 FOR UPDATE"
    );
    sqlx::query_as(sql)
        .bind(id)
        .bind(user_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn update(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
    f: &TaskFields,
) -> Result<TaskRow, StoreError> {
    let sql = concat!(
        "UPDATE tasks SET goal_id = $3, title = $4, description = $5, priority = $6, tags = $7,
                due_at = $8, due_date = $9, recurrence_rule = $10, recurrence_mode = $11,
                recurrence_anchor = $12, reminder_minutes = $13
         WHERE id = $1 AND user_id = $2 RETURNING ",
        columns!()
    );
    sqlx::query_as(sql)
        .bind(id)
        .bind(user_id)
        .bind(f.goal_id)
        .bind(&f.title)
        .bind(&f.description)
        .bind(&f.priority)
        .bind(&f.tags)
        .bind(f.due_at)
        .bind(f.due_date)
        .bind(&f.recurrence_rule)
        .bind(&f.recurrence_mode)
        .bind(f.recurrence_anchor)
        .bind(f.reminder_minutes)
        .fetch_optional(db)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Sets or clears completion (`completed_at` follows).
pub async fn set_completed(
    db: impl PgExecutor<'_>,
    id: Uuid,
    completed: bool,
) -> Result<TaskRow, StoreError> {
    let sql = concat!(
        "UPDATE tasks SET completed = $2,
                completed_at = CASE WHEN $2 THEN COALESCE(completed_at, now()) END
         WHERE id = $1 RETURNING ",
        columns!()
    );
    Ok(sqlx::query_as(sql)
        .bind(id)
        .bind(completed)
        .fetch_one(db)
        .await?)
}

/// Inserts the next occurrence of `parent`, unless it already has one (the unique
/// `tasks_next_occurrence_key`); answers the successor either way.
pub async fn insert_next(
    tx: &mut Transaction<'_, Postgres>,
    user_id: Uuid,
    parent: &TaskRow,
    due_at: Option<DateTime<Utc>>,
    due_date: Option<NaiveDate>,
) -> Result<TaskRow, StoreError> {
    let sql =
        "INSERT INTO tasks (user_id, goal_id, title, description, priority, tags, due_at, due_date,
                            recurrence_rule, recurrence_mode, recurrence_anchor, occurrence_index,
                            recurrence_parent_id, position, is_ai_generated, reminder_minutes)
         SELECT user_id, goal_id, title, description, priority, tags, $3, $4, recurrence_rule,
                recurrence_mode, recurrence_anchor, occurrence_index + 1, id, position, is_ai_generated,
                reminder_minutes
         FROM tasks WHERE id = $2 AND user_id = $1
         ON CONFLICT ON CONSTRAINT tasks_next_occurrence_key DO NOTHING";
    sqlx::query(sql)
        .bind(user_id)
        .bind(parent.id)
        .bind(due_at)
        .bind(due_date)
        .execute(&mut **tx)
        .await?;
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM tasks WHERE recurrence_parent_id = $1"
    );
    Ok(sqlx::query_as(sql)
        .bind(parent.id)
        .fetch_one(&mut **tx)
        .await?)
}

/// The next occurrence already created for `id`, if any.
pub async fn successor(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<TaskRow>, StoreError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM tasks WHERE recurrence_parent_id = $1"
    );
    Ok(sqlx::query_as(sql).bind(id).fetch_optional(db).await?)
}

pub async fn delete(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
) -> Result<Option<Uuid>, StoreError> {
    let goal: Option<Option<Uuid>> =
        sqlx::query_scalar("DELETE FROM tasks WHERE id = $1 AND user_id = $2 RETURNING goal_id")
            .bind(id)
            .bind(user_id)
            .fetch_optional(db)
            .await?;
    goal.ok_or(StoreError::NotFound)
}

/// A task as a reminder source: still pending, and when it is due.
pub async fn reminder_source(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
) -> Result<Option<(bool, Option<DateTime<Utc>>)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT completed, due_at FROM tasks WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .fetch_optional(db)
            .await?,
    )
}

mod list;

pub use list::{ListedTask, SortKey, TaskFilter, list};
