//! The signed-in user's own account at `/api/users/me`.

use std::time::Duration;

use maigie_tests::{TestApp, connect_ws, db, error_code, next_event, token};
use serde_json::{Value, json};
use uuid::Uuid;

fn field_names(body: &Value) -> Vec<String> {
    body["error"]["details"]["fields"]
        .as_array()
        .expect("details.fields")
        .iter()
        .map(|f| f["field"].as_str().expect("field").to_owned())
        .collect()
}

#[tokio::test]
async fn me_answers_the_signed_in_users_profile() {
    let app = TestApp::spawn().await;
    let (email, _, session) = app.register().await;

    let res = app.get_auth("/api/users/me", &token(&session)).await;

    assert_eq!(res.status(), 200);
    let me: Value = res.json().await.expect("json");
    assert_eq!(me["id"], session["user"]["id"]);
    assert_eq!(me["email"], email.as_str());
    assert_eq!(me["name"], "Ada");
    assert_eq!(me["timezone"], "UTC");
    assert_eq!(me["preferences"], json!({}));
    assert_eq!(me["tier"], "FREE");
    assert_eq!(me["role"], "user");
}

#[tokio::test]
async fn updating_the_profile_changes_name_timezone_and_preferences() {
    let app = TestApp::spawn().await;
    let (_, _, session) = app.register().await;
    let access = token(&session);

    let res = app
        .patch_auth(
            "/api/users/me",
            &access,
            &json!({ "name": "Grace", "timezone": "Africa/Lagos", "preferences": { "theme": "dark" } }),
        )
        .await;

    assert_eq!(res.status(), 200);
    let updated: Value = res.json().await.expect("json");
    assert_eq!(updated["name"], "Grace");
    assert_eq!(updated["timezone"], "Africa/Lagos");
    assert_eq!(updated["preferences"], json!({ "theme": "dark" }));
    let me: Value = app
        .get_auth("/api/users/me", &access)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me, updated);
}

#[tokio::test]
async fn a_timezone_that_is_not_iana_is_a_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let (_, _, session) = app.register().await;

    let res = app
        .patch_auth(
            "/api/users/me",
            &token(&session),
            &json!({ "timezone": "Mars/Olympus" }),
        )
        .await;

    let (status, code, body) = error_code(res).await;
    assert_eq!((status, code.as_str()), (422, "validation_failed"));
    assert_eq!(field_names(&body), ["timezone"]);
}

#[tokio::test]
async fn preferences_merge_key_by_key_and_null_removes_a_key() {
    let app = TestApp::spawn().await;
    let (_, _, session) = app.register().await;
    let access = token(&session);
    let first = app
        .patch_auth(
            "/api/users/me",
            &access,
            &json!({ "preferences": { "theme": "dark", "week_start": "monday" } }),
        )
        .await;
    assert_eq!(first.status(), 200);

    let res = app
        .patch_auth(
            "/api/users/me",
            &access,
            &json!({ "preferences": { "theme": null, "language": "fr" } }),
        )
        .await;

    assert_eq!(res.status(), 200);
    let me: Value = res.json().await.expect("json");
    assert_eq!(
        me["preferences"],
        json!({ "week_start": "monday", "language": "fr" })
    );
}

#[tokio::test]
async fn nested_nulls_in_preferences_are_kept_as_values() {
    let app = TestApp::spawn().await;
    let (_, _, session) = app.register().await;

    let res = app
        .patch_auth(
            "/api/users/me",
            &token(&session),
            &json!({ "preferences": { "display": { "compact": null, "dense": true } } }),
        )
        .await;

    let me: Value = res.json().await.expect("json");
    assert_eq!(
        me["preferences"],
        json!({ "display": { "compact": null, "dense": true } })
    );
}

#[tokio::test]
async fn preferences_cannot_grow_past_their_cap_through_many_small_updates() {
    let app = TestApp::spawn().await;
    let (_, _, session) = app.register().await;
    let access = token(&session);
    let chunk = "x".repeat(6000);

    for key in ["a", "b"] {
        let res = app
            .patch_auth(
                "/api/users/me",
                &access,
                &json!({ "preferences": { key: chunk } }),
            )
            .await;
        assert_eq!(res.status(), 200, "{key} fits");
    }
    let res = app
        .patch_auth(
            "/api/users/me",
            &access,
            &json!({ "preferences": { "c": chunk } }),
        )
        .await;

    let (status, code, body) = error_code(res).await;
    assert_eq!((status, code.as_str()), (422, "validation_failed"));
    assert_eq!(
        body["error"]["details"]["fields"][0]["field"],
        "preferences"
    );
    let me: Value = app
        .get_auth("/api/users/me", &access)
        .await
        .json()
        .await
        .expect("json");
    assert!(me["preferences"].get("c").is_none(), "nothing half-written");
}

#[tokio::test]
async fn a_null_name_clears_it_and_an_absent_name_keeps_it() {
    let app = TestApp::spawn().await;
    let (_, _, session) = app.register().await;
    let access = token(&session);
    let kept: Value = app
        .patch_auth(
            "/api/users/me",
            &access,
            &json!({ "timezone": "Europe/Paris" }),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(kept["name"], "Ada");

    let res = app
        .patch_auth("/api/users/me", &access, &json!({ "name": null }))
        .await;

    assert_eq!(res.status(), 200);
    let me: Value = res.json().await.expect("json");
    assert!(me["name"].is_null(), "{me}");
}

#[tokio::test]
async fn an_unknown_profile_field_is_a_422() {
    let app = TestApp::spawn().await;
    let (_, _, session) = app.register().await;

    let res = app
        .patch_auth(
            "/api/users/me",
            &token(&session),
            &json!({ "role": "admin" }),
        )
        .await;

    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (422, "invalid_body"));
    let me: Value = app
        .get_auth("/api/users/me", &token(&session))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["role"], "user");
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one() {
    let app = TestApp::spawn().await;
    let (email, password, session) = app.register().await;

    let res = app
        .post_auth(
            "/api/users/me/password",
            &token(&session),
            &json!({ "current_password": "not my password", "new_password": "a brand new secret" }),
        )
        .await;

    let (status, code, body) = error_code(res).await;
    assert_eq!((status, code.as_str()), (422, "validation_failed"));
    assert_eq!(field_names(&body), ["current_password"]);
    app.login(&email, &password).await;
}

