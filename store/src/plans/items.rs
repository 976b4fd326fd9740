//! Plan items: the things to do on a day. Their places are changed only in
//! `order.rs`.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::StoreError;

/// A plan item as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlanItemRow {
    pub id: Uuid,
    pub daily_plan_id: Uuid,
    pub title: String,
    pub notes: Option<String>,
    pub status: String,
    pub priority: String,
    pub position: i32,
    pub goal_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A plan item to create.
#[derive(Debug, Clone)]
pub struct NewPlanItem {
    pub title: String,
    pub notes: Option<String>,
    pub status: &'static str,
    pub priority: &'static str,
    /// Where to insert; past the end (or `None`) appends.
    pub position: Option<i32>,
    pub goal_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
}

/// Changes to a plan item (not its position: see [`super::move_item`]).
#[derive(Debug, Clone, Default)]
pub struct ItemChanges {
    pub title: Option<String>,
    pub notes: Option<Option<String>>,
    pub status: Option<&'static str>,
    pub priority: Option<&'static str>,
    pub goal_id: Option<Option<Uuid>>,
    pub task_id: Option<Option<Uuid>>,
}

/// A daily plan's items, in order.
pub async fn items_of(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    daily_plan_id: Uuid,
) -> Result<Vec<PlanItemRow>, StoreError> {
    let sql = concat!(
        "SELECT ",
        item_columns!(),
        " FROM plan_items WHERE daily_plan_id = $1 AND user_id = $2 ORDER BY position"
    );
    Ok(sqlx::query_as(sql)
        .bind(daily_plan_id)
        .bind(user_id)
        .fetch_all(db)
        .await?)
}

pub async fn get_item(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
) -> Result<PlanItemRow, StoreError> {
    let sql = concat!(
        "SELECT ",
        item_columns!(),
        " FROM plan_items WHERE id = $1 AND user_id = $2"
    );
    let row = sqlx::query_as(sql)
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await?;
    row.ok_or(StoreError::NotFound)
}

pub async fn update_item(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
    changes: ItemChanges,
) -> Result<PlanItemRow, StoreError> {
    let sql = concat!(
        "UPDATE plan_items SET
             title = COALESCE($3, title),
             notes = CASE WHEN $4 THEN $5 ELSE notes END,
             status = COALESCE($6, status),
             priority = COALESCE($7, priority),
             goal_id = CASE WHEN $8 THEN $9 ELSE goal_id END,
             task_id = CASE WHEN $10 THEN $11 ELSE task_id END
         WHERE id = $1 AND user_id = $2 RETURNING ",
        item_columns!()
    );
    let (set_notes, notes) = changes.notes.map_or((false, None), |v| (true, v));
    let (set_goal, goal) = changes.goal_id.map_or((false, None), |v| (true, v));
    let (set_task, task) = changes.task_id.map_or((false, None), |v| (true, v));
    let row = sqlx::query_as(sql)
        .bind(id)
        .bind(user_id)
        .bind(changes.title)
        .bind(set_notes)
        .bind(notes)
        .bind(changes.status)
        .bind(changes.priority)
        .bind(set_goal)
        .bind(goal)
        .bind(set_task)
        .bind(task)
        .fetch_optional(db)
        .await?;
    row.ok_or(StoreError::NotFound)
}
