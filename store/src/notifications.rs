//! Notifications and their deliveries.
//!
//! A reminder's notification is keyed by `dedupe_key` per user and each channel's
//! delivery by `(reminder_key, occurrence_at, channel)`: both are written with
//! `ON CONFLICT DO NOTHING` in one transaction, so a retried activity or a replayed
//! workflow finds the rows of the first attempt instead of creating new ones.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgExecutor, PgPool, Postgres, QueryBuilder, Transaction};
use uuid::Uuid;

use crate::StoreError;

macro_rules! columns {
    () => {
        "id, kind, title, body, data, source_type, source_id, read_at, created_at"
    };
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: Uuid,
    pub kind: String,
    pub title: String,
    pub body: Option<String>,
    pub data: Value,
    pub source_type: Option<String>,
    pub source_id: Option<Uuid>,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A notification to record once.
#[derive(Debug, Clone)]
pub struct NewNotification<'a> {
    pub user_id: Uuid,
    pub kind: &'a str,
    pub title: &'a str,
    pub body: Option<&'a str>,
    pub data: Value,
    pub source_type: Option<&'a str>,
    pub source_id: Option<Uuid>,
    pub dedupe_key: &'a str,
}

/// Inserts the notification unless one with its dedupe key exists; answers the row
/// either way, and whether it is new.
pub async fn record_once(
    tx: &mut Transaction<'_, Postgres>,
    n: &NewNotification<'_>,
) -> Result<(NotificationRow, bool), StoreError> {
    let sql = concat!(
        "INSERT INTO notifications (user_id, kind, title, body, data, source_type, source_id, dedupe_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT ON CONSTRAINT notifications_user_dedupe_key DO NOTHING RETURNING ",
        columns!()
    );
    let inserted: Option<NotificationRow> = sqlx::query_as(sql)
        .bind(n.user_id)
        .bind(n.kind)
        .bind(n.title)
        .bind(n.body)
        .bind(&n.data)
        .bind(n.source_type)
        .bind(n.source_id)
        .bind(n.dedupe_key)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(row) = inserted {
        return Ok((row, true));
    }
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM notifications WHERE user_id = $1 AND dedupe_key = $2"
    );
    let row = sqlx::query_as(sql)
        .bind(n.user_id)
        .bind(n.dedupe_key)
        .fetch_one(&mut **tx)
        .await?;
    Ok((row, false))
}

/// One channel's delivery of one occurrence of a reminder.
#[derive(Debug, Clone)]
pub struct DeliveryKey<'a> {
    pub user_id: Uuid,
    pub reminder_key: &'a str,
    pub occurrence_at: DateTime<Utc>,
}

/// Creates the delivery rows — `pending` for `channels`, `skipped` for the channels
/// the user turned off — keeping rows that exist, and answers the channels still to
/// send, with their row ids.
pub async fn pending_deliveries(
    tx: &mut Transaction<'_, Postgres>,
    key: &DeliveryKey<'_>,
    notification_id: Uuid,
    fire_at: DateTime<Utc>,
    late: bool,
    channels: &[&str],
    skipped: &[&str],
) -> Result<Vec<(Uuid, String)>, StoreError> {
    let rows = channels
        .iter()
        .map(|c| (c, "pending"))
        .chain(skipped.iter().map(|c| (c, "skipped")));
    for (channel, status) in rows {
        sqlx::query(
            "INSERT INTO deliveries (user_id, notification_id, reminder_key, occurrence_at, fire_at, channel, late, status)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT ON CONSTRAINT deliveries_once_key DO NOTHING",
        )
        .bind(key.user_id)
        .bind(notification_id)
        .bind(key.reminder_key)
        .bind(key.occurrence_at)
        .bind(fire_at)
        .bind(*channel)
        .bind(late)
        .bind(status)
        .execute(&mut **tx)
        .await?;
    }
    Ok(sqlx::query_as(
        "SELECT id, channel FROM deliveries
         WHERE reminder_key = $1 AND occurrence_at = $2 AND status IN ('pending', 'failed')
         ORDER BY channel",
    )
    .bind(key.reminder_key)
    .bind(key.occurrence_at)
    .fetch_all(&mut **tx)
    .await?)
}

