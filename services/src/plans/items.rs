//! Plan items: add, read, change, move, reorder, delete. Item positions are `0..n`
//! without gaps within a day; every position change locks the day in the write's
//! transaction. A change to one item announces `plan_item.*`; a change to the day's
//! order announces the whole day as `daily_plan.updated`.

use maigie_domain::EventKind;
use maigie_store::plans::{self as store, DailyPlanRow, Reorder};
use uuid::Uuid;

use super::kind::{Change, finish};
use super::plan_error;
use super::{
    CreatePlanItem, DailyPlanDetail, MovePlanItem, PlanItemView, ReorderPlanItems, UpdatePlanItem,
};
use crate::error::{ServiceError, ServiceResult};
use crate::live::Deleted;
use crate::{Ctx, Services};

/// Adds an item to a day at its position (or last) and announces
/// `plan_item.created`.
pub async fn create_item(
    svc: &Services,
    ctx: &Ctx,
    daily_plan_id: Uuid,
    body: CreatePlanItem,
) -> ServiceResult<PlanItemView> {
    let new = body.parse()?;
    let mut work = svc.begin().await?;
    let row = store::create_item(work.conn(), ctx.user_id, daily_plan_id, &new)
        .await
        .map_err(plan_error)?;
    let view = PlanItemView::try_from(row)?;
    work.announce(ctx.user_id, EventKind::PlanItemCreated, &view);
    work.commit(svc).await?;
    Ok(view)
}

/// One of the caller's plan items.
pub async fn get_item(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<PlanItemView> {
    PlanItemView::try_from(store::get_item(&svc.db, ctx.user_id, id).await?)
}

/// Changes an item (not its place: see [`move_item`]) and announces
/// `plan_item.updated`.
pub async fn update_item(
    svc: &Services,
    ctx: &Ctx,
    id: Uuid,
    body: UpdatePlanItem,
) -> ServiceResult<PlanItemView> {
    let changes = body.parse()?;
    let mut work = svc.begin().await?;
    let row = store::update_item(work.conn(), ctx.user_id, id, changes)
        .await
        .map_err(plan_error)?;
    let view = PlanItemView::try_from(row)?;
    work.announce(ctx.user_id, EventKind::PlanItemUpdated, &view);
    work.commit(svc).await?;
    Ok(view)
}

/// Moves an item to another place in its day (the others close up) and answers and
/// announces the day (`daily_plan.updated`).
pub async fn move_item(
    svc: &Services,
    ctx: &Ctx,
    id: Uuid,
    body: MovePlanItem,
) -> ServiceResult<DailyPlanDetail> {
    let mut work = svc.begin().await?;
    let item = store::move_item(work.conn(), ctx.user_id, id, body.position).await?;
    let day: DailyPlanRow = store::get(work.conn(), ctx.user_id, item.daily_plan_id).await?;
    finish::<DailyPlanDetail>(svc, ctx, work, day, Change::Updated).await
}

/// Puts all of a day's items in a new order (`item_ids` must name each once) and
/// answers and announces the day (`daily_plan.updated`).
pub async fn reorder_items(
    svc: &Services,
    ctx: &Ctx,
    daily_plan_id: Uuid,
    body: ReorderPlanItems,
) -> ServiceResult<DailyPlanDetail> {
    let mut work = svc.begin().await?;
    match store::reorder_items(work.conn(), ctx.user_id, daily_plan_id, &body.item_ids).await? {
        Reorder::Mismatch => Err(ServiceError::invalid_field(
            "item_ids",
            "not_a_permutation",
            "List every item of the day exactly once.",
        )),
        Reorder::Done(_) => {
            let day: DailyPlanRow = store::get(work.conn(), ctx.user_id, daily_plan_id).await?;
            finish::<DailyPlanDetail>(svc, ctx, work, day, Change::Updated).await
        }
    }
}

/// Deletes an item (the ones after it move up) and announces `plan_item.deleted`.
pub async fn delete_item(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<()> {
    let mut work = svc.begin().await?;
    store::delete_item(work.conn(), ctx.user_id, id).await?;
    work.announce(ctx.user_id, EventKind::PlanItemDeleted, &Deleted { id });
    work.commit(svc).await
}
