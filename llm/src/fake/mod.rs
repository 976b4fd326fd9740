//! A scriptable OpenAI-compatible server for tests (feature `fake`).
//!
//! [`FakeLlm::start`] binds a real HTTP server on `127.0.0.1:0` serving
//! `POST /v1/chat/completions` (JSON, or SSE chunks ending in `data: [DONE]` when the request
//! says `"stream": true`) and `GET /v1/models`. Tests script replies by what the last user
//! message contains, make it fail, hang or stream slowly, and read back every request body.
//!
//! ```no_run
//! # async fn demo() {
//! use maigie_llm::fake::{FakeLlm, FakeReply};
//! let fake = FakeLlm::start().await;
//! fake.on_with_followup(
//!     "remind me",
//!     FakeReply::tool_call("create_reminder", r#"{"text": "Revise", "at": "18:00"}"#),
//!     "Reminder set for 18:00.",
//! );
//! // point a ProviderConfig at fake.base_url …
//! assert_eq!(fake.requests().len(), 0);
//! # }
//! ```

mod server;
mod wire;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Text the fake answers when no rule matches.
pub const DEFAULT_REPLY: &str = "I can help with tasks, goals and your schedule.";
/// Text the fake answers after tool results when the rule has no follow-up.
pub const DEFAULT_FOLLOWUP: &str = "Done.";

/// What the fake answers to a matching request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FakeReply {
    /// Text, streamed in chunks of a few words.
    Text(String),
    /// Tool calls `(name, raw arguments)`, in one reply; the arguments may be malformed on
    /// purpose. Streamed as fragments: id and name first, then the arguments a few characters
    /// at a time.
    ToolCalls(Vec<(String, String)>),
    /// Successive matching requests get successive replies; the last one repeats.
    Sequence(Vec<FakeReply>),
}

impl FakeReply {
    /// A text reply.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text(text.into())
    }

    /// A reply calling one tool.
    pub fn tool_call(name: impl Into<String>, arguments: impl Into<String>) -> Self {
        Self::ToolCalls(vec![(name.into(), arguments.into())])
    }
}

#[derive(Debug)]
struct Rule {
    when: String,
    reply: FakeReply,
    after_tools: Option<String>,
    hits: usize,
}

/// Everything the test scripted and the server saw, behind one lock.
#[derive(Debug, Default)]
struct Script {
    rules: Vec<Rule>,
    fail_status: Option<u16>,
    hang: Duration,
    per_chunk: Duration,
    cut_after: Option<usize>,
    requests: Vec<serde_json::Value>,
    next_call_id: u64,
}

type Shared = Arc<Mutex<Script>>;

fn lock(script: &Mutex<Script>) -> MutexGuard<'_, Script> {
    // A test that panicked mid-update leaves nothing worth protecting.
    script.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running fake server; stopped when dropped.
#[derive(Debug)]
pub struct FakeLlm {
    /// API base to configure a provider with, e.g. `http://127.0.0.1:PORT/v1`.
    pub base_url: String,
    script: Shared,
    server: tokio::task::JoinHandle<()>,
}

impl FakeLlm {
    /// Binds `127.0.0.1:0` and serves in a background task of the current runtime.
    ///
    /// # Panics
    /// When no local port can be bound (a test-only helper).
    pub async fn start() -> FakeLlm {
        let script = Shared::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a local port for FakeLlm");
        let addr = listener.local_addr().expect("local address of FakeLlm");
        let app = server::router(script.clone());
        let server = tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, app).await {
                tracing::error!(error = %err, "FakeLlm server stopped");
            }
        });
        FakeLlm {
            base_url: format!("http://{addr}/v1"),
            script,
            server,
        }
    }

    /// Adds a rule: requests whose last user message contains `when` (case-insensitive) get
    /// `reply`; after tool results they get [`DEFAULT_FOLLOWUP`]. The first matching rule wins.
    pub fn on(&self, when: &str, reply: FakeReply) {
        self.add_rule(when, reply, None);
    }

    /// Like [`FakeLlm::on`], answering `followup` to requests that end in tool results.
    pub fn on_with_followup(&self, when: &str, reply: FakeReply, followup: &str) {
        self.add_rule(when, reply, Some(followup.to_string()));
    }

    fn add_rule(&self, when: &str, reply: FakeReply, after_tools: Option<String>) {
        let rule = Rule {
            when: when.to_lowercase(),
            reply,
            after_tools,
            hits: 0,
        };
        lock(&self.script).rules.push(rule);
    }

    /// Answers every request with this HTTP status (and an OpenAI-style error body) until
    /// [`FakeLlm::recover`].
    pub fn fail_with(&self, status: u16) {
        lock(&self.script).fail_status = Some(status);
    }

    /// Answers normally again.
    pub fn recover(&self) {
        lock(&self.script).fail_status = None;
    }

    /// Waits this long before answering each request (zero: no wait).
    pub fn hang(&self, delay: Duration) {
        lock(&self.script).hang = delay;
    }

    /// Waits this long between streamed chunks (zero: no wait).
    pub fn slow_stream(&self, per_chunk: Duration) {
        lock(&self.script).per_chunk = per_chunk;
    }

    /// Breaks the connection of each streamed reply after `chunks` SSE events (`None`: never),
    /// as a provider dying mid-stream would.
    pub fn cut_stream_after(&self, chunks: Option<usize>) {
        lock(&self.script).cut_after = chunks;
    }

    /// Bodies of every chat request received, oldest first.
    pub fn requests(&self) -> Vec<serde_json::Value> {
        lock(&self.script).requests.clone()
    }

    /// Number of chat requests received.
    pub fn request_count(&self) -> usize {
        lock(&self.script).requests.len()
    }
}

impl Drop for FakeLlm {
    fn drop(&mut self) {
        self.server.abort();
    }
}