#[tokio::test]
async fn changing_the_password_signs_out_other_sessions_and_swaps_the_password() {
    let app = TestApp::spawn().await;
    let (email, password, session) = app.register().await;
    let other = app.login(&email, &password).await;
    let new_password = "a brand new secret";

    let res = app
        .post_auth(
            "/api/users/me/password",
            &token(&session),
            &json!({ "current_password": password, "new_password": new_password }),
        )
        .await;

    assert_eq!(res.status(), 200);
    let fresh: Value = res.json().await.expect("json");
    assert_eq!(
        app.get_auth("/api/users/me", &token(&fresh)).await.status(),
        200
    );
    for old in [&session, &other] {
        let refresh = old["refresh_token"].as_str().expect("refresh_token");
        assert_eq!(app.refresh(refresh).await.status(), 401);
    }
    assert_eq!(
        app.get_auth("/api/users/me", &token(&session))
            .await
            .status(),
        401,
        "the access token used is revoked"
    );
    let old_login = app
        .post(
            "/api/auth/login",
            &json!({ "email": email, "password": password }),
        )
        .await;
    assert_eq!(old_login.status(), 401);
    app.login(&email, new_password).await;
}

#[tokio::test]
async fn deleting_the_account_removes_it_and_its_sessions() {
    let app = TestApp::spawn().await;
    let (email, password, session) = app.register().await;
    let access = token(&session);
    let user_id: Uuid = session["user"]["id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("uuid");

    let res = app
        .delete_auth("/api/users/me", &access, &json!({ "password": password }))
        .await;

    assert_eq!(res.status(), 204);
    let login = app
        .post(
            "/api/auth/login",
            &json!({ "email": email, "password": password }),
        )
        .await;
    assert_eq!(login.status(), 401);
    assert_eq!(app.get_auth("/api/users/me", &access).await.status(), 401);
    let db = db().await;
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE email = $1")
        .bind(&email)
        .fetch_one(&db)
        .await
        .expect("count users");
    let tokens: i64 = sqlx::query_scalar("SELECT count(*) FROM refresh_tokens WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(&db)
        .await
        .expect("count tokens");
    assert_eq!((users, tokens), (0, 0));
}

#[tokio::test]
async fn deleting_the_account_with_a_wrong_password_keeps_it() {
    let app = TestApp::spawn().await;
    let (email, password, session) = app.register().await;

    let res = app
        .delete_auth(
            "/api/users/me",
            &token(&session),
            &json!({ "password": "not my password" }),
        )
        .await;

    let (status, code, body) = error_code(res).await;
    assert_eq!((status, code.as_str()), (422, "validation_failed"));
    assert_eq!(field_names(&body), ["password"]);
    app.login(&email, &password).await;
}

#[tokio::test]
async fn a_profile_update_reaches_the_users_websocket() {
    let app = TestApp::spawn().await;
    let (_, _, session) = app.register().await;
    let access = token(&session);
    let mut ws = connect_ws(&app, &format!("access_token={access}&last_event_id=0"))
        .await
        .expect("ws connects");

    let res = app
        .patch_auth("/api/users/me", &access, &json!({ "name": "Grace" }))
        .await;

    assert_eq!(res.status(), 200);
    let event = next_event(&mut ws, "user.updated", Duration::from_secs(10))
        .await
        .expect("user.updated event");
    assert_eq!(event["data"]["name"], "Grace");
    assert_eq!(event["data"]["id"], session["user"]["id"]);
}

#[tokio::test]
async fn password_checks_over_the_hashing_cap_answer_503_busy_with_retry_after_and_never_500() {
    // One argon2 run at a time, and almost no patience for a turn: a burst of
    // logins must be refused cleanly rather than pile up 19 MiB each.
    let app = TestApp::spawn_with(vec![
        ("PASSWORD_HASH_CONCURRENCY", "1".into()),
        ("PASSWORD_HASH_WAIT_MS", "1".into()),
    ])
    .await;
    let (email, password, _) = app.register().await;
    let body = json!({ "email": email, "password": password });

    let responses =
        futures_util::future::join_all((0..12).map(|_| app.post("/api/auth/login", &body))).await;

    let (mut signed_in, mut busy) = (0, 0);
    for res in responses {
        match res.status().as_u16() {
            200 => signed_in += 1,
            503 => {
                let retry_after = res.headers().get("retry-after").cloned();
                let (_, code, _) = error_code(res).await;
                assert_eq!(code, "password_hashing_busy");
                assert_eq!(retry_after.as_ref().map(|v| v.as_bytes()), Some(&b"1"[..]));
                busy += 1;
            }
            other => panic!("a login answered {other}"),
        }
    }
    assert!(signed_in >= 1, "the first in line is served");
    assert!(
        busy >= 1,
        "the rest of the burst is refused, not queued without end"
    );
}
