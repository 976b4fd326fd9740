//! Google sign-in against a fake provider that checks what Google checks.

use std::collections::HashMap;
use std::time::Duration;

use maigie_tests::fake_idp::{CLIENT_ID, FakeIdp};
use maigie_tests::{TestApp, error_code, forge_token, token, unique_email, wait_for_mail};
use serde_json::{Value, json};
use uuid::Uuid;

/// Starts a sign-in; answers the query of the provider URL the app redirected to.
async fn authorize(app: &TestApp) -> HashMap<String, String> {
    let res = app
        .http
        .get(app.url("/api/auth/oauth/google/authorize"))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 302);
    let location = res.headers()["location"].to_str().expect("ascii");
    url::Url::parse(location)
        .expect("absolute URL")
        .query_pairs()
        .into_owned()
        .collect()
}

async fn callback(app: &TestApp, query: &[(&str, &str)]) -> reqwest::Response {
    app.http
        .get(app.url("/api/auth/oauth/google/callback"))
        .query(query)
        .send()
        .await
        .expect("request")
}

/// The whole dance for `identity`: authorize, consent at the provider, callback.
async fn sign_in(app: &TestApp, idp: &FakeIdp, identity: Value) -> reqwest::Response {
    let params = authorize(app).await;
    let code = idp.consent(&params["code_challenge"], identity);
    callback(app, &[("code", &code), ("state", &params["state"])]).await
}

fn google_identity(email: &str) -> Value {
    json!({ "sub": format!("g-{}", Uuid::new_v4().simple()), "email": email,
            "email_verified": true, "name": "Grace" })
}

#[tokio::test]
async fn authorize_redirects_to_the_provider_with_state_and_pkce() {
    let idp = FakeIdp::start().await;
    let app = TestApp::spawn_with(idp.overrides()).await;

    let params = authorize(&app).await;

    assert_eq!(params["client_id"], CLIENT_ID);
    assert_eq!(params["response_type"], "code");
    assert_eq!(params["code_challenge_method"], "S256");
    assert_eq!(params["code_challenge"].len(), 43, "base64url SHA-256");
    assert!(params["state"].len() >= 32);
    assert!(params["redirect_uri"].ends_with("/api/auth/oauth/google/callback"));
    assert!(params["scope"].contains("email"));
    let again = authorize(&app).await;
    assert_ne!(again["state"], params["state"]);
    assert_ne!(again["code_challenge"], params["code_challenge"]);
}

#[tokio::test]
async fn a_new_google_user_gets_an_account_a_session_and_a_welcome_mail() {
    let idp = FakeIdp::start().await;
    let app = TestApp::spawn_with(idp.overrides()).await;
    let email = unique_email();

    let res = sign_in(&app, &idp, google_identity(&email)).await;

    assert_eq!(res.status(), 200);
    let session: Value = res.json().await.expect("json");
    assert_eq!(session["user"]["email"], email.as_str());
    assert_eq!(session["user"]["name"], "Grace");
    assert_eq!(session["user"]["has_password"], false);
    assert_eq!(session["user"]["email_verified"], true);
    assert_eq!(session["token_type"], "Bearer");
    assert_eq!(
        app.get_auth("/api/users/me", &token(&session))
            .await
            .status(),
        200
    );
    let mails = wait_for_mail(&email, 1, Duration::from_secs(10)).await;
    assert_eq!(mails.len(), 1, "a welcome mail");
    assert!(mails[0].contains("Subject: Welcome to Maigie"));
}

#[tokio::test]
async fn signing_in_again_with_the_same_google_account_finds_the_same_user() {
    let idp = FakeIdp::start().await;
    let app = TestApp::spawn_with(idp.overrides()).await;
    let identity = google_identity(&unique_email());
    let first: Value = sign_in(&app, &idp, identity.clone())
        .await
        .json()
        .await
        .expect("json");

    let res = sign_in(&app, &idp, identity).await;

    assert_eq!(res.status(), 200);
    let second: Value = res.json().await.expect("json");
    assert_eq!(second["user"]["id"], first["user"]["id"]);
}

