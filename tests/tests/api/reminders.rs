//! Task reminders: durable Temporal timers delivering once per channel, moved and
//! cancelled with their task; and the notifications API.

use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use maigie_tests::mail::{messages_to, wait_for_subject};
use maigie_tests::{TestApp, connect_ws, db, error_code, next_event, token};
use serde_json::{Value, json};

fn in_secs(s: i64) -> String {
    (Utc::now() + chrono::Duration::seconds(s)).to_rfc3339_opts(SecondsFormat::Millis, true)
}

async fn create_task(app: &TestApp, t: &str, body: Value) -> Value {
    let res = app.post_auth("/api/tasks", t, &body).await;
    assert_eq!(res.status(), 201, "create task");
    res.json().await.expect("json")
}

fn reminder_mails(email: &str) -> usize {
    messages_to(email)
        .iter()
        .filter(|m| m.contains("Subject: Reminder:"))
        .count()
}

#[tokio::test]
async fn a_due_reminder_arrives_on_the_websocket_and_by_mail_exactly_once() {
    let app = TestApp::spawn().await;
    let (email, _, s) = app.register().await;
    let t = token(&s);
    let mut ws = connect_ws(&app, &format!("access_token={t}"))
        .await
        .expect("ws");
    let task = create_task(
        &app,
        &t,
        json!({ "title": "Hand in essay", "due_at": in_secs(3), "reminder_minutes": 0 }),
    )
    .await;
    assert_eq!(task["reminder_minutes"], 0);

    let event = next_event(&mut ws, "notification.created", Duration::from_secs(20))
        .await
        .expect("reminder event");

    assert_eq!(event["data"]["kind"], "reminder");
    assert_eq!(event["data"]["title"], "Hand in essay");
    assert_eq!(event["data"]["source_id"], task["id"]);
    assert_eq!(event["data"]["data"]["late"], false);
    let mails = wait_for_subject(
        &email,
        "Reminder: Hand in essay",
        1,
        Duration::from_secs(10),
    )
    .await;
    assert!(
        mails
            .iter()
            .any(|m| m.contains("Subject: Reminder: Hand in essay"))
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(reminder_mails(&email), 1, "one reminder mail");
    let list: Value = app
        .get_auth("/api/notifications?unread=true", &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["unread_count"], 1);
    assert_eq!(list["items"][0]["source_type"], "task");
    let sent: Vec<(String, String)> = sqlx::query_as(
        "SELECT channel, status FROM deliveries WHERE reminder_key = 'task:' || $1 ORDER BY channel",
    )
    .bind(task["id"].as_str().expect("id"))
    .fetch_all(&db().await)
    .await
    .expect("deliveries");
    assert_eq!(
        sent,
        vec![
            ("email".into(), "sent".into()),
            ("websocket".into(), "sent".into())
        ]
    );
}

#[tokio::test]
async fn moving_the_due_time_moves_the_reminder() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let task = create_task(
        &app,
        &t,
        json!({ "title": "Call tutor", "due_at": in_secs(2), "reminder_minutes": 0 }),
    )
    .await;
    let new_due = in_secs(7);
    let res = app
        .patch_auth(
            &format!("/api/tasks/{}", task["id"].as_str().expect("id")),
            &t,
            &json!({ "due_at": new_due }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let mut ws = connect_ws(&app, &format!("access_token={t}"))
        .await
        .expect("ws");

    assert!(
        next_event(&mut ws, "notification.created", Duration::from_secs(4))
            .await
            .is_err(),
        "not at the old time"
    );
    let event = next_event(&mut ws, "notification.created", Duration::from_secs(15))
        .await
        .expect("at the new time");
    let due: chrono::DateTime<Utc> = event["data"]["data"]["due_at"]
        .as_str()
        .expect("due_at")
        .parse()
        .expect("time");
    assert_eq!(due, new_due.parse::<chrono::DateTime<Utc>>().expect("time"));
}

#[tokio::test]
async fn completing_or_deleting_a_task_cancels_its_reminder() {
    let app = TestApp::spawn().await;
    let (email, _, s) = app.register().await;
    let t = token(&s);
    let done = create_task(
        &app,
        &t,
        json!({ "title": "Done early", "due_at": in_secs(3), "reminder_minutes": 0 }),
    )
    .await;
    let gone = create_task(
        &app,
        &t,
        json!({ "title": "Not needed", "due_at": in_secs(3), "reminder_minutes": 0 }),
    )
    .await;
    app.post_auth(
        &format!("/api/tasks/{}/complete", done["id"].as_str().expect("id")),
        &t,
        &json!({}),
    )
    .await;
    app.delete_auth(
        &format!("/api/tasks/{}", gone["id"].as_str().expect("id")),
        &t,
        &json!({}),
    )
    .await;

    tokio::time::sleep(Duration::from_secs(6)).await;

    let list: Value = app
        .get_auth("/api/notifications", &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["items"], json!([]));
    assert_eq!(reminder_mails(&email), 0);
}

#[tokio::test]
async fn a_reminder_needs_a_due_time_and_a_sane_lead() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    for (body, code) in [
        (
            json!({ "title": "a", "due_date": "2027-01-01", "reminder_minutes": 10 }),
            "needs_due_at",
        ),
        (
            json!({ "title": "a", "due_at": in_secs(600), "reminder_minutes": 20000 }),
            "out_of_range",
        ),
    ] {
        let (status, _, err) = error_code(app.post_auth("/api/tasks", &t, &body).await).await;
        assert_eq!(status, 422);
        assert_eq!(err["error"]["details"]["fields"][0]["code"], code);
    }
}

#[tokio::test]
async fn notifications_are_marked_read_and_deleted_and_private() {
    let app = TestApp::spawn().await;
    let (_, _, a) = app.register().await;
    let (_, _, b) = app.register().await;
    let ta = token(&a);
    let mut ws = connect_ws(&app, &format!("access_token={ta}"))
        .await
        .expect("ws");
    for title in ["First", "Second"] {
        create_task(
            &app,
            &ta,
            json!({ "title": title, "due_at": in_secs(2), "reminder_minutes": 0 }),
        )
        .await;
    }
    next_event(&mut ws, "notification.created", Duration::from_secs(20))
        .await
        .expect("first");
    next_event(&mut ws, "notification.created", Duration::from_secs(20))
        .await
        .expect("second");
    let list: Value = app
        .get_auth("/api/notifications", &ta)
        .await
        .json()
        .await
        .expect("json");
    let id = list["items"][0]["id"].as_str().expect("id").to_owned();

    let tb = token(&b);
    assert_eq!(
        app.post_auth(&format!("/api/notifications/{id}/read"), &tb, &json!({}))
            .await
            .status(),
        404
    );
    assert_eq!(
        app.delete_auth(&format!("/api/notifications/{id}"), &tb, &json!({}))
            .await
            .status(),
        404
    );
    let read: Value = app
        .post_auth(&format!("/api/notifications/{id}/read"), &ta, &json!({}))
        .await
        .json()
        .await
        .expect("json");
    assert!(read["read_at"].is_string());
    let unread: Value = app
        .get_auth("/api/notifications?unread=true", &ta)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(unread["unread_count"], 1);
    let all: Value = app
        .post_auth("/api/notifications/read-all", &ta, &json!({}))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(all["marked"], 1);
    assert_eq!(
        app.delete_auth(&format!("/api/notifications/{id}"), &ta, &json!({}))
            .await
            .status(),
        204
    );
    let left: Value = app
        .get_auth("/api/notifications", &ta)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        (
            left["items"].as_array().map(Vec::len),
            left["unread_count"].as_i64()
        ),
        (Some(1), Some(0))
    );
}

