//! `subscription_lifecycle`: one workflow per Stripe customer
//! (`subscription-<customer id>`), fed by the webhook with signal-with-start.
//!
//! Each `stripe_event` signal names a recorded event; the workflow applies them one at
//! a time (`billing.apply_event`, idempotent per event, ordered by the event's
//! `created` watermark in the database) and then keeps the clock: dunning e-mails
//! during a grace period (`billing.dunning`), and the endings — grace over without
//! payment, or the period over after a cancel (`billing.expire`). With nothing left to
//! wait for it completes; the next event starts a new run.

#[cfg(feature = "worker")]
use std::collections::{BTreeSet, VecDeque};

#[cfg(feature = "worker")]
use std::time::{Duration, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
#[cfg(feature = "worker")]
use temporalio_macros::{workflow, workflow_methods};
#[cfg(feature = "worker")]
use temporalio_sdk::{
    ActivityOptions, ContinueAsNewOptions, SyncWorkflowContext, WorkflowContext,
    WorkflowContextView, WorkflowResult,
};

#[cfg(feature = "worker")]
use crate::contracts::CommonActivities;

pub const WORKFLOW_NAME: &str = "subscription_lifecycle";
pub const EVENT_SIGNAL: &str = "stripe_event";
/// Events applied before the run continues as new (keeps histories small).
#[cfg(feature = "worker")]
const EVENTS_PER_RUN: u32 = 200;

#[must_use]
pub fn lifecycle_workflow_id(customer: &str) -> String {
    format!("subscription-{customer}")
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleInput {
    pub customer: String,
    /// Events received but not applied yet (carried over by continue-as-new).
    #[serde(default)]
    pub pending: Vec<String>,
    /// The customer's account, when known: the start's `UserId` search attribute
    /// (absent from inputs recorded before it was added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<uuid::Uuid>,
}

/// The subscription as the workflow needs it for its clock.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub status: String,
    pub grace_until_ms: Option<i64>,
    pub period_end_ms: Option<i64>,
    pub cancel_at_period_end: bool,
    /// When this grace period's dunning e-mails are due.
    #[serde(default)]
    pub dunning_at_ms: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyEventInput {
    pub customer: String,
    pub event_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DunningInput {
    pub customer: String,
    pub grace_until_ms: i64,
    /// 0-based: which of the period's e-mails.
    pub index: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpireInput {
    pub customer: String,
    /// `grace` or `period`.
    pub deadline: String,
}

#[cfg(feature = "worker")]
fn options() -> ActivityOptions {
    ActivityOptions::start_to_close_timeout(Duration::from_secs(60))
}

#[cfg(feature = "worker")]
#[workflow]
pub struct SubscriptionLifecycleWorkflow {
    customer: String,
    /// Event ids to apply, in arrival order. A repeated id costs one no-op activity
    /// (applying is idempotent per event), which lets an operator re-apply one.
    pending: VecDeque<String>,
    user_id: Option<uuid::Uuid>,
}

#[cfg(feature = "worker")]
fn now_ms(ctx: &WorkflowContext<SubscriptionLifecycleWorkflow>) -> i64 {
    ctx.workflow_time()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// What the clock does next.
#[cfg(feature = "worker")]
enum Due {
    Dunning(u32, i64),
    Grace(i64),
    Period(i64),
}

#[cfg(feature = "worker")]
impl Due {
    fn at(&self) -> i64 {
        match self {
            Self::Dunning(_, at) | Self::Grace(at) | Self::Period(at) => *at,
        }
    }
}

#[cfg(feature = "worker")]
fn next_due(s: &Snapshot, dunned: &BTreeSet<u32>) -> Option<Due> {
    let mut due: Vec<Due> = Vec::new();
    if s.status == "past_due"
        && let Some(grace) = s.grace_until_ms
    {
        for (i, at) in s.dunning_at_ms.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            if !dunned.contains(&i) && *at < grace {
                due.push(Due::Dunning(i, *at));
            }
        }
        due.push(Due::Grace(grace));
    }
    if matches!(s.status.as_str(), "active" | "past_due")
        && s.cancel_at_period_end
        && let Some(end) = s.period_end_ms
    {
        due.push(Due::Period(end));
    }
    due.into_iter().min_by_key(Due::at)
}

#[cfg(feature = "worker")]
#[workflow_methods]
impl SubscriptionLifecycleWorkflow {
    #[init]
    pub fn new(_ctx: &WorkflowContextView, input: LifecycleInput) -> Self {
        Self {
            customer: input.customer,
            pending: input.pending.into(),
            user_id: input.user_id,
        }
    }

    #[run(name = "subscription_lifecycle")]
    pub async fn run(ctx: &mut WorkflowContext<Self>) -> WorkflowResult<()> {
        let customer = ctx.state(|s| s.customer.clone());
        let mut snapshot: Option<Snapshot> = None;
        // Dunning e-mails sent, for the grace period they belong to.
        let mut dunned: (Option<i64>, BTreeSet<u32>) = (None, BTreeSet::new());
        let mut applied = 0;
        loop {
            if let Some(event_id) = ctx.state_mut(|s| s.pending.pop_front()) {
                let snap = ctx
                    .execute_activity(
                        CommonActivities::apply_billing_event,
                        ApplyEventInput {
                            customer: customer.clone(),
                            event_id,
                        },
                        options(),
                    )
                    .await?;
                if dunned.0 != snap.grace_until_ms {
                    dunned = (snap.grace_until_ms, BTreeSet::new());
                }
                snapshot = Some(snap);
                applied += 1;
                continue;
            }
            if applied >= EVENTS_PER_RUN {
                ctx.continue_as_new(
                    LifecycleInput {
                        customer,
                        pending: Vec::new(),
                        user_id: ctx.state(|s| s.user_id),
                    },
                    ContinueAsNewOptions::default(),
                )?;
                return Ok(());
            }
            let Some(due) = snapshot.as_ref().and_then(|s| next_due(s, &dunned.1)) else {
                return Ok(());
            };
            let wait = due.at() - now_ms(ctx);
            if wait > 0 {
                temporalio_sdk::workflows::select! {
                    _ = ctx.timer(Duration::from_millis(u64::try_from(wait).unwrap_or(0))) => {}
                    _ = ctx.wait_condition(|s: &Self| !s.pending.is_empty()) => {}
                }
                continue;
            }
            match due {
                Due::Dunning(index, _) => {
                    let grace_until_ms = dunned.0.unwrap_or_default();
                    ctx.execute_activity(
                        CommonActivities::send_dunning,
                        DunningInput {
                            customer: customer.clone(),
                            grace_until_ms,
                            index,
                        },
                        options(),
                    )
                    .await?;
                    dunned.1.insert(index);
                }
                Due::Grace(_) | Due::Period(_) => {
                    let deadline = if matches!(due, Due::Grace(_)) {
                        "grace"
                    } else {
                        "period"
                    };
                    let snap = ctx
                        .execute_activity(
                            CommonActivities::expire_subscription,
                            ExpireInput {
                                customer: customer.clone(),
                                deadline: deadline.to_owned(),
                            },
                            options(),
                        )
                        .await?;
                    if snapshot.as_ref() == Some(&snap) {
                        // Not over yet by the database's clock: look again shortly.
                        ctx.timer(Duration::from_secs(1)).await;
                    }
                    snapshot = Some(snap);
                }
            }
        }
    }

    /// A recorded event to apply (by Stripe event id).
    #[signal(name = "stripe_event")]
    pub fn stripe_event(&mut self, _ctx: &mut SyncWorkflowContext<Self>, event_id: String) {
        if !self.pending.contains(&event_id) {
            self.pending.push_back(event_id);
        }
    }
}