#[tokio::test]
async fn a_state_can_be_used_once() {
    let idp = FakeIdp::start().await;
    let app = TestApp::spawn_with(idp.overrides()).await;
    let params = authorize(&app).await;
    let code = idp.consent(&params["code_challenge"], google_identity(&unique_email()));
    let first = callback(&app, &[("code", &code), ("state", &params["state"])]).await;
    assert_eq!(first.status(), 200);

    let replay = callback(&app, &[("code", &code), ("state", &params["state"])]).await;

    let (status, code, _) = error_code(replay).await;
    assert_eq!((status, code.as_str()), (400, "oauth_invalid_state"));
}

#[tokio::test]
async fn an_unknown_state_is_refused() {
    let idp = FakeIdp::start().await;
    let app = TestApp::spawn_with(idp.overrides()).await;
    let params = authorize(&app).await;
    let code = idp.consent(&params["code_challenge"], google_identity(&unique_email()));

    let res = callback(&app, &[("code", &code), ("state", "made-up-state")]).await;

    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (400, "oauth_invalid_state"));
}

#[tokio::test]
async fn an_unverified_google_email_is_refused() {
    let idp = FakeIdp::start().await;
    let app = TestApp::spawn_with(idp.overrides()).await;
    let mut identity = google_identity(&unique_email());
    identity["email_verified"] = json!(false);

    let res = sign_in(&app, &idp, identity).await;

    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (400, "oauth_email_unverified"));
}

#[tokio::test]
async fn a_user_declining_at_the_provider_is_a_400_oauth_denied() {
    let idp = FakeIdp::start().await;
    let app = TestApp::spawn_with(idp.overrides()).await;
    let params = authorize(&app).await;

    let res = callback(
        &app,
        &[("error", "access_denied"), ("state", &params["state"])],
    )
    .await;

    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (400, "oauth_denied"));
}

#[tokio::test]
async fn a_verified_google_email_takes_over_an_unverified_password_account_and_ends_its_sessions() {
    // Someone registered the address first (unverified), perhaps not its owner.
    let idp = FakeIdp::start().await;
    let app = TestApp::spawn_with(idp.overrides()).await;
    let (email, password, registered) = app.register().await;

    let res = sign_in(&app, &idp, google_identity(&email.to_uppercase())).await;

    assert_eq!(res.status(), 200);
    let session: Value = res.json().await.expect("json");
    assert_eq!(session["user"]["id"], registered["user"]["id"]);
    assert_eq!(session["user"]["email_verified"], true);
    assert_eq!(session["user"]["has_password"], false);
    let login = app
        .post(
            "/api/auth/login",
            &json!({ "email": email, "password": password }),
        )
        .await;
    assert_eq!(
        login.status(),
        401,
        "the pre-registered password no longer works"
    );
    let old_refresh = registered["refresh_token"].as_str().expect("refresh");
    assert_eq!(
        app.refresh(old_refresh).await.status(),
        401,
        "old sessions ended"
    );
}

#[tokio::test]
async fn setting_a_first_password_needs_a_recent_sign_in() {
    let idp = FakeIdp::start().await;
    let app = TestApp::spawn_with(idp.overrides()).await;
    let session: Value = sign_in(&app, &idp, google_identity(&unique_email()))
        .await
        .json()
        .await
        .expect("json");
    let stale = forge_token(&session["user"]["id"], 20 * 60, 30 * 60);

    let res = app
        .post_auth(
            "/api/users/me/password",
            &stale,
            &json!({ "new_password": "planted password" }),
        )
        .await;

    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (403, "reauthentication_required"));
}

