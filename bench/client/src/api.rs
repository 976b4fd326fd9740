//! The few API calls the benchmarks make.

use anyhow::{Context, bail};
use serde_json::{Value, json};

/// A pooled HTTP client for one server.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    /// A client for the API at `base` (e.g. `http://127.0.0.1:8080`).
    pub fn new(base: &str) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(1024)
            .timeout(std::time::Duration::from_secs(60))
            .build()?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    /// Registers `email` and answers its access token.
    pub async fn register(&self, email: &str) -> anyhow::Result<String> {
        let body = json!({ "email": email, "password": "correct horse battery staple" });
        let reply = self
            .post(&format!("{}/api/auth/register", self.base), None, &body)
            .await?;
        reply["access_token"]
            .as_str()
            .map(str::to_owned)
            .context("no access_token in the registration reply")
    }

    /// `POST /api/tasks`; answers the created task.
    pub async fn create_task(&self, token: &str, body: &Value) -> anyhow::Result<Value> {
        self.post(&format!("{}/api/tasks", self.base), Some(token), body)
            .await
    }

    /// `POST {path}` (e.g. `/api/goals`) with the user's token; answers the JSON reply.
    pub async fn post_json(&self, token: &str, path: &str, body: &Value) -> anyhow::Result<Value> {
        self.post(&self.url(path), Some(token), body).await
    }

    /// `PATCH {path}` with the user's token; answers the JSON reply.
    pub async fn patch_json(&self, token: &str, path: &str, body: &Value) -> anyhow::Result<Value> {
        let response = self
            .http
            .patch(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await?;
        Self::json_of("PATCH", path, response).await
    }

    /// `GET {path}` with the user's token; answers the JSON reply.
    pub async fn get_json(&self, token: &str, path: &str) -> anyhow::Result<Value> {
        let response = self
            .http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await?;
        Self::json_of("GET", path, response).await
    }

    /// A `POST {path}` to send as the caller likes (e.g. to read a streamed answer).
    pub fn post_request(&self, token: &str, path: &str, body: &Value) -> reqwest::RequestBuilder {
        self.http.post(self.url(path)).bearer_auth(token).json(body)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn json_of(
        method: &str,
        path: &str,
        response: reqwest::Response,
    ) -> anyhow::Result<Value> {
        let status = response.status();
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            bail!("{method} {path}: {status}: {text}");
        }
        Ok(response.json().await?)
    }

    /// The value of an unlabelled metric in `GET /metrics` (with the `METRICS_TOKEN`
    /// the bench started the server with).
    pub async fn metric(&self, name: &str) -> anyhow::Result<String> {
        let mut request = self.http.get(format!("{}/metrics", self.base));
        if let Ok(token) = std::env::var("METRICS_TOKEN") {
            request = request.bearer_auth(token);
        }
        let text = request.send().await?.error_for_status()?.text().await?;
        Ok(text
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .unwrap_or("?")
            .to_owned())
    }

    async fn post(&self, url: &str, token: Option<&str>, body: &Value) -> anyhow::Result<Value> {
        let mut request = self.http.post(url).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await?;
        let status = response.status();
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            bail!("POST {url}: {status}: {text}");
        }
        Ok(response.json().await?)
    }
}

/// Registers `count` users `<prefix>-<i>@bench.example.com`, a few at a time (each
/// registration hashes a password with argon2, 19 MiB); answers their access tokens.
pub async fn register_many(api: &Api, prefix: &str, count: usize) -> anyhow::Result<Vec<String>> {
    use futures_util::{StreamExt, TryStreamExt, stream};
    stream::iter(0..count)
        .map(|i| async move {
            api.register(&format!("{prefix}-{i}@bench.example.com"))
                .await
        })
        .buffered(4)
        .try_collect()
        .await
}
