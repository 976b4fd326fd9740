//! Subscriptions and the Stripe event ledger.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgConnection, PgExecutor, PgPool, Row};
use uuid::Uuid;

use crate::StoreError;

macro_rules! sub_columns {
    () => {
        "user_id, stripe_customer_id, stripe_subscription_id, plan, status, current_period_end, \
         cancel_at_period_end, grace_until, canceled_at, last_event_created, updated_at"
    };
}

/// A subscription row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubscriptionRow {
    pub user_id: Uuid,
    pub stripe_customer_id: Option<String>,
    pub stripe_subscription_id: Option<String>,
    pub plan: String,
    pub status: String,
    pub current_period_end: Option<DateTime<Utc>>,
    pub cancel_at_period_end: bool,
    pub grace_until: Option<DateTime<Utc>>,
    pub canceled_at: Option<DateTime<Utc>>,
    pub last_event_created: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

pub async fn of_user(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
) -> Result<Option<SubscriptionRow>, StoreError> {
    let sql = concat!(
        "SELECT ",
        sub_columns!(),
        " FROM subscriptions WHERE user_id = $1"
    );
    Ok(sqlx::query_as(sql).bind(user_id).fetch_optional(db).await?)
}

/// A user's tier with their subscription row (if any), as of one moment.
#[derive(Debug, Clone)]
pub struct TierAndSubscription {
    pub tier: String,
    pub subscription: Option<SubscriptionRow>,
}

/// The user's tier and subscription read by one statement, so both come from the same
/// snapshot: the lifecycle changes them together in one transaction, and two separate
/// reads could straddle its commit (e.g. an `expired` subscription with a Premium tier).
/// `None` when the user does not exist.
pub async fn tier_and_subscription(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
) -> Result<Option<TierAndSubscription>, StoreError> {
    let sql = concat!(
        "SELECT u.tier, s.* FROM users u
           LEFT JOIN (SELECT ",
        sub_columns!(),
        " FROM subscriptions) s ON s.user_id = u.id
          WHERE u.id = $1"
    );
    let Some(row): Option<PgRow> = sqlx::query(sql).bind(user_id).fetch_optional(db).await? else {
        return Ok(None);
    };
    // The subscription's NOT NULL `user_id` is NULL only when the join found no row.
    let subscription = match row.try_get::<Option<Uuid>, _>("user_id")? {
        Some(_) => Some(SubscriptionRow::from_row(&row)?),
        None => None,
    };
    Ok(Some(TierAndSubscription {
        tier: row.try_get("tier")?,
        subscription,
    }))
}

pub async fn of_customer(
    db: impl PgExecutor<'_>,
    customer: &str,
) -> Result<Option<SubscriptionRow>, StoreError> {
    let sql = concat!(
        "SELECT ",
        sub_columns!(),
        " FROM subscriptions WHERE stripe_customer_id = $1"
    );
    Ok(sqlx::query_as(sql)
        .bind(customer)
        .fetch_optional(db)
        .await?)
}

/// Records the user's Stripe customer (keeps an existing one).
pub async fn set_customer(
    db: &PgPool,
    user_id: Uuid,
    customer: &str,
) -> Result<String, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO subscriptions (user_id, stripe_customer_id) VALUES ($1, $2)
         ON CONFLICT ON CONSTRAINT subscriptions_user_id_key DO UPDATE
           SET stripe_customer_id = COALESCE(subscriptions.stripe_customer_id, EXCLUDED.stripe_customer_id)
         RETURNING stripe_customer_id",
    )
    .bind(user_id)
    .bind(customer)
    .fetch_one(db)
    .await?)
}

/// The customer's subscription, locked until the transaction ends.
pub async fn lock_by_customer(
    tx: &mut PgConnection,
    customer: &str,
) -> Result<Option<SubscriptionRow>, StoreError> {
    let sql = concat!(
        "SELECT ",
        sub_columns!(),
        " FROM subscriptions WHERE stripe_customer_id = $1 FOR UPDATE"
    );
    Ok(sqlx::query_as(sql)
        .bind(customer)
        .fetch_optional(tx)
        .await?)
}

