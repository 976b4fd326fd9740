//! Voice messages end to end: real speech from espeak-ng posted to a conversation, heard
//! by the local faster-whisper server, answered by the assistant through the
//! `voice_message` workflow on the real Temporal server, and spoken back; the events
//! on the WebSocket, the signed audio links, confirmations and bad input. A speech
//! server that is down or dies mid-request: `voice_resilience`; where the audio is kept
//! and how it goes: `voice_audio`.

use std::time::Duration;

use maigie_tests::{TestApp, Ws, connect_ws, db, error_code, next_event, token};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::chat::{berlin_tomorrow_at, create_task, history_of, tasks, title_of, wait_status};
use crate::voice::{peak, spoken, stt_env, voice_available};

pub(crate) const EVENTS: Duration = Duration::from_secs(90);

/// A Premium user (Europe/Berlin) with a conversation.
pub(crate) async fn premium_with_conversation(app: &TestApp) -> (String, String) {
    let (email, _, body) = app.register().await;
    sqlx::query("UPDATE users SET tier = 'PREMIUM_MONTHLY' WHERE email = $1")
        .bind(&email)
        .execute(&db().await)
        .await
        .expect("premium");
    let t = token(&body);
    let res = app
        .patch_auth("/api/users/me", &t, &json!({"timezone": "Europe/Berlin"}))
        .await;
    assert_eq!(res.status(), 200);
    let conv: Value = app
        .post_auth("/api/chat/conversations", &t, &json!({}))
        .await
        .json()
        .await
        .expect("json");
    (t, conv["id"].as_str().expect("id").to_owned())
}

pub(crate) async fn post_voice(
    app: &TestApp,
    t: &str,
    conv: &str,
    audio: Vec<u8>,
    name: &str,
) -> reqwest::Response {
    let form = Form::new()
        .part("file", Part::bytes(audio).file_name(name.to_owned()))
        .text("language", "en");
    app.http
        .post(app.url(&format!("/api/chat/conversations/{conv}/voice")))
        .bearer_auth(t)
        .multipart(form)
        .send()
        .await
        .expect("request")
}

/// Posts `text`, spoken by espeak-ng, as a voice message: (the 202 body, its id).
pub(crate) async fn say(app: &TestApp, t: &str, conv: &str, text: &str) -> (Value, String) {
    let body = accepted(post_voice(app, t, conv, spoken(text), "said.wav").await).await;
    let id = body["voice_message_id"].as_str().expect("id").to_owned();
    (body, id)
}

pub(crate) async fn accepted(res: reqwest::Response) -> Value {
    assert_eq!(res.status(), 202, "voice message accepted");
    res.json().await.expect("json")
}

/// The next `kind` event about voice message `id`.
pub(crate) async fn voice_event(ws: &mut Ws, kind: &str, id: &str) -> Value {
    loop {
        let event = next_event(ws, kind, EVENTS).await.expect(kind);
        if event["data"]["voice_message_id"] == id {
            return event;
        }
    }
}

/// The audio behind a signed link (the link names the configured public host: the
/// request goes to the test app with the same path and query).
pub(crate) async fn fetch(app: &TestApp, url: &str) -> reqwest::Response {
    let path = &url[url.find("/api/").expect("an API path")..];
    app.http.get(app.url(path)).send().await.expect("fetch")
}

