//! Where voice audio is kept and how it goes: the local directory or an S3 bucket
//! (presigned links), deletion after the retention period and with the account.

use std::time::Duration;

use maigie_tests::{TestApp, connect_ws, db};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::chat::history_of;
use crate::voice::spoken;
use crate::voice::{peak, stt_env, voice_available};
use crate::voice_message::{accepted, fetch, post_voice, premium_with_conversation, voice_event};

fn audio_files(app: &TestApp) -> usize {
    let dir = app
        .env
        .iter()
        .find(|(k, _)| *k == "VOICE_STORAGE_DIR")
        .map(|(_, v)| std::path::PathBuf::from(v))
        .expect("storage dir");
    fn count(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir).map_or(0, |entries| {
            entries
                .flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        count(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
    }
    count(&dir)
}

#[tokio::test]
async fn audio_goes_with_the_account_and_after_the_retention_period() {
    if !voice_available() {
        return;
    }
    let app = TestApp::spawn_with(stt_env()).await;
    let (t, conv) = premium_with_conversation(&app).await;
    let mut ws = connect_ws(&app, &format!("access_token={t}"))
        .await
        .expect("ws");
    let first =
        accepted(post_voice(&app, &t, &conv, spoken("What is due today?"), "a.wav").await).await;
    let first_id = first["voice_message_id"].as_str().expect("id").to_owned();
    voice_event(&mut ws, "voice.audio", &first_id).await;
    assert_eq!(audio_files(&app), 2, "the recording and the answer");
    let view: Value = app
        .get_auth(&format!("/api/voice/messages/{first_id}"), &t)
        .await
        .json()
        .await
        .expect("json");

    // Past retention: the schedule's workflow deletes the message and its audio; the
    // transcript stays in the conversation.
    sqlx::query(
        "UPDATE voice_messages SET created_at = now() - interval '31 days' WHERE id = $1::uuid",
    )
    .bind(&first_id)
    .execute(&db().await)
    .await
    .expect("backdate");
    // Scoped to this user: other tests' audio lives in other directories.
    let user: Value = app
        .get_auth("/api/users/me", &t)
        .await
        .json()
        .await
        .expect("json");
    let input = json!({"user_id": user["id"]}).to_string();
    let run = maigie_tests::own_temporal::temporal_json(&[
        "workflow",
        "execute",
        "--type",
        "voice_retention",
        "--task-queue",
        &app.task_queue,
        "--workflow-id",
        &format!("voice-retention-test-{}", Uuid::new_v4()),
        "--input",
        &input,
    ]);
    assert!(run.to_string().contains("objects_deleted"), "{run}");
    assert_eq!(audio_files(&app), 0, "audio past retention is deleted");
    assert_eq!(
        app.get_auth(&format!("/api/voice/messages/{first_id}"), &t)
            .await
            .status(),
        404
    );
    let gone = fetch(&app, view["answer"]["url"].as_str().expect("url")).await;
    assert_eq!(gone.status(), 404, "its links open nothing");
    let history = history_of(&app, &t, &conv).await;
    assert!(
        history["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|m| m["source"] == "voice")
    );

    // Deleting the account deletes its audio within seconds.
    let second =
        accepted(post_voice(&app, &t, &conv, spoken("What is due today?"), "b.wav").await).await;
    let second_id = second["voice_message_id"].as_str().expect("id").to_owned();
    voice_event(&mut ws, "voice.audio", &second_id).await;
    assert_eq!(audio_files(&app), 2);
    let res = app
        .delete_auth(
            "/api/users/me",
            &t,
            &json!({"password": "correct horse battery"}),
        )
        .await;
    assert_eq!(res.status(), 204);
    for _ in 0..300 {
        if audio_files(&app) == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the deleted account's audio is still stored");
}

#[tokio::test]
async fn with_an_s3_store_the_audio_is_kept_there_and_linked_presigned() {
    if !voice_available() {
        return;
    }
    let s3 = maigie_tests::fake_s3::FakeS3::start().await;
    let mut env = stt_env();
    env.extend(s3.overrides("voice-bucket"));
    let app = TestApp::spawn_with(env).await;
    let (t, conv) = premium_with_conversation(&app).await;
    let mut ws = connect_ws(&app, &format!("access_token={t}"))
        .await
        .expect("ws");
    let body =
        accepted(post_voice(&app, &t, &conv, spoken("What is due today?"), "a.wav").await).await;
    let id = body["voice_message_id"].as_str().expect("id").to_owned();

    let audio = voice_event(&mut ws, "voice.audio", &id).await;
    let url = audio["data"]["url"].as_str().expect("url");
    assert!(
        url.starts_with(&s3.endpoint),
        "a presigned link to the store: {url}"
    );
    assert!(url.contains("X-Amz-Signature="), "{url}");
    let wav = app.http.get(url).send().await.expect("fetch");
    assert_eq!(wav.status(), 200);
    assert!(peak(&wav.bytes().await.expect("bytes")) > 1_000);
    let simple = Uuid::parse_str(&id).expect("uuid").simple().to_string();
    let keys: Vec<String> = s3
        .keys()
        .into_iter()
        .filter(|k| k.contains(&simple))
        .collect();
    assert_eq!(keys.len(), 2, "recording and answer: {keys:?}");
    assert!(
        keys.iter()
            .all(|k| k.starts_with("voice-bucket/maigie/voice/")),
        "{keys:?}"
    );

    let res = app
        .delete_auth(
            "/api/users/me",
            &t,
            &json!({"password": "correct horse battery"}),
        )
        .await;
    assert_eq!(res.status(), 204);
    for _ in 0..300 {
        if !s3.keys().iter().any(|k| k.contains(&simple)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the deleted account's audio is still in the bucket: {:?}",
        s3.keys()
    );
}