/// Links a customer to a user who has no subscription row yet (checkout completed
/// before we saw the customer, e.g. a customer created in the dashboard).
pub async fn link_customer(
    tx: &mut PgConnection,
    user_id: Uuid,
    customer: &str,
) -> Result<Option<SubscriptionRow>, StoreError> {
    let sql = concat!(
        "INSERT INTO subscriptions (user_id, stripe_customer_id) VALUES ($1, $2)
         ON CONFLICT ON CONSTRAINT subscriptions_user_id_key DO UPDATE
           SET stripe_customer_id = EXCLUDED.stripe_customer_id
           WHERE subscriptions.stripe_customer_id IS NULL
         RETURNING ",
        sub_columns!()
    );
    Ok(sqlx::query_as(sql)
        .bind(user_id)
        .bind(customer)
        .fetch_optional(&mut *tx)
        .await?)
}

/// New values of a subscription (every lifecycle field).
#[derive(Debug, Clone)]
pub struct SubscriptionChange<'a> {
    pub plan: &'a str,
    pub status: &'a str,
    pub stripe_subscription_id: Option<&'a str>,
    pub current_period_end: Option<DateTime<Utc>>,
    pub cancel_at_period_end: bool,
    pub grace_until: Option<DateTime<Utc>>,
    pub last_event_created: Option<DateTime<Utc>>,
    /// The user's tier in the new state.
    pub tier: &'a str,
}

/// Stores the new state and the user's tier together (call inside the transaction
/// that locked the row).
pub async fn save(
    tx: &mut PgConnection,
    user_id: Uuid,
    c: &SubscriptionChange<'_>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE subscriptions SET plan = $2, status = $3, stripe_subscription_id = $4,
                current_period_end = $5, cancel_at_period_end = $6, grace_until = $7,
                last_event_created = $8,
                canceled_at = CASE WHEN $3 IN ('canceled', 'expired') THEN COALESCE(canceled_at, now()) ELSE NULL END
          WHERE user_id = $1",
    )
    .bind(user_id)
    .bind(c.plan)
    .bind(c.status)
    .bind(c.stripe_subscription_id)
    .bind(c.current_period_end)
    .bind(c.cancel_at_period_end)
    .bind(c.grace_until)
    .bind(c.last_event_created)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE users SET tier = $2 WHERE id = $1")
        .bind(user_id)
        .bind(c.tier)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Sets the flag after a successful call to Stripe, before its webhook arrives.
pub async fn set_cancel_at_period_end(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    cancel: bool,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE subscriptions SET cancel_at_period_end = $2 WHERE user_id = $1")
        .bind(user_id)
        .bind(cancel)
        .execute(db)
        .await?;
    Ok(())
}

/// Sets a user's tier directly (admin), answering the previous one.
pub async fn set_tier(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    tier: &str,
) -> Result<String, StoreError> {
    sqlx::query_scalar(
        "UPDATE users u SET tier = $2 FROM (SELECT id, tier FROM users WHERE id = $1 FOR UPDATE) old
          WHERE u.id = old.id RETURNING old.tier",
    )
    .bind(user_id)
    .bind(tier)
    .fetch_optional(db)
    .await?
    .ok_or(StoreError::NotFound)
}

// ------------------------------------------------------------------ event ledger

/// A recorded Stripe event.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: Uuid,
    pub stripe_event_id: String,
    pub event_type: String,
    pub user_id: Option<Uuid>,
    pub customer_id: Option<String>,
    pub payload: Value,
    pub event_created: DateTime<Utc>,
    pub status: String,
    pub error: Option<String>,
    pub attempts: i32,
    pub received_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
}

macro_rules! event_columns {
    () => {
        "id, stripe_event_id, event_type, user_id, customer_id, payload, event_created, status, \
         error, attempts, received_at, processed_at"
    };
}

