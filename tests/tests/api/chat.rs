//! The AI assistant end to end: conversations, answers streamed as Server-Sent Events
//! (and on the WebSocket), tool calls run by the `ai_action` workflow on the real
//! Temporal server, confirmation, rejection, undo, the monthly allowance, and a model
//! behind a local OpenAI-compatible server (`maigie_llm::fake`) that the real client
//! talks to over HTTP.

use std::time::Duration;

use chrono::{Datelike, TimeZone, Utc};
use maigie_llm::fake::{FakeLlm, FakeReply};
use maigie_tests::sse::{SseEvent, read_all, streamed_text};
use maigie_tests::{TestApp, WorkerProcess, connect_ws, error_code, next_event, token};
use serde_json::{Value, json};

const STREAM: Duration = Duration::from_secs(60);

/// A signed-in user (Europe/Berlin) with a new conversation.
pub(crate) async fn user_with_conversation(app: &TestApp) -> (String, String) {
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let res = app
        .patch_auth("/api/users/me", &t, &json!({"timezone": "Europe/Berlin"}))
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .post_auth("/api/chat/conversations", &t, &json!({}))
        .await;
    assert_eq!(res.status(), 201);
    let conv: Value = res.json().await.expect("json");
    (t, conv["id"].as_str().expect("id").to_owned())
}

/// The conversation's title (null while untitled).
pub(crate) async fn title_of(app: &TestApp, t: &str, conv: &str) -> Value {
    let res = app
        .get_auth(&format!("/api/chat/conversations/{conv}"), t)
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.expect("json");
    body["title"].clone()
}

/// Sends a message and reads the streamed answer to its end.
pub(crate) async fn say(app: &TestApp, t: &str, conv: &str, text: &str) -> Vec<SseEvent> {
    let res = app
        .http
        .post(app.url(&format!("/api/chat/conversations/{conv}/messages")))
        .bearer_auth(t)
        .header("accept", "text/event-stream")
        .json(&json!({"content": text}))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 200, "message accepted");
    assert!(
        res.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/event-stream")
    );
    read_all(res, STREAM).await
}

pub(crate) fn action_of(events: &[SseEvent]) -> String {
    assert_eq!(events[0].event, "chat.started", "{events:?}");
    events[0].data["action_id"]
        .as_str()
        .expect("action")
        .to_owned()
}

/// The conversation's history page, newest first.
pub(crate) async fn history_of(app: &TestApp, t: &str, conv: &str) -> Value {
    app.get_auth(&format!("/api/chat/conversations/{conv}/messages"), t)
        .await
        .json()
        .await
        .expect("json")
}

