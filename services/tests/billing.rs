//! The billing rules, below HTTP: the webhook ledger and its hand-off, the
//! subscription view, cancel, and the admin's tier change.

mod common;

use std::sync::Mutex;

use async_trait::async_trait;
use chrono::Utc;
use common::World;
use maigie_domain::Tier;
use maigie_services::billing::{
    self, BillingError, BillingProvider, CheckoutRequest, IncomingEvent, ProviderError, TierBody,
};
use serde_json::json;
use uuid::Uuid;

fn event(id: &str, kind: &str, customer: &str) -> IncomingEvent {
    IncomingEvent {
        id: id.into(),
        kind: kind.into(),
        customer: Some(customer.into()),
        created: Utc::now(),
        payload: json!({ "id": id, "type": kind }),
    }
}

async fn handed_off(w: &World, id: &str) -> bool {
    sqlx::query_scalar(
        "SELECT handed_off_at IS NOT NULL FROM billing_events WHERE stripe_event_id = $1",
    )
    .bind(id)
    .fetch_one(&w.db)
    .await
    .expect("event")
}

#[tokio::test]
async fn a_duplicate_webhook_event_is_recorded_and_handed_off_once() {
    let w = World::new().await;
    let e = event("evt_dup", "invoice.paid", "cus_1");

    let first = billing::receive(&w.svc, &e).await.expect("first");
    let again = billing::receive(&w.svc, &e).await.expect("again");

    assert!(!first.duplicate);
    assert!(again.duplicate);
    let sent = w.starter.signalled_starts();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].start.workflow_id, "subscription-cus_1");
    assert_eq!(sent[0].start.workflow_type, "subscription_lifecycle");
    assert_eq!(sent[0].signal, "stripe_event");
    assert_eq!(sent[0].payload, json!("evt_dup"));
    assert!(handed_off(&w, "evt_dup").await);
    w.finish().await;
}

#[tokio::test]
async fn an_event_recorded_while_temporal_is_down_is_handed_off_by_the_relay() {
    let w = World::new().await;
    w.starter.set_down(true);
    billing::receive(&w.svc, &event("evt_late", "invoice.paid", "cus_2"))
        .await
        .expect("recorded although the hand-off failed");
    assert!(!handed_off(&w, "evt_late").await);

    w.starter.set_down(false);
    sqlx::query("UPDATE billing_events SET received_at = now() - interval '1 minute'")
        .execute(&w.db)
        .await
        .expect("age");
    billing::relay_events(&w.svc).await;
    billing::relay_events(&w.svc).await;

    assert_eq!(w.starter.signalled_starts().len(), 1);
    assert!(handed_off(&w, "evt_late").await);
    w.finish().await;
}

#[tokio::test]
async fn an_event_type_the_lifecycle_does_not_use_is_ignored_and_not_handed_off() {
    let w = World::new().await;
    billing::receive(&w.svc, &event("evt_other", "customer.created", "cus_3"))
        .await
        .expect("recorded");
    let status: String =
        sqlx::query_scalar("SELECT status FROM billing_events WHERE stripe_event_id = 'evt_other'")
            .fetch_one(&w.db)
            .await
            .expect("status");
    assert_eq!(status, "ignored");
    assert!(w.starter.signalled_starts().is_empty());
    w.finish().await;
}

#[tokio::test]
async fn the_subscription_view_never_mixes_tier_and_status_of_different_moments() {
    let w = World::new().await;
    let me = w.user("UTC").await;
    sqlx::query(
        "INSERT INTO subscriptions (user_id, stripe_customer_id, stripe_subscription_id, plan, status)
         VALUES ($1, 'cus_v', 'sub_v', 'PREMIUM_MONTHLY', 'active')",
    )
    .bind(me.user_id)
    .execute(&w.db)
    .await
    .expect("subscription");
    sqlx::query("UPDATE users SET tier = 'PREMIUM_MONTHLY' WHERE id = $1")
        .bind(me.user_id)
        .execute(&w.db)
        .await
        .expect("tier");
    let db = w.db.clone();
    let user = me.user_id;
    // The lifecycle changes tier and status together, in one transaction.
    let flipper = tokio::spawn(async move {
        for i in 0..150 {
            let (tier, status) = if i % 2 == 0 {
                ("FREE", "expired")
            } else {
                ("PREMIUM_MONTHLY", "active")
            };
            let mut tx = db.begin().await.expect("tx");
            sqlx::query("UPDATE users SET tier = $2 WHERE id = $1")
                .bind(user)
                .bind(tier)
                .execute(&mut *tx)
                .await
                .expect("tier");
            sqlx::query("UPDATE subscriptions SET status = $2 WHERE user_id = $1")
                .bind(user)
                .bind(status)
                .execute(&mut *tx)
                .await
                .expect("status");
            tx.commit().await.expect("commit");
        }
    });
    while !flipper.is_finished() {
        let v = billing::subscription(&w.svc, &me).await.expect("view");
        assert_eq!(v.tier == "FREE", v.status == "expired", "{v:?}");
    }
    flipper.await.expect("flipper");
    w.finish().await;
}

