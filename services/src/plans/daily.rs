//! The daily plan writes and reads that weekly plans do not share: the link to a
//! week (whose week must contain the day), the lookup by date, the ranged list.

use chrono::NaiveDate;
use maigie_domain::Validation;
use maigie_domain::plans as rules;
use maigie_store::PgConnection;
use maigie_store::plans::{self as store, DailyPlanRow};
use uuid::Uuid;

use super::kind::{Change, Plan, finish, list};
use super::{CreateDailyPlan, DailyListParams, DailyPlanDetail, DailyPlanPage, UpdateDailyPlan};
use super::{link_error, plan_error};
use crate::error::ServiceResult;
use crate::{Ctx, Services};

/// Checks that the weekly plan is the user's and its week contains `date`.
async fn check_week_link(
    conn: &mut PgConnection,
    user_id: Uuid,
    weekly_plan_id: Uuid,
    date: NaiveDate,
) -> ServiceResult<()> {
    let week = store::week_start_of(conn, user_id, weekly_plan_id)
        .await?
        .ok_or_else(|| link_error("weekly_plan_id", "weekly plan"))?;
    let mut v = Validation::new();
    v.check("weekly_plan_id", rules::check_in_week(week, date));
    Ok(v.finish()?)
}

/// Creates the plan for a day (one per date: `daily_plan_exists` otherwise),
/// optionally linked to its week, and announces `daily_plan.created`.
pub async fn create_daily(
    svc: &Services,
    ctx: &Ctx,
    body: CreateDailyPlan,
) -> ServiceResult<DailyPlanDetail> {
    let new = body.parse()?;
    let mut work = svc.begin().await?;
    if let Some(week) = new.weekly_plan_id {
        check_week_link(work.conn(), ctx.user_id, week, new.plan_date).await?;
    }
    let row = store::create_daily(work.conn(), ctx.user_id, &new)
        .await
        .map_err(plan_error)?;
    finish::<DailyPlanDetail>(svc, ctx, work, row, Change::Created).await
}

/// Changes a daily plan's week link, summary or status (its date is fixed) and
/// announces `daily_plan.updated`.
pub async fn update_daily(
    svc: &Services,
    ctx: &Ctx,
    id: Uuid,
    body: UpdateDailyPlan,
) -> ServiceResult<DailyPlanDetail> {
    let changes = body.parse()?;
    let mut work = svc.begin().await?;
    if let Some(Some(week)) = changes.weekly_plan_id {
        let current: DailyPlanRow = store::get(work.conn(), ctx.user_id, id).await?;
        check_week_link(work.conn(), ctx.user_id, week, current.plan_date).await?;
    }
    let row = store::update_daily(work.conn(), ctx.user_id, id, changes)
        .await
        .map_err(plan_error)?;
    finish::<DailyPlanDetail>(svc, ctx, work, row, Change::Updated).await
}

/// The caller's plan for a date, with its items.
pub async fn daily_by_date(
    svc: &Services,
    ctx: &Ctx,
    date: NaiveDate,
) -> ServiceResult<DailyPlanDetail> {
    let mut conn = svc.snapshot().await?;
    let row = store::get_daily_by_date(&mut *conn, ctx.user_id, date).await?;
    DailyPlanDetail::read(&mut conn, ctx.user_id, row).await
}

/// The caller's daily plans, latest date first, optionally within `from..=to`.
pub async fn list_daily(
    svc: &Services,
    ctx: &Ctx,
    params: DailyListParams,
) -> ServiceResult<DailyPlanPage> {
    let (range, page) = params.parse()?;
    list::<DailyPlanDetail>(svc, ctx, range, page).await
}
