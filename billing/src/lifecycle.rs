//! The subscription lifecycle as a pure state machine: an event (already read into a
//! [`Change`]) applied to the stored state, and the time-driven endings (grace over,
//! period over after a cancel). The worker's activities load and store the state
//! around these functions; the `subscription_lifecycle` workflow decides when.
//!
//! ```text
//!            checkout / subscription active / invoice paid
//!   FREE ─────────────────────────────────────────────▶ ACTIVE ◀──────┐
//!                                                     │  │          │ invoice paid
//!                        invoice payment failed ──────┘  │          │ (within grace)
//!                                                        ▼          │
//!                                                    PAST_DUE ──────┘
//!   subscription deleted (any state) ──▶ CANCELED       │ grace over
//!   cancel at period end, period over ──▶ EXPIRED ◀──────┘
//! ```
//! ACTIVE and PAST_DUE keep the paid tier; every other state is FREE.

use chrono::{DateTime, Duration, Utc};

use crate::event::{Change, SubscriptionStatus};

/// Our subscription states (`subscriptions.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Incomplete,
    Active,
    PastDue,
    Canceled,
    Expired,
}

impl Status {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Incomplete => "incomplete",
            Self::Active => "active",
            Self::PastDue => "past_due",
            Self::Canceled => "canceled",
            Self::Expired => "expired",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Self {
        match s {
            "active" => Self::Active,
            "past_due" => Self::PastDue,
            "canceled" => Self::Canceled,
            "expired" => Self::Expired,
            _ => Self::Incomplete,
        }
    }

    /// Whether the paid plan's features are on.
    #[must_use]
    pub fn is_paid(self) -> bool {
        matches!(self, Self::Active | Self::PastDue)
    }
}

/// A customer's subscription as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubState {
    pub status: Status,
    /// `PREMIUM_MONTHLY` or `PREMIUM_YEARLY` (`FREE` before the first purchase).
    pub plan: String,
    pub subscription_id: Option<String>,
    pub current_period_end: Option<DateTime<Utc>>,
    pub cancel_at_period_end: bool,
    pub grace_until: Option<DateTime<Utc>>,
    /// `created` of the last event applied: older events are ignored.
    pub last_event_created: Option<DateTime<Utc>>,
}

impl SubState {
    /// The tier the user has in this state.
    #[must_use]
    pub fn tier(&self) -> &str {
        if self.status.is_paid() && self.plan != "FREE" {
            &self.plan
        } else {
            "FREE"
        }
    }
}

/// What applying an event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Applied(SubState),
    /// Nothing changed; why.
    Ignored(&'static str),
}

/// Applies an event created at `created`. `plan_of` maps a Stripe price id to our
/// plan; `grace` is how long a failed payment keeps the paid tier.
#[must_use]
pub fn apply(
    state: &SubState,
    created: DateTime<Utc>,
    change: &Change,
    plan_of: impl Fn(&str) -> Option<String>,
    grace: Duration,
) -> Outcome {
    if state.last_event_created.is_some_and(|last| created < last) {
        return Outcome::Ignored("older than the last event applied to this subscription");
    }
    let mut next = state.clone();
    match change {
        Change::CheckoutCompleted {
            subscription, plan, ..
        } => {
            if matches!(
                state.status,
                Status::Incomplete | Status::Canceled | Status::Expired
            ) {
                next.status = Status::Active;
                next.grace_until = None;
                next.cancel_at_period_end = false;
            }
            if let Some(plan) = plan.as_deref().filter(|p| p.starts_with("PREMIUM_")) {
                next.plan = plan.to_owned();
            }
            if subscription.is_some() {
                next.subscription_id.clone_from(subscription);
            }
        }
        Change::Subscription {
            id,
            status,
            price_id,
            current_period_end,
            cancel_at_period_end,
        } => {
            next.subscription_id = Some(id.clone());
            if let Some(plan) = price_id.as_deref().and_then(&plan_of) {
                next.plan = plan;
            }
            if current_period_end.is_some() {
                next.current_period_end = *current_period_end;
            }
            next.cancel_at_period_end = *cancel_at_period_end;
            match status {
                SubscriptionStatus::Active => {
                    next.status = Status::Active;
                    next.grace_until = None;
                }
                SubscriptionStatus::PastDue => {
                    next.status = Status::PastDue;
                    next.grace_until = state.grace_until.or(Some(created + grace));
                }
                SubscriptionStatus::Canceled => {
                    next.status = Status::Canceled;
                    next.grace_until = None;
                }
                SubscriptionStatus::Incomplete => {
                    if !state.status.is_paid() {
                        next.status = Status::Incomplete;
                    }
                }
            }
        }
        Change::InvoicePaid { .. } => {
            if matches!(state.status, Status::Canceled | Status::Expired) {
                return Outcome::Ignored("the subscription has ended");
            }
            next.status = Status::Active;
            next.grace_until = None;
        }
        Change::InvoicePaymentFailed { .. } => {
            if !state.status.is_paid() {
                return Outcome::Ignored("no paid subscription to put past due");
            }
            next.status = Status::PastDue;
            next.grace_until = state.grace_until.or(Some(created + grace));
        }
        Change::Other => return Outcome::Ignored("event type not used by the lifecycle"),
    }
    next.last_event_created = Some(created);
    Outcome::Applied(next)
}