fn roles_of(history: &Value) -> Vec<String> {
    history["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| m["role"].as_str().unwrap_or("").to_owned())
        .collect()
}

pub(crate) async fn action(app: &TestApp, t: &str, id: &str) -> Value {
    app.get_auth(&format!("/api/chat/actions/{id}"), t)
        .await
        .json()
        .await
        .expect("json")
}

pub(crate) async fn wait_status(app: &TestApp, t: &str, id: &str, status: &str) -> Value {
    for _ in 0..300 {
        let a = action(app, t, id).await;
        if a["status"] == status {
            return a;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "action {id} never reached {status}: {}",
        action(app, t, id).await
    );
}

pub(crate) async fn tasks(app: &TestApp, t: &str) -> Vec<Value> {
    let page: Value = app
        .get_auth("/api/tasks?status=all", t)
        .await
        .json()
        .await
        .expect("json");
    page["items"].as_array().cloned().unwrap_or_default()
}

pub(crate) async fn create_task(app: &TestApp, t: &str, title: &str) -> Value {
    let res = app
        .post_auth("/api/tasks", t, &json!({"title": title}))
        .await;
    assert_eq!(res.status(), 201);
    res.json().await.expect("json")
}

/// Tomorrow at `hour`:00 in Berlin, as the API writes instants.
pub(crate) fn berlin_tomorrow_at(hour: u32) -> chrono::DateTime<Utc> {
    let tz = chrono_tz::Europe::Berlin;
    let day = Utc::now().with_timezone(&tz).date_naive() + chrono::Duration::days(1);
    tz.with_ymd_and_hms(day.year(), day.month(), day.day(), hour, 0, 0)
        .single()
        .expect("local time")
        .with_timezone(&Utc)
}

#[tokio::test]
async fn with_no_model_configured_the_offline_assistant_adds_a_task_and_streams_its_answer() {
    let app = TestApp::spawn().await;
    let (t, conv) = user_with_conversation(&app).await;
    let mut ws = connect_ws(&app, &format!("access_token={t}"))
        .await
        .expect("ws");

    let events = say(
        &app,
        &t,
        &conv,
        "Add a task to revise chapter 3 tomorrow at 5pm #physics high priority",
    )
    .await;

    let id = action_of(&events);
    let kinds: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(kinds.last(), Some(&"chat.done"), "{kinds:?}");
    assert!(kinds.contains(&"chat.tool_call"));
    let done = events.last().expect("done");
    assert_eq!(done.data["status"], "completed");
    let text = streamed_text(&events);
    assert!(text.starts_with("Created task"), "{text}");
    let all = tasks(&app, &t).await;
    assert_eq!(all.len(), 1);
    let task = &all[0];
    assert!(
        task["title"]
            .as_str()
            .expect("title")
            .to_lowercase()
            .contains("revise chapter 3"),
        "{task}"
    );
    assert_eq!(task["priority"], "high");
    assert_eq!(task["tags"], json!(["physics"]));
    let due: chrono::DateTime<Utc> = task["due_at"]
        .as_str()
        .expect("due")
        .parse()
        .expect("instant");
    assert_eq!(due, berlin_tomorrow_at(17));

    let a = action(&app, &t, &id).await;
    assert_eq!(a["status"], "completed");
    assert_eq!(a["provider"], "offline");
    assert_eq!(a["workflow_id"], format!("ai-action-{id}"));
    assert_eq!(a["steps"][0]["tool"], "create_task");
    assert_eq!(a["steps"][0]["status"], "completed");
    assert_eq!(a["steps"][0]["changes"][0]["before"], Value::Null);
    assert_eq!(a["steps"][0]["changes"][0]["id"], task["id"]);

    // The same stream reached the WebSocket.
    let delta = next_event(&mut ws, "chat.delta", Duration::from_secs(10))
        .await
        .expect("delta on ws");
    assert_eq!(delta["data"]["action_id"], id.as_str());
    let done = next_event(&mut ws, "chat.done", Duration::from_secs(10))
        .await
        .expect("done on ws");
    assert_eq!(done["data"]["action_id"], id.as_str());

    // History, newest first: answer, tool result, tool call, question.
    let history = history_of(&app, &t, &conv).await;
    let roles = roles_of(&history);
    assert_eq!(roles, ["assistant", "tool", "assistant", "user"]);
    assert!(
        history["items"][0]["content"]
            .as_str()
            .expect("text")
            .starts_with("Created task")
    );
}

#[tokio::test]
async fn the_offline_assistant_answers_what_is_due_and_explains_what_it_cannot_do() {
    let app = TestApp::spawn().await;
    let (t, conv) = user_with_conversation(&app).await;
    let due = (Utc::now() + chrono::Duration::minutes(90)).to_rfc3339();
    let res = app
        .post_auth(
            "/api/tasks",
            &t,
            &json!({"title": "Hand in lab report", "due_at": due}),
        )
        .await;
    assert_eq!(res.status(), 201);

    // A range counted from now: late on Sunday, a task due in 90 minutes already
    // falls in next week, so "this week" would rightly leave it out.
    let events = say(&app, &t, &conv, "what's due in the next 3 days?").await;
    let text = streamed_text(&events);
    assert!(text.contains("Hand in lab report"), "{text}");
    assert_eq!(events.last().expect("done").data["status"], "completed");
    // The first message names the conversation; later ones leave the name alone.
    assert_eq!(
        title_of(&app, &t, &conv).await,
        "what's due in the next 3 days?"
    );

    let events = say(&app, &t, &conv, "what is the meaning of life").await;
    let text = streamed_text(&events);
    assert!(
        text.to_lowercase().contains("add a task"),
        "help text expected: {text}"
    );
    assert_eq!(
        title_of(&app, &t, &conv).await,
        "what's due in the next 3 days?"
    );
}

#[tokio::test]
async fn deleting_a_task_waits_for_confirmation_then_runs_and_can_be_undone() {
    let app = TestApp::spawn().await;
    let (t, conv) = user_with_conversation(&app).await;
    let task = create_task(&app, &t, "Old essay outline").await;

    let events = say(&app, &t, &conv, "delete the task old essay outline").await;
    let id = action_of(&events);
    let last = events.last().expect("event");
    assert_eq!(last.event, "chat.confirmation_required", "{events:?}");
    assert_eq!(last.data["calls"][0]["tool"], "delete_task");
    let a = action(&app, &t, &id).await;
    assert_eq!(a["status"], "awaiting_confirmation");
    assert_eq!(
        tasks(&app, &t).await.len(),
        1,
        "nothing deleted before confirmation"
    );

    let res = app
        .post_auth(&format!("/api/chat/actions/{id}/confirm"), &t, &json!({}))
        .await;
    assert_eq!(res.status(), 202);
    wait_status(&app, &t, &id, "completed").await;
    let task_path = format!("/api/tasks/{}", task["id"].as_str().expect("id"));
    assert_eq!(app.get_auth(&task_path, &t).await.status(), 404);
    let (status, code, _) = error_code(
        app.post_auth(&format!("/api/chat/actions/{id}/confirm"), &t, &json!({}))
            .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (409, "not_awaiting_confirmation"));

    let res = app
        .post_auth(&format!("/api/chat/actions/{id}/undo"), &t, &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    let undone: Value = res.json().await.expect("json");
    assert_eq!(undone["status"], "undone");
    let restored: Value = app
        .get_auth(&task_path, &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(restored["title"], "Old essay outline");
    assert_eq!(restored["id"], task["id"]);
    let (status, code, _) = error_code(
        app.post_auth(&format!("/api/chat/actions/{id}/undo"), &t, &json!({}))
            .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (409, "already_undone"));
}

#[tokio::test]
async fn rejecting_a_delete_changes_nothing_and_the_assistant_says_so() {
    let app = TestApp::spawn().await;
    let (t, conv) = user_with_conversation(&app).await;
    create_task(&app, &t, "Group project slides").await;

    let events = say(&app, &t, &conv, "remove group project slides from my tasks").await;
    let id = action_of(&events);
    assert_eq!(
        events.last().expect("event").event,
        "chat.confirmation_required"
    );

    let res = app
        .post_auth(&format!("/api/chat/actions/{id}/reject"), &t, &json!({}))
        .await;
    assert_eq!(res.status(), 202);
    let a = wait_status(&app, &t, &id, "rejected").await;
    assert_eq!(a["steps"][0]["status"], "skipped");
    assert_eq!(tasks(&app, &t).await.len(), 1);
    let history: Value = app
        .get_auth(
            &format!("/api/chat/conversations/{conv}/messages?limit=1"),
            &t,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(history["items"][0]["content"], "OK, I left it as it was.");
    let (status, code, _) = error_code(
        app.post_auth(&format!("/api/chat/actions/{id}/undo"), &t, &json!({}))
            .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (409, "nothing_to_undo"));
}

#[tokio::test]
async fn undo_restores_an_update_but_is_refused_once_the_row_changed_again() {
    let app = TestApp::spawn().await;
    let (t, conv) = user_with_conversation(&app).await;
    let task = create_task(&app, &t, "Read chapter 5").await;
    let path = format!("/api/tasks/{}", task["id"].as_str().expect("id"));

    let events = say(&app, &t, &conv, "make read chapter 5 urgent").await;
    let first = action_of(&events);
    assert_eq!(
        events.last().expect("done").data["status"],
        "completed",
        "{events:?}"
    );
    let now: Value = app.get_auth(&path, &t).await.json().await.expect("json");
    assert_eq!(now["priority"], "urgent");
    let res = app
        .post_auth(&format!("/api/chat/actions/{first}/undo"), &t, &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    let now: Value = app.get_auth(&path, &t).await.json().await.expect("json");
    assert_eq!(now["priority"], "medium", "undo restored the priority");

    let events = say(&app, &t, &conv, "add a task to email the tutor").await;
    let second = action_of(&events);
    let created = tasks(&app, &t)
        .await
        .into_iter()
        .find(|x| {
            x["title"]
                .as_str()
                .is_some_and(|s| s.contains("email the tutor"))
        })
        .expect("created");
    let res = app
        .patch_auth(
            &format!("/api/tasks/{}", created["id"].as_str().expect("id")),
            &t,
            &json!({"title": "Email the tutor about exams"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let (status, code, body) = error_code(
        app.post_auth(&format!("/api/chat/actions/{second}/undo"), &t, &json!({}))
            .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (409, "undo_conflict"), "{body}");
    assert_eq!(
        tasks(&app, &t).await.len(),
        2,
        "a refused undo changes nothing"
    );
}

#[tokio::test]
async fn the_free_allowance_is_enforced_with_the_time_it_resets() {
    let app = TestApp::spawn_with(vec![("LIMIT_FREE_AI_MESSAGES_PER_MONTH", "2".into())]).await;
    let (t, conv) = user_with_conversation(&app).await;
    let path = format!("/api/chat/conversations/{conv}/messages");
    for _ in 0..2 {
        let res = app
            .http
            .post(app.url(&path))
            .bearer_auth(&t)
            .header("accept", "application/json")
            .json(&json!({"content": "show my tasks"}))
            .send()
            .await
            .expect("send");
        assert_eq!(res.status(), 202);
    }
    let res = app
        .post_auth(&path, &t, &json!({"content": "show my tasks"}))
        .await;
    assert!(res.headers().contains_key("retry-after"));
    let (status, code, body) = error_code(res).await;
    assert_eq!((status, code.as_str()), (429, "ai_quota_exceeded"));
    let resets: chrono::DateTime<Utc> = body["error"]["details"]["resets_at"]
        .as_str()
        .expect("resets_at")
        .parse()
        .expect("instant");
    let today = Utc::now().date_naive();
    let next = (today.with_day(1).expect("day") + chrono::Months::new(1))
        .and_hms_opt(0, 0, 0)
        .expect("time")
        .and_utc();
    assert_eq!(resets, next);

    let usage: Value = app
        .get_auth("/api/users/me/usage", &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(usage["ai_messages_used"], 2);
    assert_eq!(usage["ai_messages_limit"], 2);
    assert_eq!(usage["tier"], "FREE");
}

#[tokio::test]
async fn conversations_are_listed_renamed_cleared_deleted_and_private() {
    let app = TestApp::spawn().await;
    let (t, conv) = user_with_conversation(&app).await;
    let goal: Value = app
        .post_auth("/api/goals", &t, &json!({"title": "Pass calculus"}))
        .await
        .json()
        .await
        .expect("json");
    let res = app
        .post_auth(
            "/api/chat/conversations",
            &t,
            &json!({"title": "Calculus help", "context_type": "goal", "context_id": goal["id"]}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let about: Value = res.json().await.expect("json");
    assert_eq!(about["context_type"], "goal");

    let (status, code, _) = error_code(
        app.post_auth(
            "/api/chat/conversations",
            &t,
            &json!({"context_type": "galaxy"}),
        )
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (422, "validation_failed"));
    let (status, _, _) = error_code(
        app.post_auth(
            "/api/chat/conversations",
            &t,
            &json!({"context_type": "goal", "context_id": uuid::Uuid::new_v4()}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);

    let res = app
        .patch_auth(
            &format!("/api/chat/conversations/{conv}"),
            &t,
            &json!({"title": "Week planning"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let list: Value = app
        .get_auth("/api/chat/conversations?limit=1", &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["items"].as_array().expect("items").len(), 1);
    let next = list["next_cursor"].as_str().expect("cursor");
    let rest: Value = app
        .get_auth(&format!("/api/chat/conversations?cursor={next}"), &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(rest["items"].as_array().expect("items").len(), 1);

    say(&app, &t, &conv, "show my tasks").await;
    let res = app
        .post_auth(
            &format!("/api/chat/conversations/{conv}/clear"),
            &t,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let history = history_of(&app, &t, &conv).await;
    assert_eq!(history["items"], json!([]));

    let (_, _, other) = app.register().await;
    let other = token(&other);
    assert_eq!(
        app.get_auth(&format!("/api/chat/conversations/{conv}"), &other)
            .await
            .status(),
        404
    );
    let res = app
        .post_auth(
            &format!("/api/chat/conversations/{conv}/messages"),
            &other,
            &json!({"content": "hi"}),
        )
        .await;
    assert_eq!(res.status(), 404);
    let (status, code, _) = error_code(
        app.post_auth(
            &format!("/api/chat/conversations/{conv}/messages"),
            &t,
            &json!({"content": "  "}),
        )
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (422, "validation_failed"));

    assert_eq!(
        app.delete_auth(&format!("/api/chat/conversations/{conv}"), &t, &json!(null))
            .await
            .status(),
        204
    );
    assert_eq!(
        app.get_auth(&format!("/api/chat/conversations/{conv}"), &t)
            .await
            .status(),
        404
    );
}

/// Worker variables pointing the agent at `urls` (the fake model server).
fn model_env(urls: &[&str]) -> Vec<(&'static str, String)> {
    vec![
        ("LLM_BASE_URL", urls.join(",")),
        ("LLM_API_KEY", "test-key".into()),
        ("LLM_MODEL", "fake-model".into()),
        ("LLM_TIMEOUT_SECS", "10".into()),
    ]
}

#[tokio::test]
async fn a_model_adds_a_task_and_a_schedule_block_through_tools_repairing_bad_arguments() {
    let down = FakeLlm::start().await;
    down.fail_with(500);
    let model = FakeLlm::start().await;
    let start = berlin_tomorrow_at(18);
    let end = start + chrono::Duration::hours(2);
    model.on_with_followup(
        "plan my evening",
        FakeReply::ToolCalls(vec![
            // Single quotes and a trailing comma: repaired, not re-asked.
            ("create_task".into(), "{'title': 'Essay draft', 'priority': 'high',}".into()),
            (
                "create_schedule_block".into(),
                json!({"title": "Write essay", "start_at": start.to_rfc3339(), "end_at": end.to_rfc3339()}).to_string(),
            ),
        ]),
        "All set: the task and the block are in.",
    );
    let app = TestApp::spawn_with(model_env(&[&down.base_url, &model.base_url])).await;
    let (t, conv) = user_with_conversation(&app).await;

    let events = say(&app, &t, &conv, "Please plan my evening").await;

    let id = action_of(&events);
    assert_eq!(
        events.last().expect("done").data["status"],
        "completed",
        "{events:?}"
    );
    assert_eq!(
        streamed_text(&events),
        "All set: the task and the block are in."
    );
    let all = tasks(&app, &t).await;
    assert_eq!(all.len(), 1);
    assert_eq!(
        (all[0]["title"].as_str(), all[0]["priority"].as_str()),
        (Some("Essay draft"), Some("high"))
    );
    let from = (start - chrono::Duration::hours(1)).to_rfc3339();
    let to = (end + chrono::Duration::hours(1)).to_rfc3339();
    let schedule: Value = app
        .get_auth(
            &format!(
                "/api/schedule?from={}&to={}",
                urlencode(&from),
                urlencode(&to)
            ),
            &t,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(schedule["items"][0]["title"], "Write essay", "{schedule}");

    let a = action(&app, &t, &id).await;
    assert_eq!(
        a["provider"],
        model
            .base_url
            .trim_start_matches("http://")
            .trim_end_matches("/v1")
    );
    assert!(
        down.request_count() >= 1,
        "the failing provider was tried first"
    );
    let first = &model.requests()[0];
    assert_eq!(first["model"], "fake-model");
    let offered: Vec<&str> = first["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t["function"]["name"].as_str())
        .collect();
    assert!(
        offered.contains(&"create_task") && offered.contains(&"delete_task"),
        "{offered:?}"
    );
    let usage: Value = app
        .get_auth("/api/users/me/usage", &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(usage["tokens"][0]["calls"], 2, "{usage}");
    assert!(
        usage["tokens"][0]["prompt_tokens"]
            .as_i64()
            .expect("tokens")
            > 0
    );
    assert_eq!(usage["conversations"][0]["conversation_id"], conv.as_str());
    assert_eq!(
        usage["conversations"][0]["prompt_tokens"],
        usage["tokens"][0]["prompt_tokens"]
    );
}

#[tokio::test]
async fn a_model_sending_arguments_that_do_not_fit_is_asked_once_more() {
    let model = FakeLlm::start().await;
    model.on_with_followup(
        "goal",
        FakeReply::Sequence(vec![
            FakeReply::tool_call(
                "create_goal",
                r#"{"title": "Learn Spanish", "priority": "extreme"}"#,
            ),
            FakeReply::tool_call(
                "create_goal",
                r#"{"title": "Learn Spanish", "priority": "high"}"#,
            ),
        ]),
        "Goal created.",
    );
    let app = TestApp::spawn_with(model_env(&[&model.base_url])).await;
    let (t, conv) = user_with_conversation(&app).await;

    let events = say(&app, &t, &conv, "new goal: learn Spanish").await;

    assert_eq!(events.last().expect("done").data["status"], "completed");
    let goals: Value = app
        .get_auth("/api/goals", &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(goals["items"].as_array().expect("items").len(), 1);
    assert_eq!(goals["items"][0]["priority"], "high");
    let reask = model.requests().iter().any(|r| {
        r.to_string()
            .contains("Invalid arguments: create_goal: $.priority: must be one of")
    });
    assert!(reask, "the model was told what was wrong");
}

#[tokio::test]
async fn a_worker_killed_while_the_model_streams_completes_the_action_once() {
    let model = FakeLlm::start().await;
    model.slow_stream(Duration::from_millis(400));
    model.on_with_followup(
        "durable",
        FakeReply::tool_call(
            "create_task",
            r#"{"title": "Durable task", "description": "made while a worker died"}"#,
        ),
        "Done once.",
    );
    let env = model_env(&[&model.base_url]);
    let app = TestApp::spawn_api_only_with(env.clone()).await;
    let worker = WorkerProcess::start(&app);
    let (t, conv) = user_with_conversation(&app).await;
    let res = app
        .http
        .post(app.url(&format!("/api/chat/conversations/{conv}/messages")))
        .bearer_auth(&t)
        .header("accept", "application/json")
        .json(&json!({"content": "make a durable task"}))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 202);
    let accepted: Value = res.json().await.expect("json");
    let id = accepted["action_id"].as_str().expect("id").to_owned();
    // Kill the worker while the model's answer is still streaming.
    for _ in 0..100 {
        if model.request_count() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    worker.kill_hard();
    let _second = WorkerProcess::start(&app);

    let a = wait_status(&app, &t, &id, "completed").await;

    let made: Vec<Value> = tasks(&app, &t)
        .await
        .into_iter()
        .filter(|x| x["title"] == "Durable task")
        .collect();
    assert_eq!(made.len(), 1, "the tool ran once");
    assert_eq!(a["steps"].as_array().expect("steps").len(), 1);
    assert_eq!(a["summary"], "Done once.");
    let history = history_of(&app, &t, &conv).await;
    let roles = roles_of(&history);
    assert_eq!(
        roles,
        ["assistant", "tool", "assistant", "user"],
        "each turn stored once"
    );
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn an_unanswered_confirmation_expires_and_nothing_changes() {
    let app = TestApp::spawn_with(vec![("AI_CONFIRM_TIMEOUT_SECS", "2".into())]).await;
    let (t, conv) = user_with_conversation(&app).await;
    create_task(&app, &t, "Flashcards").await;

    let events = say(&app, &t, &conv, "delete the task flashcards").await;
    let id = action_of(&events);
    assert_eq!(
        events.last().expect("event").event,
        "chat.confirmation_required"
    );

    let a = wait_status(&app, &t, &id, "expired").await;
    assert_eq!(a["steps"][0]["status"], "skipped");
    assert_eq!(tasks(&app, &t).await.len(), 1);
    let (status, code, _) = error_code(
        app.post_auth(&format!("/api/chat/actions/{id}/confirm"), &t, &json!({}))
            .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (409, "not_awaiting_confirmation"));
}

#[tokio::test]
async fn a_bulk_change_waits_for_confirmation_too() {
    let model = FakeLlm::start().await;
    let calls = (1..=3)
        .map(|i| {
            (
                "create_task".to_owned(),
                json!({"title": format!("Chapter {i}")}).to_string(),
            )
        })
        .collect();
    model.on_with_followup(
        "chapters",
        FakeReply::ToolCalls(calls),
        "Three tasks added.",
    );
    let mut env = model_env(&[&model.base_url]);
    env.push(("AI_CONFIRM_BULK_OVER", "2".into()));
    let app = TestApp::spawn_with(env).await;
    let (t, conv) = user_with_conversation(&app).await;

    let events = say(&app, &t, &conv, "one task per chapters 1 to 3").await;
    let id = action_of(&events);
    let last = events.last().expect("event");
    assert_eq!(last.event, "chat.confirmation_required");
    assert_eq!(last.data["calls"].as_array().expect("calls").len(), 3);
    assert!(tasks(&app, &t).await.is_empty());

    let res = app
        .post_auth(&format!("/api/chat/actions/{id}/confirm"), &t, &json!({}))
        .await;
    assert_eq!(res.status(), 202);
    let a = wait_status(&app, &t, &id, "completed").await;
    assert_eq!(tasks(&app, &t).await.len(), 3);
    assert_eq!(a["summary"], "Three tasks added.");
}

#[tokio::test]
async fn the_action_log_lists_what_the_assistant_did_by_conversation_and_status() {
    let app = TestApp::spawn().await;
    let (t, conv) = user_with_conversation(&app).await;
    let first = action_of(&say(&app, &t, &conv, "add a task to buy index cards").await);
    let second = action_of(&say(&app, &t, &conv, "show my tasks").await);

    let page: Value = app
        .get_auth(
            &format!("/api/chat/actions?conversation_id={conv}&limit=1"),
            &t,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(page["items"][0]["id"], second.as_str(), "newest first");
    let cursor = page["next_cursor"].as_str().expect("cursor");
    let rest: Value = app
        .get_auth(&format!("/api/chat/actions?cursor={cursor}"), &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(rest["items"][0]["id"], first.as_str());
    assert_eq!(rest["items"][0]["steps"][0]["tool"], "create_task");
    let done: Value = app
        .get_auth("/api/chat/actions?status=completed", &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(done["items"].as_array().expect("items").len(), 2);
    let (status, _, _) = error_code(app.get_auth("/api/chat/actions?status=bogus", &t).await).await;
    assert_eq!(status, 422);
    let (_, _, other) = app.register().await;
    let theirs: Value = app
        .get_auth("/api/chat/actions", &token(&other))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(theirs["items"], json!([]));
    assert_eq!(
        app.get_auth(&format!("/api/chat/actions/{first}"), &token(&other))
            .await
            .status(),
        404
    );
}
