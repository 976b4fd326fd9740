//! Weekly plans → daily plans → plan items.
//!
//! Item positions are `0..n` without gaps within a daily plan. Every statement that
//! changes positions runs in one transaction that first locks the daily plan row
//! (`FOR UPDATE`), so concurrent inserts, moves and deletes on the same day queue up
//! instead of computing from stale counts; `plan_items_daily_plan_position_key` is
//! DEFERRABLE INITIALLY DEFERRED, so shifting a range in one UPDATE is fine.

use chrono::{DateTime, NaiveDate, Utc};
use maigie_domain::plans::{insert_position, is_permutation, move_position};
use sqlx::{PgConnection, PgExecutor, PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::StoreError;

/// One weekly plan per user and week.
pub const WEEK_TAKEN: &str = "weekly_plans_user_week_key";
/// One daily plan per user and date.
pub const DAY_TAKEN: &str = "daily_plans_user_date_key";
/// The daily plan's weekly link points at no weekly plan of this user.
pub const WEEKLY_LINK: &str = "daily_plans_weekly_plan_fkey";
/// The item's goal link points at no goal of this user.
pub const GOAL_LINK: &str = "plan_items_goal_fkey";
/// The item's task link points at no task of this user.
pub const TASK_LINK: &str = "plan_items_task_fkey";

macro_rules! weekly_columns {
    () => {
        "id, week_start, focus_areas, summary, status, is_ai_generated, created_at, updated_at"
    };
}

macro_rules! daily_columns {
    () => {
        "id, plan_date, weekly_plan_id, summary, status, is_ai_generated, created_at, updated_at"
    };
}

macro_rules! item_columns {
    () => {
        "id, daily_plan_id, title, notes, status, priority, position, goal_id, task_id, \
         created_at, updated_at"
    };
}

/// A weekly plan as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WeeklyPlanRow {
    pub id: Uuid,
    pub week_start: NaiveDate,
    pub focus_areas: Vec<String>,
    pub summary: Option<String>,
    pub status: String,
    pub is_ai_generated: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A daily plan as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DailyPlanRow {
    pub id: Uuid,
    pub plan_date: NaiveDate,
    pub weekly_plan_id: Option<Uuid>,
    pub summary: Option<String>,
    pub status: String,
    pub is_ai_generated: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

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

/// A weekly plan to create (values already validated).
#[derive(Debug, Clone)]
pub struct NewWeeklyPlan {
    pub week_start: NaiveDate,
    pub focus_areas: Vec<String>,
    pub summary: Option<String>,
    pub status: &'static str,
}

/// Changes to a weekly plan; `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct WeeklyChanges {
    pub focus_areas: Option<Vec<String>>,
    /// `Some(None)` clears it.
    pub summary: Option<Option<String>>,
    pub status: Option<&'static str>,
}

pub async fn create_weekly(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    new: &NewWeeklyPlan,
) -> Result<WeeklyPlanRow, StoreError> {
    let sql = concat!(
        "INSERT INTO weekly_plans (user_id, week_start, focus_areas, summary, status)
         VALUES ($1, $2, $3, $4, $5) RETURNING ",
        weekly_columns!()
    );
    Ok(sqlx::query_as(sql)
        .bind(user_id)
        .bind(new.week_start)
        .bind(&new.focus_areas)
        .bind(&new.summary)
        .bind(new.status)
        .fetch_one(db)
        .await?)
}

pub async fn get_weekly(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
) -> Result<WeeklyPlanRow, StoreError> {
    let sql = concat!(
        "SELECT ",
        weekly_columns!(),
        " FROM weekly_plans WHERE id = $1 AND user_id = $2"
    );
    let row = sqlx::query_as(sql)
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await?;
    row.ok_or(StoreError::NotFound)
}

/// Weekly plans, latest week first, strictly after `after` (week_start, id).
pub async fn list_weekly(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    after: Option<(NaiveDate, Uuid)>,
    limit: i64,
) -> Result<Vec<WeeklyPlanRow>, StoreError> {
    let mut q = QueryBuilder::<Postgres>::new(concat!("SELECT ", weekly_columns!()));
    q.push(" FROM weekly_plans WHERE user_id = ")
        .push_bind(user_id);
    if let Some((week, id)) = after {
        q.push(" AND (week_start, id) < (")
            .push_bind(week)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    q.push(" ORDER BY week_start DESC, id DESC LIMIT ")
        .push_bind(limit);
    Ok(q.build_query_as().fetch_all(db).await?)
}

pub async fn update_weekly(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
    changes: WeeklyChanges,
) -> Result<WeeklyPlanRow, StoreError> {
    let sql = concat!(
        "UPDATE weekly_plans SET
             focus_areas = COALESCE($3, focus_areas),
             summary = CASE WHEN $4 THEN $5 ELSE summary END,
             status = COALESCE($6, status)
         WHERE id = $1 AND user_id = $2 RETURNING ",
        weekly_columns!()
    );
    let (set_summary, summary) = changes.summary.map_or((false, None), |s| (true, s));
    let row = sqlx::query_as(sql)
        .bind(id)
        .bind(user_id)
        .bind(changes.focus_areas)
        .bind(set_summary)
        .bind(summary)
        .bind(changes.status)
        .fetch_optional(db)
        .await?;
    row.ok_or(StoreError::NotFound)
}

/// Deletes a weekly plan; its daily plans stay, unlinked.
pub async fn delete_weekly(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
) -> Result<(), StoreError> {
    crate::rows::delete_owned(
        db,
        "DELETE FROM weekly_plans WHERE id = $1 AND user_id = $2",
        id,
        user_id,
    )
    .await
}

/// The daily plans linked to a weekly plan, by date.
pub async fn days_of_week(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    weekly_plan_id: Uuid,
) -> Result<Vec<DailyPlanRow>, StoreError> {
    let sql = concat!(
        "SELECT ",
        daily_columns!(),
        " FROM daily_plans WHERE weekly_plan_id = $1 AND user_id = $2 ORDER BY plan_date"
    );
    Ok(sqlx::query_as(sql)
        .bind(weekly_plan_id)
        .bind(user_id)
        .fetch_all(db)
        .await?)
}

/// A daily plan to create.
#[derive(Debug, Clone)]
pub struct NewDailyPlan {
    pub plan_date: NaiveDate,
    pub weekly_plan_id: Option<Uuid>,
    pub summary: Option<String>,
    pub status: &'static str,
}

/// Changes to a daily plan; `None` keeps a field, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct DailyChanges {
    pub weekly_plan_id: Option<Option<Uuid>>,
    pub summary: Option<Option<String>>,
    pub status: Option<&'static str>,
}

pub async fn create_daily(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    new: &NewDailyPlan,
) -> Result<DailyPlanRow, StoreError> {
    let sql = concat!(
        "INSERT INTO daily_plans (user_id, plan_date, weekly_plan_id, summary, status)
         VALUES ($1, $2, $3, $4, $5) RETURNING ",
        daily_columns!()
    );
    Ok(sqlx::query_as(sql)
        .bind(user_id)
        .bind(new.plan_date)
        .bind(new.weekly_plan_id)
        .bind(&new.summary)
        .bind(new.status)
        .fetch_one(db)
        .await?)
}

/// The week start of one of the user's weekly plans, if it is theirs.
pub async fn week_start_of(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    weekly_plan_id: Uuid,
) -> Result<Option<NaiveDate>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT week_start FROM weekly_plans WHERE id = $1 AND user_id = $2")
            .bind(weekly_plan_id)
            .bind(user_id)
            .fetch_optional(db)
            .await?,
    )
}

