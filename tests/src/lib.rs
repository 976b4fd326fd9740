//! Test harness: the real `maigie` app (API + Temporal worker) on port 0, against the
//! real PostgreSQL, Redis, Temporal dev server and SMTP sink that `scripts/test` set up.
//!
//! Each `TestApp` gets its own Redis key prefix and Temporal task queue, so tests
//! running in parallel (one process each under nextest) never see each other's
//! events, rate-limit buckets or workflows; e-mail addresses are unique per test.

pub mod asyncapi;
pub mod audio;
pub mod fake_idp;
pub mod fake_s3;
pub mod fake_stripe;
pub mod mail;
pub mod own_temporal;
pub mod process;
pub mod sse;
pub mod stt_proxy;

use std::time::Duration;

use anyhow::Context;
use futures_util::{SinkExt, StreamExt};
use maigie::{Config, Mode, Running};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

pub use mail::wait_for_mail;
pub use process::WorkerProcess;

/// The variables `scripts/test` exports; defaults match a local machine.
fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

const DEFAULT_JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";

/// The secret test apps sign access tokens with, so tests can forge tokens.
pub fn jwt_secret() -> String {
    env_or("JWT_SECRET", DEFAULT_JWT_SECRET)
}

/// The database test apps use, to check what the API stored.
pub fn database_url() -> String {
    env_or(
        "DATABASE_URL",
        "postgres://postgres@127.0.0.1:5432/maigie_test",
    )
}

/// A small pool on the test database.
pub async fn db() -> sqlx::PgPool {
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect(&database_url())
        .await
        .expect("test database reachable")
}

/// A running app and an HTTP client pointed at it.
pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub redis_prefix: String,
    pub task_queue: String,
    /// `http://host:port` of the `/metrics` listener when `METRICS_ADDR` is set.
    pub metrics_base: Option<String>,
    /// The configuration the app runs with, for a worker in another process.
    pub env: Vec<(&'static str, String)>,
    running: Option<Running>,
}

