//! The user's subscription: the view, Checkout, the customer portal, cancel and
//! resume at the end of the period.

use maigie_domain::EventKind;
use maigie_domain::Tier;
use maigie_store::billing::{self, TierAndSubscription};
use maigie_store::{PgConnection, users};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{BillingError, BillingResult};
use super::provider::{BillingProvider, CheckoutRequest};
use super::{RedirectUrl, SubscriptionView};
use crate::{Ctx, ServiceError, Services};

/// Statuses with a subscription running (paid, or in its grace period).
const RUNNING: [&str; 2] = ["active", "past_due"];

/// The user's plan from one read of tier and subscription together (see
/// [`billing::tier_and_subscription`]): the two change in one transaction, so
/// separate reads could show an ended subscription with a paid tier.
async fn view(conn: &mut PgConnection, user_id: Uuid) -> BillingResult<SubscriptionView> {
    let TierAndSubscription { tier, subscription } = billing::tier_and_subscription(conn, user_id)
        .await?
        .ok_or(BillingError::AccountGone)?;
    Ok(match subscription {
        Some(r) if r.stripe_subscription_id.is_some() || r.status != "incomplete" => {
            SubscriptionView {
                tier,
                plan: r.plan,
                status: r.status,
                current_period_end: r.current_period_end,
                cancel_at_period_end: r.cancel_at_period_end,
                grace_until: r.grace_until,
            }
        }
        _ => SubscriptionView {
            tier,
            plan: "FREE".into(),
            status: "none".into(),
            current_period_end: None,
            cancel_at_period_end: false,
            grace_until: None,
        },
    })
}

/// The caller's current subscription.
pub async fn subscription(svc: &Services, ctx: &Ctx) -> BillingResult<SubscriptionView> {
    let mut conn = svc.db.acquire().await.map_err(ServiceError::from)?;
    view(&mut conn, ctx.user_id).await
}

/// A request for a Checkout.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CheckoutBody {
    /// PREMIUM_MONTHLY or PREMIUM_YEARLY.
    #[schema(value_type = crate::schema_enums::PaidPlan)]
    pub plan: String,
}

impl CheckoutBody {
    fn plan(&self) -> BillingResult<Tier> {
        match self.plan.parse::<Tier>() {
            Ok(t) if t.is_premium() => Ok(t),
            _ => Err(BillingError::invalid_field(
                "plan",
                "unknown_value",
                "must be PREMIUM_MONTHLY or PREMIUM_YEARLY",
            )),
        }
    }
}

/// The user's customer at the provider, created on first use.
async fn customer_of(
    svc: &Services,
    provider: &dyn BillingProvider,
    user_id: Uuid,
) -> BillingResult<String> {
    if let Some(c) = billing::of_user(&svc.db, user_id)
        .await?
        .and_then(|r| r.stripe_customer_id)
    {
        return Ok(c);
    }
    let email = users::find_by_id(&svc.db, user_id)
        .await?
        .map(|u| u.email)
        .ok_or(BillingError::AccountGone)?;
    let created = provider
        .create_customer(&email, &user_id.to_string())
        .await?;
    // Two racing requests create the same customer (idempotency key per user) and
    // the first stored wins.
    Ok(billing::set_customer(&svc.db, user_id, &created).await?)
}

/// Starts a Checkout for a Premium plan; answers its URL. Refused (409
/// `already_subscribed`) while a subscription runs.
pub async fn checkout(
    svc: &Services,
    ctx: &Ctx,
    provider: &dyn BillingProvider,
    body: CheckoutBody,
) -> BillingResult<RedirectUrl> {
    let plan = body.plan()?;
    let mut conn = svc.db.acquire().await.map_err(ServiceError::from)?;
    let current = view(&mut conn, ctx.user_id).await?;
    drop(conn);
    if RUNNING.contains(&current.status.as_str()) {
        return Err(BillingError::conflict(
            "already_subscribed",
            "You already have a subscription: change or cancel it in the customer portal.",
        ));
    }
    let price = provider
        .price_of(plan)
        .ok_or(BillingError::NotConfigured)?
        .to_owned();
    provider.ready()?;
    let customer = customer_of(svc, provider, ctx.user_id).await?;
    let base = provider.public_base_url().trim_end_matches('/');
    let url = provider
        .checkout_session(&CheckoutRequest {
            customer: &customer,
            price: &price,
            plan: plan.as_str(),
            user_ref: &ctx.user_id.to_string(),
            success_url: &format!("{base}/billing/success?session_id={{CHECKOUT_SESSION_ID}}"),
            cancel_url: &format!("{base}/billing/cancelled"),
        })
        .await?;
    Ok(RedirectUrl { url })
}

/// A customer-portal session (payment methods, invoices, plan changes); refused
/// (409 `no_customer`) before the first Checkout.
pub async fn portal(
    svc: &Services,
    ctx: &Ctx,
    provider: &dyn BillingProvider,
) -> BillingResult<RedirectUrl> {
    provider.ready()?;
    let customer = billing::of_user(&svc.db, ctx.user_id)
        .await?
        .and_then(|r| r.stripe_customer_id)
        .ok_or_else(|| {
            BillingError::conflict(
                "no_customer",
                "Subscribe first: there is no billing account yet.",
            )
        })?;
    let return_url = format!(
        "{}/billing",
        provider.public_base_url().trim_end_matches('/')
    );
    let url = provider.portal_session(&customer, &return_url).await?;
    Ok(RedirectUrl { url })
}

/// Cancels at the end of the current period (Premium stays until then).
pub async fn cancel(
    svc: &Services,
    ctx: &Ctx,
    provider: &dyn BillingProvider,
) -> BillingResult<SubscriptionView> {
    set_cancel(svc, ctx, provider, true).await
}

/// Undoes a cancel before the period ends.
pub async fn resume(
    svc: &Services,
    ctx: &Ctx,
    provider: &dyn BillingProvider,
) -> BillingResult<SubscriptionView> {
    set_cancel(svc, ctx, provider, false).await
}

/// Asks the provider, then shows the change at once (the provider confirms it with
/// `customer.subscription.updated`); announces `subscription.updated`.
async fn set_cancel(
    svc: &Services,
    ctx: &Ctx,
    provider: &dyn BillingProvider,
    cancel: bool,
) -> BillingResult<SubscriptionView> {
    let row = billing::of_user(&svc.db, ctx.user_id).await?;
    let Some((status, subscription)) =
        row.and_then(|r| Some((r.status, r.stripe_subscription_id?)))
    else {
        return Err(BillingError::conflict(
            "no_subscription",
            "There is no subscription to change.",
        ));
    };
    if !RUNNING.contains(&status.as_str()) {
        return Err(BillingError::conflict(
            "subscription_ended",
            "The subscription has ended; start a new one with checkout.",
        ));
    }
    provider.ready()?;
    provider
        .set_cancel_at_period_end(&subscription, cancel)
        .await?;
    let mut work = svc.begin().await?;
    billing::set_cancel_at_period_end(work.conn(), ctx.user_id, cancel).await?;
    let v = view(work.conn(), ctx.user_id).await?;
    work.announce(ctx.user_id, EventKind::SubscriptionUpdated, &v);
    work.commit(svc).await?;
    Ok(v)
}
