//! Google sign-in from a mobile app: the app posts the ID token Google's SDK gave it,
//! signed by the fake provider's published key (or not), and a nonce.

use maigie_tests::fake_idp::{CLIENT_ID, FakeIdp, KEY_ID};
use maigie_tests::{TestApp, error_code, token, unique_email};
use serde_json::{Value, json};
use uuid::Uuid;

const PATH: &str = "/api/auth/oauth/google/id-token";

fn identity(email: &str) -> Value {
    json!({ "sub": format!("g-{}", Uuid::new_v4().simple()), "email": email,
            "email_verified": true, "name": "Grace" })
}

fn nonce() -> String {
    format!("n-{}", Uuid::new_v4().simple())
}

async fn post(app: &TestApp, id_token: &str, nonce: &str) -> reqwest::Response {
    app.post(PATH, &json!({ "id_token": id_token, "nonce": nonce }))
        .await
}

async fn start() -> (FakeIdp, TestApp) {
    let idp = FakeIdp::start().await;
    let app = TestApp::spawn_with(idp.overrides()).await;
    (idp, app)
}

/// Asserts a 401 `code` whose message names `what`.
async fn refused(res: reqwest::Response, code: &str, what: &str) {
    let (status, error, body) = error_code(res).await;
    assert_eq!((status, error.as_str()), (401, code), "{body}");
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains(what), "{message:?} should name {what:?}");
}

#[tokio::test]
async fn a_valid_id_token_creates_the_account_and_signs_in() {
    let (idp, app) = start().await;
    let email = unique_email();
    let n = nonce();
    let id_token = idp.sign(&idp.id_token_claims(&identity(&email), &n));

    let res = post(&app, &id_token, &n).await;

    assert_eq!(res.status(), 200);
    let session: Value = res.json().await.expect("json");
    assert_eq!(session["user"]["email"], email.as_str());
    assert_eq!(session["user"]["email_verified"], true);
    assert_eq!(session["user"]["has_password"], false);
    let me = app.get_auth("/api/users/me", &token(&session)).await;
    assert_eq!(me.status(), 200);
}

#[tokio::test]
async fn an_id_token_links_the_existing_account_and_finds_it_again() {
    let (idp, app) = start().await;
    let (email, _, registered) = app.register().await;
    let who = identity(&email);
    // For the web client too: its id is an accepted audience.
    let mut claims = idp.id_token_claims(&who, "first");
    claims["aud"] = json!(CLIENT_ID);

    let first: Value = post(&app, &idp.sign(&claims), "first")
        .await
        .json()
        .await
        .expect("json");
    let second: Value = post(
        &app,
        &idp.sign(&idp.id_token_claims(&who, "second")),
        "second",
    )
    .await
    .json()
    .await
    .expect("json");

    assert_eq!(first["user"]["id"], registered["user"]["id"]);
    assert_eq!(second["user"]["id"], registered["user"]["id"]);
    assert_eq!(idp.jwks_fetches(), 1, "the keys are cached");
}

#[tokio::test]
async fn a_token_signed_with_another_key_is_refused() {
    let (idp, app) = start().await;
    let n = nonce();
    let claims = idp.id_token_claims(&identity(&unique_email()), &n);

    let forged = idp.sign_with_rogue_key(KEY_ID, &claims);
    refused(
        post(&app, &forged, &n).await,
        "invalid_id_token",
        "signature",
    )
    .await;
    let unknown_key = idp.sign_with_rogue_key("rogue-key", &claims);
    refused(
        post(&app, &unknown_key, &n).await,
        "invalid_id_token",
        "key",
    )
    .await;
    // An HMAC token "signed" with something public must not pass for RS256.
    let hmac = jsonwebtoken::encode(
        &jsonwebtoken::Header {
            kid: Some(KEY_ID.into()),
            ..jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256)
        },
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(b"public"),
    )
    .expect("sign");
    refused(post(&app, &hmac, &n).await, "invalid_id_token", "RS256").await;
}

