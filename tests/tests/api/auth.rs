//! Registration, sign-in and sessions: what a client sees at `/api/auth/*`.

use maigie_tests::{TestApp, error_code, token, unique_email};
use serde_json::{Value, json};
use uuid::Uuid;

fn refresh_token(body: &Value) -> String {
    body["refresh_token"]
        .as_str()
        .expect("refresh_token")
        .to_owned()
}

#[tokio::test]
async fn registering_answers_201_with_the_user_and_a_bearer_session() {
    let app = TestApp::spawn().await;
    let email = unique_email();

    let res = app
        .post(
            "/api/auth/register",
            &json!({ "email": email.to_uppercase(), "password": "correct horse battery", "name": " Ada " }),
        )
        .await;

    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["user"]["email"], email.as_str(), "stored lower-cased");
    assert_eq!(body["user"]["name"], "Ada", "trimmed");
    assert_eq!(body["user"]["has_password"], true);
    assert!(
        body["user"]["id"]
            .as_str()
            .is_some_and(|id| id.parse::<Uuid>().is_ok())
    );
    assert!(body["user"].get("password_hash").is_none());
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(token(&body).split('.').count(), 3, "a JWT");
    assert!(refresh_token(&body).len() >= 40);
}

#[tokio::test]
async fn logging_in_with_the_right_password_starts_a_session() {
    let app = TestApp::spawn().await;
    let (email, password, registered) = app.register().await;

    let session = app.login(&email.to_uppercase(), &password).await;

    assert_eq!(session["user"]["id"], registered["user"]["id"]);
    assert_ne!(refresh_token(&session), refresh_token(&registered));
    let me = app.get_auth("/api/users/me", &token(&session)).await;
    assert_eq!(me.status(), 200);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_401() {
    let app = TestApp::spawn().await;
    let (email, _, _) = app.register().await;

    let wrong_password = app
        .post(
            "/api/auth/login",
            &json!({ "email": email, "password": "not the password" }),
        )
        .await;
    let unknown_email = app
        .post(
            "/api/auth/login",
            &json!({ "email": unique_email(), "password": "correct horse battery" }),
        )
        .await;

    let (status, code, _) = error_code(wrong_password).await;
    assert_eq!((status, code.as_str()), (401, "invalid_credentials"));
    let (status, code, _) = error_code(unknown_email).await;
    assert_eq!((status, code.as_str()), (401, "invalid_credentials"));
}

#[tokio::test]
async fn registering_an_email_twice_in_another_case_is_a_409() {
    let app = TestApp::spawn().await;
    let local = format!("ada-{}", Uuid::new_v4().simple());
    let first = app
        .post(
            "/api/auth/register",
            &json!({ "email": format!("{local}@X.com"), "password": "correct horse battery" }),
        )
        .await;
    assert_eq!(first.status(), 201);

    let second = app
        .post(
            "/api/auth/register",
            &json!({ "email": format!("{local}@x.com"), "password": "another password" }),
        )
        .await;

    let (status, code, _) = error_code(second).await;
    assert_eq!((status, code.as_str()), (409, "email_taken"));
}

#[tokio::test]
async fn registering_with_bad_fields_names_every_bad_field_at_once() {
    let app = TestApp::spawn().await;

    let res = app
        .post(
            "/api/auth/register",
            &json!({ "email": "not-an-email", "password": "short", "name": "   " }),
        )
        .await;

    let (status, code, body) = error_code(res).await;
    assert_eq!((status, code.as_str()), (422, "validation_failed"));
    let mut fields: Vec<&str> = body["error"]["details"]["fields"]
        .as_array()
        .expect("details.fields")
        .iter()
        .map(|f| f["field"].as_str().expect("field"))
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, ["email", "name", "password"]);
}

