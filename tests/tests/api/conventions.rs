//! Conventions every route shares: error bodies, request ids, security headers,
//! bearer authentication, CORS and the API documentation.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use maigie_tests::{TestApp, error_code, jwt_secret, token};
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde_json::{Value, json};
use uuid::Uuid;

/// Signs `claims` with `secret` the way the app signs access tokens.
fn sign(claims: &Value, secret: &str) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign")
}

/// Claims for `user_id`, issued `age` seconds ago and living `ttl` seconds.
fn claims(user_id: &Value, age: i64, ttl: i64) -> Value {
    let iat = chrono::Utc::now().timestamp() - age;
    json!({ "sub": user_id, "iat": iat, "exp": iat + ttl, "jti": Uuid::new_v4(), "tier": "FREE" })
}

async fn login_body(app: &TestApp, content_type: Option<&str>, body: &str) -> reqwest::Response {
    let mut req = app
        .http
        .post(app.url("/api/auth/login"))
        .body(body.to_owned());
    if let Some(ct) = content_type {
        req = req.header(CONTENT_TYPE, ct);
    }
    req.send().await.expect("request")
}

fn assert_security_headers(headers: &HeaderMap) {
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(headers.contains_key("referrer-policy"));
    assert!(headers.contains_key("content-security-policy"));
}

#[tokio::test]
async fn malformed_json_is_a_400() {
    let app = TestApp::spawn().await;

    let res = login_body(&app, Some("application/json"), r#"{"email": "#).await;

    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (400, "malformed_json"));
}

#[tokio::test]
async fn a_missing_or_mistyped_field_is_a_422() {
    let app = TestApp::spawn().await;

    let missing = login_body(&app, Some("application/json"), r#"{"email": "a@b.co"}"#).await;
    let mistyped = login_body(
        &app,
        Some("application/json"),
        r#"{"email": "a@b.co", "password": 12345678}"#,
    )
    .await;

    let (status, code, body) = error_code(missing).await;
    assert_eq!((status, code.as_str()), (422, "invalid_body"));
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("password")),
        "names the field: {body}"
    );
    let (status, code, _) = error_code(mistyped).await;
    assert_eq!((status, code.as_str()), (422, "invalid_body"));
}

#[tokio::test]
async fn a_body_without_a_json_content_type_is_a_415() {
    let app = TestApp::spawn().await;

    let res = login_body(&app, None, r#"{"email": "a@b.co", "password": "x"}"#).await;

    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (415, "unsupported_media_type"));
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413_in_the_standard_body() {
    let app = TestApp::spawn_with(vec![("BODY_LIMIT_BYTES", "1024".into())]).await;
    let (_, _, session) = app.register().await;
    let big = json!({ "email": "a@b.co", "password": "x".repeat(2000) });

    let json_route = app.post("/api/auth/login", &big).await;
    let bytes_route = app
        .delete_auth(
            "/api/users/me",
            &token(&session),
            &json!({ "password": "x".repeat(2000) }),
        )
        .await;

    let (status, code, _) = error_code(json_route).await;
    assert_eq!((status, code.as_str()), (413, "payload_too_large"));
    let (status, code, _) = error_code(bytes_route).await;
    assert_eq!((status, code.as_str()), (413, "payload_too_large"));
}

#[tokio::test]
async fn an_unknown_route_is_a_404_and_a_wrong_method_a_405() {
    let app = TestApp::spawn().await;

    let unknown = app
        .http
        .get(app.url("/api/nope"))
        .send()
        .await
        .expect("request");
    let wrong_method = app
        .http
        .delete(app.url("/health"))
        .send()
        .await
        .expect("request");

    let (status, code, _) = error_code(unknown).await;
    assert_eq!((status, code.as_str()), (404, "route_not_found"));
    let (status, code, _) = error_code(wrong_method).await;
    assert_eq!((status, code.as_str()), (405, "method_not_allowed"));
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_echoes_the_clients() {
    let app = TestApp::spawn().await;

    let ok = app
        .http
        .get(app.url("/health"))
        .send()
        .await
        .expect("request");
    let err = app
        .http
        .get(app.url("/api/nope"))
        .send()
        .await
        .expect("request");
    let echoed = app
        .http
        .get(app.url("/api/users/me"))
        .header("x-request-id", "client-chosen-id-42")
        .send()
        .await
        .expect("request");

    for res in [&ok, &err] {
        let id = res.headers()["x-request-id"].to_str().expect("ascii");
        assert!(id.parse::<Uuid>().is_ok(), "generated id {id:?}");
    }
    assert_ne!(ok.headers()["x-request-id"], err.headers()["x-request-id"]);
    assert_eq!(echoed.status(), 401);
    assert_eq!(echoed.headers()["x-request-id"], "client-chosen-id-42");
}

#[tokio::test]
async fn successes_and_errors_carry_the_security_headers() {
    let app = TestApp::spawn().await;

    let ok = app
        .http
        .get(app.url("/health"))
        .send()
        .await
        .expect("request");
    let err = app
        .http
        .get(app.url("/api/nope"))
        .send()
        .await
        .expect("request");
    let unauthorized = app
        .http
        .get(app.url("/api/users/me"))
        .send()
        .await
        .expect("request");

    assert_eq!(ok.status(), 200);
    for res in [&ok, &err, &unauthorized] {
        assert_security_headers(res.headers());
    }
}

#[tokio::test]
async fn a_request_without_a_token_is_a_401_with_a_bearer_challenge() {
    let app = TestApp::spawn().await;

    let res = app
        .http
        .get(app.url("/api/users/me"))
        .send()
        .await
        .expect("request");

    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (401, "missing_token"));
}

#[tokio::test]
async fn an_expired_token_is_a_401_token_expired() {
    let app = TestApp::spawn().await;
    let (_, _, session) = app.register().await;
    let expired = sign(&claims(&session["user"]["id"], 120, 60), &jwt_secret());

    let res = app.get_auth("/api/users/me", &expired).await;

    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (401, "token_expired"));
}

