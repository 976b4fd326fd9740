//! Sessions end everywhere (issue 12): after a password change, a log-out
//! everywhere, the end of one session from the list or the deletion of the account,
//! the old access tokens are refused on every route, their sockets and streams
//! close within a second, refresh and MCP tokens and the calendar URL stop working.
//! Sockets also close when their token expires or when the user opens too many.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use maigie_tests::fake_idp::FakeIdp;
use maigie_tests::{TestApp, Ws, connect_ws, error_code, token};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

/// How soon an ended session's socket must close.
const CLOSE_WITHIN: Duration = Duration::from_secs(1);

/// A socket of `access`, with nothing pending (the welcome backlog is not asked for).
async fn socket(app: &TestApp, access: &str) -> Ws {
    connect_ws(app, &format!("access_token={access}"))
        .await
        .expect("ws connects")
}

/// Waits for the server to close the socket; answers the close code and how long it
/// took. Pings are answered and events skipped on the way.
pub(crate) async fn closed(ws: &mut Ws, within: Duration) -> (u16, Duration) {
    let start = Instant::now();
    let code = tokio::time::timeout(within, async {
        while let Some(msg) = ws.next().await {
            match msg {
                Ok(Message::Close(frame)) => return frame.map_or(0, |f| u16::from(f.code)),
                Ok(Message::Ping(p)) => {
                    let _ = ws.send(Message::Pong(p)).await;
                }
                Ok(_) => {}
                Err(err) => panic!("socket failed instead of closing: {err}"),
            }
        }
        panic!("socket ended without a close frame")
    })
    .await
    .unwrap_or_else(|_| panic!("the socket was still open after {within:?}"));
    (code, start.elapsed())
}

async fn mcp_token(app: &TestApp, access: &str) -> String {
    let res = app
        .post_auth(
            "/api/mcp/tokens",
            access,
            &json!({"name": "agent", "scopes": ["read"]}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.expect("json");
    body["token"].as_str().expect("token").to_owned()
}

async fn mcp_status(app: &TestApp, secret: &str) -> u16 {
    app.http
        .post(app.url("/mcp"))
        .bearer_auth(secret)
        .header("accept", "application/json, text/event-stream")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "agent", "version": "1"}}}))
        .send()
        .await
        .expect("send")
        .status()
        .as_u16()
}

