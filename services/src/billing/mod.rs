//! Billing: the user's subscription (Stripe Checkout, the customer portal, cancel and
//! resume), the intake of Stripe's webhooks, and the admin views of tiers and events.
//!
//! Stripe is the source of truth for payments; our `subscriptions` row follows it
//! through webhooks. A verified webhook is recorded once in `billing_events` (unique
//! on Stripe's event id: a duplicate changes nothing) and handed to the customer's
//! `subscription_lifecycle` workflow (signal-with-start through the
//! [`crate::WorkflowStarter`]), which applies events in order of their `created`
//! time. Events that could not be handed over (Temporal down) are retried by
//! [`relay_events`]. The calls to Stripe are a [`BillingProvider`], given by the
//! adapter. Cancel and resume announce `subscription.updated`.

mod admin;
mod error;
mod provider;
mod subscription;
mod webhook;

use chrono::{DateTime, Utc};
use maigie_store::billing::EventRow;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

pub use admin::{EventParams, TierBody, TierChanged, list_events, reprocess_event, set_tier};
pub use error::{BillingError, BillingResult};
pub use provider::{BillingProvider, CheckoutRequest, ProviderError};
pub use subscription::{CheckoutBody, cancel, checkout, portal, resume, subscription};
pub use webhook::{IncomingEvent, Received, hand_off, receive, relay_events};

/// The user's plan as we know it from Stripe.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubscriptionView {
    /// The tier the account has now: FREE, PREMIUM_MONTHLY or PREMIUM_YEARLY.
    #[schema(value_type = maigie_domain::Tier)]
    pub tier: String,
    /// The plan of the (last) subscription.
    #[schema(value_type = maigie_domain::Tier)]
    pub plan: String,
    /// none, incomplete, active, past_due (in grace), canceled or expired.
    #[schema(value_type = crate::schema_enums::SubscriptionStatus)]
    pub status: String,
    pub current_period_end: Option<DateTime<Utc>>,
    /// Premium ends at `current_period_end` and is not renewed.
    pub cancel_at_period_end: bool,
    /// While past due: when Premium ends unless the payment goes through.
    pub grace_until: Option<DateTime<Utc>>,
}

/// Where to send the user.
#[derive(Debug, Serialize, ToSchema)]
pub struct RedirectUrl {
    pub url: String,
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
    #[schema(value_type = crate::schema_enums::BillingEventStatus)]
    pub status: String,
    /// Why it was ignored or failed.
    pub error: Option<String>,
    pub event_created: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
}

impl From<EventRow> for BillingEventView {
    fn from(r: EventRow) -> Self {
        Self {
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
        }
    }
}
