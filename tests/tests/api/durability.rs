//! Durability: reminders are delivered once per channel when the worker is killed
//! (SIGKILL) while the timer is pending or while the delivery runs, and when Temporal
//! itself is down past a reminder's time (caught up on recovery, marked late).

use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use maigie_tests::mail::{messages_to, wait_for_subject};
use maigie_tests::own_temporal::OwnTemporal;
use maigie_tests::{TestApp, WorkerProcess, connect_ws, db, next_event, token};
use serde_json::{Value, json};

#[tokio::test]
async fn a_reminder_survives_a_killed_worker_and_is_delivered_once() {
    let app = TestApp::spawn_api_only().await;
    let worker = WorkerProcess::start(&app);
    // Registration's onboarding needs a worker too: wait for its welcome and
    // verification mails so the worker is surely polling, and done with onboarding,
    // before the reminder is scheduled.
    let (email, _, s) = app.register().await;
    let t = token(&s);
    assert_eq!(
        maigie_tests::wait_for_mail(&email, 2, Duration::from_secs(30))
            .await
            .len(),
        2
    );
    let due =
        (Utc::now() + chrono::Duration::seconds(4)).to_rfc3339_opts(SecondsFormat::Millis, true);
    let res = app
        .post_auth(
            "/api/tasks",
            &t,
            &json!({ "title": "Survive", "due_at": due, "reminder_minutes": 0 }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let task: Value = res.json().await.expect("json");

    worker.kill_hard();
    tokio::time::sleep(Duration::from_secs(6)).await;
    let none: i64 =
        sqlx::query_scalar("SELECT count(*) FROM notifications WHERE source_id = $1::uuid")
            .bind(task["id"].as_str().expect("id"))
            .fetch_one(&db().await)
            .await
            .expect("count");
    assert_eq!(none, 0, "nothing fires while no worker runs");
    let mut ws = connect_ws(&app, &format!("access_token={t}&last_event_id=0"))
        .await
        .expect("ws");
    let _restarted = WorkerProcess::start(&app);

    let event = next_event(&mut ws, "notification.created", Duration::from_secs(40))
        .await
        .expect("delivered after restart");
    assert_eq!(event["data"]["source_id"], task["id"]);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let reminders = messages_to(&email)
        .iter()
        .filter(|m| m.contains("Subject: Reminder: Survive"))
        .count();
    assert_eq!(reminders, 1, "one reminder e-mail");
    let sent: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM deliveries WHERE reminder_key = 'task:' || $1 AND status = 'sent'",
    )
    .bind(task["id"].as_str().expect("id"))
    .fetch_one(&db().await)
    .await
    .expect("count");
    assert_eq!(sent, 2, "websocket and e-mail, once each");
}

/// An SMTP server that accepts connections and never answers: a delivery activity
/// sending mail through it hangs until its worker dies.
async fn stalling_smtp() -> (String, tokio::sync::mpsc::Receiver<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("smtp://{}", listener.local_addr().expect("addr"));
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
            let _ = tx.try_send(());
        }
    });
    (url, rx)
}

/// Every `kind` event of the user's stream, replayed from the start.
async fn all_events(app: &TestApp, t: &str, kind: &str) -> Vec<Value> {
    let mut ws = connect_ws(app, &format!("access_token={t}&last_event_id=0"))
        .await
        .expect("ws");
    let mut found = Vec::new();
    while let Ok(event) = next_event(&mut ws, kind, Duration::from_secs(2)).await {
        found.push(event);
    }
    found
}

