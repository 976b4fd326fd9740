//! `Idempotency-Key` on POST: retries replay, reuse with another body is refused, an
//! unfinished first run is never run again, and answers that stream or carry secrets
//! are refused under a key rather than stored.

mod disconnect;

use maigie_tests::{TestApp, db, error_code, token};
use serde_json::{Value, json};
use uuid::Uuid;

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

/// The status and error code of an answer ("" when it is not an error), so a request
/// that ran when it should not have fails with what it answered.
async fn outcome(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    let code = body["error"]["code"].as_str().unwrap_or_default();
    (status, code.to_owned())
}

/// A conversation of a new user; answers (token, user id, conversation id).
async fn user_with_conversation(app: &TestApp) -> (String, Uuid, String) {
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let res = app
        .post_auth("/api/chat/conversations", &t, &json!({}))
        .await;
    assert_eq!(res.status(), 201);
    let conv: Value = res.json().await.expect("json");
    let user = s["user"]["id"].as_str().expect("id").parse().expect("uuid");
    (t, user, conv["id"].as_str().expect("id").to_owned())
}

async fn send_message(
    app: &TestApp,
    t: &str,
    conv: &str,
    key: &str,
    accept: Option<&str>,
) -> reqwest::Response {
    let mut req = app
        .http
        .post(app.url(&format!("/api/chat/conversations/{conv}/messages")))
        .bearer_auth(t)
        .header("idempotency-key", key);
    if let Some(accept) = accept {
        req = req.header("accept", accept);
    }
    req.json(&json!({ "content": "add a task: water the plants" }))
        .send()
        .await
        .expect("request")
}

async fn user_messages(user: Uuid) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM chat_messages m JOIN conversations c ON c.id = m.conversation_id
         WHERE c.user_id = $1 AND m.role = 'user'",
    )
    .bind(user)
    .fetch_one(&db().await)
    .await
    .expect("count")
}

#[tokio::test]
async fn a_key_is_kept_for_24_hours_then_claimed_afresh() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let user = s["user"]["id"].as_str().expect("id").to_owned();
    let first = post_with_key(&app, &t, "daily", &json!({ "title": "Monday" })).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.expect("json");

    sqlx::query(
        "UPDATE idempotency_keys SET created_at = now() - interval '25 hours'
         WHERE user_id = $1::uuid AND key = 'daily'",
    )
    .bind(&user)
    .execute(&db().await)
    .await
    .expect("age the key");
    let again = post_with_key(&app, &t, "daily", &json!({ "title": "Tuesday" })).await;

    assert_eq!(
        again.status(),
        201,
        "another body, yet not refused: the key was forgotten"
    );
    assert!(again.headers().get("idempotent-replayed").is_none());
    let again: Value = again.json().await.expect("json");
    assert_ne!(again["id"], first["id"]);
    assert_eq!(again["title"], "Tuesday");
    let replay = post_with_key(&app, &t, "daily", &json!({ "title": "Tuesday" })).await;
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    let replay: Value = replay.json().await.expect("json");
    assert_eq!(replay["id"], again["id"], "claimed afresh, then kept again");
}

