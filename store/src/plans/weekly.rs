//! What only weekly plans have: their focus areas, and the week a daily plan may link
//! to.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use super::kind::{PlanKind, PlanRow};
use crate::StoreError;

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

impl PlanRow for WeeklyPlanRow {
    const KIND: PlanKind = PlanKind::Weekly;

    fn key(&self) -> (NaiveDate, Uuid) {
        (self.week_start, self.id)
    }
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
