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

    /// `POST {path}` with a `multipart/form-data` body: the WAV `audio` as part `file`
    /// (built by hand: the workspace's reqwest has no multipart feature, and turning
    /// it on would rebuild the server with other features than production's) and the
    /// text `fields`. Answers the status and the JSON reply.
    pub async fn post_audio(
        &self,
        token: &str,
        path: &str,
        audio: &[u8],
        fields: &[(&str, &str)],
    ) -> anyhow::Result<(reqwest::StatusCode, Value)> {
        let boundary = format!("maigie-bench-{:032x}", rand_u128());
        let mut body = Vec::with_capacity(audio.len() + 512);
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
                 filename=\"request.wav\"\r\nContent-Type: audio/wav\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(audio);
        body.extend_from_slice(b"\r\n");
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let response = self
            .http
            .post(self.url(path))
            .bearer_auth(token)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await?;
        let status = response.status();
        let text = response.text().await?;
        Ok((
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ))
    }

    /// `GET` of an absolute link the server handed out (e.g. a signed audio URL);
    /// answers the status and the body.
    pub async fn get_link(&self, url: &str) -> anyhow::Result<(reqwest::StatusCode, Vec<u8>)> {
        // The link names the server's configured public host: same path, our base.
        let path = url.find("/api/").map_or(url, |at| &url[at..]);
        let target = if path.starts_with('/') {
            self.url(path)
        } else {
            path.to_owned()
        };
        let response = self.http.get(target).send().await?;
        let status = response.status();
        Ok((status, response.bytes().await?.to_vec()))
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

/// A random-enough number for a multipart boundary (no `rand` dependency): the
/// standard library's randomly seeded hasher over the current time.
fn rand_u128() -> u128 {
    use std::hash::{BuildHasher, RandomState};
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let state = RandomState::new();
    (u128::from(state.hash_one(now)) << 64) | u128::from(state.hash_one(now.rotate_left(7)))
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
