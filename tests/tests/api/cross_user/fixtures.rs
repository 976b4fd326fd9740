//! One of everything user A owns that a path names, made through the API as A would.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use maigie_tests::TestApp;
use serde_json::{Value, json};

/// A's rows by kind (`task`, `goal`, …), and the marker in every title A wrote.
pub struct Fixtures {
    pub values: HashMap<&'static str, String>,
    pub marker: String,
}

async fn created(res: reqwest::Response, what: &str) -> Value {
    let status = res.status();
    let body: Value = res.json().await.expect("json");
    assert!(status.is_success(), "A creates {what}: {status} {body}");
    body
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

/// Polls a GET as A every 100 ms until `done` holds (up to 30 s): fixtures made by
/// workflows (an AI action, a schedule draft, a reminder's notification).
async fn settled(app: &TestApp, t: &str, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..300 {
        let v: Value = app.get_auth(path, t).await.json().await.expect("json");
        if done(&v) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{path} never settled");
}

pub async fn make(app: &TestApp, t: &str) -> Fixtures {
    let marker = format!("A-PRIVATE-{}", uuid::Uuid::new_v4().simple());
    let m = marker.as_str();
    let mut values = HashMap::new();
    let tomorrow = Utc::now() + chrono::Duration::days(1);
    let at =
        |h: i64| (tomorrow + chrono::Duration::hours(h)).to_rfc3339_opts(SecondsFormat::Secs, true);
    // A reminder due now: its notification arrives while the rest is made.
    let due =
        (Utc::now() + chrono::Duration::seconds(2)).to_rfc3339_opts(SecondsFormat::Millis, true);
    let body = json!({ "title": format!("{m} reminder"), "due_at": due, "reminder_minutes": 0 });
    created(app.post_auth("/api/tasks", t, &body).await, "a reminder").await;

    let post = |path: &'static str, body: Value| async move {
        created(app.post_auth(path, t, &body).await, path).await
    };
    let task = post("/api/tasks", json!({ "title": format!("{m} task") })).await;
    values.insert("task", id(&task));
    let goal = post("/api/goals", json!({ "title": format!("{m} goal") })).await;
    values.insert("goal", id(&goal));
    let note = json!({ "title": format!("{m} note"), "content": format!("{m} content") });
    values.insert("note", id(&post("/api/notes", note).await));
    let course = id(&post("/api/courses", json!({ "title": format!("{m} course") })).await);
    let module = created(
        app.post_auth(
            &format!("/api/courses/{course}/modules"),
            t,
            &json!({ "title": format!("{m} module") }),
        )
        .await,
        "a module",
    )
    .await;
    let topic = created(
        app.post_auth(
            &format!("/api/courses/{course}/modules/{}/topics", id(&module)),
            t,
            &json!({ "title": format!("{m} topic") }),
        )
        .await,
        "a topic",
    )
    .await;
    values.insert("course", course);
    values.insert("module", id(&module));
    values.insert("topic", id(&topic));
    let resource = json!({ "title": format!("{m} resource"), "resource_type": "article",
                           "url": "https://example.com/a-private" });
    let resource = id(&post("/api/resources", resource).await);
    post(
        "/api/users/me/resources",
        json!({ "resource_id": resource }),
    )
    .await;
    values.insert("resource", resource);
    let block = json!({ "title": format!("{m} block"), "start_at": at(0), "end_at": at(1),
                        "rrule": "FREQ=DAILY;COUNT=3" });
    values.insert("block", id(&post("/api/schedule", block).await));
    values.insert("occurrence", at(0));
    values.insert(
        "weekly_plan",
        id(&post("/api/plans/weekly", json!({})).await),
    );
    let plan_date = tomorrow.date_naive().to_string();
    let daily = json!({ "plan_date": plan_date, "summary": format!("{m} day") });
    let daily = id(&post("/api/plans/daily", daily).await);
    let item = created(
        app.post_auth(
            &format!("/api/plans/daily/{daily}/items"),
            t,
            &json!({ "title": format!("{m} item") }),
        )
        .await,
        "a plan item",
    )
    .await;
    values.insert("daily_plan", daily);
    values.insert("plan_date", plan_date);
    values.insert("plan_item", id(&item));
    let token = json!({ "name": format!("{m} token"), "scopes": ["read"] });
    values.insert("mcp_token", id(&post("/api/mcp/tokens", token).await));
    let sessions = app.get_auth("/api/users/me/sessions", t).await;
    let sessions = created(sessions, "its sessions list").await;
    values.insert("session", id(&sessions[0]));
    let conv = json!({ "title": format!("{m} chat") });
    let conv = id(&post("/api/chat/conversations", conv).await);
    let sent = app
        .http
        .post(app.url(&format!("/api/chat/conversations/{conv}/messages")))
        .bearer_auth(t)
        .header("accept", "application/json")
        .json(&json!({ "content": format!("add a task: {m} from chat") }))
        .send()
        .await
        .expect("send");
    let action = created(sent, "an AI action").await["action_id"]
        .as_str()
        .expect("action")
        .to_owned();
    // A voice message (A is made Premium): a second of silence, heard as nothing, so
    // its workflow settles quickly as `failed` and writes nothing else.
    let me = created(app.get_auth("/api/users/me", t).await, "its profile").await;
    sqlx::query("UPDATE users SET tier = 'PREMIUM_MONTHLY' WHERE id = $1::uuid")
        .bind(id(&me))
        .execute(&maigie_tests::db().await)
        .await
        .expect("premium");
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(maigie_tests::audio::silent_wav(1)).file_name("quiet.wav"),
    );
    let voiced = app
        .http
        .post(app.url(&format!("/api/chat/conversations/{conv}/voice")))
        .bearer_auth(t)
        .multipart(form)
        .send()
        .await
        .expect("voice");
    let voice = created(voiced, "a voice message").await["voice_message_id"]
        .as_str()
        .expect("voice message")
        .to_owned();
    values.insert("conversation", conv);
    let window = json!({ "from": at(0), "to": at(48) });
    let draft = id(&post("/api/schedule/generate", window).await);

    // Settled before anyone looks: no workflow changes A's data during the matrix.
    settled(app, t, &format!("/api/chat/actions/{action}"), |a| {
        a["status"] == "completed"
    })
    .await;
    settled(app, t, &format!("/api/schedule/drafts/{draft}"), |d| {
        d["status"] != "generating"
    })
    .await;
    let notes = settled(app, t, "/api/notifications", |n| {
        n["items"].as_array().is_some_and(|i| !i.is_empty())
    })
    .await;
    settled(app, t, &format!("/api/voice/messages/{voice}"), |v| {
        v["status"] == "failed"
    })
    .await;
    values.insert("voice_message", voice);
    values.insert("action", action);
    values.insert("draft", draft);
    values.insert("notification", id(&notes["items"][0]));
    Fixtures { values, marker }
}
