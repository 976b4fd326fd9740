//! Schedule generation: the `schedule_generation` workflow drafts study blocks into
//! free time (never over existing blocks, deadlines first, same input → same plan);
//! the user accepts the draft (blocks and reminders created) or discards it.

use std::time::Duration;

use chrono::{DateTime, Datelike, TimeZone, Utc};
use maigie_llm::fake::{DEFAULT_REPLY, FakeLlm};
use maigie_tests::{TestApp, connect_ws, error_code, next_event, token};
use serde_json::{Value, json};

fn berlin(days: i64, hour: u32) -> DateTime<Utc> {
    let tz = chrono_tz::Europe::Berlin;
    let day = Utc::now().with_timezone(&tz).date_naive() + chrono::Duration::days(days);
    tz.with_ymd_and_hms(day.year(), day.month(), day.day(), hour, 0, 0)
        .single()
        .expect("local time")
        .with_timezone(&Utc)
}

async fn ready(app: &TestApp, t: &str, id: &str) -> Value {
    for _ in 0..300 {
        let d: Value = app
            .get_auth(&format!("/api/schedule/drafts/{id}"), t)
            .await
            .json()
            .await
            .expect("json");
        if d["status"] != "generating" {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("draft {id} never became ready");
}

async fn generate(app: &TestApp, t: &str, body: &Value) -> Value {
    let res = app.post_auth("/api/schedule/generate", t, body).await;
    assert_eq!(res.status(), 202);
    let draft: Value = res.json().await.expect("json");
    ready(app, t, draft["id"].as_str().expect("id")).await
}

fn instant(v: &Value) -> DateTime<Utc> {
    v.as_str().expect("instant").parse().expect("rfc3339")
}

#[tokio::test]
async fn a_generated_schedule_avoids_busy_time_meets_deadlines_and_is_the_same_each_time() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    assert_eq!(
        app.patch_auth("/api/users/me", &t, &json!({"timezone": "Europe/Berlin"}))
            .await
            .status(),
        200
    );
    let (busy_start, busy_end) = (berlin(1, 9), berlin(1, 13));
    let res = app
        .post_auth("/api/schedule", &t, &json!({"title": "Lectures", "start_at": busy_start.to_rfc3339(), "end_at": busy_end.to_rfc3339(), "block_type": "class"}))
        .await;
    assert_eq!(res.status(), 201);
    let due = berlin(1, 18);
    let urgent: Value = app
        .post_auth(
            "/api/tasks",
            &t,
            &json!({"title": "Problem set 4", "priority": "high", "due_at": due.to_rfc3339()}),
        )
        .await
        .json()
        .await
        .expect("json");
    let res = app.post_auth("/api/tasks", &t, &json!({"title": "Read paper", "due_date": (Utc::now() + chrono::Duration::days(4)).date_naive()})).await;
    assert_eq!(res.status(), 201);
    let mut ws = connect_ws(&app, &format!("access_token={t}"))
        .await
        .expect("ws");

    let window = json!({"from": berlin(1, 0).to_rfc3339(), "to": berlin(6, 0).to_rfc3339(),
                        "options": {"task_minutes": 120, "max_block_minutes": 60}});
    let first = generate(&app, &t, &window).await;

    assert_eq!(first["status"], "ready", "{first}");
    assert!(
        first["explanation"]
            .as_str()
            .is_some_and(|e| e.starts_with("I placed")),
        "{first}"
    );
    assert_eq!(first["unplaced"], json!([]));
    let blocks = first["add"].as_array().expect("blocks");
    assert!(blocks.len() >= 4, "{blocks:?}");
    for b in blocks {
        let (s, e) = (instant(&b["start"]), instant(&b["end"]));
        assert!(
            e <= busy_start || s >= busy_end,
            "{b} overlaps the lectures"
        );
        assert!(
            (e - s).num_minutes() <= 60,
            "{b} is longer than max_block_minutes"
        );
        if b["item_id"] == urgent["id"] {
            assert!(e <= due, "{b} ends after the deadline");
        }
    }
    let urgent_minutes: i64 = blocks
        .iter()
        .filter(|b| b["item_id"] == urgent["id"])
        .map(|b| (instant(&b["end"]) - instant(&b["start"])).num_minutes())
        .sum();
    assert_eq!(urgent_minutes, 120);
    let ready_event = next_event(&mut ws, "schedule.draft_ready", Duration::from_secs(10))
        .await
        .expect("ready event");
    assert_eq!(ready_event["data"]["draft_id"], first["id"]);

    let second = generate(&app, &t, &window).await;
    assert_eq!(second["add"], first["add"], "same input, same plan");

    let res = app
        .post_auth(
            &format!(
                "/api/schedule/drafts/{}/discard",
                second["id"].as_str().expect("id")
            ),
            &t,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let id = first["id"].as_str().expect("id");
    let res = app
        .post_auth(&format!("/api/schedule/drafts/{id}/accept"), &t, &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    let accepted: Value = res.json().await.expect("json");
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(
        accepted["created_blocks"].as_array().expect("ids").len(),
        blocks.len()
    );
    let block: Value = app
        .get_auth(
            &format!(
                "/api/schedule/{}",
                accepted["created_blocks"][0].as_str().expect("id")
            ),
            &t,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(block["reminder_minutes"], 10);
    let (status, code, _) = error_code(
        app.post_auth(&format!("/api/schedule/drafts/{id}/accept"), &t, &json!({}))
            .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (409, "draft_not_ready"));
}

#[tokio::test]
async fn a_deadline_that_cannot_be_met_is_reported_and_bad_windows_are_refused() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let due = Utc::now() + chrono::Duration::days(1);
    let res = app
        .post_auth(
            "/api/tasks",
            &t,
            &json!({"title": "Thesis", "due_at": due.to_rfc3339()}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let body = json!({"from": Utc::now().to_rfc3339(), "to": (Utc::now() + chrono::Duration::days(3)).to_rfc3339(),
                      "options": {"task_minutes": 1440, "max_daily_minutes": 60}});
    let draft = generate(&app, &t, &body).await;
    let unplaced = draft["unplaced"].as_array().expect("unplaced");
    assert_eq!(unplaced.len(), 1, "{draft}");
    assert_eq!(unplaced[0]["reason"], "no_time_before_deadline");
    assert!(
        draft["explanation"]
            .as_str()
            .expect("text")
            .contains("Thesis")
    );

    let far = json!({"from": Utc::now().to_rfc3339(), "to": (Utc::now() + chrono::Duration::days(40)).to_rfc3339()});
    let (status, code, _) =
        error_code(app.post_auth("/api/schedule/generate", &t, &far).await).await;
    assert_eq!((status, code.as_str()), (422, "validation_failed"));
    let bad = json!({"from": Utc::now().to_rfc3339(), "to": (Utc::now() + chrono::Duration::days(2)).to_rfc3339(), "options": {"break_minutes": 999}});
    let (status, _, body) =
        error_code(app.post_auth("/api/schedule/generate", &t, &bad).await).await;
    assert_eq!(status, 422, "{body}");
    let (_, _, other) = app.register().await;
    let res = app
        .get_auth(
            &format!("/api/schedule/drafts/{}", draft["id"].as_str().expect("id")),
            &token(&other),
        )
        .await;
    assert_eq!(res.status(), 404);
}

fn window() -> Value {
    json!({"from": Utc::now().to_rfc3339(), "to": (Utc::now() + chrono::Duration::days(3)).to_rfc3339()})
}

async fn usage(app: &TestApp, t: &str) -> Value {
    app.get_auth("/api/users/me/usage", t)
        .await
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn a_draft_counts_toward_the_ai_allowance_and_past_it_is_refused() {
    let app = TestApp::spawn_with(vec![("LIMIT_FREE_AI_MESSAGES_PER_MONTH", "1".into())]).await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let conv: Value = app
        .post_auth("/api/chat/conversations", &t, &json!({}))
        .await
        .json()
        .await
        .expect("json");
    let path = format!(
        "/api/chat/conversations/{}/messages",
        conv["id"].as_str().expect("id")
    );
    let sent = app
        .http
        .post(app.url(&path))
        .bearer_auth(&t)
        .header("accept", "application/json")
        .json(&json!({"content": "show my tasks"}))
        .send()
        .await
        .expect("send");
    assert_eq!(sent.status(), 202);

    let refused = app.post_auth("/api/schedule/generate", &t, &window()).await;

    assert!(refused.headers().contains_key("retry-after"));
    let (status, code, body) = error_code(refused).await;
    assert_eq!(
        (status, code.as_str()),
        (429, "ai_quota_exceeded"),
        "{body}"
    );
    assert_eq!(body["error"]["details"]["limit"], 1);
    assert_eq!(
        usage(&app, &t).await["ai_messages_used"],
        1,
        "the refusal counted nothing"
    );

    // The other way round: a draft spends the allowance a message then lacks.
    let (_, _, other) = app.register().await;
    let o = token(&other);
    let res = app.post_auth("/api/schedule/generate", &o, &window()).await;
    assert_eq!(res.status(), 202);
    assert_eq!(usage(&app, &o).await["ai_messages_used"], 1);
    let (status, code, _) =
        error_code(app.post_auth("/api/schedule/generate", &o, &window()).await).await;
    assert_eq!((status, code.as_str()), (429, "ai_quota_exceeded"));
}

#[tokio::test]
async fn the_models_explanation_of_a_draft_is_recorded_as_schedule_generation_usage() {
    let model = FakeLlm::start().await;
    let app = TestApp::spawn_with(vec![
        ("LLM_BASE_URL", model.base_url.clone()),
        ("LLM_API_KEY", "test-key".into()),
        ("LLM_MODEL", "fake-model".into()),
        ("LLM_TIMEOUT_SECS", "10".into()),
    ])
    .await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let due = Utc::now() + chrono::Duration::days(2);
    let res = app
        .post_auth(
            "/api/tasks",
            &t,
            &json!({"title": "Lab report", "due_at": due.to_rfc3339()}),
        )
        .await;
    assert_eq!(res.status(), 201);

    let draft = generate(&app, &t, &window()).await;

    assert_eq!(
        draft["explanation"], DEFAULT_REPLY,
        "the model explained it: {draft}"
    );
    assert_eq!(model.request_count(), 1);
    let used = usage(&app, &t).await;
    assert_eq!(used["ai_messages_used"], 1, "{used}");
    let kinds = used["kinds"].as_array().expect("kinds");
    assert_eq!(kinds.len(), 1, "{used}");
    assert_eq!(kinds[0]["kind"], "schedule_generation");
    assert_eq!(kinds[0]["calls"], 1);
    assert!(
        kinds[0]["prompt_tokens"].as_i64().expect("tokens") > 0,
        "{used}"
    );
    assert!(
        kinds[0]["completion_tokens"].as_i64().expect("tokens") > 0,
        "{used}"
    );
    assert_eq!(
        used["tokens"][0]["prompt_tokens"],
        kinds[0]["prompt_tokens"]
    );
}