/// Marks one delivery sent (once: a second call changes nothing).
pub async fn mark_sent(db: impl PgExecutor<'_>, delivery_id: Uuid) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE deliveries SET status = 'sent', delivered_at = now(), attempts = attempts + 1,
                last_error = NULL, held_until = NULL
         WHERE id = $1 AND status <> 'sent'",
    )
    .bind(delivery_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Notes that a pending delivery is held (by quiet hours) until `until`; it stays
/// `pending`.
pub async fn mark_held(
    db: impl PgExecutor<'_>,
    delivery_id: Uuid,
    until: Option<DateTime<Utc>>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE deliveries SET held_until = $2 WHERE id = $1 AND status = 'pending'")
        .bind(delivery_id)
        .bind(until)
        .execute(db)
        .await?;
    Ok(())
}

/// Marks the unsent deliveries of one occurrence `skipped` (its source no longer
/// wants the reminder).
pub async fn skip_pending(
    db: impl PgExecutor<'_>,
    reminder_key: &str,
    occurrence_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE deliveries SET status = 'skipped', held_until = NULL
         WHERE reminder_key = $1 AND occurrence_at = $2 AND status IN ('pending', 'failed')",
    )
    .bind(reminder_key)
    .bind(occurrence_at)
    .execute(db)
    .await?;
    Ok(())
}

/// Records a failed attempt (the activity retries).
pub async fn mark_failed(
    db: impl PgExecutor<'_>,
    delivery_id: Uuid,
    error: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE deliveries SET status = 'failed', attempts = attempts + 1, last_error = $2
         WHERE id = $1 AND status <> 'sent'",
    )
    .bind(delivery_id)
    .bind(error.chars().take(2000).collect::<String>())
    .execute(db)
    .await?;
    Ok(())
}

/// A page of the user's notifications, newest first.
pub async fn list(
    db: &PgPool,
    user_id: Uuid,
    unread_only: bool,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<NotificationRow>, StoreError> {
    let mut q: QueryBuilder<Postgres> = QueryBuilder::new(concat!(
        "SELECT ",
        columns!(),
        " FROM notifications WHERE user_id = "
    ));
    q.push_bind(user_id);
    if unread_only {
        q.push(" AND read_at IS NULL");
    }
    if let Some((at, id)) = after {
        q.push(" AND (created_at, id) < (")
            .push_bind(at)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    q.push(" ORDER BY created_at DESC, id DESC LIMIT ")
        .push_bind(limit);
    Ok(q.build_query_as().fetch_all(db).await?)
}

/// Marks one notification read (keeps the first read time).
pub async fn mark_read(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
) -> Result<NotificationRow, StoreError> {
    let sql = concat!(
        "UPDATE notifications SET read_at = COALESCE(read_at, now())
         WHERE id = $1 AND user_id = $2 RETURNING ",
        columns!()
    );
    sqlx::query_as(sql)
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Marks every unread notification read; answers how many changed.
pub async fn mark_all_read(db: impl PgExecutor<'_>, user_id: Uuid) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL",
    )
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

pub async fn delete(db: impl PgExecutor<'_>, user_id: Uuid, id: Uuid) -> Result<(), StoreError> {
    crate::rows::delete_owned(
        db,
        "DELETE FROM notifications WHERE id = $1 AND user_id = $2",
        id,
        user_id,
    )
    .await
}

/// Who a notification goes to, if the user still exists.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Recipient {
    pub email: String,
    pub name: Option<String>,
    pub timezone: String,
    pub preferences: Value,
}

pub async fn recipient(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
) -> Result<Option<Recipient>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT email::text AS email, name, timezone, preferences FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_optional(db)
    .await?)
}

/// How many of the user's notifications are unread.
pub async fn unread_count(db: &PgPool, user_id: Uuid) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(db)
    .await?)
}
