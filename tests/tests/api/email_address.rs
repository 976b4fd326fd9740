//! The account's address (issue 16): verified by a mailed link at registration or on
//! request, moved to a new address only once that one confirms, and moved back from
//! the old one. Under `EMAIL_VERIFICATION=required` an unverified account is kept to
//! its own routes; a listed admin address promotes only once proven.

use std::time::Duration;

use maigie_tests::mail::{link_token, wait_for_subject};
use maigie_tests::{TestApp, connect_ws, error_code, token, unique_email};
use serde_json::{Value, json};

use crate::sessions::closed;

const VERIFY_SUBJECT: &str = "Confirm your e-mail address";
const CHANGE_SUBJECT: &str = "Confirm your new e-mail address";
const CHANGED_SUBJECT: &str = "The address of your Maigie account changed";
const MAIL_WAIT: Duration = Duration::from_secs(30);

/// The token of verification mail number `nth` to `email`.
async fn verify_token(email: &str, nth: usize) -> String {
    let mails = wait_for_subject(email, VERIFY_SUBJECT, nth, MAIL_WAIT).await;
    assert_eq!(mails.len(), nth, "verification mail number {nth}");
    link_token(&mails[nth - 1], "/verify-email").expect("a verification link")
}

async fn verify(app: &TestApp, token: &str) -> reqwest::Response {
    app.post("/api/auth/email/verify", &json!({ "token": token }))
        .await
}

async fn me(app: &TestApp, access: &str) -> Value {
    let res = app.get_auth("/api/users/me", access).await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
}

#[tokio::test]
async fn registration_mails_a_verification_link_that_verifies_the_address_once() {
    let app = TestApp::spawn().await;
    let (email, _, session) = app.register().await;
    let access = token(&session);
    assert_eq!(session["user"]["email_verified"], false);
    assert_eq!(session["user"]["email_verified_at"], Value::Null);

    let link = verify_token(&email, 1).await;
    let res = verify(&app, &link).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["email"], email.as_str());
    assert_eq!(body["email_verified"], true);
    assert_eq!(body["changed"], false);
    let now = me(&app, &access).await;
    assert_eq!(now["email_verified"], true);
    assert_eq!(now["email_verified_at"], body["email_verified_at"]);

    let (status, code, _) = error_code(verify(&app, &link).await).await;
    assert_eq!((status, code.as_str()), (400, "invalid_token"));
    // Nothing left to verify.
    let res = app
        .post_auth("/api/users/me/email/verify/resend", &access, &json!({}))
        .await;
    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (409, "email_already_verified"));
    app.shutdown().await;
}

