//! A forgotten password (issue 16): forgot → mail → reset, every session ended, the
//! link single-use and short-lived, and nothing that tells a known address from an
//! unknown one.

use std::time::{Duration, Instant};

use maigie_tests::mail::{link_token, message_id, messages_to, wait_for_subject};
use maigie_tests::{TestApp, connect_ws, error_code, token, unique_email};
use serde_json::json;

use crate::sessions::closed;

const RESET_SUBJECT: &str = "Reset your Maigie password";
const MAIL_WAIT: Duration = Duration::from_secs(30);

async fn forgot(app: &TestApp, email: &str) -> reqwest::Response {
    app.post("/api/auth/password/forgot", &json!({ "email": email }))
        .await
}

/// Asks for a reset link for `email` and answers the token of the newest one.
async fn reset_token(app: &TestApp, email: &str, nth: usize) -> String {
    let res = forgot(app, email).await;
    assert_eq!(res.status(), 202);
    let mails = wait_for_subject(email, RESET_SUBJECT, nth, MAIL_WAIT).await;
    assert_eq!(mails.len(), nth, "reset mail number {nth} arrived");
    link_token(&mails[nth - 1], "/reset-password").expect("a reset link in the mail")
}

async fn reset(app: &TestApp, token: &str, new_password: &str) -> reqwest::Response {
    app.post(
        "/api/auth/password/reset",
        &json!({ "token": token, "new_password": new_password }),
    )
    .await
}

#[tokio::test]
async fn a_reset_sets_the_password_ends_every_session_and_its_link_works_once() {
    let app = TestApp::spawn().await;
    let (email, password, laptop) = app.register().await;
    let phone = app.login(&email, &password).await;
    let mut ws = connect_ws(&app, &format!("access_token={}", token(&phone)))
        .await
        .expect("ws connects");

    let token_value = reset_token(&app, &email, 1).await;
    let mail = &messages_to(&email)
        .into_iter()
        .find(|m| m.contains(RESET_SUBJECT))
        .expect("reset mail");
    assert!(mail.contains("text/html") && mail.contains("text/plain"));
    assert!(
        message_id(mail).is_some_and(|id| id.starts_with("<password_reset.account-mail-")),
        "a stable Message-ID: {:?}",
        message_id(mail)
    );
    // A new password that breaks the rules is refused and spends nothing.
    let (status, code, _) = error_code(reset(&app, &token_value, "short").await).await;
    assert_eq!((status, code.as_str()), (422, "validation_failed"));

    let res = reset(&app, &token_value, "a brand new passphrase").await;
    assert_eq!(res.status(), 204);

    // Every session ended: access tokens, refresh tokens, open sockets.
    let (close_code, _) = closed(&mut ws, Duration::from_secs(1)).await;
    assert_eq!(close_code, 4003);
    for session in [&laptop, &phone] {
        let (status, code, _) =
            error_code(app.get_auth("/api/users/me", &token(session)).await).await;
        assert_eq!((status, code.as_str()), (401, "session_ended"));
        let refresh = session["refresh_token"].as_str().expect("refresh token");
        assert_eq!(app.refresh(refresh).await.status(), 401);
    }
    // The old password is refused, the new one signs in.
    let old = app
        .post(
            "/api/auth/login",
            &json!({ "email": email, "password": password }),
        )
        .await;
    assert_eq!(old.status(), 401);
    let fresh = app.login(&email, "a brand new passphrase").await;
    // The mailbox answered, so the address is proven.
    assert_eq!(fresh["user"]["email_verified"], true);
    assert!(fresh["user"]["email_verified_at"].is_string());

    // The link works once.
    let (status, code, _) =
        error_code(reset(&app, &token_value, "yet another passphrase").await).await;
    assert_eq!((status, code.as_str()), (400, "invalid_token"));
    // And the owner is told.
    let notice = wait_for_subject(&email, "Your Maigie password was reset", 1, MAIL_WAIT).await;
    assert_eq!(notice.len(), 1, "a notice of the reset");
    app.shutdown().await;
}

#[tokio::test]
async fn a_newer_reset_spends_the_older_links_and_an_expired_link_is_refused() {
    let app = TestApp::spawn_with(vec![("PASSWORD_RESET_TTL_SECS", "2".into())]).await;
    let (email, _, _) = app.register().await;

    let first = reset_token(&app, &email, 1).await;
    let second = reset_token(&app, &email, 2).await;
    assert_ne!(first, second);
    assert_eq!(
        reset(&app, &second, "the second passphrase").await.status(),
        204
    );
    let (status, code, _) = error_code(reset(&app, &first, "the first passphrase").await).await;
    assert_eq!(
        (status, code.as_str()),
        (400, "invalid_token"),
        "spent by the reset"
    );

    // A link past its lifetime (2 s here, 30 minutes by default) is refused.
    let third = reset_token(&app, &email, 3).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (status, code, _) = error_code(reset(&app, &third, "the third passphrase").await).await;
    assert_eq!((status, code.as_str()), (400, "invalid_token"));
    app.login(&email, "the second passphrase").await;

    // A made-up token is the same answer.
    let (status, code, _) =
        error_code(reset(&app, "not-a-real-token", "whatever passphrase").await).await;
    assert_eq!((status, code.as_str()), (400, "invalid_token"));
    app.shutdown().await;
}

