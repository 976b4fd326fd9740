//! A Temporal dev server of one test's own, keeping its state in a file, so the test
//! can stop it (an outage) and start it again with every workflow and timer intact.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use uuid::Uuid;

/// The Temporal CLI `scripts/test` installed.
pub fn temporal_cli() -> String {
    let venv = std::env::var("MAIGIE_VENV")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../.venv").to_owned());
    format!("{venv}/bin/temporal")
}

/// `--search-attribute Name=Type` for each line of `temporal/search-attributes.txt`,
/// as the scripts and compose register them.
fn search_attribute_flags() -> Vec<String> {
    let file = include_str!("../../temporal/search-attributes.txt");
    file.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            Some(format!("{}={}", parts.next()?, parts.next()?))
        })
        .flat_map(|pair| ["--search-attribute".to_owned(), pair])
        .collect()
}

pub struct OwnTemporal {
    port: u16,
    db_file: PathBuf,
    child: Option<Child>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl OwnTemporal {
    /// Starts a server on a free port and waits until it answers.
    pub async fn start() -> OwnTemporal {
        let dir = std::env::temp_dir().join(format!("maigie-temporal-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut server = OwnTemporal {
            port: free_port(),
            db_file: dir.join("temporal.db"),
            child: None,
        };
        server.restart().await;
        server
    }

    /// `http://127.0.0.1:<port>`, for `TEMPORAL_ADDRESS`.
    pub fn address(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Kills the server (SIGKILL: a crash, not a clean stop).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and file; waits until it answers.
    pub async fn restart(&mut self) {
        self.stop();
        let mut cmd = Command::new(temporal_cli());
        cmd.args(["server", "start-dev", "--headless", "--log-level", "error"])
            .args(["--ip", "127.0.0.1", "--port", &self.port.to_string()])
            .arg("--db-filename")
            .arg(&self.db_file)
            .args(search_attribute_flags())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        self.child = Some(cmd.spawn().expect("temporal dev server starts"));
        let hp = format!("127.0.0.1:{}", self.port);
        let started = Instant::now();
        loop {
            let healthy = Command::new(temporal_cli())
                .args(["operator", "cluster", "health", "--address", &hp])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if healthy {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "own Temporal server did not start on {hp}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

impl Drop for OwnTemporal {
    fn drop(&mut self) {
        self.stop();
        if let Some(dir) = self.db_file.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Runs the Temporal CLI against the tests' shared server (`TEMPORAL_ADDRESS`) with
/// `-o json` and parses what it prints (JSON lines are gathered into an array).
pub fn temporal_json(args: &[&str]) -> serde_json::Value {
    try_temporal_json(args).unwrap_or_else(|err| panic!("temporal {args:?}: {err}"))
}

/// [`temporal_json`], with what the CLI said when it failed (e.g. a workflow not
/// started yet: writes start theirs just after they answer).
pub fn try_temporal_json(args: &[&str]) -> Result<serde_json::Value, String> {
    let address =
        std::env::var("TEMPORAL_ADDRESS").unwrap_or_else(|_| "http://127.0.0.1:7233".into());
    let address = address
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let out = Command::new(temporal_cli())
        .args(args)
        .args(["--address", &address, "-o", "json"])
        .output()
        .expect("temporal CLI runs");
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(serde_json::from_str(&text).unwrap_or_else(|_| {
        serde_json::Value::Array(
            text.lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect(),
        )
    }))
}