#[tokio::test]
async fn a_worker_killed_during_delivery_leaves_each_channel_sent_once() {
    let (stall_url, mut accepted) = stalling_smtp().await;
    let app = TestApp::spawn_api_only().await;
    let worker = WorkerProcess::start(&app);
    let (email, _, s) = app.register().await;
    let t = token(&s);
    // Onboarding over (welcome and verification mails): the stalling worker below
    // must get the reminder's delivery, not an onboarding step.
    assert_eq!(
        maigie_tests::wait_for_mail(&email, 2, Duration::from_secs(30))
            .await
            .len(),
        2,
        "welcome and verification mails: the worker polls"
    );
    worker.kill_hard();
    // This worker's mail hangs: the delivery activity is mid-flight when it dies.
    let stalled = WorkerProcess::start_with(&app, &[("SMTP_URL", &stall_url)]);
    let due =
        (Utc::now() + chrono::Duration::seconds(2)).to_rfc3339_opts(SecondsFormat::Millis, true);
    let res = app
        .post_auth(
            "/api/tasks",
            &t,
            &json!({ "title": "Mid-flight", "due_at": due, "reminder_minutes": 0 }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let task: Value = res.json().await.expect("json");
    tokio::time::timeout(Duration::from_secs(40), accepted.recv())
        .await
        .expect("the delivery reached the mail server")
        .expect("accepted");
    stalled.kill_hard();

    // The activity's attempt times out on the server (30 s); a healthy worker retries.
    let _healthy = WorkerProcess::start(&app);
    let mail = wait_for_subject(&email, "Reminder: Mid-flight", 1, Duration::from_secs(90)).await;
    assert!(
        mail.iter()
            .any(|m| m.contains("Subject: Reminder: Mid-flight")),
        "reminder mail after the retry"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let reminders = messages_to(&email)
        .iter()
        .filter(|m| m.contains("Subject: Reminder: Mid-flight"))
        .count();
    assert_eq!(reminders, 1, "one reminder e-mail");
    let events = all_events(&app, &t, "notification.created").await;
    assert_eq!(events.len(), 1, "one in-app notification: {events:?}");
    assert_eq!(events[0]["data"]["source_id"], task["id"]);
    let rows: Vec<(String, String, i32)> = sqlx::query_as(
        "SELECT channel, status, attempts FROM deliveries WHERE reminder_key = 'task:' || $1
         ORDER BY channel",
    )
    .bind(task["id"].as_str().expect("id"))
    .fetch_all(&db().await)
    .await
    .expect("deliveries");
    assert_eq!(
        rows,
        vec![
            ("email".into(), "sent".into(), 1),
            ("websocket".into(), "sent".into(), 1)
        ]
    );
}

#[tokio::test]
async fn reminders_due_while_temporal_is_down_fire_once_on_recovery_marked_late() {
    let mut temporal = OwnTemporal::start().await;
    let app = TestApp::spawn_api_only_with(vec![("TEMPORAL_ADDRESS", temporal.address())]).await;
    let _worker = WorkerProcess::start_with(&app, &[("REMINDER_LATE_AFTER_SECS", "3")]);
    let (email, _, s) = app.register().await;
    let t = token(&s);
    // Onboarding over (welcome and verification mails) before Temporal goes down:
    // only the reminder is left to catch up.
    assert_eq!(
        maigie_tests::wait_for_mail(&email, 2, Duration::from_secs(30))
            .await
            .len(),
        2,
        "welcome and verification mails: the worker polls"
    );
    let due =
        (Utc::now() + chrono::Duration::seconds(3)).to_rfc3339_opts(SecondsFormat::Millis, true);
    let res = app
        .post_auth(
            "/api/tasks",
            &t,
            &json!({ "title": "Outage", "due_at": due, "reminder_minutes": 0 }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let task: Value = res.json().await.expect("json");
    // The write answers before its reminder is sent (in the background, at once):
    // wait until it has reached Temporal, then stop Temporal.
    let pool = db().await;
    let mut started = false;
    for _ in 0..100 {
        started = sqlx::query_scalar(
            "SELECT started_at IS NOT NULL FROM workflow_outbox WHERE workflow_id = 'reminder-task-' || $1",
        )
        .bind(task["id"].as_str().expect("id"))
        .fetch_one(&pool)
        .await
        .expect("outbox row");
        if started {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(started, "the reminder reached Temporal before the outage");

    temporal.stop();
    tokio::time::sleep(Duration::from_secs(12)).await;
    let none: i64 =
        sqlx::query_scalar("SELECT count(*) FROM notifications WHERE source_id = $1::uuid")
            .bind(task["id"].as_str().expect("id"))
            .fetch_one(&db().await)
            .await
            .expect("count");
    assert_eq!(none, 0, "nothing fires while Temporal is down");
    temporal.restart().await;

    let mail = wait_for_subject(&email, "Reminder: Outage", 1, Duration::from_secs(90)).await;
    let reminder = mail
        .iter()
        .find(|m| m.contains("Subject: Reminder: Outage"))
        .expect("reminder mail after recovery");
    assert!(reminder.contains("late"), "the mail says it is late");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let events = all_events(&app, &t, "notification.created").await;
    assert_eq!(events.len(), 1, "one in-app notification: {events:?}");
    assert_eq!(events[0]["data"]["data"]["late"], true);
    let reminders = messages_to(&email)
        .iter()
        .filter(|m| m.contains("Subject: Reminder: Outage"))
        .count();
    assert_eq!(reminders, 1, "one reminder e-mail");
    let late: Vec<(String, bool)> = sqlx::query_as(
        "SELECT status, late FROM deliveries WHERE reminder_key = 'task:' || $1 ORDER BY channel",
    )
    .bind(task["id"].as_str().expect("id"))
    .fetch_all(&db().await)
    .await
    .expect("deliveries");
    assert_eq!(late, vec![("sent".into(), true), ("sent".into(), true)]);
}