/// Overrides for one test's configuration.
pub type Overrides = Vec<(&'static str, String)>;

fn var(vars: &[(&'static str, String)], name: &str) -> String {
    vars.iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// The configuration of one test app (own Redis prefix and task queue), with
/// `overrides` applied: for an app in this process or a `maigie` process.
pub fn app_env(overrides: Overrides) -> Vec<(&'static str, String)> {
    let id = Uuid::new_v4().simple().to_string();
    let mut vars: Vec<(&'static str, String)> = vec![
        ("DATABASE_URL", database_url()),
        ("REDIS_URL", env_or("REDIS_URL", "redis://127.0.0.1:6379")),
        (
            "TEMPORAL_ADDRESS",
            env_or("TEMPORAL_ADDRESS", "http://127.0.0.1:7233"),
        ),
        ("SMTP_URL", env_or("SMTP_URL", "smtp://127.0.0.1:1025")),
        ("JWT_SECRET", jwt_secret()),
        ("REDIS_KEY_PREFIX", format!("test-{id}")),
        ("TEMPORAL_TASK_QUEUE", format!("test-{id}")),
        ("RATE_LIMIT_AUTH_PER_MINUTE", "1000".into()),
        ("RATE_LIMIT_ANONYMOUS_PER_MINUTE", "1000".into()),
        ("RATE_LIMIT_FREE_PER_MINUTE", "1000".into()),
        ("DATABASE_MAX_CONNECTIONS", "5".into()),
        ("LOG_FORMAT", "pretty".into()),
        // One schedule per test queue would pile up on the shared server; the
        // analytics tests turn it on.
        ("ANALYTICS_SCHEDULE", "false".into()),
        ("VOICE_RETENTION_SCHEDULE", "false".into()),
        // Each app keeps its audio apart (the account-deletion test looks at it).
        (
            "VOICE_STORAGE_DIR",
            std::env::temp_dir()
                .join(format!("maigie-audio-{id}"))
                .display()
                .to_string(),
        ),
        // Tests create goals freely; the limits test sets the real limit.
        ("LIMIT_FREE_ACTIVE_GOALS", "1000".into()),
        // The local embedding model (scripts/test installs it and exports the path).
        ("EMBEDDING_MODEL_DIR", env_or("EMBEDDING_MODEL_DIR", "")),
        // Notes become searchable quickly.
        ("KNOWLEDGE_INDEX_DEBOUNCE_MS", "300".into()),
    ];
    for (k, v) in overrides {
        vars.retain(|(name, _)| *name != k);
        vars.push((k, v));
    }
    vars
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(Vec::new()).await
    }

    pub async fn spawn_with(overrides: Overrides) -> TestApp {
        Self::try_spawn(overrides).await.expect("test app starts")
    }

    pub async fn try_spawn(overrides: Overrides) -> anyhow::Result<TestApp> {
        Self::try_spawn_mode(overrides, Mode::ApiAndWorker).await
    }

    /// The API alone: workers run as separate processes ([`WorkerProcess`]), so a test
    /// can kill one the hard way.
    pub async fn spawn_api_only() -> TestApp {
        Self::spawn_api_only_with(Vec::new()).await
    }

    /// [`TestApp::spawn_api_only`] with configuration overrides.
    pub async fn spawn_api_only_with(overrides: Overrides) -> TestApp {
        Self::try_spawn_mode(overrides, Mode::Api)
            .await
            .expect("test app starts")
    }

    async fn try_spawn_mode(overrides: Overrides, mode: Mode) -> anyhow::Result<TestApp> {
        let vars = app_env(overrides);
        let redis_prefix = var(&vars, "REDIS_KEY_PREFIX");
        let task_queue = var(&vars, "TEMPORAL_TASK_QUEUE");
        let config = Config::from_lookup(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
        })?;
        maigie::telemetry::init(config.log_format);
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let running = maigie::start(config, listener, mode).await?;
        let base = format!("http://{}", running.addr);
        let metrics_base = running.metrics_addr.map(|a| format!("http://{a}"));
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()?;
        Ok(TestApp {
            base,
            http,
            redis_prefix,
            task_queue,
            metrics_base,
            env: vars,
            running: Some(running),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn ws_url(&self, query: &str) -> String {
        format!("{}/ws?{query}", self.base.replacen("http", "ws", 1))
    }

    /// Graceful shutdown, as on SIGTERM.
    pub async fn shutdown(mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown().await.expect("clean shutdown");
        }
    }

    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_auth(&self, path: &str, token: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn get_auth(&self, path: &str, token: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    pub async fn patch_auth(&self, path: &str, token: &str, body: &Value) -> reqwest::Response {
        self.http
            .patch(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn delete_auth(&self, path: &str, token: &str, body: &Value) -> reqwest::Response {
        self.http
            .delete(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// Registers a fresh user; answers (email, password, the 201 body).
    pub async fn register(&self) -> (String, String, Value) {
        let email = unique_email();
        let password = "correct horse battery".to_owned();
        let res = self
            .post(
                "/api/auth/register",
                &json!({ "email": email, "password": password, "name": "Ada" }),
            )
            .await;
        assert_eq!(res.status(), 201, "register");
        (email, password, res.json().await.expect("json"))
    }

    pub async fn refresh(&self, refresh_token: &str) -> reqwest::Response {
        self.post(
            "/api/auth/refresh",
            &json!({ "refresh_token": refresh_token }),
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> Value {
        let res = self
            .post(
                "/api/auth/login",
                &json!({ "email": email, "password": password }),
            )
            .await;
        assert_eq!(res.status(), 200, "login");
        res.json().await.expect("json")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Tests that do not shut down explicitly just end their process.
        drop(self.running.take());
    }
}

pub fn unique_email() -> String {
    format!("user-{}@example.com", Uuid::new_v4().simple())
}

pub fn token(body: &Value) -> String {
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// Asserts the standard error body and answers its code.
pub async fn error_code(res: reqwest::Response) -> (u16, String, Value) {
    let status = res.status().as_u16();
    let body: Value = res.json().await.expect("error body is JSON");
    let code = body["error"]["code"]
        .as_str()
        .expect("error.code")
        .to_owned();
    assert!(
        body["error"]["message"].is_string(),
        "error.message in {body}"
    );
    (status, code, body)
}

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn connect_ws(app: &TestApp, query: &str) -> anyhow::Result<Ws> {
    let (ws, _) = tokio_tungstenite::connect_async(app.ws_url(query)).await?;
    Ok(ws)
}

/// The next text frame, parsed as JSON and checked against the AsyncAPI document;
/// answers pings on the way.
async fn next_text(ws: &mut Ws) -> anyhow::Result<Value> {
    while let Some(msg) = ws.next().await {
        match msg? {
            Message::Text(text) => {
                let message: Value = serde_json::from_str(&text)?;
                asyncapi::check_ws(&message)?;
                return Ok(message);
            }
            Message::Ping(p) => ws.send(Message::Pong(p)).await?,
            Message::Close(frame) => anyhow::bail!("socket closed: {frame:?}"),
            _ => {}
        }
    }
    anyhow::bail!("socket ended")
}

/// The next JSON message, whatever its type, within `timeout`.
pub async fn next_json(ws: &mut Ws, timeout: Duration) -> anyhow::Result<Value> {
    tokio::time::timeout(timeout, next_text(ws))
        .await
        .context("no message in time")?
}

/// The next JSON event of a given type, skipping others, within `timeout`.
pub async fn next_event(ws: &mut Ws, kind: &str, timeout: Duration) -> anyhow::Result<Value> {
    tokio::time::timeout(timeout, async {
        loop {
            let event = next_text(ws).await?;
            if event["type"] == kind {
                return Ok(event);
            }
        }
    })
    .await
    .context(format!("no {kind} event in time"))?
}

/// An access token for `user_id` signed with the test secret, issued `age_secs` ago
/// and valid `ttl_secs` from then: the app's own format, for tests about token age.
pub fn forge_token(user_id: &Value, age_secs: i64, ttl_secs: i64) -> String {
    let iat = chrono::Utc::now().timestamp() - age_secs;
    let claims = json!({ "sub": user_id, "iat": iat, "exp": iat + ttl_secs,
                         "jti": Uuid::new_v4(), "tier": "FREE" });
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(jwt_secret().as_bytes()),
    )
    .expect("sign")
}

/// Base64url without padding, as the API's cursors are encoded.
pub fn base64url(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text.as_bytes())
}