#[tokio::test]
async fn a_token_for_another_audience_is_refused() {
    let (idp, app) = start().await;
    let n = nonce();
    let mut claims = idp.id_token_claims(&identity(&unique_email()), &n);
    claims["aud"] = json!("someone-elses-app");

    let res = post(&app, &idp.sign(&claims), &n).await;

    refused(res, "invalid_id_token", "audience").await;
}

#[tokio::test]
async fn a_token_from_another_issuer_is_refused() {
    let (idp, app) = start().await;
    let n = nonce();
    let mut claims = idp.id_token_claims(&identity(&unique_email()), &n);
    claims["iss"] = json!("https://accounts.evil.example");

    let res = post(&app, &idp.sign(&claims), &n).await;

    refused(res, "invalid_id_token", "issuer").await;
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let (idp, app) = start().await;
    let n = nonce();
    let mut claims = idp.id_token_claims(&identity(&unique_email()), &n);
    let now = chrono::Utc::now().timestamp();
    // Past the minute of clock skew allowed.
    claims["iat"] = json!(now - 3700);
    claims["exp"] = json!(now - 100);

    let res = post(&app, &idp.sign(&claims), &n).await;

    refused(res, "invalid_id_token", "expired").await;
}

#[tokio::test]
async fn a_token_issued_in_the_future_is_refused() {
    let (idp, app) = start().await;
    let n = nonce();
    let mut claims = idp.id_token_claims(&identity(&unique_email()), &n);
    claims["iat"] = json!(chrono::Utc::now().timestamp() + 600);

    let res = post(&app, &idp.sign(&claims), &n).await;

    refused(res, "invalid_id_token", "future").await;
}

#[tokio::test]
async fn a_nonce_other_than_the_tokens_is_refused() {
    let (idp, app) = start().await;
    let id_token = idp.sign(&idp.id_token_claims(&identity(&unique_email()), &nonce()));

    let res = post(&app, &id_token, &nonce()).await;

    refused(res, "invalid_id_token", "nonce").await;
}

#[tokio::test]
async fn a_replayed_token_is_refused() {
    let (idp, app) = start().await;
    let n = nonce();
    let id_token = idp.sign(&idp.id_token_claims(&identity(&unique_email()), &n));
    assert_eq!(post(&app, &id_token, &n).await.status(), 200);

    let replay = post(&app, &id_token, &n).await;

    refused(replay, "id_token_replayed", "nonce").await;
}

#[tokio::test]
async fn an_unverified_email_in_the_token_is_refused() {
    let (idp, app) = start().await;
    let n = nonce();
    let mut who = identity(&unique_email());
    who["email_verified"] = json!("false");

    let res = post(&app, &idp.sign(&idp.id_token_claims(&who, &n)), &n).await;

    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (400, "oauth_email_unverified"));
}

#[tokio::test]
async fn garbage_is_an_invalid_id_token_not_a_server_error() {
    let (_idp, app) = start().await;

    for junk in ["", "abc", "a.b.c", "eyJhbGciOiJub25lIn0.e30."] {
        refused(post(&app, junk, "n").await, "invalid_id_token", "").await;
    }
}

#[tokio::test]
async fn a_listed_address_becomes_admin_through_an_id_token_as_through_the_web() {
    let idp = FakeIdp::start().await;
    let email = unique_email();
    let mut overrides = idp.overrides();
    overrides.push(("ADMIN_EMAILS", email.clone()));
    let app = TestApp::spawn_with(overrides).await;
    let n = nonce();

    let res = post(
        &app,
        &idp.sign(&idp.id_token_claims(&identity(&email), &n)),
        &n,
    )
    .await;

    assert_eq!(res.status(), 200);
    let session: Value = res.json().await.expect("json");
    assert_eq!(session["user"]["role"], "admin");
}