#[tokio::test]
async fn a_google_only_account_can_set_a_password_and_then_sign_in_with_it() {
    let idp = FakeIdp::start().await;
    let app = TestApp::spawn_with(idp.overrides()).await;
    let email = unique_email();
    let session: Value = sign_in(&app, &idp, google_identity(&email))
        .await
        .json()
        .await
        .expect("json");

    let res = app
        .post_auth(
            "/api/users/me/password",
            &token(&session),
            &json!({ "new_password": "my first password" }),
        )
        .await;

    assert_eq!(res.status(), 200);
    let fresh: Value = res.json().await.expect("json");
    assert_eq!(fresh["user"]["has_password"], true);
    let login = app.login(&email, "my first password").await;
    assert_eq!(login["user"]["id"], session["user"]["id"]);
}

#[tokio::test]
async fn google_sign_in_is_a_404_when_not_configured() {
    let app = TestApp::spawn().await;

    let res = app
        .http
        .get(app.url("/api/auth/oauth/google/authorize"))
        .send()
        .await
        .expect("request");

    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (404, "oauth_provider_disabled"));
}

#[tokio::test]
async fn deleting_a_google_only_account_needs_a_sign_in_under_ten_minutes_old() {
    let idp = FakeIdp::start().await;
    let app = TestApp::spawn_with(idp.overrides()).await;
    let session: Value = sign_in(&app, &idp, google_identity(&unique_email()))
        .await
        .json()
        .await
        .expect("json");
    // A token that is still valid but was issued 11 minutes ago (stolen, or left on
    // a shared machine): the account has no password to confirm the deletion with.
    let stale = forge_token(&session["user"]["id"], 11 * 60, 30 * 60);

    let res = app.delete_auth("/api/users/me", &stale, &json!({})).await;

    let (status, code, body) = error_code(res).await;
    assert_eq!((status, code.as_str()), (403, "reauthentication_required"));
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains("Sign in again"), "{message}");
    let me = app.get_auth("/api/users/me", &token(&session)).await;
    assert_eq!(me.status(), 200, "the account is still there");
    let fresh = app
        .delete_auth("/api/users/me", &token(&session), &json!({}))
        .await;
    assert_eq!(fresh.status(), 204, "a sign-in just now may delete it");
}

#[tokio::test]
async fn a_listed_address_becomes_admin_only_when_google_vouches_for_it() {
    let idp = FakeIdp::start().await;
    let email = unique_email();
    let mut overrides = idp.overrides();
    overrides.push(("ADMIN_EMAILS", email.clone()));
    let app = TestApp::spawn_with(overrides).await;
    let password = "correct horse battery";
    let res = app
        .post(
            "/api/auth/register",
            &json!({ "email": email, "password": password }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let registered: Value = res.json().await.expect("json");
    assert_eq!(
        registered["user"]["role"], "user",
        "a typed address proves nothing"
    );
    let login = app.login(&email, password).await;
    assert_eq!(login["user"]["role"], "user", "nor does a password sign-in");

    let params = authorize(&app).await;
    let code = idp.consent(&params["code_challenge"], google_identity(&email));
    let request_id = format!("req-google-{}", Uuid::new_v4().simple());
    let res = app
        .http
        .get(app.url("/api/auth/oauth/google/callback"))
        .header("x-request-id", &request_id)
        .query(&[("code", code.as_str()), ("state", params["state"].as_str())])
        .send()
        .await
        .expect("request");

    assert_eq!(res.status(), 200);
    let session: Value = res.json().await.expect("json");
    assert_eq!(session["user"]["id"], registered["user"]["id"]);
    assert_eq!(session["user"]["role"], "admin");
    let audit: Vec<(Option<String>, Value)> = sqlx::query_as(
        "SELECT request_id, details FROM audit_log
         WHERE action = 'admin.granted' AND subject_id = $1::uuid",
    )
    .bind(session["user"]["id"].as_str().expect("id"))
    .fetch_all(&maigie_tests::db().await)
    .await
    .expect("audit");
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].0.as_deref(), Some(request_id.as_str()));
    assert_eq!(audit[0].1["via"], "verified_email");
}
