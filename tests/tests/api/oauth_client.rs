//! Google sign-in finished inside a client app: the callback sends the user back to
//! a registered redirect URI with a one-time code, which the app trades (with its
//! PKCE verifier) for a session. Driven as a browser and an app would, against the
//! fake provider.

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use maigie_tests::fake_idp::{FakeIdp, MOBILE_REDIRECT, WEB_REDIRECT};
use maigie_tests::{TestApp, error_code, token, unique_email};
use redis::AsyncCommands;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The app's PKCE pair: (verifier, S256 challenge).
fn pkce() -> (String, String) {
    let verifier = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn identity(email: &str) -> Value {
    json!({ "sub": format!("g-{}", Uuid::new_v4().simple()), "email": email,
            "email_verified": true, "name": "Grace" })
}

async fn get(app: &TestApp, path: &str, query: &[(&str, &str)]) -> reqwest::Response {
    app.http
        .get(app.url(path))
        .query(query)
        .send()
        .await
        .expect("request")
}

fn location(res: &reqwest::Response) -> url::Url {
    let raw = res.headers()["location"].to_str().expect("ascii");
    url::Url::parse(raw).expect("absolute URL")
}

fn query_of(url: &url::Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

/// `authorize` with the app's redirect URI, challenge and state; answers the query
/// of the provider URL it redirected to.
async fn authorize(
    app: &TestApp,
    redirect: &str,
    challenge: &str,
    state: &str,
) -> HashMap<String, String> {
    let res = get(
        app,
        "/api/auth/oauth/google/authorize",
        &[
            ("redirect_uri", redirect),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
            ("state", state),
        ],
    )
    .await;
    assert_eq!(res.status(), 302);
    query_of(&location(&res))
}

/// The browser's part: authorize, consent as `who`, and the callback's answer.
async fn sign_in_through(
    app: &TestApp,
    idp: &FakeIdp,
    redirect: &str,
    challenge: &str,
    who: Value,
) -> reqwest::Response {
    let google = authorize(app, redirect, challenge, "app-state").await;
    let code = idp.consent(&google["code_challenge"], who);
    get(
        app,
        "/api/auth/oauth/google/callback",
        &[("code", &code), ("state", &google["state"])],
    )
    .await
}

/// The code the callback sent the browser back with.
async fn one_time_code(app: &TestApp, idp: &FakeIdp, challenge: &str, who: Value) -> String {
    let res = sign_in_through(app, idp, WEB_REDIRECT, challenge, who).await;
    assert_eq!(res.status(), 302);
    query_of(&location(&res))["code"].clone()
}

async fn exchange(app: &TestApp, code: &str, verifier: &str) -> reqwest::Response {
    app.post(
        "/api/auth/oauth/exchange",
        &json!({ "code": code, "code_verifier": verifier }),
    )
    .await
}

#[tokio::test]
async fn an_app_gets_a_one_time_code_at_its_redirect_uri_and_trades_it_once_for_a_session() {
    let idp = FakeIdp::start().await;
    let app = TestApp::spawn_with(idp.overrides()).await;
    let (verifier, challenge) = pkce();
    let email = unique_email();
    let client_state = "csrf-123 /back?to=&x";
    let google = authorize(&app, WEB_REDIRECT, &challenge, client_state).await;
    assert_ne!(
        google["code_challenge"], challenge,
        "our own PKCE with Google"
    );
    let code = idp.consent(&google["code_challenge"], identity(&email));

    let res = get(
        &app,
        "/api/auth/oauth/google/callback",
        &[("code", &code), ("state", &google["state"])],
    )
    .await;

    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let back = location(&res);
    assert!(back.as_str().starts_with(WEB_REDIRECT), "{back}");
    let query = query_of(&back);
    assert_eq!(query["state"], client_state, "the app's state, untouched");
    assert!(query["code"].len() >= 43);
    assert!(
        !back.as_str().contains("token"),
        "no token in a URL: {back}"
    );
    let session = exchange(&app, &query["code"], &verifier).await;
    assert_eq!(session.status(), 200);
    let session: Value = session.json().await.expect("json");
    assert_eq!(session["user"]["email"], email.as_str());
    assert_eq!(session["token_type"], "Bearer");
    let me = app.get_auth("/api/users/me", &token(&session)).await;
    assert_eq!(me.status(), 200);
    let refreshed = app
        .refresh(session["refresh_token"].as_str().expect("refresh"))
        .await;
    assert_eq!(refreshed.status(), 200, "a real session");

    let again = exchange(&app, &query["code"], &verifier).await;

    let (status, code, _) = error_code(again).await;
    assert_eq!((status, code.as_str()), (400, "oauth_invalid_code"));
}

#[tokio::test]
async fn a_mobile_app_is_sent_back_to_its_custom_scheme() {
    let idp = FakeIdp::start().await;
    let app = TestApp::spawn_with(idp.overrides()).await;
    let (verifier, challenge) = pkce();

    let res = sign_in_through(
        &app,
        &idp,
        MOBILE_REDIRECT,
        &challenge,
        identity(&unique_email()),
    )
    .await;

    assert_eq!(res.status(), 302);
    let back = location(&res);
    assert_eq!(back.scheme(), "com.maigie.test");
    assert_eq!(back.path(), "/oauth");
    let code = &query_of(&back)["code"];
    let session = app
        .post(
            "/api/auth/oauth/exchange",
            &json!({ "code": code, "code_verifier": verifier, "redirect_uri": MOBILE_REDIRECT }),
        )
        .await;
    assert_eq!(session.status(), 200);
}

#[tokio::test]
async fn a_wrong_verifier_is_refused_and_spends_the_code() {
    let idp = FakeIdp::start().await;
    let app = TestApp::spawn_with(idp.overrides()).await;
    let (verifier, challenge) = pkce();
    let code = one_time_code(&app, &idp, &challenge, identity(&unique_email())).await;
    let (someone_elses, _) = pkce();

    let res = exchange(&app, &code, &someone_elses).await;

    let (status, error, body) = error_code(res).await;
    assert_eq!((status, error.as_str()), (400, "oauth_invalid_code"));
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("code_verifier")),
        "{body}"
    );
    let (status, error, _) = error_code(exchange(&app, &code, &verifier).await).await;
    assert_eq!(
        (status, error.as_str()),
        (400, "oauth_invalid_code"),
        "no second guess at the verifier"
    );
}

