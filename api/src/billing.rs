//! Billing: `/api/subscription` (Stripe Checkout, customer portal, cancel/resume),
//! `POST /api/webhooks/stripe`, and the admin views of tiers and Stripe events.
//!
//! Stripe is the source of truth for payments; our `subscriptions` row follows it
//! through webhooks. A webhook is verified (signature, timestamp), recorded once in
//! `billing_events` (unique on Stripe's event id: a duplicate answers 200 and changes
//! nothing), answered fast, and handed to the customer's `subscription_lifecycle`
//! workflow (signal-with-start) which applies events in order of their `created`
//! time and runs grace periods, dunning e-mails and endings. Events that could not
//! be handed over (Temporal down) are retried by the relay.

use std::collections::HashSet;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use maigie_billing::gateway::CheckoutRequest;
use maigie_billing::{Gateway, GatewayError, StripeEvent};
use maigie_domain::Tier;
use maigie_store::audit::{self, AuditEntry};
use maigie_store::{billing, users};
use maigie_workflows::billing::{
    LifecycleInput, SubscriptionLifecycleWorkflow, lifecycle_workflow_id,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use temporalio_client::{WorkflowIdReusePolicy, WorkflowStartOptions};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::extractor::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::events;
use crate::http::extract::{Json, Path, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_subscription))
        .routes(routes!(checkout))
        .routes(routes!(portal))
        .routes(routes!(cancel))
        .routes(routes!(resume))
        .routes(routes!(stripe_webhook))
        .routes(routes!(set_tier))
        .routes(routes!(list_events))
        .routes(routes!(reprocess_event))
}

fn unavailable() -> ApiError {
    ApiError::client(
        StatusCode::SERVICE_UNAVAILABLE,
        "billing_unavailable",
        "Payments are not configured on this server.",
    )
}

fn gateway(state: &AppState) -> ApiResult<Gateway> {
    let b = &state.settings.billing;
    Gateway::new(&b.stripe_secret_key, &b.stripe_api_base).map_err(|e| match e {
        GatewayError::NotConfigured => unavailable(),
        other => upstream(other),
    })
}

fn upstream(err: GatewayError) -> ApiError {
    tracing::warn!(error = %err, "Stripe call failed");
    ApiError::client(
        StatusCode::BAD_GATEWAY,
        "billing_provider_error",
        "The payment provider could not be reached; try again shortly.",
    )
}

/// The user's plan as we know it from Stripe.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionView {
    /// The tier the account has now: FREE, PREMIUM_MONTHLY or PREMIUM_YEARLY.
    pub tier: String,
    /// The plan of the (last) subscription.
    pub plan: String,
    /// none, incomplete, active, past_due (in grace), canceled or expired.
    pub status: String,
    pub current_period_end: Option<DateTime<Utc>>,
    /// Premium ends at `current_period_end` and is not renewed.
    pub cancel_at_period_end: bool,
    /// While past due: when Premium ends unless the payment goes through.
    pub grace_until: Option<DateTime<Utc>>,
}

/// The user's plan from one read of tier and subscription together (see
/// [`billing::tier_and_subscription`]): the two change in one transaction, so
/// separate reads could show an ended subscription with a paid tier.
async fn view(state: &AppState, user_id: Uuid) -> ApiResult<SubscriptionView> {
    let billing::TierAndSubscription { tier, subscription } =
        billing::tier_and_subscription(&state.db, user_id)
            .await?
            .ok_or_else(|| {
                ApiError::unauthorized("account_not_found", "The account no longer exists.")
            })?;
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

/// The current subscription.
#[utoipa::path(get, path = "/api/subscription", tag = "billing", security(("bearer" = [])),
    responses((status = 200, body = SubscriptionView), (status = 401, body = ErrorBody)))]
