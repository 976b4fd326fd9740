//! What administrators do with billing: set a user's tier by hand, list the
//! recorded events, apply one again. Each change is audited in its transaction, and
//! so is each look at the ledger; every entry carries the request id.

use maigie_domain::Tier;
use maigie_store::audit::{self, AuditEntry};
use maigie_store::{billing, users};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::BillingEventView;
use super::error::{BillingError, BillingResult};
use super::webhook::hand_off;
use crate::{Ctx, Services};

/// Event statuses of the ledger.
const STATUSES: [&str; 4] = ["received", "processed", "ignored", "failed"];

/// Refuses (403 `admin_only`) a caller who is not an administrator.
async fn require_admin(svc: &Services, ctx: &Ctx) -> BillingResult<()> {
    let row = users::find_by_id(&svc.db, ctx.user_id).await?;
    if row.is_some_and(|u| u.role == "admin") {
        Ok(())
    } else {
        Err(BillingError::AdminOnly)
    }
}

/// A tier set by hand.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TierBody {
    /// FREE, PREMIUM_MONTHLY or PREMIUM_YEARLY.
    #[schema(value_type = maigie_domain::Tier)]
    pub tier: String,
    /// Why (kept in the audit log).
    pub reason: Option<String>,
}

impl TierBody {
    fn parse(self) -> BillingResult<(Tier, String)> {
        let tier = self.tier.parse::<Tier>().map_err(|_| {
            BillingError::invalid_field(
                "tier",
                "unknown_value",
                "must be FREE, PREMIUM_MONTHLY or PREMIUM_YEARLY",
            )
        })?;
        let reason = self.reason.unwrap_or_default();
        if reason.chars().count() > 500 {
            return Err(BillingError::invalid_field(
                "reason",
                "too_long",
                "must be at most 500 characters",
            ));
        }
        Ok((tier, reason))
    }
}

/// A tier change.
#[derive(Debug, Serialize, ToSchema)]
pub struct TierChanged {
    pub user_id: Uuid,
    pub previous: String,
    pub tier: String,
}

/// Sets user `id`'s tier by hand (support, comps), audited as `admin.tier_changed`
/// in the same transaction. A later event of the user's subscription sets it again.
pub async fn set_tier(
    svc: &Services,
    ctx: &Ctx,
    id: Uuid,
    body: TierBody,
) -> BillingResult<TierChanged> {
    require_admin(svc, ctx).await?;
    let (tier, reason) = body.parse()?;
    let mut work = svc.begin().await?;
    let previous = billing::set_tier(work.conn(), id, tier.as_str()).await?;
    let entry = AuditEntry {
        actor_id: Some(ctx.user_id),
        subject_id: Some(id),
        action: "admin.tier_changed",
        details: json!({ "from": previous, "to": tier.as_str(), "reason": reason }),
        request_id: ctx.request_id.as_deref(),
    };
    audit::record(work.conn(), entry).await?;
    work.commit(svc).await?;
    Ok(TierChanged {
        user_id: id,
        previous,
        tier: tier.as_str().to_owned(),
    })
}

/// Which recorded events to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventParams {
    /// received, processed, ignored or failed.
    #[param(value_type = Option<crate::schema_enums::BillingEventStatus>)]
    pub status: Option<String>,
    /// 1–200 (default 50).
    pub limit: Option<i64>,
}

/// Recorded events, newest first, optionally of one status (audited as
/// `admin.billing_events_listed`: the ledger names customers).
pub async fn list_events(
    svc: &Services,
    ctx: &Ctx,
    q: EventParams,
) -> BillingResult<Vec<BillingEventView>> {
    require_admin(svc, ctx).await?;
    if let Some(s) = q.status.as_deref()
        && !STATUSES.contains(&s)
    {
        return Err(BillingError::invalid_field(
            "status",
            "unknown_value",
            "must be received, processed, ignored or failed",
        ));
    }
    let limit = crate::pagination::limit(q.limit)?;
    let entry = AuditEntry {
        actor_id: Some(ctx.user_id),
        subject_id: None,
        action: "admin.billing_events_listed",
        details: json!({ "status": q.status, "limit": limit }),
        request_id: ctx.request_id.as_deref(),
    };
    audit::record(&svc.db, entry).await?;
    let rows = billing::events(&svc.db, q.status.as_deref(), limit).await?;
    Ok(rows.into_iter().map(BillingEventView::from).collect())
}

/// Applies a failed or ignored event again (after fixing its cause): resets it,
/// audited as `admin.billing_event_reprocessed` in the same transaction, and hands
/// it to its customer's workflow (the relay retries a failed hand-off). Refused
/// (409 `no_customer`, nothing changed) for an event that names no customer.
pub async fn reprocess_event(svc: &Services, ctx: &Ctx, id: Uuid) -> BillingResult<()> {
    require_admin(svc, ctx).await?;
    let mut work = svc.begin().await?;
    let (event_id, customer) = billing::reset_event(work.conn(), id).await?;
    let customer = customer
        .ok_or_else(|| BillingError::conflict("no_customer", "The event names no customer."))?;
    let entry = AuditEntry {
        actor_id: Some(ctx.user_id),
        subject_id: None,
        action: "admin.billing_event_reprocessed",
        details: json!({ "stripe_event_id": event_id }),
        request_id: ctx.request_id.as_deref(),
    };
    audit::record(work.conn(), entry).await?;
    work.commit(svc).await?;
    if let Err(err) = hand_off(svc, &customer, &event_id).await {
        tracing::warn!(event = %event_id, error = %err, "reprocess hand-off failed; the relay retries");
    }
    Ok(())
}