async fn feed_path(app: &TestApp, access: &str) -> String {
    let res = app
        .post_auth("/api/calendar/token", access, &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.expect("json");
    let url = body["url"].as_str().expect("url");
    url[url.find("/api/calendar/").expect("feed path")..].to_owned()
}

/// `GET /api/users/me` with `access`: the status, and the error code of a refusal
/// (empty on success).
async fn me_code(app: &TestApp, access: &str) -> (u16, String) {
    let res = app.get_auth("/api/users/me", access).await;
    if res.status().is_success() {
        return (res.status().as_u16(), String::new());
    }
    let (status, code, _) = error_code(res).await;
    (status, code)
}

#[tokio::test]
async fn a_password_change_ends_every_session_everywhere() {
    let app = TestApp::spawn().await;
    let (email, password, first) = app.register().await;
    let second = app.login(&email, &password).await;
    let (old_a, old_b) = (token(&first), token(&second));
    let mut ws = socket(&app, &old_b).await;
    let mcp = mcp_token(&app, &old_a).await;
    let feed = feed_path(&app, &old_a).await;
    assert_eq!(mcp_status(&app, &mcp).await, 200);
    assert_eq!(
        app.http
            .get(app.url(&feed))
            .send()
            .await
            .expect("feed")
            .status(),
        200
    );

    let res = app
        .post_auth(
            "/api/users/me/password",
            &old_a,
            &json!({"current_password": password, "new_password": "a brand new secret"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let fresh: Value = res.json().await.expect("json");

    let (code, took) = closed(&mut ws, CLOSE_WITHIN).await;
    assert_eq!(code, 4003, "closed as an ended session after {took:?}");
    for old in [&old_a, &old_b] {
        assert_eq!(me_code(&app, old).await, (401, "session_ended".to_owned()));
        let res = app.get_auth("/api/tasks", old).await;
        assert_eq!(res.status(), 401);
    }
    let refused = app
        .refresh(second["refresh_token"].as_str().expect("refresh"))
        .await;
    assert_eq!(refused.status(), 401);
    assert_eq!(mcp_status(&app, &mcp).await, 401, "MCP token revoked");
    let feed_res = app.http.get(app.url(&feed)).send().await.expect("feed");
    assert_eq!(feed_res.status(), 404, "calendar URL withdrawn");
    // The old socket cannot come back; the new session works and can open one.
    let status = tokio_tungstenite::connect_async(app.ws_url(&format!("access_token={old_b}")))
        .await
        .err()
        .and_then(|e| match e {
            tokio_tungstenite::tungstenite::Error::Http(r) => Some(r.status().as_u16()),
            _ => None,
        });
    assert_eq!(status, Some(401));
    assert_eq!(me_code(&app, &token(&fresh)).await.0, 200);
    let _ws = socket(&app, &token(&fresh)).await;
    let new_refresh = fresh["refresh_token"].as_str().expect("refresh");
    assert_eq!(app.refresh(new_refresh).await.status(), 200);
}

#[tokio::test]
async fn logging_out_everywhere_refuses_every_access_token_and_closes_streams() {
    let app = TestApp::spawn().await;
    let (email, password, first) = app.register().await;
    let second = app.login(&email, &password).await;
    let mut ws = socket(&app, &token(&second)).await;

    let res = app
        .post_auth("/api/auth/logout", &token(&first), &json!({"all": true}))
        .await;
    assert_eq!(res.status(), 204);

    let (code, _) = closed(&mut ws, CLOSE_WITHIN).await;
    assert_eq!(code, 4003);
    for session in [&first, &second] {
        assert_eq!(
            me_code(&app, &token(session)).await,
            (401, "session_ended".to_owned())
        );
        let refresh = session["refresh_token"].as_str().expect("refresh");
        assert_eq!(app.refresh(refresh).await.status(), 401);
    }
    // Signing in again starts a session that works.
    let third = app.login(&email, &password).await;
    assert_eq!(me_code(&app, &token(&third)).await.0, 200);
}

#[tokio::test]
async fn sessions_are_listed_and_one_can_be_ended_from_another() {
    let app = TestApp::spawn().await;
    let (email, password, first) = app.register().await;
    let res = app
        .http
        .post(app.url("/api/auth/login"))
        .header("user-agent", "Maigie-Phone/2.1")
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 200);
    let phone: Value = res.json().await.expect("json");
    let mut phone_ws = socket(&app, &token(&phone)).await;

    let res = app.get_auth("/api/users/me/sessions", &token(&first)).await;
    assert_eq!(res.status(), 200);
    let list: Vec<Value> = res.json().await.expect("json");
    assert_eq!(list.len(), 2, "{list:?}");
    let current: Vec<&Value> = list.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1, "exactly one is the caller's: {list:?}");
    let phone_session = list
        .iter()
        .find(|s| s["user_agent"] == "Maigie-Phone/2.1")
        .expect("the phone's session is listed");
    assert_eq!(phone_session["current"], false);
    assert_eq!(phone_session["ip"], "127.0.0.1");
    let id = phone_session["id"].as_str().expect("id").to_owned();

    // Another user cannot see or end it.
    let (_, _, other) = app.register().await;
    let path = format!("/api/users/me/sessions/{id}");
    let res = app.delete_auth(&path, &token(&other), &json!(null)).await;
    assert_eq!(res.status(), 404);
    assert_eq!(me_code(&app, &token(&phone)).await.0, 200);

    let res = app.delete_auth(&path, &token(&first), &json!(null)).await;
    assert_eq!(res.status(), 204);
    let (code, _) = closed(&mut phone_ws, CLOSE_WITHIN).await;
    assert_eq!(code, 4003);
    assert_eq!(
        me_code(&app, &token(&phone)).await,
        (401, "token_revoked".to_owned())
    );
    let refresh = phone["refresh_token"].as_str().expect("refresh");
    assert_eq!(app.refresh(refresh).await.status(), 401);
    // The caller's own session goes on; the ended one is gone from the list.
    assert_eq!(me_code(&app, &token(&first)).await.0, 200);
    let res = app.get_auth("/api/users/me/sessions", &token(&first)).await;
    let list: Vec<Value> = res.json().await.expect("json");
    assert_eq!(list.len(), 1);
    let res = app.delete_auth(&path, &token(&first), &json!(null)).await;
    assert_eq!(res.status(), 404, "already ended");
}

#[tokio::test]
async fn a_refreshed_session_keeps_its_id_and_is_shown_as_used_later() {
    let app = TestApp::spawn().await;
    let (_, _, first) = app.register().await;
    let res = app.get_auth("/api/users/me/sessions", &token(&first)).await;
    let before: Vec<Value> = res.json().await.expect("json");
    let res = app
        .refresh(first["refresh_token"].as_str().expect("refresh"))
        .await;
    assert_eq!(res.status(), 200);
    let renewed: Value = res.json().await.expect("json");
    let res = app
        .get_auth("/api/users/me/sessions", &token(&renewed))
        .await;
    let after: Vec<Value> = res.json().await.expect("json");
    assert_eq!(after.len(), 1);
    assert_eq!(after[0]["id"], before[0]["id"]);
    assert_eq!(after[0]["current"], true);
    assert_eq!(after[0]["created_at"], before[0]["created_at"]);
    assert!(after[0]["last_used_at"].as_str() >= before[0]["last_used_at"].as_str());
}

#[tokio::test]
async fn deleting_the_account_closes_its_sockets_and_refuses_its_tokens() {
    let app = TestApp::spawn().await;
    let (email, password, first) = app.register().await;
    let second = app.login(&email, &password).await;
    let mut ws = socket(&app, &token(&second)).await;

    let res = app
        .delete_auth(
            "/api/users/me",
            &token(&first),
            &json!({"password": password}),
        )
        .await;
    assert_eq!(res.status(), 204);

    let (code, _) = closed(&mut ws, CLOSE_WITHIN).await;
    assert_eq!(code, 4003);
    let (status, _) = me_code(&app, &token(&second)).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_socket_closes_when_its_token_expires() {
    let app = TestApp::spawn_with(vec![("JWT_ACCESS_TTL_SECS", "3".into())]).await;
    let (_, _, session) = app.register().await;
    let mut ws = socket(&app, &token(&session)).await;

    let (code, took) = closed(&mut ws, Duration::from_secs(6)).await;
    assert_eq!(code, 4001, "closed as expired after {took:?}");
}

#[tokio::test]
async fn a_new_socket_over_the_per_user_cap_replaces_the_oldest() {
    let app = TestApp::spawn_with(vec![("WS_MAX_CONNECTIONS_PER_USER", "2".into())]).await;
    let (_, _, session) = app.register().await;
    let access = token(&session);
    let mut oldest = socket(&app, &access).await;
    let mut middle = socket(&app, &access).await;
    let mut newest = socket(&app, &access).await;

    let (code, _) = closed(&mut oldest, CLOSE_WITHIN).await;
    assert_eq!(code, 4009);
    // The other two are still served. (Live events, such as the welcome the new
    // account's onboarding sends, can come first: wait for the pong itself.)
    for ws in [&mut middle, &mut newest] {
        ws.send(Message::Text(r#"{"type":"ping"}"#.into()))
            .await
            .expect("send");
        maigie_tests::next_event(ws, "pong", Duration::from_secs(5))
            .await
            .expect("pong");
    }
}

#[tokio::test]
async fn password_checks_are_limited_like_sign_in() {
    let app = TestApp::spawn_with(vec![("RATE_LIMIT_AUTH_PER_MINUTE", "3".into())]).await;
    let (_, _, session) = app.register().await;
    let access = token(&session);
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let res = app
            .post_auth(
                "/api/users/me/password",
                &access,
                &json!({"current_password": "not it at all", "new_password": "another secret"}),
            )
            .await;
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses, [422, 422, 422, 429]);
    // Ordinary requests of the same user are not held back by it.
    assert_eq!(me_code(&app, &access).await.0, 200);
}

/// Google sign-in for `email` (verified) through the fake provider.
async fn google_sign_in(app: &TestApp, idp: &FakeIdp, email: &str) -> Value {
    let res = app
        .http
        .get(app.url("/api/auth/oauth/google/authorize"))
        .send()
        .await
        .expect("authorize");
    let location = res.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let params: std::collections::HashMap<String, String> = url::Url::parse(&location)
        .expect("absolute URL")
        .query_pairs()
        .into_owned()
        .collect();
    let identity = json!({ "sub": format!("g-{}", uuid::Uuid::new_v4().simple()),
                           "email": email, "email_verified": true, "name": "Owner" });
    let code = idp.consent(&params["code_challenge"], identity);
    let res = app
        .http
        .get(app.url("/api/auth/oauth/google/callback"))
        .query(&[("code", code.as_str()), ("state", params["state"].as_str())])
        .send()
        .await
        .expect("callback");
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
}

#[tokio::test]
async fn a_google_takeover_leaves_the_pre_registered_squatter_nothing() {
    let idp = FakeIdp::start().await;
    let app = TestApp::spawn_with(idp.overrides()).await;
    // Someone registered the address first (unverified) and kept every credential
    // they could: a socket, an MCP token, the calendar feed URL.
    let (email, _, squatter) = app.register().await;
    let mut ws = socket(&app, &token(&squatter)).await;
    let mcp = mcp_token(&app, &token(&squatter)).await;
    let feed = feed_path(&app, &token(&squatter)).await;

    let owner = google_sign_in(&app, &idp, &email).await;

    let (code, _) = closed(&mut ws, CLOSE_WITHIN).await;
    assert_eq!(code, 4003);
    assert_eq!(
        me_code(&app, &token(&squatter)).await,
        (401, "session_ended".to_owned())
    );
    assert_eq!(mcp_status(&app, &mcp).await, 401);
    let feed_res = app.http.get(app.url(&feed)).send().await.expect("feed");
    assert_eq!(feed_res.status(), 404);
    assert_eq!(me_code(&app, &token(&owner)).await.0, 200);
}
