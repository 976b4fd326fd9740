//! Goals: CRUD, status and completion time, progress from tasks, ownership, paging.

use maigie_tests::{TestApp, error_code, token};
use serde_json::{Value, json};

async fn create(app: &TestApp, t: &str, body: Value) -> Value {
    let res = app.post_auth("/api/goals", t, &body).await;
    assert_eq!(res.status(), 201, "create goal");
    res.json().await.expect("json")
}

#[tokio::test]
async fn a_goal_is_created_read_updated_and_deleted() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let goal = create(&app, &t, json!({ "title": " Pass calculus ", "priority": "high", "time_horizon": "short", "target_date": "2027-01-15" })).await;
    assert_eq!(goal["title"], "Pass calculus");
    assert_eq!(goal["status"], "NOT_STARTED");
    assert_eq!(goal["progress"], 0.0);
    let id = goal["id"].as_str().expect("id");

    let got: Value = app
        .get_auth(&format!("/api/goals/{id}"), &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(got["priority"], "high");
    let res = app
        .patch_auth(
            &format!("/api/goals/{id}"),
            &t,
            &json!({ "description": "Chapters 1-6", "target_date": null }),
        )
        .await;
    let updated: Value = res.json().await.expect("json");
    assert_eq!(updated["description"], "Chapters 1-6");
    assert!(updated["target_date"].is_null());
    assert_eq!(updated["time_horizon"], "short", "absent fields are kept");

    assert_eq!(
        app.delete_auth(&format!("/api/goals/{id}"), &t, &json!({}))
            .await
            .status(),
        204
    );
    assert_eq!(
        app.get_auth(&format!("/api/goals/{id}"), &t).await.status(),
        404
    );
}

#[tokio::test]
async fn completed_at_follows_the_status() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let goal = create(&app, &t, json!({ "title": "Read a book" })).await;
    let path = format!("/api/goals/{}", goal["id"].as_str().expect("id"));

    let done: Value = app
        .patch_auth(&path, &t, &json!({ "status": "COMPLETED" }))
        .await
        .json()
        .await
        .expect("json");
    assert!(done["completed_at"].is_string());
    let again: Value = app
        .patch_auth(&path, &t, &json!({ "title": "Read two books" }))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        again["completed_at"], done["completed_at"],
        "kept while completed"
    );
    let reopened: Value = app
        .patch_auth(&path, &t, &json!({ "status": "IN_PROGRESS" }))
        .await
        .json()
        .await
        .expect("json");
    assert!(reopened["completed_at"].is_null());
}

#[tokio::test]
async fn progress_rolls_up_from_the_goals_tasks() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let goal = create(&app, &t, json!({ "title": "Learn Rust" })).await;
    let id = goal["id"].as_str().expect("id");
    let mut task_ids = Vec::new();
    for title in ["Ownership", "Traits", "Async", "Macros"] {
        let res = app
            .post_auth(
                &format!("/api/goals/{id}/tasks"),
                &t,
                &json!({ "title": title }),
            )
            .await;
        assert_eq!(res.status(), 201);
        let task: Value = res.json().await.expect("json");
        task_ids.push(task["id"].as_str().expect("id").to_owned());
    }
    app.post_auth(
        &format!("/api/tasks/{}/complete", task_ids[0]),
        &t,
        &json!({}),
    )
    .await;

    let got: Value = app
        .get_auth(&format!("/api/goals/{id}"), &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(got["progress"], 0.25);
    assert_eq!(
        (got["task_count"].as_i64(), got["tasks_completed"].as_i64()),
        (Some(4), Some(1))
    );
    let listed: Value = app
        .get_auth(&format!("/api/goals/{id}/tasks"), &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(4));
}

#[tokio::test]
async fn invalid_goals_are_refused_field_by_field() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let res = app
        .post_auth("/api/goals", &token(&s), &json!({ "title": "  ", "priority": "critical", "status": "DONE", "progress": 1.5, "target_date": "1900-01-01" }))
        .await;
    let (status, code, body) = error_code(res).await;
    assert_eq!((status, code.as_str()), (422, "validation_failed"));
    let fields: Vec<&str> = body["error"]["details"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    for f in ["title", "priority", "status", "progress", "target_date"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
}

#[tokio::test]
async fn another_users_goal_answers_404_everywhere() {
    let app = TestApp::spawn().await;
    let (_, _, a) = app.register().await;
    let (_, _, b) = app.register().await;
    let goal = create(&app, &token(&a), json!({ "title": "Private" })).await;
    let id = goal["id"].as_str().expect("id");
    let tb = token(&b);

    for res in [
        app.get_auth(&format!("/api/goals/{id}"), &tb).await,
        app.patch_auth(
            &format!("/api/goals/{id}"),
            &tb,
            &json!({ "title": "Mine now" }),
        )
        .await,
        app.delete_auth(&format!("/api/goals/{id}"), &tb, &json!({}))
            .await,
        app.get_auth(&format!("/api/goals/{id}/tasks"), &tb).await,
        app.post_auth(
            &format!("/api/goals/{id}/tasks"),
            &tb,
            &json!({ "title": "Sneaky" }),
        )
        .await,
    ] {
        assert_eq!(res.status(), 404);
    }
    let res = app
        .post_auth(
            "/api/tasks",
            &tb,
            &json!({ "title": "Sneaky", "goal_id": id }),
        )
        .await;
    let (status, _, body) = error_code(res).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["details"]["fields"][0]["field"], "goal_id");
    let still: Value = app
        .get_auth(&format!("/api/goals/{id}"), &token(&a))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        (still["title"].as_str(), still["task_count"].as_i64()),
        (Some("Private"), Some(0))
    );
}

#[tokio::test]
async fn goal_pages_never_repeat_or_skip_when_goals_are_added_meanwhile() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    for i in 0..5 {
        create(&app, &t, json!({ "title": format!("Goal {i}") })).await;
    }
    let first: Value = app
        .get_auth("/api/goals?limit=2", &t)
        .await
        .json()
        .await
        .expect("json");
    create(&app, &t, json!({ "title": "Added while paging" })).await;
    let mut seen: Vec<String> = first["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|g| g["title"].as_str().unwrap_or_default().to_owned())
        .collect();
    let mut cursor = first["next_cursor"].as_str().map(str::to_owned);
    while let Some(c) = cursor {
        let page: Value = app
            .get_auth(&format!("/api/goals?limit=2&cursor={c}"), &t)
            .await
            .json()
            .await
            .expect("json");
        seen.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|g| g["title"].as_str().unwrap_or_default().to_owned()),
        );
        cursor = page["next_cursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen, vec!["Goal 4", "Goal 3", "Goal 2", "Goal 1", "Goal 0"]);
    let bad = app.get_auth("/api/goals?cursor=garbage", &t).await;
    assert_eq!(error_code(bad).await.1, "invalid_cursor");
}
