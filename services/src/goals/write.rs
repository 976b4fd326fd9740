//! The goal writes, each one [`Work`](crate::Work). Creating an active goal, or
//! reactivating one, first takes the user's goal lock and counts the active goals
//! against the tier's limit.

use maigie_domain::EventKind;
use maigie_domain::Tier;
use maigie_store::{goals, users};
use uuid::Uuid;

use super::{CreateGoal, GoalView, UpdateGoal};
use crate::error::{ServiceError, ServiceResult};
use crate::live::Deleted;
use crate::{Ctx, Services, Work};

fn is_active(status: &str) -> bool {
    matches!(status, "NOT_STARTED" | "IN_PROGRESS")
}

/// Creates a goal (402 `tier_limit_reached` beyond the tier's active goals).
pub async fn create(svc: &Services, ctx: &Ctx, body: CreateGoal) -> ServiceResult<GoalView> {
    let fields = body.parse()?;
    let mut work = svc.begin().await?;
    if fields.status.as_deref().is_none_or(is_active) {
        check_active_goals(svc, &mut work, ctx.user_id, None).await?;
    }
    let row = goals::create(work.conn(), ctx.user_id, &fields).await?;
    let view = GoalView::try_from(row)?;
    work.announce(ctx.user_id, EventKind::GoalCreated, &view);
    work.commit(svc).await?;
    Ok(view)
}

/// Changes a goal; moving an inactive goal back to an active status counts against
/// the tier's limit like a new one.
pub async fn update(
    svc: &Services,
    ctx: &Ctx,
    id: Uuid,
    body: UpdateGoal,
) -> ServiceResult<GoalView> {
    let fields = body.parse()?;
    let mut work = svc.begin().await?;
    if fields.status.as_deref().is_some_and(is_active) {
        let current = goals::get(work.conn(), ctx.user_id, id).await?;
        if !is_active(&current.status) {
            check_active_goals(svc, &mut work, ctx.user_id, Some(id)).await?;
        }
    }
    let row = goals::update(work.conn(), ctx.user_id, id, &fields).await?;
    let view = GoalView::try_from(row)?;
    work.announce(ctx.user_id, EventKind::GoalUpdated, &view);
    work.commit(svc).await?;
    Ok(view)
}

/// Deletes a goal; its tasks stay, unlinked.
pub async fn delete(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<()> {
    let mut work = svc.begin().await?;
    goals::delete(work.conn(), ctx.user_id, id).await?;
    work.announce(ctx.user_id, EventKind::GoalDeleted, &Deleted { id });
    work.commit(svc).await
}

/// Refuses one more active goal beyond the tier's limit (402 `tier_limit_reached`).
/// The tier is read from the database, so an upgrade counts at once; the lock holds
/// until commit, so concurrent writes of the same user count one after the other.
async fn check_active_goals(
    svc: &Services,
    work: &mut Work,
    user_id: Uuid,
    except: Option<Uuid>,
) -> ServiceResult<()> {
    goals::lock_user_goals(work.conn(), user_id).await?;
    let tier: Tier = users::tier(work.conn(), user_id)
        .await?
        .parse()
        .unwrap_or(Tier::Free);
    let Some(allowed) = svc.settings.limits.for_tier(tier).active_goals else {
        return Ok(());
    };
    let active = goals::count_active(work.conn(), user_id, except).await?;
    if active >= i64::from(allowed) {
        return Err(ServiceError::TierLimit {
            limit: "active_goals",
            allowed,
            tier: tier.as_str().to_owned(),
        });
    }
    Ok(())
}