#[tokio::test]
async fn a_verification_link_can_be_asked_for_again_within_a_limit() {
    let app = TestApp::spawn_with(vec![("EMAIL_VERIFY_RESEND_PER_HOUR", "1".into())]).await;
    let (email, _, session) = app.register().await;
    let access = token(&session);
    verify_token(&email, 1).await;

    let empty = json!({});
    let resend = || app.post_auth("/api/users/me/email/verify/resend", &access, &empty);
    assert_eq!(resend().await.status(), 202);
    let (status, code, _) = error_code(resend().await).await;
    assert_eq!((status, code.as_str()), (429, "rate_limited"));

    let second = verify_token(&email, 2).await;
    // The page the link opens by default: GET shows a button, its POST verifies.
    let page = app
        .http
        .get(app.url(&format!("/verify-email?token={second}")))
        .send()
        .await
        .expect("page");
    assert!(
        page.text()
            .await
            .expect("html")
            .contains("Confirm my address")
    );
    assert_eq!(
        me(&app, &access).await["email_verified"],
        false,
        "GET changes nothing"
    );
    let done = app
        .http
        .post(app.url("/verify-email"))
        .form(&[("token", second.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(done.status(), 200);
    assert!(
        done.text()
            .await
            .expect("html")
            .contains("Address confirmed")
    );
    assert_eq!(me(&app, &access).await["email_verified"], true);
    app.shutdown().await;
}

#[tokio::test]
async fn a_change_of_address_waits_for_the_new_one_and_the_old_one_can_undo_it() {
    let app = TestApp::spawn().await;
    let (old, password, session) = app.register().await;
    let access = token(&session);
    let new = unique_email();
    let change = |body: Value| {
        let (app, access) = (&app, access.clone());
        async move { app.post_auth("/api/users/me/email", &access, &body).await }
    };

    let (status, code, body) =
        error_code(change(json!({ "new_email": new, "password": "wrong password" })).await).await;
    assert_eq!(
        (status, code.as_str()),
        (422, "validation_failed"),
        "{body}"
    );
    let (status, _, _) =
        error_code(change(json!({ "new_email": old, "password": password })).await).await;
    assert_eq!(status, 422, "the same address");
    let (other, _, _) = app.register().await;
    let (status, code, _) =
        error_code(change(json!({ "new_email": other, "password": password })).await).await;
    assert_eq!((status, code.as_str()), (409, "email_taken"));

    let res = change(json!({ "new_email": new, "password": password })).await;
    assert_eq!(res.status(), 202);
    let pending: Value = res.json().await.expect("json");
    assert_eq!(pending["pending_email"], new.as_str());
    // Nothing changes until the new address confirms.
    assert_eq!(me(&app, &access).await["email"], old.as_str());
    app.login(&old, &password).await;

    let mails = wait_for_subject(&new, CHANGE_SUBJECT, 1, MAIL_WAIT).await;
    let link = link_token(&mails[0], "/verify-email").expect("a confirmation link");
    let res = verify(&app, &link).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.expect("json");
    assert_eq!(
        (body["email"].as_str(), body["changed"].as_bool()),
        (Some(new.as_str()), Some(true))
    );
    let now = me(&app, &access).await;
    assert_eq!(
        (now["email"].as_str(), now["email_verified"].as_bool()),
        (Some(new.as_str()), Some(true))
    );
    app.login(&new, &password).await;

    // The old address is told, with a link that undoes the change: the account goes
    // back, every session ends, and a reset link follows there.
    let mut ws = connect_ws(&app, &format!("access_token={access}"))
        .await
        .expect("ws connects");
    let notices = wait_for_subject(&old, CHANGED_SUBJECT, 1, MAIL_WAIT).await;
    assert_eq!(notices.len(), 1);
    let undo = link_token(&notices[0], "/revert-email").expect("an undo link");
    let res = app
        .post("/api/auth/email/revert", &json!({ "token": undo }))
        .await;
    assert_eq!(res.status(), 200);
    let (code, _) = closed(&mut ws, Duration::from_secs(1)).await;
    assert_eq!(code, 4003);
    let (status, code, _) = error_code(app.get_auth("/api/users/me", &access).await).await;
    assert_eq!((status, code.as_str()), (401, "session_ended"));
    let back = app.login(&old, &password).await;
    assert_eq!(back["user"]["email"], old.as_str());
    let resets = wait_for_subject(&old, "Reset your Maigie password", 1, MAIL_WAIT).await;
    assert_eq!(resets.len(), 1, "a reset link to the restored address");
    let res = app
        .post("/api/auth/email/revert", &json!({ "token": undo }))
        .await;
    assert_eq!(error_code(res).await.1, "invalid_token");
    app.shutdown().await;
}

#[tokio::test]
async fn a_verification_link_for_an_address_the_account_left_proves_nothing() {
    let app = TestApp::spawn().await;
    let (old, password, session) = app.register().await;
    let access = token(&session);
    let stale = verify_token(&old, 1).await;
    let new = unique_email();
    let res = app
        .post_auth(
            "/api/users/me/email",
            &access,
            &json!({ "new_email": new, "password": password }),
        )
        .await;
    assert_eq!(res.status(), 202);
    let mails = wait_for_subject(&new, CHANGE_SUBJECT, 1, MAIL_WAIT).await;
    let link = link_token(&mails[0], "/verify-email").expect("a confirmation link");
    assert_eq!(verify(&app, &link).await.status(), 200);

    let (status, code, _) = error_code(verify(&app, &stale).await).await;
    assert_eq!((status, code.as_str()), (400, "invalid_token"));
    app.shutdown().await;
}

#[tokio::test]
async fn when_verification_is_required_an_unverified_account_keeps_to_its_own_routes() {
    let app = TestApp::spawn_with(vec![("EMAIL_VERIFICATION", "required".into())]).await;
    let (email, _, session) = app.register().await;
    let access = token(&session);

    let (status, code, _) = error_code(app.get_auth("/api/tasks", &access).await).await;
    assert_eq!((status, code.as_str()), (403, "email_unverified"));
    assert_eq!(me(&app, &access).await["email_verified"], false);

    let link = verify_token(&email, 1).await;
    assert_eq!(verify(&app, &link).await.status(), 200);
    let refreshed: Value = app
        .refresh(session["refresh_token"].as_str().expect("refresh"))
        .await
        .json()
        .await
        .expect("json");
    let res = app.get_auth("/api/tasks", &token(&refreshed)).await;
    assert_eq!(res.status(), 200);
    app.shutdown().await;
}

#[tokio::test]
async fn a_listed_admin_address_promotes_only_once_it_is_verified() {
    let email = unique_email();
    let app = TestApp::spawn_with(vec![("ADMIN_EMAILS", email.clone())]).await;
    let res = app
        .post(
            "/api/auth/register",
            &json!({ "email": email, "password": "correct horse battery" }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let session: Value = res.json().await.expect("json");
    assert_eq!(
        session["user"]["role"], "user",
        "an address typed at sign-up proves nothing"
    );

    let link = verify_token(&email, 1).await;
    assert_eq!(verify(&app, &link).await.status(), 200);
    assert_eq!(me(&app, &token(&session)).await["role"], "admin");
    app.shutdown().await;
}
