//! The subscription lifecycle's activities: applying a recorded Stripe event,
//! dunning e-mails, and endings by the clock. Each changes the subscription and the
//! user's tier in one transaction, and tells the user's open sockets.

use chrono::{Duration, TimeZone, Utc};
use maigie_billing::lifecycle::{self, Deadline, Outcome, Status, SubState};
use maigie_billing::{Change, StripeEvent};
use maigie_domain::{EventKind, UserEvent};
use maigie_store::billing::{self, SubscriptionChange, SubscriptionRow};
use maigie_store::notifications::{self, DeliveryKey, NewNotification};
use maigie_store::{EventBus, PgPool, StoreError};
use maigie_workflows::billing::Snapshot;
use serde_json::json;
use uuid::Uuid;

use crate::mail::{Email, html_escape};
use crate::notify::{self, Channels, Outgoing};

/// The lifecycle's rules, from configuration.
#[derive(Debug, Clone)]
pub struct BillingRules {
    /// How long a failed payment keeps the paid tier.
    pub grace: Duration,
    /// When each dunning e-mail goes out, from the start of the grace period.
    pub dunning_offsets: Vec<Duration>,
    /// Stripe price id → our plan.
    pub prices: Vec<(String, String)>,
}

impl Default for BillingRules {
    fn default() -> Self {
        Self {
            grace: Duration::days(7),
            dunning_offsets: vec![Duration::zero(), Duration::days(3), Duration::days(6)],
            prices: Vec::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("mail: {0}")]
    Mail(String),
}

fn state_of(row: &SubscriptionRow) -> SubState {
    SubState {
        status: Status::parse(&row.status),
        plan: row.plan.clone(),
        subscription_id: row.stripe_subscription_id.clone(),
        current_period_end: row.current_period_end,
        cancel_at_period_end: row.cancel_at_period_end,
        grace_until: row.grace_until,
        last_event_created: row.last_event_created,
    }
}

fn snapshot(rules: &BillingRules, s: &SubState) -> Snapshot {
    let dunning_at_ms = match (s.status, s.grace_until) {
        (Status::PastDue, Some(until)) => {
            let start = until - rules.grace;
            rules
                .dunning_offsets
                .iter()
                .map(|o| (start + *o).timestamp_millis())
                .collect()
        }
        _ => Vec::new(),
    };
    Snapshot {
        status: s.status.as_str().to_owned(),
        grace_until_ms: s.grace_until.map(|t| t.timestamp_millis()),
        period_end_ms: s.current_period_end.map(|t| t.timestamp_millis()),
        cancel_at_period_end: s.cancel_at_period_end,
        dunning_at_ms,
    }
}

async fn save(
    tx: &mut maigie_store::Transaction<'_, maigie_store::Postgres>,
    user_id: Uuid,
    s: &SubState,
) -> Result<(), StoreError> {
    billing::save(
        tx,
        user_id,
        &SubscriptionChange {
            plan: &s.plan,
            status: s.status.as_str(),
            stripe_subscription_id: s.subscription_id.as_deref(),
            current_period_end: s.current_period_end,
            cancel_at_period_end: s.cancel_at_period_end,
            grace_until: s.grace_until,
            last_event_created: s.last_event_created,
            tier: s.tier(),
        },
    )
    .await
}

async fn announce(events: &EventBus, user_id: Uuid, s: &SubState) {
    let event = UserEvent {
        user_id,
        kind: EventKind::SubscriptionUpdated,
        data: json!({
            "plan": s.plan, "status": s.status.as_str(), "tier": s.tier(),
            "current_period_end": s.current_period_end,
            "cancel_at_period_end": s.cancel_at_period_end, "grace_until": s.grace_until,
        }),
    };
    if let Err(err) = events.publish(&event).await {
        tracing::warn!(%user_id, error = %err, "could not announce a subscription change");
    }
}

/// Applies one recorded event (idempotent: a finished event is not applied again).
pub async fn apply_event(
    db: &PgPool,
    events: &EventBus,
    rules: &BillingRules,
    customer: &str,
    event_id: &str,
) -> Result<Snapshot, BillingError> {
    let mut tx = db.begin().await.map_err(StoreError::from)?;
    let Some(event) = billing::lock_event(&mut tx, event_id).await? else {
        return Ok(Snapshot::default());
    };
    let row = billing::lock_by_customer(&mut tx, customer).await?;
    if event.status != "received" {
        tx.commit().await.map_err(StoreError::from)?;
        return Ok(row
            .map(|r| snapshot(rules, &state_of(&r)))
            .unwrap_or_default());
    }
    let parsed = StripeEvent::parse(event.payload.to_string().as_bytes());
    let (change, created) = match &parsed {
        Ok(e) => (e.change(), e.created),
        Err(err) => {
            billing::finish_event(&mut *tx, event_id, "failed", Some(&err.to_string()), None)
                .await?;
            tx.commit().await.map_err(StoreError::from)?;
            return Ok(Snapshot::default());
        }
    };
    let row = match row {
        Some(r) => Some(r),
        None => match &change {
            Change::CheckoutCompleted {
                user_ref: Some(user),
                ..
            } => match user.parse::<Uuid>() {
                Ok(user_id) => billing::link_customer(&mut tx, user_id, customer).await?,
                Err(_) => None,
            },
            _ => None,
        },
    };
    let Some(row) = row else {
        billing::finish_event(
            &mut *tx,
            event_id,
            "ignored",
            Some("no user has this customer"),
            None,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        return Ok(Snapshot::default());
    };
    let state = state_of(&row);
    let plan_of = |price: &str| {
        rules
            .prices
            .iter()
            .find(|(p, _)| p == price)
            .map(|(_, plan)| plan.clone())
    };
    let next = match lifecycle::apply(&state, created, &change, plan_of, rules.grace) {
        Outcome::Applied(next) => {
            match save(&mut tx, row.user_id, &next).await {
                Ok(()) => {}
                // Data the database refuses (e.g. a subscription id already linked to
                // another account) will not succeed on retry: record the event as
                // failed for an admin to look at, and keep the state.
                Err(
                    err @ (StoreError::Conflict(_)
                    | StoreError::Constraint(_)
                    | StoreError::InvalidValue(_)),
                ) => {
                    drop(tx);
                    tracing::warn!(event = %event_id, error = %err, "Stripe event cannot be applied");
                    billing::finish_event(
                        db,
                        event_id,
                        "failed",
                        Some(&err.to_string()),
                        Some(row.user_id),
                    )
                    .await?;
                    return Ok(snapshot(rules, &state));
                }
                Err(err) => return Err(err.into()),
            }
            billing::finish_event(&mut *tx, event_id, "processed", None, Some(row.user_id)).await?;
            Some(next)
        }
        Outcome::Ignored(why) => {
            billing::finish_event(&mut *tx, event_id, "ignored", Some(why), Some(row.user_id))
                .await?;
            None
        }
    };
    tx.commit().await.map_err(StoreError::from)?;
    if let Some(next) = &next
        && *next != state
    {
        announce(events, row.user_id, next).await;
    }
    Ok(snapshot(rules, next.as_ref().unwrap_or(&state)))
}

/// Ends the subscription if the deadline has passed (a little clock slack allowed).
pub async fn expire(
    db: &PgPool,
    events: &EventBus,
    rules: &BillingRules,
    customer: &str,
    deadline: Deadline,
) -> Result<Snapshot, BillingError> {
    let mut tx = db.begin().await.map_err(StoreError::from)?;
    let Some(row) = billing::lock_by_customer(&mut tx, customer).await? else {
        return Ok(Snapshot::default());
    };
    let state = state_of(&row);
    let now = Utc::now() + Duration::seconds(2);
    let Some(next) = lifecycle::expire(&state, deadline, now) else {
        return Ok(snapshot(rules, &state));
    };
    save(&mut tx, row.user_id, &next).await?;
    tx.commit().await.map_err(StoreError::from)?;
    announce(events, row.user_id, &next).await;
    Ok(snapshot(rules, &next))
}

/// Sends dunning e-mail `index` of the grace period ending `grace_until_ms`, once,
/// with its in-app notification; nothing if the subscription is no longer past due
/// in that grace period.
pub async fn dunning(
    ch: &Channels<'_>,
    rules: &BillingRules,
    customer: &str,
    grace_until_ms: i64,
    index: u32,
) -> Result<(), BillingError> {
    let (db, events, mailer, public_base_url) = (ch.db, ch.events, ch.mailer, ch.public_base_url);
    let Some(row) = billing::of_customer(db, customer).await? else {
        return Ok(());
    };
    let grace_until = Utc.timestamp_millis_opt(grace_until_ms).single();
    if row.status != "past_due" || row.grace_until != grace_until {
        return Ok(());
    }
    let Some(until) = grace_until else {
        return Ok(());
    };
    let Some(recipient) = notifications::recipient(db, row.user_id).await? else {
        return Ok(());
    };
    let offset = rules
        .dunning_offsets
        .get(usize::try_from(index).unwrap_or(usize::MAX))
        .copied()
        .unwrap_or_default();
    let at = until - rules.grace + offset;
    let link = format!("{}/billing", public_base_url.trim_end_matches('/'));
    let title = "Your payment did not go through";
    let body = format!(
        "We could not charge your card for Maigie Premium. Update your payment method before {} \
         to keep Premium; after that your account moves to the free plan.",
        until.format("%e %b %Y %H:%M UTC")
    );
    let dedupe_key = format!("dunning:{customer}:{grace_until_ms}:{index}");
    let reminder_key = format!("dunning:{customer}");
    let (mut channels, off) =
        maigie_domain::notifications::split_channels(&recipient.preferences, "billing");
    // Payment problems always reach the inbox: only the in-app channel can be off.
    if !channels.contains(&"email") {
        channels.push("email");
    }
    let off: Vec<&str> = off.into_iter().filter(|c| *c != "email").collect();
    let (notification, pending) = notify::record(
        db,
        &Outgoing {
            notification: NewNotification {
                user_id: row.user_id,
                kind: "billing",
                title,
                body: Some(&body),
                data: json!({ "grace_until": until, "dunning": index + 1 }),
                source_type: Some("subscription"),
                source_id: None,
                dedupe_key: &dedupe_key,
            },
            key: DeliveryKey {
                user_id: row.user_id,
                reminder_key: &reminder_key,
                occurrence_at: at,
            },
            fire_at: at,
            late: false,
            channels: &channels,
            off: &off,
        },
    )
    .await?;
    for (delivery_id, channel) in pending {
        let sent = if channel == "websocket" {
            notify::send_event(events, row.user_id, &notification).await
        } else {
            mailer
                .send(Email {
                    to: &recipient.email,
                    to_name: recipient.name.as_deref(),
                    subject: title,
                    text: format!("{body}\n\nUpdate it here: {link}\n"),
                    html: format!(
                        "<p>{}</p><p><a href=\"{}\">Update your payment method</a></p>",
                        html_escape(&body),
                        html_escape(&link)
                    ),
                    message_id: format!("<{}@maigie>", dedupe_key.replace(':', "-")),
                })
                .await
                .map_err(|e| e.to_string())
        };
        if let Some(reason) = notify::settle(db, delivery_id, sent).await? {
            return Err(BillingError::Mail(reason));
        }
    }
    Ok(())
}