#[tokio::test]
async fn a_spoken_request_adds_the_task_and_the_answer_comes_back_spoken() {
    if !voice_available() {
        return;
    }
    let app = TestApp::spawn_with(stt_env()).await;
    let (t, conv) = premium_with_conversation(&app).await;
    let mut ws = connect_ws(&app, &format!("access_token={t}"))
        .await
        .expect("ws");

    let wav = spoken("Create a task to call the dentist tomorrow at 10am.");
    let body = accepted(post_voice(&app, &t, &conv, wav, "request.wav").await).await;
    let id = body["voice_message_id"].as_str().expect("id").to_owned();
    assert_eq!(body["status"], "transcribing");
    assert_eq!(body["conversation_id"], conv.as_str());
    assert_eq!(body["workflow_id"], format!("voice-message-{id}"));

    let heard = voice_event(&mut ws, "voice.transcript", &id).await;
    let text = heard["data"]["text"].as_str().expect("text").to_lowercase();
    assert!(
        text.contains("call the dentist tomorrow at 10"),
        "heard {text:?}"
    );
    let done = next_event(&mut ws, "chat.done", EVENTS)
        .await
        .expect("chat.done");
    assert_eq!(done["data"]["action_id"], body["action_id"]);
    assert_eq!(done["data"]["status"], "completed", "{done}");
    let audio = voice_event(&mut ws, "voice.audio", &id).await;
    assert_eq!(audio["data"]["content_type"], "audio/wav");
    assert!(audio["data"]["duration_secs"].as_f64().expect("secs") > 0.5);

    // The spoken answer is real, audible audio behind the signed link; no token needed.
    let url = audio["data"]["url"].as_str().expect("url").to_owned();
    let res = fetch(&app, &url).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "audio/wav");
    let wav = res.bytes().await.expect("audio");
    assert!(wav.starts_with(b"RIFF"));
    assert!(peak(&wav) > 1_000, "the answer is not silent");

    // The task exists, due tomorrow at 10:00 in the user's zone.
    let all = tasks(&app, &t).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert!(
        all[0]["title"]
            .as_str()
            .expect("title")
            .to_lowercase()
            .contains("dentist")
    );
    let due: chrono::DateTime<chrono::Utc> = all[0]["due_at"]
        .as_str()
        .expect("due")
        .parse()
        .expect("instant");
    assert_eq!(due, berlin_tomorrow_at(10));

    // The transcript is the user's message, marked as heard.
    let history = history_of(&app, &t, &conv).await;
    let user: Vec<&Value> = history["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|m| m["role"] == "user")
        .collect();
    assert_eq!(user.len(), 1);
    assert_eq!(user[0]["source"], "voice");
    assert_eq!(user[0]["id"], heard["data"]["message_id"]);
    // It names the untitled conversation, as a typed first message does.
    let first: String = heard["data"]["text"]
        .as_str()
        .expect("text")
        .chars()
        .take(60)
        .collect();
    assert_eq!(title_of(&app, &t, &conv).await, first.trim());

    let view: Value = app
        .get_auth(&format!("/api/voice/messages/{id}"), &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(view["status"], "completed");
    assert_eq!(view["transcript"], heard["data"]["text"]);
    let recording = fetch(&app, view["recording"]["url"].as_str().expect("url")).await;
    assert_eq!(recording.status(), 200);
    assert!(recording.bytes().await.expect("bytes").starts_with(b"RIFF"));

    // Seconds heard and spoken are metered once each.
    let usage: Value = app
        .get_auth("/api/users/me/usage", &t)
        .await
        .json()
        .await
        .expect("json");
    let used = usage["voice"]["seconds_used"].as_f64().expect("seconds");
    let heard_secs = heard["data"]["duration_secs"].as_f64().expect("secs");
    let spoken_secs = audio["data"]["duration_secs"].as_f64().expect("secs");
    assert!(
        (used - heard_secs - spoken_secs).abs() < 0.05,
        "{used} vs {heard_secs} + {spoken_secs}"
    );

    // A link that was tampered with, or points at another message, opens nothing;
    // another user's message is not found.
    let forged = url.replace("signature=", "signature=00");
    let (status, code, _) = error_code(fetch(&app, &forged).await).await;
    assert_eq!((status, code.as_str()), (403, "invalid_signature"));
    let other = url.replace(&id, &Uuid::new_v4().to_string());
    let (status, code, _) = error_code(fetch(&app, &other).await).await;
    assert_eq!((status, code.as_str()), (403, "invalid_signature"));
    let (other_t, _) = premium_with_conversation(&app).await;
    let res = app
        .get_auth(&format!("/api/voice/messages/{id}"), &other_t)
        .await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn a_spoken_delete_waits_for_confirmation_like_a_typed_one() {
    if !voice_available() {
        return;
    }
    let app = TestApp::spawn_with(stt_env()).await;
    let (t, conv) = premium_with_conversation(&app).await;
    create_task(&app, &t, "Call the dentist").await;
    let mut ws = connect_ws(&app, &format!("access_token={t}"))
        .await
        .expect("ws");

    let body =
        accepted(post_voice(&app, &t, &conv, spoken("Delete my dentist task."), "d.wav").await)
            .await;
    let id = body["voice_message_id"].as_str().expect("id").to_owned();
    let action = body["action_id"].as_str().expect("action").to_owned();
    voice_event(&mut ws, "voice.transcript", &id).await;
    let pending = next_event(&mut ws, "chat.confirmation_required", EVENTS)
        .await
        .expect("confirmation");
    assert_eq!(pending["data"]["action_id"], action.as_str());
    assert_eq!(pending["data"]["calls"][0]["tool"], "delete_task");
    assert_eq!(
        tasks(&app, &t).await.len(),
        1,
        "nothing deleted before confirmation"
    );

    let res = app
        .post_auth(
            &format!("/api/chat/actions/{action}/confirm"),
            &t,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 202);
    wait_status(&app, &t, &action, "completed").await;
    voice_event(&mut ws, "voice.audio", &id).await;
    assert!(tasks(&app, &t).await.is_empty(), "deleted once confirmed");
}

#[tokio::test]
async fn bad_voice_messages_are_refused_before_any_work() {
    let app = TestApp::spawn_with(stt_env()).await;
    let (t, conv) = premium_with_conversation(&app).await;
    let wav = if voice_available() {
        spoken("hello")
    } else {
        return;
    };

    let png = [&b"\x89PNG\r\n\x1a\n"[..], &[0u8; 64]].concat();
    let (status, code, _) = error_code(post_voice(&app, &t, &conv, png, "fake.webm").await).await;
    assert_eq!((status, code.as_str()), (415, "unsupported_audio_format"));
    let (status, code, _) =
        error_code(post_voice(&app, &t, &conv, Vec::new(), "empty.wav").await).await;
    assert_eq!((status, code.as_str()), (400, "audio_empty"));
    let (status, code, _) =
        error_code(post_voice(&app, &t, &conv, wav[..20].to_vec(), "cut.wav").await).await;
    assert_eq!((status, code.as_str()), (400, "audio_corrupt"));
    let res = post_voice(&app, &t, &Uuid::new_v4().to_string(), wav.clone(), "a.wav").await;
    assert_eq!(res.status(), 404);
    let (other_t, _) = premium_with_conversation(&app).await;
    let res = post_voice(&app, &other_t, &conv, wav.clone(), "a.wav").await;
    assert_eq!(res.status(), 404, "another user's conversation");

    let (_, _, free) = app.register().await;
    let free_t = token(&free);
    let free_conv: Value = app
        .post_auth("/api/chat/conversations", &free_t, &json!({}))
        .await
        .json()
        .await
        .expect("json");
    let free_conv = free_conv["id"].as_str().expect("id");
    let (status, code, _) =
        error_code(post_voice(&app, &free_t, free_conv, wav, "a.wav").await).await;
    assert_eq!((status, code.as_str()), (402, "tier_limit_reached"));

    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM voice_messages WHERE conversation_id = $1::uuid")
            .bind(&conv)
            .fetch_one(&db().await)
            .await
            .expect("count");
    assert_eq!(stored, 0, "nothing stored for refused audio");
}

#[tokio::test]
async fn silence_fails_the_message_with_a_readable_reason_and_answers_nothing() {
    if !voice_available() {
        return;
    }
    let app = TestApp::spawn_with(stt_env()).await;
    let (t, conv) = premium_with_conversation(&app).await;
    let mut ws = connect_ws(&app, &format!("access_token={t}"))
        .await
        .expect("ws");
    let body = accepted(
        post_voice(
            &app,
            &t,
            &conv,
            maigie_tests::audio::silent_wav(2),
            "quiet.wav",
        )
        .await,
    )
    .await;
    let id = body["voice_message_id"].as_str().expect("id").to_owned();

    let failed = voice_event(&mut ws, "voice.failed", &id).await;
    assert_eq!(failed["data"]["stage"], "transcribe");
    assert_eq!(failed["data"]["code"], "audio_silent");
    let action = body["action_id"].as_str().expect("action");
    let a = wait_status(&app, &t, action, "failed").await;
    assert!(
        a["error"].as_str().is_some_and(|e| e.contains("No speech")),
        "{a}"
    );
    let view: Value = app
        .get_auth(&format!("/api/voice/messages/{id}"), &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(view["status"], "failed");
    assert!(tasks(&app, &t).await.is_empty());
}
