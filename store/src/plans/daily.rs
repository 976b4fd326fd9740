//! What only daily plans have: their link to a week, and a lookup by date.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use super::kind::{PlanKind, PlanRow};
use crate::StoreError;

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

impl PlanRow for DailyPlanRow {
    const KIND: PlanKind = PlanKind::Daily;

    fn key(&self) -> (NaiveDate, Uuid) {
        (self.plan_date, self.id)
    }
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
