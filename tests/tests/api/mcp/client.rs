//! A minimal MCP client over the streamable HTTP transport, for the Rust tests: it
//! speaks the wire as written (headers, sessions, SSE answers) so that they can
//! check it; the Python SDK's test (`python.rs`) checks the same as a real client.

use std::time::Duration;

use futures_util::StreamExt;
use maigie_tests::TestApp;
use serde_json::{Value, json};

/// What a client must accept from `/mcp` (JSON or an SSE stream).
pub const ACCEPT: &str = "application/json, text/event-stream";

/// An open session: its id and negotiated protocol revision.
pub struct Session<'a> {
    app: &'a TestApp,
    bearer: String,
    pub id: String,
    pub version: String,
}

impl<'a> Session<'a> {
    /// `initialize` (asking for `version`), then `notifications/initialized`.
    pub async fn open_with(app: &'a TestApp, bearer: &str, version: &str) -> (Self, Value) {
        let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": version, "capabilities": {},
            "clientInfo": {"name": "maigie-tests", "version": "1"}}});
        let res = post(app, bearer, None, &init).send().await.expect("send");
        assert_eq!(res.status(), 200);
        let id = res
            .headers()
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
            .expect("the answer names the session")
            .to_owned();
        let answer = read_answer(res).await;
        let version = answer["result"]["protocolVersion"]
            .as_str()
            .expect("negotiated version")
            .to_owned();
        let session = Session {
            app,
            bearer: bearer.to_owned(),
            id,
            version,
        };
        let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        assert_eq!(
            session.post(&note).send().await.expect("send").status(),
            202
        );
        (session, answer)
    }

    pub async fn open(app: &'a TestApp, bearer: &str) -> Self {
        Self::open_with(app, bearer, "2025-11-25").await.0
    }

    /// The same session, reached through another instance of the API.
    pub fn on<'b>(&self, app: &'b TestApp) -> Session<'b> {
        Session {
            app,
            bearer: self.bearer.clone(),
            id: self.id.clone(),
            version: self.version.clone(),
        }
    }

    /// A POST within the session (its id and protocol revision in the headers).
    pub fn post(&self, body: &Value) -> reqwest::RequestBuilder {
        post(self.app, &self.bearer, Some(self), body)
    }

    /// A request in the session: the JSON-RPC answer (result or error).
    pub async fn rpc(&self, method: &str, params: Value) -> Value {
        let request = json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params});
        let res = self.post(&request).send().await.expect("send");
        assert_eq!(res.status(), 200);
        let answer = read_answer(res).await;
        assert_eq!(answer["id"], 7, "{answer}");
        answer
    }

    /// `tools/call`: the tool's result.
    pub async fn call(&self, name: &str, arguments: Value) -> Value {
        let params = json!({"name": name, "arguments": arguments});
        self.rpc("tools/call", params).await["result"].clone()
    }

    /// `tools/list`: the tools' names.
    pub async fn tools(&self) -> Vec<String> {
        names(&self.rpc("tools/list", json!({})).await)
    }
}

/// A POST to `/mcp` as a client sends it (within `session` when given).
pub fn post(
    app: &TestApp,
    bearer: &str,
    session: Option<&Session<'_>>,
    body: &Value,
) -> reqwest::RequestBuilder {
    let mut req = app
        .http
        .post(app.url("/mcp"))
        .bearer_auth(bearer)
        .header("accept", ACCEPT)
        .json(body);
    if let Some(s) = session {
        req = req
            .header("mcp-session-id", &s.id)
            .header("mcp-protocol-version", &s.version);
    }
    req
}

/// The JSON-RPC answer in a response: its JSON body, or the first answer (a message
/// with an `id`) on its SSE stream.
pub async fn read_answer(res: reqwest::Response) -> Value {
    let is_json = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return res.json().await.expect("json");
    }
    let mut body = res.bytes_stream();
    let mut buffer = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let chunk = tokio::time::timeout_at(deadline, body.next())
            .await
            .expect("an answer within 20 s")
            .expect("the stream ended without an answer")
            .expect("chunk");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let data: String = block
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(str::trim_start)
                .collect();
            if let Ok(message) = serde_json::from_str::<Value>(&data)
                && message.get("id").is_some()
            {
                return message;
            }
        }
    }
}

pub fn names(list: &Value) -> Vec<String> {
    list["result"]["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t["name"].as_str().map(str::to_owned))
        .collect()
}