/// Leaves the key's claim as a process that died mid-request leaves it: the request
/// hash kept, no response, last touched `age_secs` ago. (The row is re-inserted: an
/// update trigger would stamp `updated_at` with now.)
async fn leave_claim_unfinished(user: Uuid, key: &str, age_secs: i32) {
    let db = db().await;
    let mut tx = db.begin().await.expect("tx");
    let hash: Vec<u8> = sqlx::query_scalar(
        "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 RETURNING request_hash",
    )
    .bind(user)
    .bind(key)
    .fetch_one(&mut *tx)
    .await
    .expect("the claim exists");
    sqlx::query(
        "INSERT INTO idempotency_keys (user_id, key, request_hash, created_at, updated_at)
         VALUES ($1, $2, $3, now() - make_interval(secs => $4), now() - make_interval(secs => $4))",
    )
    .bind(user)
    .bind(key)
    .bind(hash)
    .bind(f64::from(age_secs))
    .execute(&mut *tx)
    .await
    .expect("unfinished claim");
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn a_first_run_that_never_finished_is_never_run_again_under_its_key() {
    let app = TestApp::spawn().await;
    let (t, user, conv) = user_with_conversation(&app).await;
    let json = Some("application/json");
    let first = send_message(&app, &t, &conv, "msg-1", json).await;
    assert_eq!(first.status(), 202);

    // Its process died before the answer was stored: in progress for a minute…
    leave_claim_unfinished(user, "msg-1", 5).await;
    let answer = outcome(send_message(&app, &t, &conv, "msg-1", json).await).await;
    assert_eq!(answer, (409, "idempotency_in_progress".into()));
    // …then unknown, for as long as the key is kept: a retry 63 s later runs nothing.
    leave_claim_unfinished(user, "msg-1", 63).await;
    for _ in 0..2 {
        let answer = outcome(send_message(&app, &t, &conv, "msg-1", json).await).await;
        assert_eq!(answer, (409, "idempotency_outcome_unknown".into()));
    }

    assert_eq!(user_messages(user).await, 1, "one message, one action");
    let counted: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(messages), 0)::bigint FROM ai_message_counts WHERE user_id = $1",
    )
    .bind(user)
    .fetch_one(&db().await)
    .await
    .expect("quota");
    assert_eq!(counted, 1, "one unit of the AI allowance");
}

#[tokio::test]
async fn a_key_on_a_streamed_answer_is_refused_before_anything_runs() {
    let app = TestApp::spawn().await;
    let (t, user, conv) = user_with_conversation(&app).await;

    for (key, accept) in [("sse-1", Some("text/event-stream")), ("sse-2", None)] {
        let answer = outcome(send_message(&app, &t, &conv, key, accept).await).await;
        assert_eq!(
            answer,
            (409, "idempotency_not_supported".into()),
            "Accept: {accept:?}"
        );
    }
    assert_eq!(user_messages(user).await, 0, "nothing was sent");

    // Asked for JSON, the answer is a plain 202 and is kept like any other.
    let json = Some("application/json");
    let first = send_message(&app, &t, &conv, "json-1", json).await;
    assert_eq!(first.status(), 202);
    let first: Value = first.json().await.expect("json");
    let again = send_message(&app, &t, &conv, "json-1", json).await;
    assert_eq!(again.status(), 202);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.expect("json");
    assert_eq!(again["action_id"], first["action_id"]);
    assert_eq!(user_messages(user).await, 1);
}

#[tokio::test]
async fn a_key_on_an_answer_carrying_a_secret_is_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let (email, password, s) = app.register().await;
    let t = token(&s);
    let keyed = |path: &str, body: Value| {
        app.http
            .post(app.url(path))
            .bearer_auth(&t)
            .header("idempotency-key", format!("k-{path}"))
            .json(&body)
            .send()
    };
    let calls = [
        (
            "/api/mcp/tokens",
            json!({ "name": "cli", "scopes": ["read"] }),
        ),
        (
            "/api/users/me/password",
            json!({ "current_password": password, "new_password": "another long password" }),
        ),
        ("/api/calendar/token", json!({})),
        (
            "/api/subscription/checkout",
            json!({ "plan": "PREMIUM_MONTHLY" }),
        ),
        ("/api/subscription/portal", json!({})),
        (
            "/api/auth/login",
            json!({ "email": email, "password": password }),
        ),
        ("/api/auth/logout", json!({})),
    ];
    for (path, body) in calls {
        let answer = outcome(keyed(path, body).await.expect("request")).await;
        assert_eq!(answer, (409, "idempotency_not_supported".into()), "{path}");
    }

    let tokens: Value = app
        .get_auth("/api/mcp/tokens", &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(tokens, json!([]), "no MCP token was made");
    app.login(&email, &password).await;
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM idempotency_keys WHERE user_id = $1::uuid")
            .bind(s["user"]["id"].as_str().expect("id"))
            .fetch_one(&db().await)
            .await
            .expect("count");
    assert_eq!(stored, 0);
}
