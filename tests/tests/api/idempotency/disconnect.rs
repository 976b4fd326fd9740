//! A keyed request whose client goes away mid-request: the server drops the
//! connection, but the request still runs to its end and its answer is kept, so the
//! retry replays it instead of hearing "in progress" and then "outcome unknown".

use std::time::Duration;

use maigie_tests::{TestApp, db, token};
use serde_json::{Value, json};
use sqlx::PgConnection;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use uuid::Uuid;

/// Polls `check` every 50 ms for up to 10 s (each poll is a cheap query).
async fn within_10s(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("not within 10 s: {what}");
}

/// Whether some session waits for a lock that `conn` holds. `conn` is inside a
/// transaction, where PostgreSQL would answer every poll from the activity snapshot
/// taken at the first one (missing a backend that started waiting, or connected,
/// since): the snapshot is dropped first.
async fn someone_waits_on(conn: &mut PgConnection) -> bool {
    sqlx::query("SELECT pg_stat_clear_snapshot()")
        .execute(&mut *conn)
        .await
        .expect("fresh activity snapshot");
    sqlx::query_scalar::<_, i64>(
        "SELECT count(*) FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))",
    )
    .fetch_one(conn)
    .await
    .expect("pg_stat_activity")
        > 0
}

async fn claim_finished(user: Uuid, key: &str) -> bool {
    sqlx::query_scalar::<_, Option<i32>>(
        "SELECT response_status FROM idempotency_keys WHERE user_id = $1 AND key = $2",
    )
    .bind(user)
    .bind(key)
    .fetch_optional(&db().await)
    .await
    .expect("claim")
    .flatten()
    .is_some()
}

#[tokio::test]
async fn a_keyed_request_whose_client_disconnects_still_finishes_and_its_retry_replays() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let user: Uuid = s["user"]["id"].as_str().expect("id").parse().expect("uuid");
    let goal: Value = app
        .post_auth("/api/goals", &t, &json!({ "title": "Exams" }))
        .await
        .json()
        .await
        .expect("json");
    let goal = goal["id"].as_str().expect("id").to_owned();
    let path = format!("/api/goals/{goal}/tasks");
    let body = json!({ "title": "Left behind" }).to_string();
    // Hold the goal's row so the request is caught mid-way: after its key is claimed,
    // before its task is written.
    let db = db().await;
    let mut lock = db.begin().await.expect("tx");
    sqlx::query("SELECT 1 FROM goals WHERE id = $1::uuid FOR UPDATE")
        .bind(&goal)
        .execute(&mut *lock)
        .await
        .expect("lock");
    let mut client = TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .expect("connect");
    let request = format!(
        "POST {path} HTTP/1.1\r\nhost: maigie\r\nauthorization: Bearer {t}\r\n\
         idempotency-key: gone-1\r\ncontent-type: application/json\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    );
    client
        .write_all(request.as_bytes())
        .await
        .expect("request sent");
    within_10s("the request waits on the goal", async || {
        someone_waits_on(&mut lock).await
    })
    .await;

    // The client goes away; the server notices and closes without an answer.
    client.shutdown().await.expect("half-close");
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), client.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection")
        .expect("read");
    assert!(answer.is_empty(), "no answer was sent");
    lock.rollback().await.expect("unlock");

    within_10s(
        "the abandoned request finishes and its answer is kept",
        async || claim_finished(user, "gone-1").await,
    )
    .await;
    let retry = app
        .http
        .post(app.url(&path))
        .bearer_auth(&t)
        .header("idempotency-key", "gone-1")
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("retry");
    assert_eq!(retry.status(), 201);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    let made: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM tasks WHERE user_id = $1 AND title = 'Left behind'",
    )
    .bind(user)
    .fetch_one(&db)
    .await
    .expect("count");
    assert_eq!(made, 1);
}
