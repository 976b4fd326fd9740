//! Delivering a reminder: once per channel, whatever the retries ([`crate::notify`]).
//!
//! The notification and one `deliveries` row per channel are written in one
//! transaction, each idempotently (unique keys). Then each channel still pending is
//! sent and marked sent. A retry (activity timeout, worker crash) finds the rows of the
//! first attempt and sends only the channels not yet marked. The one window left —
//! sent but not yet marked when the worker dies — is closed for e-mail by a stable
//! Message-ID (mail clients drop the duplicate) and for WebSocket by the notification
//! id clients already hold.
//!
//! Quiet hours hold e-mail: its row stays `pending` and the delivery answers when
//! they end; the workflow sleeps until then and calls again, which sends it (or skips
//! it if the source no longer wants the reminder by then).

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;
use maigie_domain::notifications::{QuietHours, split_channels};
use maigie_store::notifications::{self, DeliveryKey, NewNotification, NotificationRow};
use maigie_store::{PgPool, StoreError, schedule, tasks};
use maigie_workflows::contracts::DeliverReminderInput;
use serde_json::json;

use crate::mail::{Email, MailError, html_escape};
pub use crate::notify::Channels;
use crate::notify::{self, Outgoing};

/// Why a delivery attempt failed.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("channel {channel} failed: {reason}")]
    Channel { channel: String, reason: String },
    #[error("bad timestamp in the reminder")]
    Time,
}

/// What a delivery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivered {
    /// Sent on every channel (or found already sent), except e-mail held by quiet
    /// hours until the given time.
    Sent {
        email_held_until: Option<DateTime<Utc>>,
    },
    /// The source no longer wants this reminder (completed, moved, deleted).
    Skipped,
}

fn at(ms: i64) -> Result<DateTime<Utc>, DeliveryError> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .ok_or(DeliveryError::Time)
}

async fn still_wanted(
    db: &PgPool,
    input: &DeliverReminderInput,
    occurrence: DateTime<Utc>,
) -> Result<bool, DeliveryError> {
    Ok(match input.source_type.as_str() {
        "task" => matches!(
            tasks::reminder_source(db, input.user_id, input.source_id).await?,
            Some((false, Some(due))) if due == occurrence
        ),
        "schedule_block" => {
            // The block still has an occurrence starting then, not completed.
            let mut conn = db.acquire().await.map_err(StoreError::from)?;
            let next = schedule::next_reminder(
                &mut conn,
                input.user_id,
                input.source_id,
                Some(occurrence - Duration::milliseconds(1)),
                DateTime::<Utc>::MIN_UTC,
            )
            .await?;
            next.is_some_and(|r| r.occurrence_at == occurrence)
        }
        _ => true,
    })
}

/// Delivers one reminder occurrence on WebSocket and e-mail, once each.
pub async fn deliver(
    ch: &Channels<'_>,
    input: &DeliverReminderInput,
) -> Result<Delivered, DeliveryError> {
    let occurrence = at(input.occurrence_at_ms)?;
    let fire_at = at(input.fire_at_ms)?;
    let reminder_key = format!("{}:{}", input.source_type, input.source_id);
    if !still_wanted(ch.db, input, occurrence).await? {
        // E-mail held by quiet hours for a reminder no longer wanted is not sent.
        notifications::skip_pending(ch.db, &reminder_key, occurrence).await?;
        return Ok(Delivered::Skipped);
    }
    let Some(recipient) = notifications::recipient(ch.db, input.user_id).await? else {
        return Ok(Delivered::Skipped);
    };
    let now = Utc::now();
    let late = input.late || now - fire_at > ch.late_after;
    let tz: Tz = recipient.timezone.parse().unwrap_or(Tz::UTC);
    let (channels, turned_off) = split_channels(&recipient.preferences, "reminder");
    let local = occurrence
        .with_timezone(&tz)
        .format("%a %e %b %Y, %H:%M %Z")
        .to_string();
    let what = if input.source_type == "task" {
        "Due"
    } else {
        "Starts"
    };
    let body = if late {
        format!("{what} {local}. This reminder is late: it could not be sent on time.")
    } else {
        format!("{what} {local}.")
    };
    let dedupe_key = format!("reminder:{reminder_key}:{}", input.occurrence_at_ms);
    let (notification, pending) = notify::record(
        ch.db,
        &Outgoing {
            notification: NewNotification {
                user_id: input.user_id,
                kind: "reminder",
                title: &input.title,
                body: Some(&body),
                data: json!({ "due_at": occurrence, "fire_at": fire_at, "late": late }),
                source_type: Some(&input.source_type),
                source_id: Some(input.source_id),
                dedupe_key: &dedupe_key,
            },
            key: DeliveryKey {
                user_id: input.user_id,
                reminder_key: &reminder_key,
                occurrence_at: occurrence,
            },
            fire_at,
            late,
            channels: &channels,
            off: &turned_off,
        },
    )
    .await?;

    let held_until = QuietHours::of(&recipient.preferences).and_then(|q| q.holds_until(now, tz));
    let mut failure = None;
    let mut email_held_until = None;
    for (delivery_id, channel) in pending {
        let sent = match channel.as_str() {
            "websocket" => notify::send_event(ch.events, input.user_id, &notification).await,
            _ if held_until.is_some() => {
                notifications::mark_held(ch.db, delivery_id, held_until).await?;
                email_held_until = held_until;
                continue;
            }
            _ => {
                send_mail(
                    ch,
                    input,
                    &notification,
                    &recipient.email,
                    recipient.name.as_deref(),
                    &dedupe_key,
                )
                .await
            }
        };
        if let Some(reason) = notify::settle(ch.db, delivery_id, sent).await? {
            failure = Some(DeliveryError::Channel { channel, reason });
        }
    }
    failure.map_or(Ok(Delivered::Sent { email_held_until }), Err)
}

async fn send_mail(
    ch: &Channels<'_>,
    input: &DeliverReminderInput,
    n: &NotificationRow,
    to: &str,
    name: Option<&str>,
    dedupe_key: &str,
) -> Result<(), String> {
    let section = if input.source_type == "task" {
        "tasks"
    } else {
        "schedule"
    };
    let link = format!(
        "{}/{section}/{}",
        ch.public_base_url.trim_end_matches('/'),
        input.source_id
    );
    let body = n.body.clone().unwrap_or_default();
    let email = Email {
        to,
        to_name: name,
        subject: &format!("Reminder: {}", n.title),
        text: format!("{}\n\n{body}\n\nOpen it: {link}\n", n.title),
        html: format!(
            "<p><strong>{}</strong></p><p>{}</p><p><a href=\"{}\">Open it in Maigie</a></p>",
            html_escape(&n.title),
            html_escape(&body),
            html_escape(&link)
        ),
        message_id: format!("<{}@maigie>", dedupe_key.replace(':', "-")),
    };
    ch.mailer
        .send(email)
        .await
        .map_err(|e: MailError| e.to_string())
}