#[tokio::test]
async fn a_code_is_refused_for_another_redirect_uri() {
    let idp = FakeIdp::start().await;
    let app = TestApp::spawn_with(idp.overrides()).await;
    let (verifier, challenge) = pkce();
    let code = one_time_code(&app, &idp, &challenge, identity(&unique_email())).await;

    let res = app
        .post(
            "/api/auth/oauth/exchange",
            &json!({ "code": code, "code_verifier": verifier, "redirect_uri": MOBILE_REDIRECT }),
        )
        .await;

    let (status, error, _) = error_code(res).await;
    assert_eq!((status, error.as_str()), (400, "oauth_invalid_code"));
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let idp = FakeIdp::start().await;
    let mut overrides = idp.overrides();
    overrides.push(("OAUTH_CODE_TTL_SECS", "1".into()));
    let app = TestApp::spawn_with(overrides).await;
    let (verifier, challenge) = pkce();
    let code = one_time_code(&app, &idp, &challenge, identity(&unique_email())).await;

    tokio::time::sleep(Duration::from_millis(2100)).await;
    let res = exchange(&app, &code, &verifier).await;

    let (status, error, _) = error_code(res).await;
    assert_eq!((status, error.as_str()), (400, "oauth_invalid_code"));
}

#[tokio::test]
async fn unregistered_redirect_uris_are_refused_before_anything_goes_to_the_provider() {
    let idp = FakeIdp::start().await;
    let app = TestApp::spawn_with(idp.overrides()).await;
    let (_, challenge) = pkce();
    let refused = [
        "https://evil.example/app/oauth/callback".to_owned(),
        format!("{WEB_REDIRECT}/more"),
        WEB_REDIRECT.replace(":4999", ":5000"),
        format!("{WEB_REDIRECT}?next=/admin"),
        format!("{MOBILE_REDIRECT}x"),
        "/app/oauth/callback".to_owned(),
    ];

    for redirect in &refused {
        let res = get(
            &app,
            "/api/auth/oauth/google/authorize",
            &[
                ("redirect_uri", redirect.as_str()),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        )
        .await;
        assert!(res.headers().get("location").is_none(), "{redirect}");
        let (status, code, _) = error_code(res).await;
        assert_eq!(
            (status, code.as_str()),
            (400, "oauth_redirect_not_allowed"),
            "{redirect}"
        );
    }
    let redis_url = app
        .env
        .iter()
        .find(|(k, _)| *k == "REDIS_URL")
        .map(|(_, v)| v.clone())
        .expect("REDIS_URL");
    let mut redis = redis::Client::open(redis_url)
        .expect("redis url")
        .get_multiplexed_async_connection()
        .await
        .expect("redis");
    let pending: Vec<String> = redis
        .keys(format!("{}:oauth:*", app.redis_prefix))
        .await
        .expect("keys");
    assert!(pending.is_empty(), "no sign-in was started: {pending:?}");
}

#[tokio::test]
async fn a_redirect_uri_needs_an_s256_challenge() {
    let idp = FakeIdp::start().await;
    let app = TestApp::spawn_with(idp.overrides()).await;
    let (verifier, challenge) = pkce();
    let cases: [&[(&str, &str)]; 3] = [
        &[("redirect_uri", WEB_REDIRECT)],
        &[
            ("redirect_uri", WEB_REDIRECT),
            ("code_challenge", &verifier),
            ("code_challenge_method", "plain"),
        ],
        &[
            ("redirect_uri", WEB_REDIRECT),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("state", &"s".repeat(501)),
        ],
    ];

    for query in cases {
        let res = get(&app, "/api/auth/oauth/google/authorize", query).await;
        let (status, code, _) = error_code(res).await;
        assert_eq!(
            (status, code.as_str()),
            (422, "validation_failed"),
            "{query:?}"
        );
    }
}

#[tokio::test]
async fn declining_at_the_provider_sends_the_user_back_to_the_app_with_an_error() {
    let idp = FakeIdp::start().await;
    let app = TestApp::spawn_with(idp.overrides()).await;
    let (_, challenge) = pkce();
    let google = authorize(&app, WEB_REDIRECT, &challenge, "app-state").await;

    let res = get(
        &app,
        "/api/auth/oauth/google/callback",
        &[("error", "access_denied"), ("state", &google["state"])],
    )
    .await;

    assert_eq!(res.status(), 302);
    let back = location(&res);
    assert!(back.as_str().starts_with(WEB_REDIRECT), "{back}");
    let query = query_of(&back);
    assert_eq!(query["error"], "oauth_denied");
    assert_eq!(query["state"], "app-state");
    assert!(!query.contains_key("code"));
}

#[tokio::test]
async fn an_unverified_google_email_sends_the_user_back_with_an_error_and_no_code() {
    let idp = FakeIdp::start().await;
    let app = TestApp::spawn_with(idp.overrides()).await;
    let (_, challenge) = pkce();
    let mut who = identity(&unique_email());
    who["email_verified"] = json!(false);

    let res = sign_in_through(&app, &idp, WEB_REDIRECT, &challenge, who).await;

    assert_eq!(res.status(), 302);
    let query = query_of(&location(&res));
    assert_eq!(query["error"], "oauth_email_unverified");
    assert!(!query.contains_key("code"));
}
