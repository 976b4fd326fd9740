//! Rate limits: per IP on `/api/auth/*`, per user for authenticated requests.

use std::time::Duration;

use maigie_tests::{TestApp, error_code, token, unique_email};
use serde_json::json;

async fn failed_login(app: &TestApp) -> reqwest::Response {
    app.post(
        "/api/auth/login",
        &json!({ "email": unique_email(), "password": "whatever it is" }),
    )
    .await
}

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .unwrap_or_else(|| panic!("{name} header"))
        .to_str()
        .expect("ascii")
        .to_owned()
}

#[tokio::test]
async fn the_fourth_sign_in_attempt_in_a_minute_is_a_429_with_retry_after() {
    let app = TestApp::spawn_with(vec![("RATE_LIMIT_AUTH_PER_MINUTE", "3".into())]).await;

    let mut remaining = Vec::new();
    let first = std::time::Instant::now();
    for _ in 0..3 {
        let res = failed_login(&app).await;
        assert_eq!(res.status(), 401, "passes the limiter");
        assert_eq!(header(&res, "ratelimit-limit"), "3");
        remaining.push(header(&res, "ratelimit-remaining"));
    }
    let refused = failed_login(&app).await;

    assert_eq!(remaining, ["2", "1", "0"]);
    let retry_after: u64 = header(&refused, "retry-after").parse().expect("seconds");
    // One request per 20 s refills the bucket, counted from the first attempt; the
    // attempts (argon2 each, unoptimised in test builds) may take many seconds on a
    // loaded machine, which the wait shrinks by.
    let elapsed = first.elapsed().as_secs();
    let earliest = 20u64.saturating_sub(elapsed + 1).max(1);
    assert!(
        (earliest..=20).contains(&retry_after),
        "retry-after {retry_after}, {elapsed} s after the first attempt"
    );
    assert_eq!(header(&refused, "ratelimit-remaining"), "0");
    let (status, code, body) = error_code(refused).await;
    assert_eq!((status, code.as_str()), (429, "rate_limited"));
    assert_eq!(body["error"]["details"]["retry_after_secs"], retry_after);
}

#[tokio::test]
async fn a_limited_client_passes_again_after_retry_after() {
    // 60 a minute: a burst of 60, then one more each second.
    let app = TestApp::spawn_with(vec![("RATE_LIMIT_AUTH_PER_MINUTE", "60".into())]).await;
    let garbage = json!({ "refresh_token": "garbage" });
    let mut refused = None;
    for _ in 0..200 {
        let res = app.post("/api/auth/refresh", &garbage).await;
        if res.status() == 429 {
            refused = Some(res);
            break;
        }
    }
    let refused = refused.expect("the burst runs out");
    let retry_after: u64 = header(&refused, "retry-after").parse().expect("seconds");
    assert!((1..=2).contains(&retry_after), "retry-after {retry_after}");

    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    let res = app.post("/api/auth/refresh", &garbage).await;

    assert_eq!(res.status(), 401, "passes the limiter again");
}

#[tokio::test]
async fn each_user_has_their_own_request_budget() {
    let app = TestApp::spawn_with(vec![("RATE_LIMIT_FREE_PER_MINUTE", "2".into())]).await;
    let (_, _, a) = app.register().await;
    let (_, _, b) = app.register().await;
    for _ in 0..2 {
        assert_eq!(
            app.get_auth("/api/users/me", &token(&a)).await.status(),
            200
        );
    }

    let third = app.get_auth("/api/users/me", &token(&a)).await;
    let other_user = app.get_auth("/api/users/me", &token(&b)).await;

    assert!(third.headers().contains_key("retry-after"));
    let (status, code, _) = error_code(third).await;
    assert_eq!((status, code.as_str()), (429, "rate_limited"));
    assert_eq!(other_user.status(), 200);
    assert_eq!(header(&other_user, "ratelimit-limit"), "2");
}

#[tokio::test]
async fn health_and_readiness_are_not_rate_limited() {
    let app = TestApp::spawn_with(vec![("RATE_LIMIT_ANONYMOUS_PER_MINUTE", "1".into())]).await;

    for _ in 0..3 {
        let res = app
            .http
            .get(app.url("/health"))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), 200);
        assert!(!res.headers().contains_key("ratelimit-limit"));
    }
    let anonymous: Vec<u16> = [
        app.http.get(app.url("/api/nope")).send().await,
        app.http.get(app.url("/api/nope")).send().await,
    ]
    .into_iter()
    .map(|r| r.expect("request").status().as_u16())
    .collect();
    assert_eq!(anonymous, [404, 429]);
}

async fn login_via(app: &TestApp, forwarded_for: &str) -> reqwest::Response {
    app.http
        .post(app.url("/api/auth/login"))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({ "email": unique_email(), "password": "whatever it is" }))
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn behind_one_trusted_proxy_a_spoofed_left_forwarded_entry_does_not_escape_the_ip_limit() {
    let app = TestApp::spawn_with(vec![
        ("RATE_LIMIT_AUTH_PER_MINUTE", "3".into()),
        ("TRUST_PROXY_HOPS", "1".into()),
    ])
    .await;

    // The client writes whatever it likes on the left; our proxy appends the address
    // it saw (203.0.113.7) on the right.
    for i in 0..3 {
        let res = login_via(&app, &format!("198.51.100.{i}, 203.0.113.7")).await;
        assert_eq!(res.status(), 401, "attempt {i} passes the limiter");
    }
    let (status, code, _) = error_code(login_via(&app, "198.51.100.99, 203.0.113.7").await).await;
    assert_eq!((status, code.as_str()), (429, "rate_limited"));
    let (status, code, _) = error_code(login_via(&app, "203.0.113.7").await).await;
    assert_eq!(
        (status, code.as_str()),
        (429, "rate_limited"),
        "same client"
    );

    // Another client, as our proxy saw it, has a bucket of its own.
    let other = login_via(&app, "198.51.100.1, 203.0.113.8").await;
    assert_eq!(other.status(), 401);
}

#[tokio::test]
async fn without_trusted_proxies_forwarded_for_is_ignored() {
    let app = TestApp::spawn_with(vec![("RATE_LIMIT_AUTH_PER_MINUTE", "2".into())]).await;

    for i in 0..2 {
        let res = login_via(&app, &format!("203.0.113.{i}")).await;
        assert_eq!(res.status(), 401);
    }
    let refused = login_via(&app, "203.0.113.200").await;

    assert_eq!(refused.status(), 429, "the socket peer is the client");
}
