//! Durability: a reminder whose worker is killed with SIGKILL while its timer is
//! pending still fires — once — when a worker comes back.

use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use maigie_tests::mail::messages_to;
use maigie_tests::{TestApp, WorkerProcess, connect_ws, db, next_event, token};
use serde_json::{Value, json};

#[tokio::test]
async fn a_reminder_survives_a_killed_worker_and_is_delivered_once() {
    let app = TestApp::spawn_api_only().await;
    let worker = WorkerProcess::start(&app);
    // Registration's onboarding needs a worker too: wait for its welcome mail so the
    // worker is surely polling before the reminder is scheduled.
    let (email, _, s) = app.register().await;
    let t = token(&s);
    assert_eq!(
        maigie_tests::wait_for_mail(&email, 1, Duration::from_secs(30))
            .await
            .len(),
        1
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
