//! `Idempotency-Key` on POST: retries replay, reuse with another body is refused.

use maigie_tests::{TestApp, db, error_code, token};
use serde_json::{Value, json};

async fn post_with_key(app: &TestApp, t: &str, key: &str, body: &Value) -> reqwest::Response {
    app.http
        .post(app.url("/api/tasks"))
        .bearer_auth(t)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn a_retried_post_with_the_same_key_returns_the_first_response_and_writes_once() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let body = json!({ "title": "Only once" });

    let first = post_with_key(&app, &t, "key-1", &body).await;
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.expect("json");
    let retry = post_with_key(&app, &t, "key-1", &body).await;

    assert_eq!(retry.status(), 201);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    let retry: Value = retry.json().await.expect("json");
    assert_eq!(retry["id"], first["id"]);
    let count: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM tasks WHERE user_id = $1::uuid AND title = 'Only once'",
    )
    .bind(s["user"]["id"].as_str().expect("id"))
    .fetch_one(&db().await)
    .await
    .expect("count");
    assert_eq!(count, 1);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_a_422_and_keys_are_per_user() {
    let app = TestApp::spawn().await;
    let (_, _, a) = app.register().await;
    let (_, _, b) = app.register().await;
    post_with_key(&app, &token(&a), "shared", &json!({ "title": "A's task" })).await;

    let (status, code, _) = error_code(
        post_with_key(&app, &token(&a), "shared", &json!({ "title": "Different" })).await,
    )
    .await;
    assert_eq!((status, code.as_str()), (422, "idempotency_key_reused"));
    let other_user =
        post_with_key(&app, &token(&b), "shared", &json!({ "title": "B's task" })).await;
    assert_eq!(
        other_user.status(),
        201,
        "another user's key space is separate"
    );
    let b_task: Value = other_user.json().await.expect("json");
    assert_eq!(b_task["title"], "B's task");
}

#[tokio::test]
async fn validation_errors_are_replayed_too_and_bad_keys_are_refused() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let bad = json!({ "title": "" });
    assert_eq!(post_with_key(&app, &t, "k", &bad).await.status(), 422);
    let again = post_with_key(&app, &t, "k", &bad).await;
    assert_eq!(again.status(), 422);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let (status, code, _) =
        error_code(post_with_key(&app, &t, &"k".repeat(300), &json!({ "title": "x" })).await).await;
    assert_eq!((status, code.as_str()), (400, "invalid_idempotency_key"));
}

#[tokio::test]
async fn requests_carrying_secrets_are_never_stored_under_a_key() {
    let app = TestApp::spawn().await;
    let (_, password, s) = app.register().await;
    let res = app
        .http
        .post(app.url("/api/users/me/password"))
        .bearer_auth(token(&s))
        .header("idempotency-key", "pw-1")
        .json(&json!({ "current_password": password, "new_password": "another long password" }))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM idempotency_keys WHERE user_id = $1::uuid")
            .bind(s["user"]["id"].as_str().expect("id"))
            .fetch_one(&db().await)
            .await
            .expect("count");
    assert_eq!(stored, 0);
}
