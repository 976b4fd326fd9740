//! Billing: `/api/subscription` (Stripe Checkout, customer portal, cancel/resume),
//! `POST /api/webhooks/stripe`, and the admin views of tiers and Stripe events.
//!
//! The rules live in [`maigie_services::billing`]; these handlers extract, call and
//! answer. Stripe's client is the use-cases' [`stripe::Stripe`] provider; a webhook's
//! signature is checked here (`maigie_billing::verify`) before the use-case records
//! the event and hands it to the customer's `subscription_lifecycle` workflow.

mod stripe;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use maigie_billing::StripeEvent;
use maigie_services::billing::{self, BillingError, IncomingEvent};
pub use maigie_services::billing::{
    BillingEventView, CheckoutBody, EventParams, RedirectUrl, SubscriptionView, TierBody,
    TierChanged,
};
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use self::stripe::Stripe;
use crate::auth::extractor::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
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

impl From<BillingError> for ApiError {
    fn from(err: BillingError) -> Self {
        match err {
            BillingError::NotConfigured => unavailable(),
            BillingError::Provider(error) => {
                tracing::warn!(%error, "Stripe call failed");
                Self::client(
                    StatusCode::BAD_GATEWAY,
                    "billing_provider_error",
                    "The payment provider could not be reached; try again shortly.",
                )
            }
            BillingError::AccountGone => {
                Self::unauthorized("account_not_found", "The account no longer exists.")
            }
            BillingError::AdminOnly => {
                Self::forbidden("admin_only", "This needs an administrator.")
            }
            BillingError::Service(err) => err.into(),
        }
    }
}

/// The current subscription.
#[utoipa::path(get, path = "/api/subscription", tag = "billing", security(("bearer" = [])),
    responses((status = 200, body = SubscriptionView), (status = 401, body = ErrorBody)))]
pub async fn get_subscription(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<SubscriptionView>> {
    Ok(Json(
        billing::subscription(&state.services, &user.ctx()).await?,
    ))
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
    let stripe = Stripe::of(&state);
    Ok(Json(
        billing::checkout(&state.services, &user.ctx(), &stripe, body).await?,
    ))
}

/// A Stripe customer-portal session (payment methods, invoices, plan changes).
#[utoipa::path(post, path = "/api/subscription/portal", tag = "billing", security(("bearer" = [])),
    responses((status = 200, body = RedirectUrl), (status = 401, body = ErrorBody),
        (status = 409, description = "`no_customer`: never went through checkout", body = ErrorBody),
        (status = 502, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn portal(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<RedirectUrl>> {
    let stripe = Stripe::of(&state);
    Ok(Json(
        billing::portal(&state.services, &user.ctx(), &stripe).await?,
    ))
}

/// Cancel at the end of the current period (Premium stays until then).
#[utoipa::path(post, path = "/api/subscription/cancel", tag = "billing", security(("bearer" = [])),
    responses((status = 200, body = SubscriptionView), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 502, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<SubscriptionView>> {
    let stripe = Stripe::of(&state);
    Ok(Json(
        billing::cancel(&state.services, &user.ctx(), &stripe).await?,
    ))
}

/// Undo a cancel before the period ends.
#[utoipa::path(post, path = "/api/subscription/resume", tag = "billing", security(("bearer" = [])),
    responses((status = 200, body = SubscriptionView), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 502, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn resume(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<SubscriptionView>> {
    let stripe = Stripe::of(&state);
    Ok(Json(
        billing::resume(&state.services, &user.ctx(), &stripe).await?,
    ))
}

/// Checks the `Stripe-Signature` of a webhook and reads the event.
fn verified(state: &AppState, headers: &HeaderMap, body: &[u8]) -> ApiResult<IncomingEvent> {
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
        body,
        &b.webhook_secret,
        b.webhook_tolerance_secs,
        Utc::now().timestamp(),
    )
    .map_err(|e| ApiError::bad_request(e.code(), e.to_string()))?;
    let event = StripeEvent::parse(body)
        .map_err(|e| ApiError::bad_request("malformed_event", e.to_string()))?;
    Ok(IncomingEvent {
        customer: event.customer(),
        id: event.id,
        kind: event.kind,
        created: event.created,
        payload: event.payload,
    })
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
    let event = verified(&state, &headers, &body)?;
    let received = billing::receive(&state.services, &event).await?;
    Ok(Json(if received.duplicate {
        json!({ "received": true, "duplicate": true })
    } else {
        json!({ "received": true })
    }))
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
    Ok(Json(
        billing::set_tier(&state.services, &admin.ctx(), id, body).await?,
    ))
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
    Ok(Json(
        billing::list_events(&state.services, &admin.ctx(), q).await?,
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
    billing::reprocess_event(&state.services, &admin.ctx(), id).await?;
    Ok(StatusCode::ACCEPTED)
}
