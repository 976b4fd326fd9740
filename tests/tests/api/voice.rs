//! Voice: real speech from espeak-ng, heard by the local faster-whisper server that
//! `scripts/test` starts, and spoken back by espeak-ng.
//!
//! Skipped (loudly) only when `scripts/test` could not install espeak-ng
//! (`MAIGIE_VOICE_TESTS=0`): the app then answers 503 `voice_unavailable`.

use maigie_tests::audio::silent_wav;
use maigie_tests::{TestApp, db, error_code, token};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use uuid::Uuid;

pub(crate) fn voice_available() -> bool {
    if std::env::var("MAIGIE_VOICE_TESTS").as_deref() == Ok("0") {
        eprintln!("********** SKIPPED: espeak-ng is not installed (see scripts/test) **********");
        return false;
    }
    true
}

/// The speech-to-text server `scripts/test` started.
pub(crate) fn stt_url() -> String {
    std::env::var("VOICE_STT_BASE_URL").unwrap_or_else(|_| "http://127.0.0.1:8178/v1".into())
}

pub(crate) fn stt_env() -> Vec<(&'static str, String)> {
    vec![("VOICE_STT_BASE_URL", stt_url())]
}

/// `text` spoken by espeak-ng into a WAV, as a user's recording.
pub(crate) fn spoken(text: &str) -> Vec<u8> {
    let path = std::env::temp_dir().join(format!("voice-test-{}.wav", Uuid::new_v4()));
    let status = std::process::Command::new("espeak-ng")
        .args(["-v", "en-us", "-w"])
        .arg(&path)
        .arg(text)
        .status()
        .expect("espeak-ng runs");
    assert!(status.success(), "espeak-ng failed");
    let wav = std::fs::read(&path).expect("espeak-ng wrote the WAV");
    let _ = std::fs::remove_file(&path);
    wav
}

/// The largest absolute 16-bit sample after the header (0 for silence).
pub(crate) fn peak(wav: &[u8]) -> i32 {
    let data = wav
        .windows(4)
        .position(|w| w == b"data")
        .expect("a data chunk")
        + 8;
    wav[data..]
        .chunks_exact(2)
        .map(|s| i32::from(i16::from_le_bytes([s[0], s[1]])).abs())
        .max()
        .unwrap_or(0)
}

pub(crate) async fn premium_user(app: &TestApp) -> String {
    let (email, _, body) = app.register().await;
    sqlx::query("UPDATE users SET tier = 'PREMIUM_MONTHLY' WHERE email = $1")
        .bind(&email)
        .execute(&db().await)
        .await
        .expect("premium");
    token(&body)
}

