//! `/health` and `/ready`, including what happens when Redis goes away.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use maigie_tests::{TestApp, error_code, token};
use serde_json::{Value, json};

/// A private `redis-server` on a free port, killed when stopped or dropped.
struct PrivateRedis {
    port: u16,
    child: Child,
}

impl PrivateRedis {
    async fn start() -> PrivateRedis {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        Self::start_on(port).await
    }

    async fn start_on(port: u16) -> PrivateRedis {
        let mut child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("redis-server on PATH");
        let stdout = child.stdout.take().expect("stdout");
        // Ready when it says so, not after a guessed sleep; then keep draining its
        // output so it never blocks on a full pipe.
        let (tx, rx) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.contains("Ready to accept connections") {
                    tx.take().map(|tx| tx.send(()));
                }
            }
        });
        tokio::time::timeout(Duration::from_secs(10), rx)
            .await
            .expect("redis-server ready in time")
            .expect("redis-server running");
        PrivateRedis { port, child }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn ready(app: &TestApp) -> (u16, Value) {
    let res = app
        .http
        .get(app.url("/ready"))
        .send()
        .await
        .expect("request");
    (res.status().as_u16(), res.json().await.expect("json"))
}

#[tokio::test]
async fn health_answers_ok() {
    let app = TestApp::spawn().await;

    let res = app
        .http
        .get(app.url("/health"))
        .send()
        .await
        .expect("request");

    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn ready_answers_200_when_every_dependency_is_reachable() {
    let app = TestApp::spawn().await;

    let (status, body) = ready(&app).await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ok");
    for check in ["database", "redis", "temporal"] {
        assert_eq!(body["checks"][check]["ok"], true, "{check}");
    }
}

#[tokio::test]
async fn ready_names_redis_when_it_stops_and_the_api_keeps_serving() {
    let mut redis = PrivateRedis::start().await;
    let app = TestApp::spawn_with(vec![("REDIS_URL", redis.url())]).await;
    let (email, password, session) = app.register().await;
    assert_eq!(ready(&app).await.0, 200);

    redis.stop();
    let (status, body) = ready(&app).await;

    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["checks"]["redis"]["ok"], false);
    assert_eq!(body["checks"]["database"]["ok"], true);
    assert_eq!(body["checks"]["temporal"]["ok"], true);
    // Rate limits and the revocation list fail open: sign-in and reads go on.
    let login = app
        .post(
            "/api/auth/login",
            &json!({ "email": email, "password": password }),
        )
        .await;
    assert_eq!(login.status(), 200);
    // And fail fast: no request waits for Redis to come back. (Timed from here: the
    // sign-in above spends its time hashing, which says nothing about Redis.)
    let started = Instant::now();
    let me = app.get_auth("/api/users/me", &token(&session)).await;
    assert_eq!(me.status(), 200);
    // What cannot be done without Redis says so instead of failing with a 500.
    let logout = app
        .post_auth("/api/auth/logout", &token(&session), &json!({}))
        .await;
    let (status, code, _) = error_code(logout).await;
    assert_eq!((status, code.as_str()), (503, "service_unavailable"));
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
}

#[tokio::test]
async fn ready_recovers_when_redis_comes_back() {
    let mut redis = PrivateRedis::start().await;
    let app = TestApp::spawn_with(vec![("REDIS_URL", redis.url())]).await;
    redis.stop();
    assert_eq!(ready(&app).await.0, 503);

    let _redis = PrivateRedis::start_on(redis.port).await;

    // The client reconnects on the next call after a failed one: poll briefly.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut last = ready(&app).await;
    while last.0 != 200 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        last = ready(&app).await;
    }
    assert_eq!(last.0, 200, "{}", last.1);
    let (_, _, session) = app.register().await;
    let logout = app
        .post_auth("/api/auth/logout", &token(&session), &json!({}))
        .await;
    assert_eq!(logout.status(), 204);
}
