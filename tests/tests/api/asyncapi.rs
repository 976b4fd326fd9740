//! The AsyncAPI document of `/ws` and the chat stream: served by the running app,
//! identical to the repository's copy, and valid — against the specification's JSON
//! Schema (`@asyncapi/specs`, checked with Python's `jsonschema`) and for the official
//! parser (`@asyncapi/parser`). The events themselves are checked against it wherever
//! a test receives one (`maigie_tests::asyncapi`).

use std::path::PathBuf;
use std::process::Command;

use maigie_tests::TestApp;
use serde_json::Value;

fn repo_file(path: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).join(path)
}

fn venv_python() -> String {
    let venv = std::env::var("MAIGIE_VENV")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../.venv").to_owned());
    format!("{venv}/bin/python")
}

fn node_dir() -> PathBuf {
    std::env::var("MAIGIE_NODE_DIR").map_or_else(
        |_| PathBuf::from(std::env::var("HOME").expect("HOME")).join(".cache/maigie/node"),
        PathBuf::from,
    )
}

/// The specification's JSON Schema, from the npm package `@asyncapi/specs`.
fn spec_schema() -> PathBuf {
    let path = node_dir().join("node_modules/@asyncapi/specs/schemas/3.0.0-without-$id.json");
    assert!(
        path.exists(),
        "{} is missing: scripts/test installs the Node tools (scripts/lib.sh ensure_node_tools)",
        path.display()
    );
    path
}

/// Runs a checker on `document` (written to a file): (success, output).
fn run_checker(
    document: &Value,
    checker: impl FnOnce(&std::path::Path) -> Command,
) -> (bool, String) {
    let dir = std::env::temp_dir().join(format!("maigie-asyncapi-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("asyncapi.json");
    std::fs::write(&file, serde_json::to_vec_pretty(document).expect("json")).expect("write");
    let out = checker(&file).output().expect("the checker runs");
    let _ = std::fs::remove_dir_all(&dir);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn json_schema_check(document: &Value) -> (bool, String) {
    run_checker(document, |file| {
        let mut cmd = Command::new(venv_python());
        cmd.arg(repo_file("scripts/asyncapi/validate.py"))
            .arg(file)
            .arg(spec_schema());
        cmd
    })
}

fn parser_check(document: &Value) -> (bool, String) {
    run_checker(document, |file| {
        let mut cmd = Command::new("node");
        cmd.arg(repo_file("scripts/asyncapi/parse.cjs"))
            .arg(file)
            .env("MAIGIE_NODE_DIR", node_dir());
        cmd
    })
}

async fn served(app: &TestApp) -> Value {
    let res = app
        .http
        .get(app.url("/asyncapi.json"))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("application/json")
    );
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    res.json().await.expect("json")
}

#[tokio::test]
async fn the_served_document_is_the_repositorys_copy() {
    let app = TestApp::spawn().await;

    let document = served(&app).await;

    let copy: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_file("docs/asyncapi.json")).expect("docs/asyncapi.json"),
    )
    .expect("the copy is JSON");
    assert!(
        document == copy,
        "docs/asyncapi.json is stale: run `UPDATE_ASYNCAPI=1 cargo test -p maigie-api asyncapi`"
    );
    assert_eq!(document["asyncapi"], "3.0.0");
    app.shutdown().await;
}

#[tokio::test]
async fn the_document_is_valid_against_the_asyncapi_3_schema() {
    let app = TestApp::spawn().await;
    let document = served(&app).await;

    let (ok, output) = json_schema_check(&document);
    assert!(ok, "jsonschema refused the document:\n{output}");

    // The check is not vacuous: a document the specification forbids is refused.
    let mut broken = document.clone();
    broken["channels"]["userEvents"]["address"] = Value::from(42);
    broken["operations"]["sendUserEvents"]["action"] = Value::from("publish");
    let (ok, output) = json_schema_check(&broken);
    assert!(!ok, "a broken document passed:\n{output}");
    app.shutdown().await;
}

#[tokio::test]
async fn the_official_parser_accepts_the_document_without_warnings() {
    let app = TestApp::spawn().await;
    let document = served(&app).await;

    let (ok, output) = parser_check(&document);
    assert!(ok, "@asyncapi/parser refused the document:\n{output}");

    let mut broken = document.clone();
    broken["operations"]["sendUserEvents"]["messages"][0]["$ref"] =
        Value::from("#/channels/userEvents/messages/no.such_event");
    let (ok, output) = parser_check(&broken);
    assert!(!ok, "a dangling reference passed:\n{output}");
    app.shutdown().await;
}

#[tokio::test]
async fn the_page_is_html_from_our_own_origin() {
    let app = TestApp::spawn().await;

    let res = app
        .http
        .get(app.url("/asyncapi"))
        .send()
        .await
        .expect("request");

    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        csp.starts_with("default-src 'none'; style-src 'sha256-"),
        "{csp}"
    );
    assert_eq!(res.headers()["x-frame-options"], "DENY");
    let html = res.text().await.expect("text");
    for needle in [
        "chat.delta",
        "task.created",
        "last_event_id",
        "4009",
        "resync",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    assert!(!html.contains("<script"));
    app.shutdown().await;
}

#[test]
fn the_event_check_refuses_what_the_document_does_not_list() {
    use maigie_tests::asyncapi::{check_sse, check_ws};
    use serde_json::json;

    let id = "1700000000000-0";
    let ts = "2026-01-01T00:00:00Z";
    let action = "00000000-0000-0000-0000-000000000001";
    let deleted = json!({ "id": id, "type": "task.deleted", "ts": ts,
                          "data": { "id": "00000000-0000-0000-0000-000000000002" } });
    check_ws(&deleted).expect("a listed event that fits");
    check_ws(&json!({ "type": "pong" })).expect("pong");

    let unlisted = json!({ "id": id, "type": "task.exploded", "ts": ts, "data": {} });
    assert!(check_ws(&unlisted).is_err(), "an unlisted type");
    let misfit = json!({ "id": id, "type": "task.deleted", "ts": ts, "data": { "id": 7 } });
    assert!(check_ws(&misfit).is_err(), "data of the wrong shape");
    let no_id = json!({ "type": "task.deleted", "ts": ts, "data": { "id": action } });
    assert!(check_ws(&no_id).is_err(), "an event without its id");

    let delta = json!({ "action_id": action, "conversation_id": action, "turn": 0,
                        "text": "Hi", "reset": false });
    check_sse("chat.delta", &delta).expect("a delta");
    assert!(
        check_sse("task.created", &delta).is_err(),
        "not on the chat stream"
    );
    assert!(
        check_sse("chat.delta", &json!({ "text": "Hi" })).is_err(),
        "a partial delta"
    );
}