#[tokio::test]
async fn an_unknown_address_gets_the_same_answer_in_the_same_time_and_no_mail() {
    let app =
        TestApp::spawn_with(vec![("PASSWORD_RESET_PER_ADDRESS_PER_HOUR", "100".into())]).await;
    let (known, _, _) = app.register().await;
    let unknown = unique_email();

    // Warm up both paths once (connections, prepared statements).
    forgot(&app, &known).await;
    forgot(&app, &unknown).await;
    let mut times = (Vec::new(), Vec::new());
    for _ in 0..9 {
        for (email, into) in [(&known, &mut times.0), (&unknown, &mut times.1)] {
            let start = Instant::now();
            let res = forgot(&app, email).await;
            into.push(start.elapsed());
            assert_eq!(res.status(), 202);
            assert!(res.headers().get("content-type").is_none());
            assert_eq!(res.bytes().await.expect("body").len(), 0);
        }
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (k, u) = (median(&mut times.0), median(&mut times.1));
    let gap = k.abs_diff(u);
    // Both do the same work (one outbox row, one workflow start): the medians differ
    // by scheduling noise, not by a lookup of the address.
    assert!(
        gap < Duration::from_millis(15).max(k.max(u) / 2),
        "known {k:?} vs unknown {u:?}"
    );

    // The warm-up and the nine timed requests.
    let mails = wait_for_subject(&known, RESET_SUBJECT, 10, MAIL_WAIT).await;
    assert_eq!(mails.len(), 10);
    assert!(
        messages_to(&unknown).is_empty(),
        "nothing sent to an unknown address"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn resets_are_limited_per_address_the_same_way_for_unknown_addresses() {
    let app = TestApp::spawn_with(vec![("PASSWORD_RESET_PER_ADDRESS_PER_HOUR", "2".into())]).await;
    let (known, _, _) = app.register().await;
    for email in [known.clone(), unique_email()] {
        assert_eq!(forgot(&app, &email).await.status(), 202);
        assert_eq!(forgot(&app, &email).await.status(), 202);
        let res = forgot(&app, &email).await;
        let retry_after: u64 = res
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .expect("Retry-After");
        assert!(retry_after > 60, "an hourly limit: {retry_after}");
        let (status, code, _) = error_code(res).await;
        assert_eq!((status, code.as_str()), (429, "rate_limited"));
    }
    // Another address is not affected; a malformed one is a validation error.
    assert_eq!(forgot(&app, &unique_email()).await.status(), 202);
    let (status, code, _) = error_code(forgot(&app, "not an address").await).await;
    assert_eq!((status, code.as_str()), (422, "validation_failed"));
    app.shutdown().await;
}

#[tokio::test]
async fn without_a_client_app_the_mailed_link_opens_a_page_that_resets_the_password() {
    let app = TestApp::spawn().await;
    let (email, _, _) = app.register().await;
    let token_value = reset_token(&app, &email, 1).await;
    let mail = wait_for_subject(&email, RESET_SUBJECT, 1, MAIL_WAIT).await;
    // APP_BASE_URL defaults to the API's own PUBLIC_BASE_URL (left at its default
    // here; the test then opens the page on the port it really listens on).
    assert!(
        maigie_tests::mail::unfold(&mail[0]).contains(&format!(
            "http://127.0.0.1:8080/reset-password?token={token_value}"
        )),
        "the link opens this server"
    );

    // Opening the link changes nothing (mail scanners open links): it shows a form.
    let page = app
        .http
        .get(app.url(&format!("/reset-password?token={token_value}")))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(
        csp.contains("form-action 'self'") && !csp.contains("script-src"),
        "{csp}"
    );
    let html = page.text().await.expect("html");
    assert!(html.contains("<form method=\"post\" action=\"/reset-password\">"));
    assert!(html.contains(&format!("value=\"{token_value}\"")));

    let short = app
        .http
        .post(app.url("/reset-password"))
        .form(&[("token", token_value.as_str()), ("new_password", "short")])
        .send()
        .await
        .expect("post");
    assert_eq!(short.status(), 422);
    let done = app
        .http
        .post(app.url("/reset-password"))
        .form(&[
            ("token", token_value.as_str()),
            ("new_password", "set from the page"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(done.status(), 200);
    assert!(
        done.text()
            .await
            .expect("html")
            .contains("Your password is set")
    );
    app.login(&email, "set from the page").await;

    let again = app
        .http
        .post(app.url("/reset-password"))
        .form(&[
            ("token", token_value.as_str()),
            ("new_password", "set from the page"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(again.status(), 400);
    assert!(
        again
            .text()
            .await
            .expect("html")
            .contains("invalid, expired or already used")
    );
    app.shutdown().await;
}