/// Why a subscription ends by the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    GraceOver,
    PeriodOver,
}

/// Ends the subscription if `deadline` has really passed at `now` in `state`
/// (a payment or a resume since the timer was set leaves it alone).
#[must_use]
pub fn expire(state: &SubState, deadline: Deadline, now: DateTime<Utc>) -> Option<SubState> {
    let due = match deadline {
        Deadline::GraceOver => {
            state.status == Status::PastDue && state.grace_until.is_some_and(|g| g <= now)
        }
        Deadline::PeriodOver => {
            state.status.is_paid()
                && state.cancel_at_period_end
                && state.current_period_end.is_some_and(|e| e <= now)
        }
    };
    due.then(|| SubState {
        status: Status::Expired,
        grace_until: None,
        ..state.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + secs, 0).expect("time")
    }

    fn free() -> SubState {
        SubState {
            status: Status::Incomplete,
            plan: "FREE".into(),
            subscription_id: None,
            current_period_end: None,
            cancel_at_period_end: false,
            grace_until: None,
            last_event_created: None,
        }
    }

    fn plan_of(price: &str) -> Option<String> {
        (price == "price_m").then(|| "PREMIUM_MONTHLY".to_owned())
    }

    fn sub(status: SubscriptionStatus, cancel: bool) -> Change {
        Change::Subscription {
            id: "sub_1".into(),
            status,
            price_id: Some("price_m".into()),
            current_period_end: Some(t(30 * 86_400)),
            cancel_at_period_end: cancel,
        }
    }

    fn applied(o: Outcome) -> SubState {
        match o {
            Outcome::Applied(s) => s,
            Outcome::Ignored(why) => panic!("ignored: {why}"),
        }
    }

    #[test]
    fn payment_failure_opens_a_grace_period_that_payment_closes() {
        let grace = Duration::days(7);
        let s = applied(apply(
            &free(),
            t(0),
            &sub(SubscriptionStatus::Active, false),
            plan_of,
            grace,
        ));
        assert_eq!((s.status, s.tier()), (Status::Active, "PREMIUM_MONTHLY"));
        let failed = Change::InvoicePaymentFailed { subscription: None };
        let s = applied(apply(&s, t(10), &failed, plan_of, grace));
        assert_eq!(s.status, Status::PastDue);
        assert_eq!(s.grace_until, Some(t(10) + grace));
        assert_eq!(s.tier(), "PREMIUM_MONTHLY", "grace keeps the tier");
        // A second failure does not extend the grace period.
        let again = applied(apply(&s, t(20), &failed, plan_of, grace));
        assert_eq!(again.grace_until, s.grace_until);
        let paid = applied(apply(
            &again,
            t(30),
            &Change::InvoicePaid { subscription: None },
            plan_of,
            grace,
        ));
        assert_eq!((paid.status, paid.grace_until), (Status::Active, None));
        // Grace over without payment: expired, free.
        let over = expire(&again, Deadline::GraceOver, t(10) + grace).expect("expired");
        assert_eq!((over.status, over.tier()), (Status::Expired, "FREE"));
        assert_eq!(expire(&paid, Deadline::GraceOver, t(10) + grace), None);
    }

    #[test]
    fn older_events_are_ignored() {
        let grace = Duration::days(7);
        let s = applied(apply(
            &free(),
            t(100),
            &sub(SubscriptionStatus::Active, true),
            plan_of,
            grace,
        ));
        assert!(matches!(
            apply(
                &s,
                t(50),
                &sub(SubscriptionStatus::Incomplete, false),
                plan_of,
                grace
            ),
            Outcome::Ignored(_)
        ));
        // Same second: applied (Stripe's clock has one-second resolution).
        assert!(matches!(
            apply(
                &s,
                t(100),
                &sub(SubscriptionStatus::Active, false),
                plan_of,
                grace
            ),
            Outcome::Applied(_)
        ));
    }

    #[test]
    fn cancel_at_period_end_expires_at_the_period_end_and_deleted_cancels_now() {
        let grace = Duration::days(7);
        let s = applied(apply(
            &free(),
            t(0),
            &sub(SubscriptionStatus::Active, true),
            plan_of,
            grace,
        ));
        assert_eq!(expire(&s, Deadline::PeriodOver, t(29 * 86_400)), None);
        let e = expire(&s, Deadline::PeriodOver, t(30 * 86_400)).expect("expired");
        assert_eq!(e.tier(), "FREE");
        let c = applied(apply(
            &s,
            t(5),
            &sub(SubscriptionStatus::Canceled, false),
            plan_of,
            grace,
        ));
        assert_eq!((c.status, c.tier()), (Status::Canceled, "FREE"));
        assert!(matches!(
            apply(
                &c,
                t(6),
                &Change::InvoicePaid { subscription: None },
                plan_of,
                grace
            ),
            Outcome::Ignored(_)
        ));
    }
}