pub async fn get_daily(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
) -> Result<DailyPlanRow, StoreError> {
    let sql = concat!(
        "SELECT ",
        daily_columns!(),
        " FROM daily_plans WHERE id = $1 AND user_id = $2"
    );
    let row = sqlx::query_as(sql)
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await?;
    row.ok_or(StoreError::NotFound)
}

pub async fn get_daily_by_date(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    date: NaiveDate,
) -> Result<DailyPlanRow, StoreError> {
    let sql = concat!(
        "SELECT ",
        daily_columns!(),
        " FROM daily_plans WHERE plan_date = $1 AND user_id = $2"
    );
    let row = sqlx::query_as(sql)
        .bind(date)
        .bind(user_id)
        .fetch_optional(db)
        .await?;
    row.ok_or(StoreError::NotFound)
}

/// Daily plans, latest date first, optionally within `[from, to]`, strictly after
/// `after` (plan_date, id).
pub async fn list_daily(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    range: (Option<NaiveDate>, Option<NaiveDate>),
    after: Option<(NaiveDate, Uuid)>,
    limit: i64,
) -> Result<Vec<DailyPlanRow>, StoreError> {
    let mut q = QueryBuilder::<Postgres>::new(concat!("SELECT ", daily_columns!()));
    q.push(" FROM daily_plans WHERE user_id = ")
        .push_bind(user_id);
    if let Some(from) = range.0 {
        q.push(" AND plan_date >= ").push_bind(from);
    }
    if let Some(to) = range.1 {
        q.push(" AND plan_date <= ").push_bind(to);
    }
    if let Some((date, id)) = after {
        q.push(" AND (plan_date, id) < (")
            .push_bind(date)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    q.push(" ORDER BY plan_date DESC, id DESC LIMIT ")
        .push_bind(limit);
    Ok(q.build_query_as().fetch_all(db).await?)
}

pub async fn update_daily(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
    changes: DailyChanges,
) -> Result<DailyPlanRow, StoreError> {
    let sql = concat!(
        "UPDATE daily_plans SET
             weekly_plan_id = CASE WHEN $3 THEN $4 ELSE weekly_plan_id END,
             summary = CASE WHEN $5 THEN $6 ELSE summary END,
             status = COALESCE($7, status)
         WHERE id = $1 AND user_id = $2 RETURNING ",
        daily_columns!()
    );
    let (set_week, week) = changes.weekly_plan_id.map_or((false, None), |w| (true, w));
    let (set_summary, summary) = changes.summary.map_or((false, None), |s| (true, s));
    let row = sqlx::query_as(sql)
        .bind(id)
        .bind(user_id)
        .bind(set_week)
        .bind(week)
        .bind(set_summary)
        .bind(summary)
        .bind(changes.status)
        .fetch_optional(db)
        .await?;
    row.ok_or(StoreError::NotFound)
}

/// Deletes a daily plan and its items.
pub async fn delete_daily(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
) -> Result<(), StoreError> {
    crate::rows::delete_owned(
        db,
        "DELETE FROM daily_plans WHERE id = $1 AND user_id = $2",
        id,
        user_id,
    )
    .await
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

/// Changes to a plan item (not its position: see [`move_item`]).
#[derive(Debug, Clone, Default)]
pub struct ItemChanges {
    pub title: Option<String>,
    pub notes: Option<Option<String>>,
    pub status: Option<&'static str>,
    pub priority: Option<&'static str>,
    pub goal_id: Option<Option<Uuid>>,
    pub task_id: Option<Option<Uuid>>,
}

/// Locks the user's daily plan for a position change and answers its item count.
async fn lock_day(
    conn: &mut PgConnection,
    user_id: Uuid,
    daily_plan_id: Uuid,
) -> Result<i64, StoreError> {
    let locked: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM daily_plans WHERE id = $1 AND user_id = $2 FOR UPDATE")
            .bind(daily_plan_id)
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
    if locked.is_none() {
        return Err(StoreError::NotFound);
    }
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM plan_items WHERE daily_plan_id = $1")
            .bind(daily_plan_id)
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// Inserts an item at its position, shifting later ones down, in one transaction.
pub async fn create_item(
    db: &PgPool,
    user_id: Uuid,
    daily_plan_id: Uuid,
    new: &NewPlanItem,
) -> Result<PlanItemRow, StoreError> {
    let mut tx = db.begin().await?;
    let len = lock_day(&mut tx, user_id, daily_plan_id).await?;
    let position = insert_position(new.position, len);
    sqlx::query(
        "UPDATE plan_items SET position = position + 1
         WHERE daily_plan_id = $1 AND position >= $2",
    )
    .bind(daily_plan_id)
    .bind(position)
    .execute(&mut *tx)
    .await?;
    let sql = concat!(
        "INSERT INTO plan_items
             (user_id, daily_plan_id, title, notes, status, priority, position, goal_id, task_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ",
        item_columns!()
    );
    let row = sqlx::query_as(sql)
        .bind(user_id)
        .bind(daily_plan_id)
        .bind(&new.title)
        .bind(&new.notes)
        .bind(new.status)
        .bind(new.priority)
        .bind(position)
        .bind(new.goal_id)
        .bind(new.task_id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(row)
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

/// Locks the day an item belongs to and answers (daily plan id, position, count).
async fn lock_item_day(
    conn: &mut PgConnection,
    user_id: Uuid,
    id: Uuid,
) -> Result<(Uuid, i32, i64), StoreError> {
    let day: Option<Uuid> =
        sqlx::query_scalar("SELECT daily_plan_id FROM plan_items WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
    let day = day.ok_or(StoreError::NotFound)?;
    let len = lock_day(conn, user_id, day).await?;
    // Read again under the lock: the item may have moved or gone meanwhile.
    let position: Option<i32> =
        sqlx::query_scalar("SELECT position FROM plan_items WHERE id = $1 AND daily_plan_id = $2")
            .bind(id)
            .bind(day)
            .fetch_optional(&mut *conn)
            .await?;
    Ok((day, position.ok_or(StoreError::NotFound)?, len))
}

/// Moves an item to `to` (clamped to the list), shifting the ones between.
pub async fn move_item(
    db: &PgPool,
    user_id: Uuid,
    id: Uuid,
    to: i32,
) -> Result<PlanItemRow, StoreError> {
    let mut tx = db.begin().await?;
    let (day, from, len) = lock_item_day(&mut tx, user_id, id).await?;
    let to = move_position(to, len);
    if to != from {
        let (shift, lo, hi) = if to < from {
            (1, to, from - 1)
        } else {
            (-1, from + 1, to)
        };
        sqlx::query(
            "UPDATE plan_items SET position = position + $2
             WHERE daily_plan_id = $1 AND position BETWEEN $3 AND $4",
        )
        .bind(day)
        .bind(shift)
        .bind(lo)
        .bind(hi)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE plan_items SET position = $2 WHERE id = $1")
            .bind(id)
            .bind(to)
            .execute(&mut *tx)
            .await?;
    }
    let row = get_item(&mut *tx, user_id, id).await?;
    tx.commit().await?;
    Ok(row)
}

/// Deletes an item and closes the gap it leaves.
pub async fn delete_item(db: &PgPool, user_id: Uuid, id: Uuid) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let (day, position, _) = lock_item_day(&mut tx, user_id, id).await?;
    sqlx::query("DELETE FROM plan_items WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE plan_items SET position = position - 1
         WHERE daily_plan_id = $1 AND position > $2",
    )
    .bind(day)
    .bind(position)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The outcome of a full reorder.
#[derive(Debug)]
pub enum Reorder {
    /// The items in their new order.
    Done(Vec<PlanItemRow>),
    /// The ids given were not exactly the day's items (stale client, or foreign ids).
    Mismatch,
}

/// Puts a day's items in the order of `ids`, which must name each item once.
pub async fn reorder_items(
    db: &PgPool,
    user_id: Uuid,
    daily_plan_id: Uuid,
    ids: &[Uuid],
) -> Result<Reorder, StoreError> {
    let mut tx = db.begin().await?;
    lock_day(&mut tx, user_id, daily_plan_id).await?;
    let current: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM plan_items WHERE daily_plan_id = $1")
            .bind(daily_plan_id)
            .fetch_all(&mut *tx)
            .await?;
    if !is_permutation(&current, ids) {
        return Ok(Reorder::Mismatch);
    }
    sqlx::query(
        "UPDATE plan_items p SET position = o.ord - 1
         FROM unnest($2::uuid[]) WITH ORDINALITY AS o(id, ord)
         WHERE p.id = o.id AND p.daily_plan_id = $1 AND p.position <> o.ord - 1",
    )
    .bind(daily_plan_id)
    .bind(ids)
    .execute(&mut *tx)
    .await?;
    let rows = items_of(&mut *tx, user_id, daily_plan_id).await?;
    tx.commit().await?;
    Ok(Reorder::Done(rows))
}
