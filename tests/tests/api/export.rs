//! `GET /api/users/me/export`: everything of the user's, nothing of anyone else's,
//! no secrets.

use maigie_tests::{TestApp, token};
use serde_json::{Value, json};

#[tokio::test]
async fn the_export_holds_the_users_data_and_nothing_else() {
    let app = TestApp::spawn().await;
    let (email, _, a) = app.register().await;
    let (_, _, b) = app.register().await;
    let ta = token(&a);
    let goal: Value = app
        .post_auth("/api/goals", &ta, &json!({ "title": "Export me" }))
        .await
        .json()
        .await
        .expect("json");
    let gid = goal["id"].as_str().expect("id");
    app.post_auth(
        &format!("/api/goals/{gid}/tasks"),
        &ta,
        &json!({ "title": "Task of A" }),
    )
    .await;
    app.post_auth("/api/tasks", &token(&b), &json!({ "title": "Task of B" }))
        .await;

    let res = app.get_auth("/api/users/me/export", &ta).await;

    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .is_ok_and(|v| v.starts_with("attachment"))
    );
    let doc: Value = res.json().await.expect("json");
    assert_eq!(doc["format"], "maigie-export/1");
    assert_eq!(doc["user"]["email"], email.as_str());
    assert!(doc["user"].get("password_hash").is_none(), "no secrets");
    assert_eq!(doc["goals"][0]["title"], "Export me");
    let tasks = doc["tasks"].as_array().expect("tasks");
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0]["title"], "Task of A");
    assert!(tasks[0].get("search").is_none() && tasks[0].get("user_id").is_none());
    for section in [
        "courses",
        "schedule_blocks",
        "notes",
        "weekly_plans",
        "conversations",
        "notifications",
    ] {
        assert!(doc[section].is_array(), "{section}");
    }
    assert!(!doc.to_string().contains("refresh_token"), "no tokens");
}
