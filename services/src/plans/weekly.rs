//! The weekly plan writes and list (reading and deleting one are shared with daily plans, in `kind.rs`).
//! A week is named by its Monday; a plan created without one is for the current
//! week where the user lives.

use chrono::{NaiveDate, Utc};
use maigie_domain::Timezone;
use maigie_domain::plans as rules;
use maigie_store::plans::{self as store, WeeklyPlanRow};
use maigie_store::users;
use uuid::Uuid;

use super::kind::{Change, finish, list};
use super::plan_error;
use super::{CreateWeeklyPlan, PageParams, UpdateWeeklyPlan, WeeklyPlanDetail, WeeklyPlanPage};
use crate::error::{ServiceError, ServiceResult};
use crate::{Ctx, Services};

/// The user's time zone; an unreadable stored value falls back to UTC.
async fn timezone(svc: &Services, user_id: Uuid) -> ServiceResult<Timezone> {
    let row = users::find_by_id(&svc.db, user_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Timezone::parse(&row.timezone)
        .or_else(|_| Timezone::parse("UTC"))
        .map_err(ServiceError::internal)
}

/// Creates the plan for a week (one per week: `plan_exists` otherwise) and
/// announces `weekly_plan.created`.
pub async fn create_weekly(
    svc: &Services,
    ctx: &Ctx,
    body: CreateWeeklyPlan,
) -> ServiceResult<WeeklyPlanDetail> {
    let this_week: Option<NaiveDate> = match body.week_start {
        Some(_) => None,
        None => Some(rules::current_week_start(
            Utc::now(),
            timezone(svc, ctx.user_id).await?,
        )),
    };
    let new = body.parse(this_week)?;
    let mut work = svc.begin().await?;
    let row = store::create_weekly(work.conn(), ctx.user_id, &new)
        .await
        .map_err(plan_error)?;
    finish::<WeeklyPlanDetail>(svc, ctx, work, row, Change::Created).await
}

/// Changes a weekly plan's focus areas, summary or status (the week itself is fixed)
/// and announces `weekly_plan.updated`.
pub async fn update_weekly(
    svc: &Services,
    ctx: &Ctx,
    id: Uuid,
    body: UpdateWeeklyPlan,
) -> ServiceResult<WeeklyPlanDetail> {
    let changes = body.parse()?;
    let mut work = svc.begin().await?;
    let row: WeeklyPlanRow = store::update_weekly(work.conn(), ctx.user_id, id, changes).await?;
    finish::<WeeklyPlanDetail>(svc, ctx, work, row, Change::Updated).await
}

/// The caller's weekly plans, latest week first.
pub async fn list_weekly(
    svc: &Services,
    ctx: &Ctx,
    page: PageParams,
) -> ServiceResult<WeeklyPlanPage> {
    list::<WeeklyPlanDetail>(svc, ctx, (None, None), page).await
}
