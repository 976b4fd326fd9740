//! Goals. A goal's progress is kept in step with its tasks by [`refresh_progress`],
//! called in the transaction of every task change.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgExecutor, PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::StoreError;

macro_rules! columns {
    () => {
        "id, title, description, priority, status, time_horizon, target_date, progress, \
         is_ai_generated, completed_at, created_at, updated_at, \
         (SELECT count(*) FROM tasks t WHERE t.goal_id = goals.id) AS task_count, \
         (SELECT count(*) FROM tasks t WHERE t.goal_id = goals.id AND t.completed) AS tasks_completed"
    };
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GoalRow {
    pub id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub priority: String,
    pub status: String,
    pub time_horizon: Option<String>,
    pub target_date: Option<NaiveDate>,
    pub progress: f32,
    pub is_ai_generated: bool,
    pub completed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub task_count: i64,
    pub tasks_completed: i64,
}

/// Serialises goal writes that check the active-goal limit, per user (until commit).
pub async fn lock_user_goals(tx: &mut sqlx::PgConnection, user_id: Uuid) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('goals'), hashtext($1::text))")
        .bind(user_id)
        .execute(tx)
        .await?;
    Ok(())
}

/// The user's goals that are neither completed nor abandoned, other than `except`.
pub async fn count_active(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    except: Option<Uuid>,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM goals WHERE user_id = $1 AND status IN ('NOT_STARTED', 'IN_PROGRESS')
           AND ($2::uuid IS NULL OR id <> $2)",
    )
    .bind(user_id)
    .bind(except)
    .fetch_one(db)
    .await?)
}

/// Fields of a goal; on update `None` keeps the stored value (and `Some(None)` clears).
#[derive(Debug, Clone, Default)]
pub struct GoalFields {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub priority: Option<String>,
    pub status: Option<String>,
    pub time_horizon: Option<Option<String>>,
    pub target_date: Option<Option<NaiveDate>>,
    pub progress: Option<f32>,
}

pub async fn create(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    f: &GoalFields,
) -> Result<GoalRow, StoreError> {
    let sql = concat!(
        "INSERT INTO goals (user_id, title, description, priority, status, time_horizon,
                            target_date, progress, completed_at)
         VALUES ($1, $2, $3, COALESCE($4, 'medium'), COALESCE($5, 'NOT_STARTED'), $6, $7,
                 COALESCE($8, 0), CASE WHEN $5 = 'COMPLETED' THEN now() END)
         RETURNING ",
        columns!()
    );
    Ok(sqlx::query_as(sql)
        .bind(user_id)
        .bind(&f.title)
        .bind(f.description.clone().flatten())
        .bind(&f.priority)
        .bind(&f.status)
        .bind(f.time_horizon.clone().flatten())
        .bind(f.target_date.flatten())
        .bind(f.progress)
        .fetch_one(db)
        .await?)
}

pub async fn get(db: impl PgExecutor<'_>, user_id: Uuid, id: Uuid) -> Result<GoalRow, StoreError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM goals WHERE id = $1 AND user_id = $2"
    );
    sqlx::query_as(sql)
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Applies `f`; `completed_at` follows the status (set on entering COMPLETED, kept
/// while it stays, cleared on leaving).
pub async fn update(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
    f: &GoalFields,
) -> Result<GoalRow, StoreError> {
    let sql = concat!(
        "UPDATE goals SET
             title = COALESCE($3, title),
             description = CASE WHEN $4 THEN $5 ELSE description END,
             priority = COALESCE($6, priority),
             status = COALESCE($7, status),
             completed_at = CASE
                 WHEN COALESCE($7, status) <> 'COMPLETED' THEN NULL
                 WHEN status = 'COMPLETED' THEN completed_at
                 ELSE now() END,
             time_horizon = CASE WHEN $8 THEN $9 ELSE time_horizon END,
             target_date = CASE WHEN $10 THEN $11 ELSE target_date END,
             progress = COALESCE($12, progress)
         WHERE id = $1 AND user_id = $2
         RETURNING ",
        columns!()
    );
    sqlx::query_as(sql)
        .bind(id)
        .bind(user_id)
        .bind(&f.title)
        .bind(f.description.is_some())
        .bind(f.description.clone().flatten())
        .bind(&f.priority)
        .bind(&f.status)
        .bind(f.time_horizon.is_some())
        .bind(f.time_horizon.clone().flatten())
        .bind(f.target_date.is_some())
        .bind(f.target_date.flatten())
        .bind(f.progress)
        .fetch_optional(db)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn delete(
    db: &mut sqlx::PgConnection,
    user_id: Uuid,
    id: Uuid,
) -> Result<(), StoreError> {
    // A task write locks the task, then its goal (progress); deleting the goal would
    // lock the goal, then its tasks (ON DELETE SET NULL): the opposite order, a
    // deadlock under concurrent writes. Taking the tasks first keeps one order.
    sqlx::query("SELECT 1 FROM tasks WHERE goal_id = $1 AND user_id = $2 ORDER BY id FOR UPDATE")
        .bind(id)
        .bind(user_id)
        .execute(&mut *db)
        .await?;
    crate::rows::delete_owned(
        db,
        "DELETE FROM goals WHERE id = $1 AND user_id = $2",
        id,
        user_id,
    )
    .await
}

/// A page of goals, newest first, after the cursor `(created_at, id)`.
pub async fn list(
    db: &PgPool,
    user_id: Uuid,
    status: Option<&str>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<GoalRow>, StoreError> {
    let mut q: QueryBuilder<Postgres> = QueryBuilder::new(concat!(
        "SELECT ",
        columns!(),
        " FROM goals WHERE user_id = "
    ));
    q.push_bind(user_id);
    if let Some(status) = status {
        q.push(" AND status = ").push_bind(status.to_owned());
    }
    if let Some((at, id)) = after {
        q.push(" AND (created_at, id) < (")
            .push_bind(at)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    q.push(" ORDER BY created_at DESC, id DESC LIMIT ")
        .push_bind(limit);
    Ok(q.build_query_as().fetch_all(db).await?)
}

/// Recomputes the progress of `goal_ids` from their tasks, in the transaction of the
/// task change. The goals are locked in id order first (two transactions moving tasks
/// between the same goals cannot deadlock), then each share is computed by its own
/// statement, which sees every change committed before the lock was granted. A goal
/// whose last task left goes back to 0.
pub async fn refresh_progress(
    tx: &mut sqlx::Transaction<'_, Postgres>,
    goal_ids: &[Uuid],
) -> Result<(), StoreError> {
    let mut ids = goal_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query("SELECT id FROM goals WHERE id = ANY($1) ORDER BY id FOR UPDATE")
        .bind(&ids)
        .execute(&mut **tx)
        .await?;
    for id in ids {
        sqlx::query(
            "UPDATE goals SET progress = COALESCE(
                 (SELECT avg(completed::int)::real FROM tasks WHERE goal_id = $1), 0)
             WHERE id = $1",
        )
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