#[tokio::test]
async fn refreshing_answers_a_new_pair_and_spends_the_old_refresh_token() {
    let app = TestApp::spawn().await;
    let (_, _, session) = app.register().await;
    let old = refresh_token(&session);

    let res = app.refresh(&old).await;

    assert_eq!(res.status(), 200);
    let fresh: Value = res.json().await.expect("json");
    assert_ne!(refresh_token(&fresh), old);
    assert_eq!(fresh["user"]["id"], session["user"]["id"]);
    assert_eq!(
        app.get_auth("/api/users/me", &token(&fresh)).await.status(),
        200
    );
    assert_eq!(app.refresh(&old).await.status(), 401, "old token spent");
}

#[tokio::test]
async fn presenting_a_spent_refresh_token_revokes_its_descendants() {
    let app = TestApp::spawn().await;
    let (_, _, session) = app.register().await;
    let a = refresh_token(&session);
    let rotated: Value = app.refresh(&a).await.json().await.expect("json");
    let b = refresh_token(&rotated);

    let reuse = app.refresh(&a).await;

    let (status, code, _) = error_code(reuse).await;
    assert_eq!((status, code.as_str()), (401, "refresh_token_reused"));
    let (status, code, _) = error_code(app.refresh(&b).await).await;
    assert_eq!((status, code.as_str()), (401, "invalid_refresh_token"));
}

#[tokio::test]
async fn reuse_detection_leaves_other_sessions_alone() {
    let app = TestApp::spawn().await;
    let (email, password, first) = app.register().await;
    let second = app.login(&email, &password).await;
    let a = refresh_token(&first);
    assert_eq!(app.refresh(&a).await.status(), 200);

    assert_eq!(app.refresh(&a).await.status(), 401);

    assert_eq!(app.refresh(&refresh_token(&second)).await.status(), 200);
}

#[tokio::test]
async fn logging_out_revokes_the_access_token_and_the_given_refresh_token() {
    let app = TestApp::spawn().await;
    let (_, _, session) = app.register().await;
    let access = token(&session);

    let res = app
        .post_auth(
            "/api/auth/logout",
            &access,
            &json!({ "refresh_token": refresh_token(&session) }),
        )
        .await;

    assert_eq!(res.status(), 204);
    let (status, code, _) = error_code(app.get_auth("/api/users/me", &access).await).await;
    assert_eq!((status, code.as_str()), (401, "token_revoked"));
    let (status, code, _) = error_code(app.refresh(&refresh_token(&session)).await).await;
    assert_eq!((status, code.as_str()), (401, "invalid_refresh_token"));
}

#[tokio::test]
async fn logging_out_without_a_body_revokes_only_the_access_token() {
    let app = TestApp::spawn().await;
    let (_, _, session) = app.register().await;
    let access = token(&session);

    let res = app
        .http
        .post(app.url("/api/auth/logout"))
        .bearer_auth(&access)
        .send()
        .await
        .expect("request");

    assert_eq!(res.status(), 204);
    assert_eq!(app.get_auth("/api/users/me", &access).await.status(), 401);
    assert_eq!(app.refresh(&refresh_token(&session)).await.status(), 200);
}

#[tokio::test]
async fn logging_out_everywhere_revokes_every_session() {
    let app = TestApp::spawn().await;
    let (email, password, first) = app.register().await;
    let second = app.login(&email, &password).await;

    let res = app
        .post_auth("/api/auth/logout", &token(&first), &json!({ "all": true }))
        .await;

    assert_eq!(res.status(), 204);
    for session in [&first, &second] {
        let (status, code, _) = error_code(app.refresh(&refresh_token(session)).await).await;
        assert_eq!((status, code.as_str()), (401, "invalid_refresh_token"));
    }
    assert_eq!(
        app.get_auth("/api/users/me", &token(&first)).await.status(),
        401
    );
}

#[tokio::test]
async fn an_unknown_refresh_token_is_a_401() {
    let app = TestApp::spawn().await;

    let res = app.refresh("not-a-refresh-token").await;

    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (401, "invalid_refresh_token"));
}