pub async fn get_subscription(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<SubscriptionView>> {
    Ok(Json(view(&state, user.id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CheckoutBody {
    /// PREMIUM_MONTHLY or PREMIUM_YEARLY.
    pub plan: String,
}

/// Where to send the user.
#[derive(Debug, Serialize, ToSchema)]
pub struct RedirectUrl {
    pub url: String,
}

async fn customer_of(state: &AppState, gw: &Gateway, user_id: Uuid) -> ApiResult<String> {
    if let Some(c) = billing::of_user(&state.db, user_id)
        .await?
        .and_then(|r| r.stripe_customer_id)
    {
        return Ok(c);
    }
    let email = users::find_by_id(&state.db, user_id)
        .await?
        .map(|u| u.email)
        .ok_or_else(|| {
            ApiError::unauthorized("account_not_found", "The account no longer exists.")
        })?;
    let created = gw
        .create_customer(&email, &user_id.to_string())
        .await
        .map_err(upstream)?;
    // Two racing requests create the same customer (idempotency key per user) and
    // the first stored wins.
    Ok(billing::set_customer(&state.db, user_id, &created).await?)
}

/// Start a Stripe Checkout for a Premium plan; answers the Checkout URL.
#[utoipa::path(post, path = "/api/subscription/checkout", tag = "billing", security(("bearer" = [])),
    request_body = CheckoutBody,
    responses((status = 200, body = RedirectUrl), (status = 401, body = ErrorBody),
        (status = 409, description = "`already_subscribed`", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 502, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn checkout(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<CheckoutBody>,
) -> ApiResult<Json<RedirectUrl>> {
    let plan = match body.plan.parse::<Tier>() {
        Ok(t) if t.is_premium() => t,
        _ => {
            return Err(ApiError::invalid_field(
                "plan",
                "unknown_value",
                "must be PREMIUM_MONTHLY or PREMIUM_YEARLY",
            ));
        }
    };
    let current = view(&state, user.id).await?;
    if matches!(current.status.as_str(), "active" | "past_due") {
        return Err(ApiError::conflict(
            "already_subscribed",
            "You already have a subscription: change or cancel it in the customer portal.",
        ));
    }
    let price = state
        .settings
        .billing
        .price_of(plan)
        .ok_or_else(unavailable)?
        .to_owned();
    let gw = gateway(&state)?;
    let customer = customer_of(&state, &gw, user.id).await?;
    let base = state
        .settings
        .public_base_url
        .as_str()
        .trim_end_matches('/');
    let url = gw
        .checkout_session(&CheckoutRequest {
            customer: &customer,
            price: &price,
            plan: plan.as_str(),
            user_ref: &user.id.to_string(),
            success_url: &format!("{base}/billing/success?session_id={{CHECKOUT_SESSION_ID}}"),
            cancel_url: &format!("{base}/billing/cancelled"),
        })
        .await
        .map_err(upstream)?;
    Ok(Json(RedirectUrl { url }))
}

/// A Stripe customer-portal session (payment methods, invoices, plan changes).
#[utoipa::path(post, path = "/api/subscription/portal", tag = "billing", security(("bearer" = [])),
    responses((status = 200, body = RedirectUrl), (status = 401, body = ErrorBody),
        (status = 409, description = "`no_customer`: never went through checkout", body = ErrorBody),
        (status = 502, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn portal(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<RedirectUrl>> {
    let gw = gateway(&state)?;
    let customer = billing::of_user(&state.db, user.id)
        .await?
        .and_then(|r| r.stripe_customer_id)
        .ok_or_else(|| {
            ApiError::conflict(
                "no_customer",
                "Subscribe first: there is no billing account yet.",
            )
        })?;
    let return_url = format!(
        "{}/billing",
        state
            .settings
            .public_base_url
            .as_str()
            .trim_end_matches('/')
    );
    let url = gw
        .portal_session(&customer, &return_url)
        .await
        .map_err(upstream)?;
    Ok(Json(RedirectUrl { url }))
}

async fn set_cancel(
    state: &AppState,
    user: &AuthUser,
    cancel: bool,
) -> ApiResult<SubscriptionView> {
    let row = billing::of_user(&state.db, user.id).await?;
    let Some((row, subscription)) = row.and_then(|r| {
        let s = r.stripe_subscription_id.clone()?;
        Some((r, s))
    }) else {
        return Err(ApiError::conflict(
            "no_subscription",
            "There is no subscription to change.",
        ));
    };
    if !matches!(row.status.as_str(), "active" | "past_due") {
        return Err(ApiError::conflict(
            "subscription_ended",
            "The subscription has ended; start a new one with checkout.",
        ));
    }
    let gw = gateway(state)?;
    gw.set_cancel_at_period_end(&subscription, cancel)
        .await
        .map_err(upstream)?;
    // Stripe confirms with `customer.subscription.updated`; show the change now.
    billing::set_cancel_at_period_end(&state.db, user.id, cancel).await?;
    let v = view(state, user.id).await?;
    events::publish(state, user.id, "subscription.updated", &v).await;
    Ok(v)
}

/// Cancel at the end of the current period (Premium stays until then).
#[utoipa::path(post, path = "/api/subscription/cancel", tag = "billing", security(("bearer" = [])),
    responses((status = 200, body = SubscriptionView), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 502, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<SubscriptionView>> {
    Ok(Json(set_cancel(&state, &user, true).await?))
}

/// Undo a cancel before the period ends.
#[utoipa::path(post, path = "/api/subscription/resume", tag = "billing", security(("bearer" = [])),
    responses((status = 200, body = SubscriptionView), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 502, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn resume(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<SubscriptionView>> {
    Ok(Json(set_cancel(&state, &user, false).await?))
}

/// Event types the lifecycle uses; others are recorded as `ignored`.
const HANDLED: [&str; 6] = [
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
];

/// Hands a recorded event to its customer's lifecycle workflow.
pub async fn hand_off(state: &AppState, customer: &str, event_id: &str) -> Result<(), String> {
    let options = WorkflowStartOptions::new(
        &state.settings.temporal_task_queue,
        lifecycle_workflow_id(customer),
    )
    .id_reuse_policy(WorkflowIdReusePolicy::AllowDuplicate)
    .build();
    state
        .temporal
        .signal_with_start_workflow(
            SubscriptionLifecycleWorkflow::run,
            LifecycleInput {
                customer: customer.to_owned(),
                pending: Vec::new(),
            },
            SubscriptionLifecycleWorkflow::stripe_event,
            event_id.to_owned(),
            options,
        )
        .await
        .map_err(|e| e.to_string())?;
    billing::mark_handed_off(&state.db, event_id)
        .await
        .map_err(|e| e.to_string())
}

/// Stripe's webhook endpoint (configure it in the Stripe dashboard).
#[utoipa::path(post, path = "/api/webhooks/stripe", tag = "billing",
    request_body(content = Object, description = "A Stripe event, signed (`Stripe-Signature`)."),
    responses((status = 200, description = "Recorded (or a duplicate, or an event type we do not use)"),
        (status = 400, description = "`malformed_signature`, `stale_signature`, `invalid_signature` or `malformed_event`; nothing recorded", body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn stripe_webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let b = &state.settings.billing;
    if b.webhook_secret.is_empty() {
        return Err(unavailable());
    }
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    maigie_billing::verify(
        signature,
        &body,
        &b.webhook_secret,
        b.webhook_tolerance_secs,
        Utc::now().timestamp(),
    )
    .map_err(|e| ApiError::bad_request(e.code(), e.to_string()))?;
    let event = StripeEvent::parse(&body)
        .map_err(|e| ApiError::bad_request("malformed_event", e.to_string()))?;
    let customer = event.customer();
    let handled = HANDLED.contains(&event.kind.as_str()) && customer.is_some();
    let new = billing::record_event(
        &state.db,
        &billing::NewEvent {
            stripe_event_id: &event.id,
            event_type: &event.kind,
            customer_id: customer.as_deref(),
            payload: &event.payload,
            event_created: event.created,
            status: if handled { "received" } else { "ignored" },
        },
    )
    .await?;
    if !new {
        return Ok(Json(json!({ "received": true, "duplicate": true })));
    }
    if let (true, Some(customer)) = (handled, customer.as_deref())
        && let Err(err) = hand_off(&state, customer, &event.id).await
    {
        // Recorded: the relay hands it over when Temporal is back.
        tracing::warn!(event = %event.id, error = %err, "could not hand a Stripe event to its workflow");
    }
    Ok(Json(json!({ "received": true })))
}

/// Retries hand-offs of events left behind (called by the relay).
pub async fn relay(state: &AppState) {
    match billing::not_handed_off(&state.db, 5, 50).await {
        Ok(rows) => {
            for (event_id, customer) in rows {
                if let Err(err) = hand_off(state, &customer, &event_id).await {
                    tracing::warn!(event = %event_id, error = %err, "Stripe event hand-off failed again");
                    return;
                }
            }
        }
        Err(err) => tracing::warn!(error = %err, "could not read Stripe events to hand off"),
    }
}

// ------------------------------------------------------------------ admin

async fn require_admin(state: &AppState, user: &AuthUser) -> ApiResult<()> {
    let row = users::find_by_id(&state.db, user.id).await?;
    if row.is_some_and(|u| u.role == "admin") {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "admin_only",
            "This needs an administrator.",
        ))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TierBody {
    /// FREE, PREMIUM_MONTHLY or PREMIUM_YEARLY.
    pub tier: String,
    /// Why (kept in the audit log).
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TierChanged {
    pub user_id: Uuid,
    pub previous: String,
    pub tier: String,
}

/// Set a user's tier by hand (support, comps); audited. A later Stripe event for the
/// user's subscription sets it again.
#[utoipa::path(patch, path = "/api/admin/users/{id}/tier", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = TierBody,
    responses((status = 200, body = TierChanged), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_tier(
    State(state): State<AppState>,
    admin: AuthUser,
    Path(id): Path<Uuid>,
    Json(body): Json<TierBody>,
) -> ApiResult<Json<TierChanged>> {
    require_admin(&state, &admin).await?;
    let tier = body.tier.parse::<Tier>().map_err(|_| {
        ApiError::invalid_field(
            "tier",
            "unknown_value",
            "must be FREE, PREMIUM_MONTHLY or PREMIUM_YEARLY",
        )
    })?;
    let reason = body.reason.unwrap_or_default();
    if reason.chars().count() > 500 {
        return Err(ApiError::invalid_field(
            "reason",
            "too_long",
            "must be at most 500 characters",
        ));
    }
    let previous = billing::set_tier(&state.db, id, tier.as_str()).await?;
    audit::record(
        &state.db,
        AuditEntry {
            actor_id: Some(admin.id),
            subject_id: Some(id),
            action: "admin.tier_changed",
            details: json!({ "from": previous, "to": tier.as_str(), "reason": reason }),
            request_id: None,
        },
    )
    .await?;
    Ok(Json(TierChanged {
        user_id: id,
        previous,
        tier: tier.as_str().to_owned(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventParams {
    /// received, processed, ignored or failed.
    pub status: Option<String>,
    /// 1–200 (default 50).
    pub limit: Option<i64>,
}

/// A Stripe event as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct BillingEventView {
    pub id: Uuid,
    pub stripe_event_id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub customer_id: Option<String>,
    pub user_id: Option<Uuid>,
    pub status: String,
    /// Why it was ignored or failed.
    pub error: Option<String>,
    pub event_created: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
}

/// Recorded Stripe events, newest first (e.g. `?status=failed`).
#[utoipa::path(get, path = "/api/admin/billing/events", tag = "admin", security(("bearer" = [])),
    params(EventParams),
    responses((status = 200, body = Vec<BillingEventView>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_events(
    State(state): State<AppState>,
    admin: AuthUser,
    Query(q): Query<EventParams>,
) -> ApiResult<Json<Vec<BillingEventView>>> {
    require_admin(&state, &admin).await?;
    let statuses: HashSet<&str> = ["received", "processed", "ignored", "failed"].into();
    if let Some(s) = q.status.as_deref()
        && !statuses.contains(s)
    {
        return Err(ApiError::invalid_field(
            "status",
            "unknown_value",
            "must be received, processed, ignored or failed",
        ));
    }
    let limit = crate::pagination::limit(q.limit)?;
    let rows = billing::events(&state.db, q.status.as_deref(), limit).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| BillingEventView {
                id: r.id,
                stripe_event_id: r.stripe_event_id,
                event_type: r.event_type,
                customer_id: r.customer_id,
                user_id: r.user_id,
                status: r.status,
                error: r.error,
                event_created: r.event_created,
                received_at: r.received_at,
                processed_at: r.processed_at,
            })
            .collect(),
    ))
}

/// Apply a failed or ignored event again (after fixing its cause).
#[utoipa::path(post, path = "/api/admin/billing/events/{id}/reprocess", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 202), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "`no_customer`: nothing to apply it to", body = ErrorBody)))]
pub async fn reprocess_event(
    State(state): State<AppState>,
    admin: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    require_admin(&state, &admin).await?;
    let (event_id, customer) = billing::reset_event(&state.db, id).await?;
    let customer = customer
        .ok_or_else(|| ApiError::conflict("no_customer", "The event names no customer."))?;
    audit::record(
        &state.db,
        AuditEntry {
            actor_id: Some(admin.id),
            subject_id: None,
            action: "admin.billing_event_reprocessed",
            details: json!({ "stripe_event_id": event_id }),
            request_id: None,
        },
    )
    .await?;
    if let Err(err) = hand_off(&state, &customer, &event_id).await {
        tracing::warn!(event = %event_id, error = %err, "reprocess hand-off failed; the relay retries");
    }
    Ok(StatusCode::ACCEPTED)
}
