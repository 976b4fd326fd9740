//! The walking skeleton: register → Temporal workflow → welcome e-mail + event.

use std::time::Duration;

use maigie_tests::mail::wait_for_subject;
use maigie_tests::{TestApp, connect_ws, next_event, token, wait_for_mail};

#[tokio::test]
async fn registering_sends_a_welcome_mail_and_a_welcome_event_seen_after_login() {
    let app = TestApp::spawn().await;
    let (email, password, _) = app.register().await;

    let mails = wait_for_subject(&email, "Welcome to Maigie", 1, Duration::from_secs(30)).await;
    assert_eq!(mails.len(), 1, "exactly one welcome mail");
    assert!(mails[0].contains("Subject: Welcome to Maigie"));
    assert!(mails[0].contains("text/html"), "has an HTML part");
    assert!(mails[0].contains("text/plain"), "has a text part");

    let session = app.login(&email, &password).await;
    let mut ws = connect_ws(
        &app,
        &format!("access_token={}&last_event_id=0", token(&session)),
    )
    .await
    .expect("ws connects");
    let event = next_event(&mut ws, "welcome", Duration::from_secs(30))
        .await
        .expect("welcome event");
    assert_eq!(event["data"]["email"], email.as_str());
    assert!(event["id"].as_str().is_some_and(|id| id.contains('-')));
    assert!(event["ts"].is_string());

    // Registering again (a retried request) neither creates a second account nor a
    // second onboarding.
    let again = app
        .post(
            "/api/auth/register",
            &serde_json::json!({ "email": email, "password": password }),
        )
        .await;
    assert_eq!(again.status(), 409);
    // Onboarding's last step mails the verification link; then nothing more.
    let verify = wait_for_subject(
        &email,
        "Confirm your e-mail address",
        1,
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(verify.len(), 1, "one verification mail");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        wait_for_mail(&email, 3, Duration::from_millis(10))
            .await
            .len(),
        2,
        "one welcome and one verification mail, not two onboardings"
    );
    app.shutdown().await;
}