#[tokio::test]
async fn a_token_forged_with_the_right_secret_is_accepted() {
    // The control for the two tests below: the forging itself is sound.
    let app = TestApp::spawn().await;
    let (_, _, session) = app.register().await;
    let forged = sign(&claims(&session["user"]["id"], 0, 60), &jwt_secret());

    let res = app.get_auth("/api/users/me", &forged).await;

    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn an_unsigned_alg_none_token_is_a_401_invalid_token() {
    let app = TestApp::spawn().await;
    let (_, _, session) = app.register().await;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims(&session["user"]["id"], 0, 60).to_string());

    let res = app
        .get_auth("/api/users/me", &format!("{header}.{payload}."))
        .await;

    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (401, "invalid_token"));
}

#[tokio::test]
async fn a_token_signed_with_another_secret_is_a_401_invalid_token() {
    let app = TestApp::spawn().await;
    let (_, _, session) = app.register().await;
    let forged = sign(
        &claims(&session["user"]["id"], 0, 60),
        "another-secret-another-secret-another-secret",
    );

    let res = app.get_auth("/api/users/me", &forged).await;

    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (401, "invalid_token"));
}

#[tokio::test]
async fn cors_preflight_is_answered_for_allowed_origins_only() {
    let app = TestApp::spawn().await;
    let preflight = |origin: &'static str| {
        app.http
            .request(reqwest::Method::OPTIONS, app.url("/api/auth/login"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type,authorization",
            )
            .send()
    };

    let allowed = preflight("http://localhost:3000").await.expect("request");
    let other = preflight("https://evil.example").await.expect("request");

    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );
    let methods = allowed.headers()["access-control-allow-methods"]
        .to_str()
        .expect("ascii");
    assert!(methods.contains("POST"), "{methods}");
    assert!(!other.headers().contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn the_openapi_document_lists_the_routes_and_the_bearer_scheme() {
    let app = TestApp::spawn().await;

    let res = app
        .http
        .get(app.url("/openapi.json"))
        .send()
        .await
        .expect("request");

    assert_eq!(res.status(), 200);
    let spec: Value = res.json().await.expect("valid JSON");
    for path in ["/api/auth/register", "/api/users/me", "/health", "/ready"] {
        assert!(spec["paths"].get(path).is_some(), "{path} documented");
    }
    assert_eq!(
        spec["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

#[tokio::test]
async fn the_docs_page_is_html_with_a_same_origin_script_policy() {
    let app = TestApp::spawn().await;

    let redirect = app
        .http
        .get(app.url("/docs"))
        .send()
        .await
        .expect("request");
    assert!(redirect.status().is_redirection());
    let location = redirect.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(location, "/docs/");
    let page = app
        .http
        .get(app.url(&location))
        .send()
        .await
        .expect("request");

    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let html = page.text().await.expect("text");
    assert!(html.contains("<html"), "HTML page");
    assert!(
        !html.contains("<script>"),
        "no inline script the policy would block"
    );
}

#[tokio::test]
async fn another_users_token_only_ever_shows_their_own_account() {
    // Only `/me` exists so far: cross-user 404s belong to the resource modules.
    let app = TestApp::spawn().await;
    let (_, _, a) = app.register().await;
    let (email_b, _, b) = app.register().await;

    let res = app.get_auth("/api/users/me", &token(&b)).await;

    let me: Value = res.json().await.expect("json");
    assert_eq!(me["email"], email_b.as_str());
    assert_eq!(me["id"], b["user"]["id"]);
    assert_ne!(me["id"], a["user"]["id"]);
}
