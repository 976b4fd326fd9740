//! Schedule-block reminders: `reminder_minutes` before each occurrence, one workflow
//! per block that continues as new with the next occurrence; exceptions and edits
//! move it, deleting the block cancels it.

use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use maigie_tests::mail::messages_to;
use maigie_tests::own_temporal::{temporal_json, try_temporal_json};
use maigie_tests::{TestApp, connect_ws, next_event, token};
use serde_json::{Value, json};

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The current plan of the block's reminder workflow (its latest run); `None` until
/// the workflow exists (a write starts it just after it answers).
fn plan(block_id: &str) -> Option<Value> {
    let id = format!("reminder-schedule_block-{block_id}");
    let out =
        match try_temporal_json(&["workflow", "query", "--workflow-id", &id, "--type", "plan"]) {
            Ok(out) => out,
            Err(err) if err.contains("not found") => return None,
            Err(err) => panic!("query of {id}: {err}"),
        };
    let result = out.get("queryResult").cloned().unwrap_or(out);
    match result {
        Value::Array(mut items) if !items.is_empty() => Some(items.remove(0)),
        Value::Object(_) => Some(result),
        _ => None,
    }
}

/// Polls the plan until `check` holds (the API signals right after its commit, but
/// the workflow applies the signal asynchronously).
async fn plan_until(block_id: &str, check: impl Fn(&Value) -> bool) -> Value {
    let mut last = None;
    for _ in 0..100 {
        if let Some(p) = plan(block_id) {
            if check(&p) {
                return p;
            }
            last = Some(p);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("plan never matched; last: {last:?}");
}

fn runs(block_id: &str) -> Vec<String> {
    let query = format!("WorkflowId = 'reminder-schedule_block-{block_id}'");
    let listed = temporal_json(&["workflow", "list", "--query", &query]);
    listed
        .as_array()
        .map(|a| {
            a.iter()
                .map(|w| w["status"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

#[tokio::test]
async fn a_daily_blocks_reminder_fires_before_an_occurrence_then_waits_for_the_next() {
    let app = TestApp::spawn().await;
    let (email, _, s) = app.register().await;
    let t = token(&s);
    let mut ws = connect_ws(&app, &format!("access_token={t}"))
        .await
        .expect("ws");
    // First occurrence in 10 min + 3 s; reminders 10 min before: the first fires in 3 s.
    let start = DateTime::from_timestamp(Utc::now().timestamp() + 603, 0).expect("start");
    let res = app
        .post_auth(
            "/api/schedule",
            &t,
            &json!({ "title": "Revision", "start_at": rfc3339(start),
                     "end_at": rfc3339(start + chrono::Duration::minutes(30)),
                     "timezone": "UTC", "rrule": "FREQ=DAILY", "reminder_minutes": 10 }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let block: Value = res.json().await.expect("json");
    let id = block["id"].as_str().expect("id").to_owned();

    let event = next_event(&mut ws, "notification.created", Duration::from_secs(30))
        .await
        .expect("reminder before the first occurrence");
    assert_eq!(event["data"]["source_type"], "schedule_block");
    assert_eq!(event["data"]["source_id"], block["id"]);
    assert_eq!(event["data"]["title"], "Revision");
    assert_eq!(event["data"]["data"]["due_at"], rfc3339(start));
    assert!(
        event["data"]["body"]
            .as_str()
            .is_some_and(|b| b.starts_with("Starts ")),
        "{event}"
    );
    let mail = maigie_tests::wait_for_mail(&email, 2, Duration::from_secs(15)).await;
    let reminder = mail
        .iter()
        .find(|m| m.contains("Subject: Reminder: Revision"))
        .expect("reminder mail");
    assert!(
        reminder.contains(&format!("/schedule/{id}")),
        "links to the block"
    );

    // The workflow continued as new, waiting for tomorrow's occurrence.
    let tomorrow = start + chrono::Duration::days(1);
    let next = plan_until(&id, |p| p["occurrence_at_ms"] == ms(tomorrow)).await;
    assert_eq!(
        next["fire_at_ms"],
        ms(tomorrow - chrono::Duration::minutes(10))
    );
    let mut statuses = runs(&id);
    for _ in 0..50 {
        if statuses.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        statuses = runs(&id);
    }
    statuses.sort();
    assert_eq!(
        statuses,
        vec![
            "WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW",
            "WORKFLOW_EXECUTION_STATUS_RUNNING"
        ]
    );

    // Cancelling tomorrow's occurrence moves the reminder to the day after.
    let res = app
        .patch_auth(
            &format!("/api/schedule/{id}/occurrences/{}", rfc3339(tomorrow)),
            &t,
            &json!({ "cancelled": true }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let after = start + chrono::Duration::days(2);
    plan_until(&id, |p| p["occurrence_at_ms"] == ms(after)).await;

    // Changing the lead time moves it too.
    let res = app
        .patch_auth(
            &format!("/api/schedule/{id}"),
            &t,
            &json!({ "reminder_minutes": 60 }),
        )
        .await;
    assert_eq!(res.status(), 200);
    plan_until(&id, |p| {
        p["fire_at_ms"] == ms(after - chrono::Duration::minutes(60))
    })
    .await;

    // Deleting the block cancels the reminder.
    let res = app
        .delete_auth(&format!("/api/schedule/{id}"), &t, &json!({}))
        .await;
    assert_eq!(res.status(), 204);
    plan_until(&id, |p| p["fire_at_ms"].is_null()).await;
    let mut running = 1;
    for _ in 0..50 {
        running = runs(&id).iter().filter(|s| s.ends_with("RUNNING")).count();
        if running == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(running, 0, "no reminder left running");
    let reminders = messages_to(&email)
        .iter()
        .filter(|m| m.contains("Subject: Reminder: Revision"))
        .count();
    assert_eq!(reminders, 1, "one reminder so far");
}

#[tokio::test]
async fn blocks_without_reminder_minutes_start_no_workflow() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let start = Utc::now() + chrono::Duration::hours(2);
    let res = app
        .post_auth(
            "/api/schedule",
            &t,
            &json!({ "title": "Plain", "start_at": rfc3339(start),
                     "end_at": rfc3339(start + chrono::Duration::minutes(30)), "timezone": "UTC" }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let block: Value = res.json().await.expect("json");
    let id = block["id"].as_str().expect("id").to_owned();
    let res = app
        .patch_auth(
            &format!("/api/schedule/{id}"),
            &t,
            &json!({ "title": "Still plain" }),
        )
        .await;
    assert_eq!(res.status(), 200);
    // Nothing recorded to start (a start would be in the write's outbox row).
    let recorded: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM workflow_outbox WHERE workflow_id = 'reminder-schedule_block-' || $1",
    )
    .bind(&id)
    .fetch_one(&maigie_tests::db().await)
    .await
    .expect("outbox");
    assert_eq!(recorded, 0, "no reminder workflow recorded");
    assert!(runs(&id).is_empty(), "no reminder workflow");
    // Turning reminders on starts one for the (only) occurrence.
    let res = app
        .patch_auth(
            &format!("/api/schedule/{id}"),
            &t,
            &json!({ "reminder_minutes": 15 }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let p = plan_until(&id, |p| !p["fire_at_ms"].is_null()).await;
    assert_eq!(
        p["fire_at_ms"],
        ms(DateTime::parse_from_rfc3339(&rfc3339(start))
            .expect("t")
            .with_timezone(&Utc)
            - chrono::Duration::minutes(15))
    );
}
