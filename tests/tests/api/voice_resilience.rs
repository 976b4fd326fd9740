//! Voice messages when things go wrong: the speech server down for a while, or a worker
//! killed in the middle of a transcription (real proxy in front of the real server).

use maigie_tests::stt_proxy::{Misbehaviour, SttProxy};
use maigie_tests::{TestApp, WorkerProcess, connect_ws, db};
use serde_json::json;

use crate::chat::{history_of, tasks};
use crate::voice::{stt_url, voice_available};
use crate::voice_message::{EVENTS, premium_with_conversation, say, voice_event};

#[tokio::test]
async fn while_the_speech_server_is_down_the_message_waits_then_completes() {
    if !voice_available() {
        return;
    }
    let upstream = stt_url();
    let proxy = SttProxy::start(&upstream, Misbehaviour::DownFor(2)).await;
    let app = TestApp::spawn_with(vec![("VOICE_STT_BASE_URL", proxy.url.clone())]).await;
    let (t, conv) = premium_with_conversation(&app).await;
    let mut ws = connect_ws(&app, &format!("access_token={t}"))
        .await
        .expect("ws");
    let (body, id) = say(
        &app,
        &t,
        &conv,
        "Create a task to call the dentist tomorrow at 10am.",
    )
    .await;

    let pending = voice_event(&mut ws, "voice.pending", &id).await;
    assert_eq!(pending["data"]["action_id"], body["action_id"]);
    // Typed chat keeps working meanwhile.
    let typed = app
        .http
        .post(app.url(&format!("/api/chat/conversations/{conv}/messages")))
        .bearer_auth(&t)
        .header("accept", "application/json")
        .json(&json!({"content": "what is due today?"}))
        .send()
        .await
        .expect("send");
    assert_eq!(typed.status(), 202);
    voice_event(&mut ws, "voice.transcript", &id).await;
    voice_event(&mut ws, "voice.audio", &id).await;
    assert_eq!(proxy.requests(), 3, "two refused, one heard");
    assert_eq!(tasks(&app, &t).await.len(), 1);
}

#[tokio::test]
async fn a_worker_killed_during_transcription_completes_the_message_once() {
    if !voice_available() {
        return;
    }
    let upstream = stt_url();
    let proxy = SttProxy::start(&upstream, Misbehaviour::HoldFirst).await;
    let app = TestApp::spawn_api_only_with(vec![("VOICE_STT_BASE_URL", proxy.url.clone())]).await;
    let worker = WorkerProcess::start(&app);
    let (t, conv) = premium_with_conversation(&app).await;
    let mut ws = connect_ws(&app, &format!("access_token={t}"))
        .await
        .expect("ws");
    let (_, id) = say(
        &app,
        &t,
        &conv,
        "Create a task to call the dentist tomorrow at 10am.",
    )
    .await;

    tokio::time::timeout(EVENTS, proxy.first_request())
        .await
        .expect("transcription started");
    worker.kill_hard();
    let _second = WorkerProcess::start(&app);

    voice_event(&mut ws, "voice.audio", &id).await;
    assert_eq!(
        proxy.requests(),
        2,
        "heard again once, by the second worker"
    );
    assert_eq!(tasks(&app, &t).await.len(), 1, "the task was added once");
    let history = history_of(&app, &t, &conv).await;
    let heard = history["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|m| m["source"] == "voice")
        .count();
    assert_eq!(heard, 1, "the transcript was stored once");
    let metered: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM token_usage WHERE request_id = 'stt:voice:' || $1",
    )
    .bind(&id)
    .fetch_one(&db().await)
    .await
    .expect("count");
    assert_eq!(metered, 1, "counted once");
}