/// A provider that records the cancel calls.
#[derive(Default)]
struct FakeProvider {
    cancels: Mutex<Vec<(String, bool)>>,
}

#[async_trait]
impl BillingProvider for FakeProvider {
    fn ready(&self) -> Result<(), ProviderError> {
        Ok(())
    }
    fn price_of(&self, _plan: Tier) -> Option<&str> {
        Some("price_1")
    }
    fn public_base_url(&self) -> &str {
        "https://maigie.test"
    }
    async fn create_customer(&self, _email: &str, user_ref: &str) -> Result<String, ProviderError> {
        Ok(format!("cus_{user_ref}"))
    }
    async fn checkout_session(&self, r: &CheckoutRequest<'_>) -> Result<String, ProviderError> {
        Ok(format!("https://pay.test/{}", r.customer))
    }
    async fn portal_session(&self, customer: &str, _r: &str) -> Result<String, ProviderError> {
        Ok(format!("https://portal.test/{customer}"))
    }
    async fn set_cancel_at_period_end(&self, s: &str, cancel: bool) -> Result<(), ProviderError> {
        self.cancels
            .lock()
            .expect("lock")
            .push((s.to_owned(), cancel));
        Ok(())
    }
}

#[tokio::test]
async fn cancelling_asks_the_provider_shows_the_change_and_announces_it_after_commit() {
    let w = World::new().await;
    let me = w.user("UTC").await;
    let provider = FakeProvider::default();
    let refused = billing::cancel(&w.svc, &me, &provider).await;
    assert!(
        matches!(refused, Err(BillingError::Service(_))),
        "{refused:?}"
    );
    sqlx::query(
        "INSERT INTO subscriptions (user_id, stripe_customer_id, stripe_subscription_id, plan, status)
         VALUES ($1, 'cus_c', 'sub_c', 'PREMIUM_MONTHLY', 'active')",
    )
    .bind(me.user_id)
    .execute(&w.db)
    .await
    .expect("subscription");

    let v = billing::cancel(&w.svc, &me, &provider)
        .await
        .expect("cancel");

    assert!(v.cancel_at_period_end);
    assert_eq!(
        *provider.cancels.lock().expect("lock"),
        vec![("sub_c".to_owned(), true)]
    );
    assert_eq!(w.event_kinds(), vec!["subscription.updated"]);
    w.finish().await;
}

#[tokio::test]
async fn only_an_admin_sets_a_tier_and_the_change_is_audited_with_it() {
    let w = World::new().await;
    let user = w.user("UTC").await;
    let admin = w.user("UTC").await;
    let body = || TierBody {
        tier: "PREMIUM_YEARLY".into(),
        reason: Some("comp".into()),
    };
    let refused = billing::set_tier(&w.svc, &user, admin.user_id, body()).await;
    assert!(
        matches!(refused, Err(BillingError::AdminOnly)),
        "{refused:?}"
    );
    sqlx::query("UPDATE users SET role = 'admin' WHERE id = $1")
        .bind(admin.user_id)
        .execute(&w.db)
        .await
        .expect("admin");

    let changed = billing::set_tier(&w.svc, &admin, user.user_id, body())
        .await
        .expect("set");
    let missing = billing::set_tier(&w.svc, &admin, Uuid::new_v4(), body()).await;

    assert_eq!(
        (changed.previous.as_str(), changed.tier.as_str()),
        ("FREE", "PREMIUM_YEARLY")
    );
    assert!(matches!(
        missing,
        Err(BillingError::Service(
            maigie_services::ServiceError::NotFound
        ))
    ));
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'admin.tier_changed' AND subject_id = $1",
    )
    .bind(user.user_id)
    .fetch_one(&w.db)
    .await
    .expect("audit");
    assert_eq!(audited, 1);
    w.finish().await;
}
