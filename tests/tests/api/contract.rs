//! The API contract, checked the way integrators use it: the served OpenAPI document
//! is the committed one (`docs/openapi.json`, so a contract change shows in review),
//! validates as OpenAPI 3.1, generates a Python client and TypeScript types with every
//! operation, the generated Python client drives the running app, and schemathesis
//! finds no server error, undocumented status or response off its schema.
//!
//! Tools: `scripts/test` installs them (`ensure_test_tools`: the venv's
//! openapi-spec-validator, openapi-python-client and schemathesis; openapi-typescript
//! with the Node tools in `$MAIGIE_NODE_DIR`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use maigie_tests::TestApp;
use serde_json::Value;

mod document;
mod fuzz;

/// A directory of one test's own under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("maigie-contract-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        Self(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The committed document.
fn committed_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json")
}

/// The served document, written to a file of its own for the tools.
async fn served_document(app: &TestApp, dir: &Path) -> (Value, PathBuf) {
    let doc: Value = app
        .http
        .get(app.url("/openapi.json"))
        .send()
        .await
        .expect("GET /openapi.json")
        .json()
        .await
        .expect("the document is JSON");
    let file = dir.join("openapi.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&doc).expect("serialize")).expect("write");
    (doc, file)
}

fn venv_bin(tool: &str) -> String {
    let venv = std::env::var("MAIGIE_VENV")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../.venv").to_owned());
    format!("{venv}/bin/{tool}")
}

fn node_tool(tool: &str) -> String {
    let dir = std::env::var("MAIGIE_NODE_DIR").unwrap_or_else(|_| {
        format!(
            "{}/.cache/maigie/node",
            std::env::var("HOME").unwrap_or_default()
        )
    });
    format!("{dir}/node_modules/.bin/{tool}")
}

/// Runs `command` off the async runtime: the app under test is served by the test's
/// own runtime, which a blocking wait would freeze (the tools call it back).
async fn output(mut command: Command) -> std::io::Result<Output> {
    tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the command's thread")
}

/// Runs `program` and returns its output, failing the test with both streams when it
/// cannot start or exits non-zero.
async fn run_ok(program: &str, args: &[&str], what: &str) -> Output {
    let mut command = Command::new(program);
    command.args(args);
    let out = output(command)
        .await
        .unwrap_or_else(|e| panic!("{what}: cannot run {program} ({e}); scripts/test installs it"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Every operation id of the document.
fn operation_ids(doc: &Value) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for item in doc["paths"].as_object().expect("paths").values() {
        for op in item.as_object().expect("path item").values() {
            if let Some(id) = op["operationId"].as_str() {
                ids.insert(id.to_owned());
            }
        }
    }
    ids
}

#[tokio::test]
async fn the_served_document_is_the_committed_one_and_valid_openapi_3_1() {
    let app = TestApp::spawn().await;
    let dir = TempDir::new();
    let (served, file) = served_document(&app, dir.path()).await;
    if std::env::var("MAIGIE_UPDATE_CONTRACT").is_ok_and(|v| v == "1") {
        let text = serde_json::to_string_pretty(&served).expect("serialize") + "\n";
        std::fs::write(committed_path(), text).expect("write docs/openapi.json");
    }
    let committed: Value = serde_json::from_slice(
        &std::fs::read(committed_path()).expect("docs/openapi.json is committed"),
    )
    .expect("docs/openapi.json is JSON");
    assert!(
        committed == served,
        "docs/openapi.json differs from the served document: review the change and \
         update it with `MAIGIE_UPDATE_CONTRACT=1 ./scripts/test -E 'test(/contract::/)'`"
    );
    run_ok(
        &venv_bin("openapi-spec-validator"),
        &[file.to_str().expect("utf-8 path")],
        "openapi-spec-validator",
    )
    .await;
    document::check_rules(&served);
}

#[tokio::test]
async fn typescript_types_generate_with_every_operation() {
    let app = TestApp::spawn().await;
    let dir = TempDir::new();
    let (doc, file) = served_document(&app, dir.path()).await;
    let out_file = dir.path().join("api.d.ts");
    run_ok(
        &node_tool("openapi-typescript"),
        &[
            file.to_str().expect("utf-8"),
            "-o",
            out_file.to_str().expect("utf-8"),
        ],
        "openapi-typescript",
    )
    .await;
    let types = std::fs::read_to_string(&out_file).expect("types written");
    let operations = types
        .split("export interface operations {")
        .nth(1)
        .expect("an operations interface");
    let missing: Vec<String> = operation_ids(&doc)
        .into_iter()
        .filter(|id| !operations.contains(&format!("\n    {id}: {{")))
        .collect();
    assert!(
        missing.is_empty(),
        "operations missing from the types: {missing:?}"
    );
    // Enums come through as unions, not `string`.
    assert!(
        types.contains(r#"Priority: "low" | "medium" | "high" | "urgent""#),
        "Priority is a union of its values"
    );
}

#[tokio::test]
async fn a_generated_python_client_has_every_operation_and_drives_the_app() {
    let app = TestApp::spawn().await;
    let dir = TempDir::new();
    let (doc, file) = served_document(&app, dir.path()).await;
    let package = dir.path().join("maigie_client");
    // No post hooks: they would run `ruff`, which is not a dependency. Spoken audio
    // (`POST /api/voice/speak`, `audio/wav`) is bytes to the client: the generator's
    // documented override for media types it has no reader for.
    let config = dir.path().join("generator.yml");
    std::fs::write(
        &config,
        "post_hooks: []\ncontent_type_overrides:\n  audio/wav: application/octet-stream\n",
    )
    .expect("write config");
    let out = run_ok(
        &venv_bin("openapi-python-client"),
        &[
            "generate",
            "--path",
            file.to_str().expect("utf-8"),
            "--output-path",
            package.to_str().expect("utf-8"),
            "--meta",
            "none",
            "--config",
            config.to_str().expect("utf-8"),
        ],
        "openapi-python-client",
    )
    .await;
    let log =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        !log.contains("Warning") && !log.contains("Unable to"),
        "the generator skipped something:\n{log}"
    );
    let generated: BTreeSet<String> = walk(&package.join("api"))
        .into_iter()
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    let missing: Vec<String> = operation_ids(&doc)
        .into_iter()
        .filter(|id| !generated.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "operations missing from the client: {missing:?}"
    );

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("contract/smoke.py");
    let mut smoke = Command::new(venv_bin("python"));
    smoke
        .arg(&script)
        .arg(&app.base)
        .env("PYTHONPATH", dir.path());
    let out = output(smoke).await.expect("python runs");
    assert!(
        out.status.success(),
        "the generated client's smoke run failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("the script prints JSON");
    assert_eq!(report["listed"], 1, "{report}");
    assert_eq!(report["completed"], true, "{report}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)
        .expect("generated api/ dir")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "py") {
            files.push(path);
        }
    }
    files
}