#[tokio::test]
async fn pending_reminders_are_found_in_temporal_by_user_and_due_time() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let user_id = s["user"]["id"].as_str().expect("id").to_owned();
    create_task(
        &app,
        &t,
        json!({ "title": "Later", "due_at": in_secs(3600), "reminder_minutes": 30 }),
    )
    .await;
    let address =
        std::env::var("TEMPORAL_ADDRESS").unwrap_or_else(|_| "http://127.0.0.1:7233".into());
    let address = address
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let venv = std::env::var("MAIGIE_VENV")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../.venv").to_owned());
    let query = format!(
        "UserId = '{user_id}' AND ReminderKind = 'task' AND ExecutionStatus = 'Running' AND DueAt > '2000-01-01T00:00:00Z'"
    );

    let mut found = Vec::new();
    for _ in 0..50 {
        let out = std::process::Command::new(format!("{venv}/bin/temporal"))
            .args([
                "workflow",
                "list",
                "--address",
                &address,
                "--query",
                &query,
                "-o",
                "json",
            ])
            .output()
            .expect("temporal CLI runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        found = serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap_or_default();
        if !found.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(found.len(), 1, "one pending reminder for the user");
    assert_eq!(found[0]["type"]["name"], "reminder");
}

#[tokio::test]
async fn a_channel_turned_off_in_preferences_is_skipped() {
    let app = TestApp::spawn().await;
    let (email, _, s) = app.register().await;
    let t = token(&s);
    let res = app
        .patch_auth(
            "/api/users/me",
            &t,
            &json!({ "preferences": { "notifications": { "reminder": { "email": false } } } }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let mut ws = connect_ws(&app, &format!("access_token={t}"))
        .await
        .expect("ws");
    let task = create_task(
        &app,
        &t,
        json!({ "title": "Quietly", "due_at": in_secs(2), "reminder_minutes": 0 }),
    )
    .await;

    next_event(&mut ws, "notification.created", Duration::from_secs(20))
        .await
        .expect("in-app reminder");

    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(reminder_mails(&email), 0, "no reminder e-mail");
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT channel, status FROM deliveries WHERE reminder_key = 'task:' || $1 ORDER BY channel",
    )
    .bind(task["id"].as_str().expect("id"))
    .fetch_all(&db().await)
    .await
    .expect("deliveries");
    assert_eq!(
        rows,
        vec![
            ("email".into(), "skipped".into()),
            ("websocket".into(), "sent".into())
        ]
    );
}

#[tokio::test]
async fn quiet_hours_hold_the_email_until_they_end_in_the_users_zone() {
    let app = TestApp::spawn().await;
    let (email, _, s) = app.register().await;
    let t = token(&s);
    // Quiet from an hour ago until 12 s from now, in Kolkata wall-clock time.
    let zone: chrono_tz::Tz = "Asia/Kolkata".parse().expect("zone");
    let local = |d: chrono::Duration| {
        (Utc::now() + d)
            .with_timezone(&zone)
            .format("%H:%M:%S")
            .to_string()
    };
    let quiet_end = Utc::now() + chrono::Duration::seconds(12);
    let res = app
        .patch_auth("/api/users/me", &t, &json!({ "timezone": "Asia/Kolkata" }))
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .http
        .put(app.url("/api/notifications/preferences"))
        .bearer_auth(&t)
        .json(
            &json!({ "quiet_hours": { "start": local(chrono::Duration::hours(-1)),
                                         "end": local(chrono::Duration::seconds(12)) } }),
        )
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
    let settings: Value = res.json().await.expect("json");
    assert_eq!(settings["email"], true);
    let mut ws = connect_ws(&app, &format!("access_token={t}"))
        .await
        .expect("ws");
    let task = create_task(
        &app,
        &t,
        json!({ "title": "Night owl", "due_at": in_secs(2), "reminder_minutes": 0 }),
    )
    .await;

    // In-app at once; the e-mail is held, not dropped.
    next_event(&mut ws, "notification.created", Duration::from_secs(20))
        .await
        .expect("in-app reminder during quiet hours");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(reminder_mails(&email), 0, "no e-mail during quiet hours");
    let held: (String, Option<chrono::DateTime<Utc>>) = sqlx::query_as(
        "SELECT status, held_until FROM deliveries
         WHERE reminder_key = 'task:' || $1 AND channel = 'email'",
    )
    .bind(task["id"].as_str().expect("id"))
    .fetch_one(&db().await)
    .await
    .expect("email delivery");
    assert_eq!(held.0, "pending");
    let until = held.1.expect("held until the end of quiet hours");
    assert!(
        (until - quiet_end).num_seconds().abs() <= 2,
        "{until} vs {quiet_end}"
    );

    let mail = wait_for_subject(&email, "Reminder: Night owl", 1, Duration::from_secs(40)).await;
    assert!(
        mail.iter()
            .any(|m| m.contains("Subject: Reminder: Night owl"))
    );
    assert!(Utc::now() >= until, "sent after quiet hours");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(reminder_mails(&email), 1, "sent once");
}

#[tokio::test]
async fn notification_settings_are_read_replaced_and_checked() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let got: Value = app
        .get_auth("/api/notifications/preferences", &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        got,
        json!({ "email": true, "websocket": true, "quiet_hours": null })
    );
    let put = |body: Value| {
        app.http
            .put(app.url("/api/notifications/preferences"))
            .bearer_auth(&t)
            .json(&body)
            .send()
    };
    let res = put(json!({ "email": false, "reminder": { "email": true },
                          "quiet_hours": { "start": "22:00", "end": "07:30" } }))
    .await
    .expect("request");
    assert_eq!(res.status(), 200);
    let got: Value = app
        .get_auth("/api/notifications/preferences", &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(got["email"], false);
    assert_eq!(got["reminder"]["email"], true);
    assert_eq!(got["quiet_hours"]["end"], "07:30");
    for bad in [
        json!({ "quiet_hours": { "start": "22:00", "end": "22:00" } }),
        json!({ "quiet_hours": { "start": "9pm", "end": "07:00" } }),
        json!({ "sms": true }),
        json!({ "reminder": { "email": "yes" } }),
        json!([]),
    ] {
        let (status, code, _) = error_code(put(bad.clone()).await.expect("request")).await;
        assert_eq!((status, code.as_str()), (422, "validation_failed"), "{bad}");
    }
    // The profile route checks the same document.
    let (status, _, body) = error_code(
        app.patch_auth(
            "/api/users/me",
            &t,
            &json!({ "preferences": { "notifications": { "quiet_hours": "always" } } }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422, "{body}");
    // Unchanged by the refused requests.
    let again: Value = app
        .get_auth("/api/notifications/preferences", &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(again, got);
}
