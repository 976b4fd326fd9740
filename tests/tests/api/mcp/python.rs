//! The official MCP Python SDK (`mcp`, installed in the project venv by
//! scripts/lib.sh) against the running app: over a session (the initialize
//! handshake) and over the current stateless revision, it lists the tools, calls a
//! read and a write tool, and is refused a tool its token's scopes do not allow.

use maigie_tests::{TestApp, token};
use serde_json::{Value, json};

use super::mcp_token;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/python/mcp_client.py");

/// Runs tests/python/mcp_client.py (off the runtime's thread: the app answers it).
async fn python_client(url: String, writer: String, reader: String) -> Value {
    let venv = std::env::var("MAIGIE_VENV")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../.venv").to_owned());
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(format!("{venv}/bin/python"))
            .args([SCRIPT, &url, &writer, &reader])
            .output()
            .expect("the venv's python runs (scripts/lib.sh installs mcp)")
    })
    .await
    .expect("joined");
    assert!(
        out.status.success(),
        "the Python client failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json from python")
}

fn strings(list: &Value) -> Vec<&str> {
    list.as_array()
        .expect("list")
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

#[tokio::test]
async fn the_official_python_sdk_lists_and_calls_tools_over_a_session_and_statelessly() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let writer = mcp_token(&app, &t, &["read", "write"]).await;
    let reader = mcp_token(&app, &t, &["read"]).await;

    let seen = python_client(app.url("/mcp"), writer, reader).await;

    for (mode, version) in [("legacy", "2025-11-25"), ("auto", "2026-07-28")] {
        let run = &seen[mode];
        assert_eq!(run["protocol"], version, "{mode}: {run}");
        assert_eq!(run["server"], "maigie", "{mode}");
        let tools = strings(&run["tools"]);
        assert!(
            tools.contains(&"create_task") && tools.contains(&"list_tasks"),
            "{mode}: {tools:?}"
        );
        assert!(!tools.contains(&"delete_task"), "{mode}: no delete scope");
        let priority = &run["create_task_schema"]["properties"]["priority"];
        assert!(
            priority["enum"].to_string().contains("high"),
            "{mode}: {priority}"
        );

        let write = &run["write"];
        assert_eq!(write["is_error"], false, "{mode}: {write}");
        let action = write["action_id"]
            .as_str()
            .expect("the change is an action");
        let recorded: Value = app
            .get_auth(&format!("/api/chat/actions/{action}"), &t)
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(recorded["source"], "mcp", "{mode}");
        let read = run["read"]["text"].as_str().expect("text");
        assert!(
            read.contains(&format!("From the Python SDK ({mode})")),
            "{mode}: {read}"
        );
        assert_eq!(
            run["invalid"]["is_error"], true,
            "{mode}: the schema applies"
        );

        assert!(
            !strings(&run["reader_tools"]).contains(&"create_task"),
            "{mode}"
        );
        let refused = &run["refused"];
        assert_eq!(refused["is_error"], true, "{mode}: {refused}");
        assert!(
            refused["text"]
                .as_str()
                .expect("text")
                .contains("write scope"),
            "{mode}"
        );
        assert_eq!(
            refused["structured"]["result"]["error"]["code"], "insufficient_scope",
            "{mode}: {refused}"
        );
    }

    // Over a session every request after the handshake names it, and the client
    // ends it with DELETE; the stateless revision has no session.
    let requests = |mode: &str| seen[mode]["http"].as_array().expect("requests").clone();
    let legacy = requests("legacy");
    assert!(
        legacy.iter().any(|r| r[0] == "POST" && r[1].is_string()),
        "{legacy:?}"
    );
    assert!(
        legacy
            .iter()
            .any(|r| *r == json!(["DELETE", r[1], 202]) && r[1].is_string()),
        "{legacy:?}"
    );
    let stateless = requests("auto");
    assert!(
        stateless.iter().all(|r| r[1].is_null() && r[0] != "DELETE"),
        "{stateless:?}"
    );
}
