//! A Stripe webhook event, reduced to what the subscription lifecycle needs.
//!
//! Shapes read (Stripe API reference, "Event" and the objects it carries):
//! `{"id": "evt_…", "type": "…", "created": <unix secs>, "data": {"object": {…}}}`;
//! `checkout.session` (`customer`, `subscription`, `client_reference_id`, `metadata`),
//! `subscription` (`id`, `customer`, `status`, `cancel_at_period_end`,
//! `current_period_end` — on the object in older API versions, on each item in newer
//! ones — and `items.data[].price.id`), `invoice` (`customer`, `subscription`).

use chrono::{DateTime, Utc};
use serde_json::Value;

/// A payload that is not a Stripe event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a Stripe event: {0}")]
pub struct EventError(pub String);

/// The event as received.
#[derive(Debug, Clone, PartialEq)]
pub struct StripeEvent {
    pub id: String,
    pub kind: String,
    pub created: DateTime<Utc>,
    pub object: Value,
    /// The whole payload, for the ledger.
    pub payload: Value,
}

/// Stripe's subscription status, folded into ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionStatus {
    Active,
    PastDue,
    Canceled,
    Incomplete,
}

impl SubscriptionStatus {
    fn from_stripe(s: &str) -> Self {
        match s {
            "active" | "trialing" => Self::Active,
            "past_due" | "unpaid" | "paused" => Self::PastDue,
            "canceled" | "incomplete_expired" => Self::Canceled,
            _ => Self::Incomplete,
        }
    }
}

/// What an event means for the customer's subscription.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Checkout finished: links the customer (and subscription) to our user.
    CheckoutCompleted {
        subscription: Option<String>,
        /// Our user id, sent as `client_reference_id`.
        user_ref: Option<String>,
        /// Our plan name, sent in `metadata.plan`.
        plan: Option<String>,
    },
    /// `customer.subscription.created|updated|deleted`.
    Subscription {
        id: String,
        status: SubscriptionStatus,
        price_id: Option<String>,
        current_period_end: Option<DateTime<Utc>>,
        cancel_at_period_end: bool,
    },
    InvoicePaid {
        subscription: Option<String>,
    },
    InvoicePaymentFailed {
        subscription: Option<String>,
    },
    /// An event type the lifecycle does not use.
    Other,
}

fn id_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Object(o) => o.get("id").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

fn time(v: &Value) -> Option<DateTime<Utc>> {
    v.as_i64().and_then(|s| DateTime::from_timestamp(s, 0))
}

impl StripeEvent {
    /// Reads a webhook body.
    pub fn parse(body: &[u8]) -> Result<Self, EventError> {
        let payload: Value =
            serde_json::from_slice(body).map_err(|e| EventError(format!("invalid JSON: {e}")))?;
        let text = |k: &str| {
            payload[k]
                .as_str()
                .filter(|s| !s.is_empty() && s.len() <= 255)
                .map(str::to_owned)
                .ok_or_else(|| EventError(format!("`{k}` must be a non-empty string")))
        };
        let id = text("id")?;
        let kind = text("type")?;
        let created = time(&payload["created"])
            .ok_or_else(|| EventError("`created` must be a Unix timestamp".into()))?;
        let object = payload["data"]["object"].clone();
        if !object.is_object() {
            return Err(EventError("`data.object` must be an object".into()));
        }
        Ok(Self {
            id,
            kind,
            created,
            object,
            payload,
        })
    }

    /// The Stripe customer the event is about, if any.
    #[must_use]
    pub fn customer(&self) -> Option<String> {
        if self.object["object"] == "customer" {
            return id_of(&self.object["id"]);
        }
        id_of(&self.object["customer"])
    }

    /// What the event means for the subscription.
    #[must_use]
    pub fn change(&self) -> Change {
        let o = &self.object;
        match self.kind.as_str() {
            "checkout.session.completed" => Change::CheckoutCompleted {
                subscription: id_of(&o["subscription"]),
                user_ref: o["client_reference_id"].as_str().map(str::to_owned),
                plan: o["metadata"]["plan"].as_str().map(str::to_owned),
            },
            "customer.subscription.created"
            | "customer.subscription.updated"
            | "customer.subscription.deleted" => {
                let Some(id) = id_of(&o["id"]) else {
                    return Change::Other;
                };
                let item = &o["items"]["data"][0];
                let status = if self.kind.ends_with(".deleted") {
                    SubscriptionStatus::Canceled
                } else {
                    SubscriptionStatus::from_stripe(o["status"].as_str().unwrap_or_default())
                };
                Change::Subscription {
                    id,
                    status,
                    price_id: id_of(&item["price"]),
                    current_period_end: time(&o["current_period_end"])
                        .or_else(|| time(&item["current_period_end"])),
                    cancel_at_period_end: o["cancel_at_period_end"].as_bool().unwrap_or(false),
                }
            }
            "invoice.paid" | "invoice.payment_succeeded" => Change::InvoicePaid {
                subscription: id_of(&o["subscription"])
                    .or_else(|| id_of(&o["parent"]["subscription_details"]["subscription"])),
            },
            "invoice.payment_failed" => Change::InvoicePaymentFailed {
                subscription: id_of(&o["subscription"])
                    .or_else(|| id_of(&o["parent"]["subscription_details"]["subscription"])),
            },
            _ => Change::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(kind: &str, object: Value) -> StripeEvent {
        let body = json!({ "id": "evt_1", "type": kind, "created": 1_700_000_000,
                           "data": { "object": object } });
        StripeEvent::parse(body.to_string().as_bytes()).expect("event")
    }

    #[test]
    fn subscription_events_carry_status_price_and_period_end() {
        let e = event(
            "customer.subscription.updated",
            json!({ "id": "sub_1", "object": "subscription", "customer": "cus_1",
                    "status": "past_due", "cancel_at_period_end": true,
                    "items": { "data": [{ "price": { "id": "price_m" },
                                          "current_period_end": 1_800_000_000 }] } }),
        );
        assert_eq!(e.customer().as_deref(), Some("cus_1"));
        assert_eq!(
            e.change(),
            Change::Subscription {
                id: "sub_1".into(),
                status: SubscriptionStatus::PastDue,
                price_id: Some("price_m".into()),
                current_period_end: DateTime::from_timestamp(1_800_000_000, 0),
                cancel_at_period_end: true,
            }
        );
        let deleted = event(
            "customer.subscription.deleted",
            json!({ "id": "sub_1", "customer": "cus_1", "status": "active" }),
        );
        assert!(matches!(
            deleted.change(),
            Change::Subscription {
                status: SubscriptionStatus::Canceled,
                ..
            }
        ));
    }

    #[test]
    fn payloads_that_are_not_events_are_refused() {
        for bad in [
            "not json",
            "{}",
            r#"{"id":"evt","type":"x","created":"yesterday","data":{"object":{}}}"#,
            r#"{"id":"evt","type":"x","created":1,"data":{}}"#,
            r#"{"id":"","type":"x","created":1,"data":{"object":{}}}"#,
        ] {
            assert!(StripeEvent::parse(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}
