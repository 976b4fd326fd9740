//! Daily analytics: the `daily_analytics` workflow computes a zone's day for its
//! users (re-running it replaces the figures), the hourly schedule dispatches the
//! day that just ended in each zone, and the API serves days and a live summary.

use std::time::Duration;

use chrono::{NaiveTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use maigie_tests::own_temporal::temporal_json;
use maigie_tests::{TestApp, db, error_code, token};
use serde_json::{Value, json};
use uuid::Uuid;

async fn user_in(app: &TestApp, zone: &str) -> (String, Value) {
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let res = app
        .patch_auth("/api/users/me", &t, &json!({ "timezone": zone }))
        .await;
    assert_eq!(res.status(), 200);
    (t, s)
}

async fn completed_task(app: &TestApp, t: &str, title: &str) {
    let res = app
        .post_auth("/api/tasks", t, &json!({ "title": title }))
        .await;
    assert_eq!(res.status(), 201);
    let task: Value = res.json().await.expect("json");
    let id = task["id"].as_str().expect("id");
    let res = app
        .post_auth(&format!("/api/tasks/{id}/complete"), t, &json!({}))
        .await;
    assert_eq!(res.status(), 200);
}

/// Runs `daily_analytics` for the zone and day on the app's queue, to completion.
fn run_day(app: &TestApp, zone: &str, day: &str) {
    let id = format!("analytics-test-{}", Uuid::new_v4().simple());
    let input = json!({ "timezone": zone, "day": day }).to_string();
    temporal_json(&[
        "workflow",
        "execute",
        "--type",
        "daily_analytics",
        "--task-queue",
        &app.task_queue,
        "--workflow-id",
        &id,
        "--input",
        &input,
    ]);
}

async fn day_of(app: &TestApp, t: &str, day: &str) -> Vec<Value> {
    let res = app
        .get_auth(&format!("/api/analytics/daily?from={day}&to={day}"), t)
        .await;
    assert_eq!(res.status(), 200);
    let page: Value = res.json().await.expect("json");
    page["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_day_is_computed_by_its_workflow_and_recomputing_it_replaces_the_figures() {
    let app = TestApp::spawn().await;
    let zone = "Pacific/Chatham";
    let tz: Tz = zone.parse().expect("zone");
    let (t, s) = user_in(&app, zone).await;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let day = today.format("%Y-%m-%d").to_string();

    completed_task(&app, &t, "One").await;
    completed_task(&app, &t, "Two").await;
    let res = app
        .post_auth(
            "/api/goals",
            &t,
            &json!({ "title": "Finish", "status": "COMPLETED" }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let res = app
        .post_auth(
            "/api/goals",
            &t,
            &json!({ "title": "Half", "progress": 0.5 }),
        )
        .await;
    assert_eq!(res.status(), 201);
    // A 45-minute study block early today (local), completed; and a break, completed.
    let start = today
        .and_time(NaiveTime::from_hms_opt(0, 30, 0).expect("time"))
        .and_local_timezone(tz)
        .earliest()
        .expect("local time")
        .with_timezone(&Utc);
    for (kind, minutes) in [("study", 45), ("break", 15)] {
        let begin = start + chrono::Duration::hours(if kind == "study" { 0 } else { 2 });
        let res = app
            .post_auth(
                "/api/schedule",
                &t,
                &json!({ "title": kind, "block_type": kind,
                         "start_at": begin.to_rfc3339_opts(SecondsFormat::Secs, true),
                         "end_at": (begin + chrono::Duration::minutes(minutes))
                             .to_rfc3339_opts(SecondsFormat::Secs, true) }),
            )
            .await;
        assert_eq!(res.status(), 201, "{kind} block");
        let block: Value = res.json().await.expect("json");
        let res = app
            .post_auth(
                &format!(
                    "/api/schedule/{}/occurrences/{}/complete",
                    block["id"].as_str().expect("id"),
                    begin.to_rfc3339_opts(SecondsFormat::Secs, true)
                ),
                &t,
                &json!({}),
            )
            .await;
        assert_eq!(res.status(), 200, "complete {kind}");
    }

    assert!(day_of(&app, &t, &day).await.is_empty(), "not computed yet");
    run_day(&app, zone, &day);
    let items = day_of(&app, &t, &day).await;
    assert_eq!(items.len(), 1);
    let d = &items[0];
    assert_eq!(d["day"], day);
    assert_eq!(d["tasks_completed"], 2);
    assert_eq!(d["goals_completed"], 1);
    assert_eq!(d["study_minutes"], 45, "breaks do not count");
    assert_eq!(d["streak_days"], 1);
    assert_eq!(d["goals_progress"], 0.5);
    assert_eq!(d["ai_messages"], 0);

    // Recomputing after another completion replaces the day; twice changes nothing.
    completed_task(&app, &t, "Three").await;
    run_day(&app, zone, &day);
    run_day(&app, zone, &day);
    let items = day_of(&app, &t, &day).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["tasks_completed"], 3);
    // Counted for this day only: the user may have rows for other days, since any
    // dispatch on the run's shared database (the schedule test's, running alongside)
    // computes yesterday for every user of every zone.
    let rows: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM daily_analytics WHERE user_id = $1::uuid AND day = $2::date",
    )
    .bind(s["user"]["id"].as_str().expect("id"))
    .bind(&day)
    .fetch_one(&db().await)
    .await
    .expect("count");
    assert_eq!(rows, 1, "one row per user and day");

    let summary: Value = app
        .get_auth("/api/analytics/summary", &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(summary["timezone"], zone);
    assert_eq!(summary["today"]["tasks_completed"], 3);
    assert_eq!(
        summary["last_7_days"]["tasks_completed"], 3,
        "today counted once"
    );
    assert_eq!(summary["last_30_days"]["study_minutes"], 45);
    assert_eq!(summary["current_streak"], 1);
    assert_eq!(summary["best_streak"], 1);
}

#[tokio::test]
async fn the_schedule_dispatches_the_day_that_ended_in_each_zone_once() {
    let app = TestApp::spawn_with(vec![("ANALYTICS_SCHEDULE", "true".into())]).await;
    let zone = "America/Araguaina";
    let tz: Tz = zone.parse().expect("zone");
    let (t, _) = user_in(&app, zone).await;
    let yesterday = (Utc::now().with_timezone(&tz).date_naive() - chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let schedule = format!("daily-analytics-{}", app.task_queue);
    // The worker creates the schedule as it starts.
    let mut described = false;
    for _ in 0..50 {
        let out = std::process::Command::new(maigie_tests::own_temporal::temporal_cli())
            .args([
                "schedule",
                "describe",
                "--schedule-id",
                &schedule,
                "--address",
            ])
            .arg(
                std::env::var("TEMPORAL_ADDRESS")
                    .unwrap_or_else(|_| "http://127.0.0.1:7233".into())
                    .trim_start_matches("http://"),
            )
            .output()
            .expect("temporal CLI");
        if out.status.success() {
            described = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(described, "schedule {schedule} exists");
    for _ in 0..2 {
        temporal_json(&["schedule", "trigger", "--schedule-id", &schedule]);
        tokio::time::sleep(Duration::from_secs(2)).await;
    }

    let query = format!(
        "WorkflowId = 'analytics-{}-{zone}-{yesterday}'",
        app.task_queue
    );
    let mut runs = Vec::new();
    for _ in 0..100 {
        runs = temporal_json(&["workflow", "list", "--query", &query])
            .as_array()
            .cloned()
            .unwrap_or_default();
        let done = runs
            .iter()
            .any(|w| w["status"] == "WORKFLOW_EXECUTION_STATUS_COMPLETED");
        if done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(runs.len(), 1, "one run for the zone's day: {runs:?}");
    let items = day_of(&app, &t, &yesterday).await;
    assert_eq!(items.len(), 1, "yesterday computed");
    assert_eq!(items[0]["tasks_completed"], 0);
}

#[tokio::test]
async fn ranges_are_checked() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    for (query, status, code) in [
        ("from=2026-02-01&to=2026-01-01", 422, "validation_failed"),
        ("from=2024-12-01&to=2026-01-01", 422, "validation_failed"),
        ("from=yesterday", 400, ""),
    ] {
        let (got, got_code, body) = error_code(
            app.get_auth(&format!("/api/analytics/daily?{query}"), &t)
                .await,
        )
        .await;
        assert_eq!(got, status, "{query}: {body}");
        if !code.is_empty() {
            assert_eq!(got_code, code, "{query}");
        }
    }
    let res = app
        .get_auth("/api/analytics/daily?from=2026-01-01&to=2026-12-31", &t)
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .http
        .get(app.url("/api/analytics/summary"))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 401);
}
