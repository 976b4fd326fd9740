//! One `info` access-log line per request, read from the JSON logs of a real
//! `maigie serve`: method, route template (not the raw URL), status, latency, request
//! id, and the user id when the request was signed in.

use std::time::Duration;

use maigie_tests::app_env;
use maigie_tests::process::MaigieProcess;
use serde_json::{Value, json};
use uuid::Uuid;

struct Served {
    process: MaigieProcess,
    base: String,
    http: reqwest::Client,
}

async fn serve() -> Served {
    let mut env = app_env(vec![
        ("LOG_FORMAT", "json".into()),
        ("RUST_LOG", "info".into()),
        ("BIND", "127.0.0.1".into()),
        ("PORT", "0".into()),
    ]);
    env.push(("RUST_BACKTRACE", "1".into()));
    let process = MaigieProcess::spawn(&["serve"], &env);
    let listening = process
        .stdout_line(Duration::from_secs(30), |l| l.contains("\"listening\""))
        .await
        .unwrap_or_else(|| panic!("maigie serve did not start\n{}", process.output()));
    let line: Value = serde_json::from_str(&listening).expect("a JSON log line");
    let addr = line["addr"].as_str().expect("addr").to_owned();
    Served {
        process,
        base: format!("http://{addr}"),
        http: reqwest::Client::new(),
    }
}

impl Served {
    /// Sends a GET with a request id of ours; answers the status and the id.
    async fn get(&self, path: &str, token: Option<&str>) -> (u16, String) {
        let id = format!("test-{}", Uuid::new_v4());
        let mut req = self
            .http
            .get(format!("{}{path}", self.base))
            .header("x-request-id", &id);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let status = req.send().await.expect("request").status().as_u16();
        (status, id)
    }

    /// The access-log lines of one request (waiting for the first to be written).
    async fn access_lines(&self, request_id: &str) -> Vec<Value> {
        let needle = format!("\"request_id\":\"{request_id}\"");
        self.process
            .stdout_line(Duration::from_secs(10), |l| {
                l.contains(&needle) && l.contains("maigie_api::access")
            })
            .await
            .unwrap_or_else(|| {
                panic!("no access line for {request_id}\n{}", self.process.output())
            });
        self.process
            .stdout()
            .iter()
            .filter(|l| l.contains(&needle) && l.contains("maigie_api::access"))
            .map(|l| serde_json::from_str(l).expect("a JSON log line"))
            .collect()
    }

    async fn one_access_line(&self, request_id: &str) -> Value {
        let lines = self.access_lines(request_id).await;
        assert_eq!(lines.len(), 1, "one line per request: {lines:?}");
        lines.into_iter().next().expect("a line")
    }
}

#[tokio::test]
async fn each_request_gets_one_info_line_with_its_route_template_status_latency_and_ids() {
    let served = serve().await;
    let registered: Value = served
        .http
        .post(format!("{}/api/auth/register", served.base))
        .json(&json!({ "email": maigie_tests::unique_email(),
                       "password": "correct horse battery", "name": "Ada" }))
        .send()
        .await
        .expect("register")
        .json()
        .await
        .expect("json");
    let token = maigie_tests::token(&registered);
    let user_id = registered["user"]["id"]
        .as_str()
        .expect("user id")
        .to_owned();

    let (status, id) = served.get("/api/users/me", Some(&token)).await;
    assert_eq!(status, 200);
    let line = served.one_access_line(&id).await;
    assert_eq!(line["level"], "INFO");
    assert_eq!(line["method"], "GET");
    assert_eq!(line["route"], "/api/users/me");
    assert_eq!(line["status"], 200);
    assert_eq!(line["user_id"], user_id.as_str());
    assert!(
        line["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0),
        "{line}"
    );

    // A path with an id is logged by its template.
    let task = Uuid::new_v4();
    let (status, id) = served
        .get(&format!("/api/tasks/{task}"), Some(&token))
        .await;
    assert_eq!(status, 404);
    let line = served.one_access_line(&id).await;
    assert_eq!(line["route"], "/api/tasks/{id}");
    assert_eq!(line["status"], 404);
    assert_eq!(line["user_id"], user_id.as_str());
    assert!(!line.to_string().contains(&task.to_string()), "{line}");

    // An unknown URL is `unmatched`; an anonymous request has no user id.
    let secret = Uuid::new_v4().simple().to_string();
    let (status, id) = served.get(&format!("/no/such/{secret}"), None).await;
    assert_eq!(status, 404);
    let line = served.one_access_line(&id).await;
    assert_eq!(line["route"], "unmatched");
    assert!(line.get("user_id").is_none(), "{line}");
    assert!(!line.to_string().contains(&secret), "{line}");

    let (status, id) = served.get("/health", None).await;
    assert_eq!(status, 200);
    assert_eq!(served.one_access_line(&id).await["route"], "/health");

    // An MCP request names its token's user too.
    let created: Value = served
        .http
        .post(format!("{}/api/mcp/tokens", served.base))
        .bearer_auth(&token)
        .json(&json!({ "name": "agent", "scopes": ["read"] }))
        .send()
        .await
        .expect("mcp token")
        .json()
        .await
        .expect("json");
    let mcp_token = created["token"].as_str().expect("token shown once");
    let (_, id) = served.get("/mcp", Some(mcp_token)).await;
    let line = served.one_access_line(&id).await;
    assert_eq!(line["route"], "/mcp");
    assert_eq!(line["user_id"], user_id.as_str());
}