/// A new event for the ledger.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub stripe_event_id: &'a str,
    pub event_type: &'a str,
    pub customer_id: Option<&'a str>,
    pub payload: &'a Value,
    pub event_created: DateTime<Utc>,
    /// `received`, or `ignored` for an event with no customer to hand it to.
    pub status: &'a str,
}

/// Records an event once; `false` when its Stripe id was already recorded.
pub async fn record_event(db: &PgPool, e: &NewEvent<'_>) -> Result<bool, StoreError> {
    let inserted: Option<Uuid> = sqlx::query_scalar(
        "INSERT INTO billing_events (stripe_event_id, event_type, customer_id, user_id, payload,
                                     event_created, status, handed_off_at)
         VALUES ($1, $2, $3, (SELECT user_id FROM subscriptions WHERE stripe_customer_id = $3),
                 $4, $5, $6, CASE WHEN $6 = 'ignored' THEN now() END)
         ON CONFLICT ON CONSTRAINT billing_events_stripe_event_id_key DO NOTHING RETURNING id",
    )
    .bind(e.stripe_event_id)
    .bind(e.event_type)
    .bind(e.customer_id)
    .bind(e.payload)
    .bind(e.event_created)
    .bind(e.status)
    .fetch_optional(db)
    .await?;
    Ok(inserted.is_some())
}

pub async fn mark_handed_off(db: &PgPool, stripe_event_id: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE billing_events SET handed_off_at = COALESCE(handed_off_at, now()) WHERE stripe_event_id = $1")
        .bind(stripe_event_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Events received more than `older_than_secs` ago and not handed off yet.
pub async fn not_handed_off(
    db: &PgPool,
    older_than_secs: i64,
    limit: i64,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT stripe_event_id, customer_id FROM billing_events
          WHERE handed_off_at IS NULL AND customer_id IS NOT NULL
            AND received_at < now() - make_interval(secs => $1)
          ORDER BY received_at LIMIT $2",
    )
    .bind(older_than_secs as f64)
    .bind(limit)
    .fetch_all(db)
    .await?)
}

/// The event, locked until the transaction ends.
pub async fn lock_event(
    tx: &mut PgConnection,
    stripe_event_id: &str,
) -> Result<Option<EventRow>, StoreError> {
    let sql = concat!(
        "SELECT ",
        event_columns!(),
        " FROM billing_events WHERE stripe_event_id = $1 FOR UPDATE"
    );
    Ok(sqlx::query_as(sql)
        .bind(stripe_event_id)
        .fetch_optional(tx)
        .await?)
}

/// Records how an event ended: `processed`, `ignored` (with why) or `failed`.
pub async fn finish_event(
    db: impl PgExecutor<'_>,
    stripe_event_id: &str,
    status: &str,
    error: Option<&str>,
    user_id: Option<Uuid>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE billing_events SET status = $2, error = $3, attempts = attempts + 1,
                processed_at = now(), user_id = COALESCE(user_id, $4)
          WHERE stripe_event_id = $1",
    )
    .bind(stripe_event_id)
    .bind(status)
    .bind(error.map(|e| e.chars().take(2000).collect::<String>()))
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Resets a failed or ignored event to be applied again; answers its customer.
pub async fn reset_event(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> Result<(String, Option<String>), StoreError> {
    sqlx::query_as(
        "UPDATE billing_events SET status = 'received', error = NULL, processed_at = NULL,
                handed_off_at = NULL
          WHERE id = $1 RETURNING stripe_event_id, customer_id",
    )
    .bind(id)
    .fetch_optional(db)
    .await?
    .ok_or(StoreError::NotFound)
}

/// Events by status, newest first.
pub async fn events(
    db: &PgPool,
    status: Option<&str>,
    limit: i64,
) -> Result<Vec<EventRow>, StoreError> {
    let sql = concat!(
        "SELECT ",
        event_columns!(),
        " FROM billing_events WHERE ($1::text IS NULL OR status = $1)
          ORDER BY received_at DESC, id DESC LIMIT $2"
    );
    Ok(sqlx::query_as(sql)
        .bind(status)
        .bind(limit)
        .fetch_all(db)
        .await?)
}
