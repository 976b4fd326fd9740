//! Schedule-generation drafts and what the planner reads: pending tasks with a due,
//! active goals, unfinished course topics with their estimated hours.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use sqlx::{PgExecutor, PgPool};
use uuid::Uuid;

use crate::StoreError;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DraftRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub workflow_id: String,
    pub status: String,
    pub window_from: DateTime<Utc>,
    pub window_to: DateTime<Utc>,
    pub options: Value,
    pub plan: Option<Value>,
    pub explanation: Option<String>,
    pub created_blocks: Vec<Uuid>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const DRAFT: &str = "id, user_id, workflow_id, status, window_from, window_to, options, plan, explanation, \
    created_blocks, error, created_at, updated_at";

pub async fn create(
    db: impl PgExecutor<'_>,
    id: Uuid,
    user_id: Uuid,
    workflow_id: &str,
    window: (DateTime<Utc>, DateTime<Utc>),
    options: &Value,
) -> Result<DraftRow, StoreError> {
    let sql = format!(
        "INSERT INTO schedule_drafts (id, user_id, workflow_id, window_from, window_to, options)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {DRAFT}"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(user_id)
        .bind(workflow_id)
        .bind(window.0)
        .bind(window.1)
        .bind(options)
        .fetch_one(db)
        .await?)
}

pub async fn get(db: impl PgExecutor<'_>, user_id: Uuid, id: Uuid) -> Result<DraftRow, StoreError> {
    let sql = format!("SELECT {DRAFT} FROM schedule_drafts WHERE id = $1 AND user_id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Stores the planner's result (status stays `generating` until explained).
pub async fn set_plan(db: &PgPool, id: Uuid, plan: &Value) -> Result<(), StoreError> {
    sqlx::query("UPDATE schedule_drafts SET plan = $2 WHERE id = $1 AND status = 'generating'")
        .bind(id)
        .bind(plan)
        .execute(db)
        .await?;
    Ok(())
}

/// The draft is ready for the user.
pub async fn set_ready(db: &PgPool, id: Uuid, explanation: &str) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE schedule_drafts SET explanation = left($2, 5000), status = 'ready'
         WHERE id = $1 AND status = 'generating'",
    )
    .bind(id)
    .bind(explanation)
    .execute(db)
    .await?;
    Ok(())
}

/// Moves a draft from `from` to `to` (answers false when it was not in `from`).
pub async fn transition(
    db: impl PgExecutor<'_>,
    id: Uuid,
    from: &str,
    to: &str,
    blocks: &[Uuid],
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE schedule_drafts SET status = $3, created_blocks = $4 WHERE id = $1 AND status = $2",
    )
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(blocks)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A pending task with a due.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueTask {
    pub id: Uuid,
    pub title: String,
    pub priority: String,
    pub due_at: Option<DateTime<Utc>>,
    pub due_date: Option<NaiveDate>,
}

/// Pending tasks due after `after` and no later than `until` (all-day dues by date).
pub async fn due_tasks(
    db: &PgPool,
    user_id: Uuid,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<DueTask>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, title, priority, due_at, due_date FROM tasks
         WHERE user_id = $1 AND NOT completed
           AND ((due_at > $2 AND due_at <= $3) OR (due_date >= $2::date AND due_date <= $3::date))
         ORDER BY id LIMIT 500",
    )
    .bind(user_id)
    .bind(after)
    .bind(until)
    .fetch_all(db)
    .await?)
}

/// An active goal.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActiveGoal {
    pub id: Uuid,
    pub title: String,
    pub priority: String,
    pub target_date: Option<NaiveDate>,
}

pub async fn active_goals(db: &PgPool, user_id: Uuid) -> Result<Vec<ActiveGoal>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, title, priority, target_date FROM goals
         WHERE user_id = $1 AND status IN ('NOT_STARTED', 'IN_PROGRESS') ORDER BY id LIMIT 200",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?)
}

/// An unfinished topic with an estimate, of a course still running.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenTopic {
    pub id: Uuid,
    pub title: String,
    pub course_title: String,
    pub estimated_hours: f32,
    pub target_date: Option<NaiveDate>,
}

pub async fn open_topics(db: &PgPool, user_id: Uuid) -> Result<Vec<OpenTopic>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT t.id, t.title, c.title AS course_title, t.estimated_hours, c.target_date
         FROM topics t JOIN modules m ON m.id = t.module_id JOIN courses c ON c.id = m.course_id
         WHERE t.user_id = $1 AND NOT t.completed AND t.estimated_hours IS NOT NULL
           AND c.archived_at IS NULL AND c.completed_at IS NULL
         ORDER BY t.id LIMIT 500",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?)
}
