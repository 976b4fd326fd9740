//! `GET /ws`: authentication, replay after a reconnect, keep-alive and shutdown.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use maigie_tests::{TestApp, Ws, connect_ws, next_event, next_json, token};
use serde_json::json;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

const WAIT: Duration = Duration::from_secs(10);

async fn rename(app: &TestApp, access: &str, name: &str) {
    let res = app
        .patch_auth("/api/users/me", access, &json!({ "name": name }))
        .await;
    assert_eq!(res.status(), 200);
}

/// A fresh user whose onboarding is over (its `welcome` event seen), so the stream
/// holds only what the test itself causes; answers the token and that event's id.
async fn settled_user(app: &TestApp) -> (String, String) {
    let (_, _, session) = app.register().await;
    let access = token(&session);
    let mut ws = connect_ws(app, &format!("access_token={access}&last_event_id=0"))
        .await
        .expect("ws connects");
    let welcome = next_event(&mut ws, "welcome", Duration::from_secs(30))
        .await
        .expect("welcome event");
    let id = welcome["id"].as_str().expect("id").to_owned();
    (access, id)
}

async fn handshake_status(app: &TestApp, query: &str) -> u16 {
    match tokio_tungstenite::connect_async(app.ws_url(query)).await {
        Err(WsError::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("the upgrade was accepted"),
    }
}

/// The next frame that is not a ping, answering pings on the way.
async fn next_non_ping(ws: &mut Ws) -> Option<Message> {
    tokio::time::timeout(WAIT, async {
        while let Some(msg) = ws.next().await {
            match msg {
                Ok(Message::Ping(_) | Message::Pong(_)) => {}
                Ok(other) => return Some(other),
                Err(_) => return None,
            }
        }
        None
    })
    .await
    .expect("a frame in time")
}

#[tokio::test]
async fn the_upgrade_is_refused_without_a_valid_token() {
    let app = TestApp::spawn().await;

    let without = handshake_status(&app, "").await;
    let garbage = handshake_status(&app, "access_token=garbage").await;

    assert_eq!(without, 401);
    assert_eq!(garbage, 401);
}

#[tokio::test]
async fn a_malformed_last_event_id_is_refused_with_400() {
    let app = TestApp::spawn().await;
    let (_, _, session) = app.register().await;

    let status = handshake_status(
        &app,
        &format!("access_token={}&last_event_id=abc", token(&session)),
    )
    .await;

    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_reconnecting_client_gets_exactly_what_it_missed_then_live_events() {
    let app = TestApp::spawn().await;
    let (access, welcome_id) = settled_user(&app).await;
    let mut ws = connect_ws(
        &app,
        &format!("access_token={access}&last_event_id={welcome_id}"),
    )
    .await
    .expect("ws connects");
    rename(&app, &access, "one").await;
    let first = next_json(&mut ws, WAIT).await.expect("event 1");
    assert_eq!(
        (first["type"].as_str(), first["data"]["name"].as_str()),
        (Some("user.updated"), Some("one"))
    );
    ws.close(None).await.expect("close");

    for name in ["two", "three", "four"] {
        rename(&app, &access, name).await;
    }
    let last_seen = first["id"].as_str().expect("id");
    let mut ws = connect_ws(
        &app,
        &format!("access_token={access}&last_event_id={last_seen}"),
    )
    .await
    .expect("ws reconnects");

    let mut replayed = Vec::new();
    for _ in 0..3 {
        replayed.push(next_json(&mut ws, WAIT).await.expect("missed event"));
    }
    rename(&app, &access, "five").await;
    let live = next_json(&mut ws, WAIT).await.expect("live event");

    let names: Vec<&str> = replayed
        .iter()
        .chain([&live])
        .map(|e| e["data"]["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["two", "three", "four", "five"]);
    assert!(replayed.iter().all(|e| e["type"] == "user.updated"));
    let ids: Vec<&str> = replayed
        .iter()
        .chain([&live])
        .map(|e| e["id"].as_str().expect("id"))
        .collect();
    let mut sorted = ids.clone();
    sorted.sort_by_key(|id| {
        let (ms, seq) = id.split_once('-').expect("stream id");
        (
            ms.parse::<u64>().expect("ms"),
            seq.parse::<u64>().expect("seq"),
        )
    });
    sorted.dedup();
    assert_eq!(ids, sorted, "strictly increasing ids");
}

#[tokio::test]
async fn the_server_pings_idle_sockets() {
    let app = TestApp::spawn_with(vec![("WS_PING_SECS", "1".into())]).await;
    let (_, _, session) = app.register().await;
    let mut ws = connect_ws(&app, &format!("access_token={}", token(&session)))
        .await
        .expect("ws connects");

    let ping = tokio::time::timeout(Duration::from_secs(3), async {
        while let Some(msg) = ws.next().await {
            if let Ok(Message::Ping(_)) = msg {
                return true;
            }
        }
        false
    })
    .await;

    assert_eq!(ping, Ok(true), "a ping within 3 s");
}

#[tokio::test]
async fn a_client_ping_gets_a_pong() {
    let app = TestApp::spawn().await;
    let (_, _, session) = app.register().await;
    let mut ws = connect_ws(&app, &format!("access_token={}", token(&session)))
        .await
        .expect("ws connects");

    ws.send(Message::Text(json!({ "type": "ping" }).to_string().into()))
        .await
        .expect("send");

    let reply = next_event(&mut ws, "pong", WAIT).await.expect("pong");
    assert_eq!(reply, json!({ "type": "pong" }));
}

#[tokio::test]
async fn shutting_down_closes_open_sockets_with_1001() {
    let app = TestApp::spawn().await;
    let (_, _, session) = app.register().await;
    let mut ws = connect_ws(&app, &format!("access_token={}", token(&session)))
        .await
        .expect("ws connects");

    let (_, frame) = tokio::join!(app.shutdown(), next_non_ping(&mut ws));

    let Some(Message::Close(Some(close))) = frame else {
        panic!("expected a close frame, got {frame:?}");
    };
    assert_eq!(u16::from(close.code), 1001);
}