async fn transcribe(app: &TestApp, token: &str, audio: Vec<u8>, name: &str) -> reqwest::Response {
    let form = Form::new()
        .part("file", Part::bytes(audio).file_name(name.to_owned()))
        .text("language", "en");
    app.http
        .post(app.url("/api/voice/transcribe"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn a_spoken_request_is_transcribed_and_its_seconds_are_metered() {
    if !voice_available() {
        return;
    }
    let app = TestApp::spawn_with(stt_env()).await;
    let token = premium_user(&app).await;
    let wav = spoken("add a task to call the dentist tomorrow at 10am");

    let res = transcribe(&app, &token, wav, "request.wav").await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.expect("json");
    let text = body["text"].as_str().expect("text").to_lowercase();
    assert!(
        text.contains("call the dentist tomorrow at 10"),
        "heard {text:?}"
    );
    assert_eq!(body["language"], "en");
    let seconds = body["duration_secs"].as_f64().expect("duration");
    assert!((2.0..6.0).contains(&seconds), "{seconds} s");

    let usage: Value = app
        .get_auth("/api/users/me/usage", &token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(usage["voice"]["allowed"], true);
    let used = usage["voice"]["seconds_used"].as_f64().expect("seconds");
    assert!(
        (used - seconds).abs() < 0.01,
        "metered {used}, heard {seconds}"
    );
    assert!(
        usage["kinds"]
            .as_array()
            .expect("kinds")
            .iter()
            .any(|k| k["kind"] == "stt")
    );
}

#[tokio::test]
async fn the_speak_endpoint_answers_a_non_silent_wav_and_meters_it() {
    if !voice_available() {
        return;
    }
    let app = TestApp::spawn_with(stt_env()).await;
    let token = premium_user(&app).await;

    let res = app
        .post_auth(
            "/api/voice/speak",
            &token,
            &json!({ "text": "Your task is saved." }),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "audio/wav");
    let wav = res.bytes().await.expect("audio").to_vec();
    assert_eq!(&wav[..4], b"RIFF");
    assert!(peak(&wav) > 1000, "the answer is silent");

    let usage: Value = app
        .get_auth("/api/users/me/usage", &token)
        .await
        .json()
        .await
        .expect("json");
    assert!(usage["voice"]["seconds_used"].as_f64().expect("seconds") > 0.5);

    let res = app
        .post_auth(
            "/api/voice/speak",
            &token,
            &json!({ "text": "hi", "format": "flac" }),
        )
        .await;
    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (422, "validation_failed"));
}

#[tokio::test]
async fn voice_is_premium_free_users_get_402() {
    // Uploads are capped at 1,000 bytes here: a plan without voice is refused before
    // the upload is read, so the larger recording answers 402, not 413.
    let mut env = stt_env();
    env.push(("VOICE_MAX_UPLOAD_BYTES", "1000".to_owned()));
    let app = TestApp::spawn_with(env).await;
    let (_, _, body) = app.register().await;
    let token = token(&body);

    let audio = spoken_or_stub();
    assert!(audio.len() > 1_000);
    let res = transcribe(&app, &token, audio.clone(), "a.wav").await;
    let (status, code, body) = error_code(res).await;
    assert_eq!((status, code.as_str()), (402, "tier_limit_reached"));
    assert_eq!(body["error"]["details"]["limit"], "voice");
    let conv: Value = app
        .post_auth("/api/chat/conversations", &token, &json!({}))
        .await
        .json()
        .await
        .expect("json");
    let id = conv["id"].as_str().expect("id");
    let form = Form::new().part("file", Part::bytes(audio).file_name("a.wav"));
    let res = app
        .http
        .post(app.url(&format!("/api/chat/conversations/{id}/voice")))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .expect("request");
    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (402, "tier_limit_reached"));

    let res = app
        .post_auth("/api/voice/speak", &token, &json!({ "text": "hello" }))
        .await;
    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (402, "tier_limit_reached"));
}

/// A short WAV (espeak-ng's when there, else one second of silence).
fn spoken_or_stub() -> Vec<u8> {
    if std::env::var("MAIGIE_VOICE_TESTS").as_deref() != Ok("0") {
        return spoken("hello");
    }
    silent_wav(1)
}

#[tokio::test]
async fn bad_audio_is_refused_with_a_stable_code_before_any_work() {
    let app = TestApp::spawn_with(
        [
            stt_env(),
            vec![
                ("VOICE_MAX_UPLOAD_BYTES", "200000".into()),
                ("VOICE_MAX_AUDIO_SECS", "5".into()),
            ],
        ]
        .concat(),
    )
    .await;
    let token = premium_user(&app).await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01".to_vec();
    let long = silent_wav(6);
    let cases: Vec<(&str, Vec<u8>, &str, u16, &str)> = vec![
        ("empty", Vec::new(), "a.webm", 400, "audio_empty"),
        (
            "a PNG named .webm",
            png,
            "a.webm",
            415,
            "unsupported_audio_format",
        ),
        (
            "too large",
            vec![0u8; 300_000],
            "a.mp3",
            413,
            "audio_too_large",
        ),
        (
            "a second over the cap",
            long,
            "a.wav",
            422,
            "audio_too_long",
        ),
        (
            "a WAV cut inside its header",
            b"RIFF\0\0\0\0WAVEfmt ".to_vec(),
            "a.wav",
            400,
            "audio_corrupt",
        ),
    ];
    for (what, audio, name, want_status, want_code) in cases {
        let res = transcribe(&app, &token, audio, name).await;
        let (status, code, _) = error_code(res).await;
        assert_eq!((status, code.as_str()), (want_status, want_code), "{what}");
    }
    let usage: Value = app
        .get_auth("/api/users/me/usage", &token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        usage["voice"]["seconds_used"], 0.0,
        "refused audio counted nothing"
    );
}
