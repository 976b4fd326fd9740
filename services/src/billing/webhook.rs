//! The intake of the provider's webhooks: a verified event is recorded once in the
//! ledger and handed to its customer's lifecycle workflow; the relay hands over
//! what could not be handed over at once.

use chrono::{DateTime, Utc};
use maigie_store::billing::{self, NewEvent};
use maigie_workflows::billing::{
    EVENT_SIGNAL, LifecycleInput, WORKFLOW_NAME, lifecycle_workflow_id,
};
use serde_json::Value;

use crate::error::{ServiceError, ServiceResult};
use crate::{Services, WorkflowStart};

/// Event types the lifecycle uses; others are recorded as `ignored`.
const HANDLED: [&str; 6] = [
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
];

/// A webhook event whose signature the adapter has verified, read into what the
/// ledger keeps.
#[derive(Debug, Clone)]
pub struct IncomingEvent {
    /// The provider's event id (unique: a repeat is a duplicate).
    pub id: String,
    /// The event type, e.g. `invoice.paid`.
    pub kind: String,
    /// The customer the event is about, if it names one.
    pub customer: Option<String>,
    /// When the provider created it (the lifecycle applies events in this order).
    pub created: DateTime<Utc>,
    /// The whole payload.
    pub payload: Value,
}

/// What became of a received event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    /// It had been received before: nothing changed.
    pub duplicate: bool,
}

/// Records the event once and, when the lifecycle uses it, hands it to its
/// customer's workflow; a hand-off that fails is left to [`relay_events`].
pub async fn receive(svc: &Services, event: &IncomingEvent) -> ServiceResult<Received> {
    let customer = event.customer.as_deref();
    let handled = HANDLED.contains(&event.kind.as_str()) && customer.is_some();
    let new = billing::record_event(
        &svc.db,
        &NewEvent {
            stripe_event_id: &event.id,
            event_type: &event.kind,
            customer_id: customer,
            payload: &event.payload,
            event_created: event.created,
            status: if handled { "received" } else { "ignored" },
        },
    )
    .await?;
    if !new {
        return Ok(Received { duplicate: true });
    }
    if let (true, Some(customer)) = (handled, customer)
        && let Err(err) = hand_off(svc, customer, &event.id).await
    {
        // Recorded: the relay hands it over when the workflow service is back.
        tracing::warn!(event = %event.id, error = %err, "could not hand a Stripe event to its workflow");
    }
    Ok(Received { duplicate: false })
}

/// Hands a recorded event to its customer's lifecycle workflow (signal-with-start)
/// and marks it handed off.
pub async fn hand_off(svc: &Services, customer: &str, event_id: &str) -> ServiceResult<()> {
    // The account, for the workflow's `UserId` search attribute (none yet when the
    // customer is not linked to an account).
    let user_id = billing::of_customer(&svc.db, customer)
        .await?
        .map(|row| row.user_id);
    let input = LifecycleInput {
        customer: customer.to_owned(),
        pending: Vec::new(),
        user_id,
    };
    let start = WorkflowStart {
        workflow_type: WORKFLOW_NAME.to_owned(),
        workflow_id: lifecycle_workflow_id(customer),
        input: serde_json::to_value(input).map_err(ServiceError::internal)?,
    };
    svc.starter
        .signal_with_start(&start, EVENT_SIGNAL, &Value::from(event_id))
        .await
        .map_err(|e| ServiceError::Unavailable(e.to_string()))?;
    Ok(billing::mark_handed_off(&svc.db, event_id).await?)
}

/// Retries hand-offs of events left behind (up to 50, received over 5 s ago);
/// stops at the first failure.
pub async fn relay_events(svc: &Services) {
    match billing::not_handed_off(&svc.db, 5, 50).await {
        Ok(rows) => {
            for (event_id, customer) in rows {
                if let Err(err) = hand_off(svc, &customer, &event_id).await {
                    tracing::warn!(event = %event_id, error = %err, "Stripe event hand-off failed again");
                    return;
                }
            }
        }
        Err(err) => tracing::warn!(error = %err, "could not read Stripe events to hand off"),
    }
}
