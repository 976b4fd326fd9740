//! The `maigie` binary in a process of its own, with its output captured line by line:
//! for what only a real process shows (exit codes, what it prints, its JSON logs).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::TestApp;

/// The binary `scripts/test` built (`MAIGIE_BIN`), else the target dir's.
pub fn maigie_bin() -> String {
    std::env::var("MAIGIE_BIN").unwrap_or_else(|_| {
        let target = std::env::var("CARGO_TARGET_DIR")
            .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target").to_owned());
        format!("{target}/debug/maigie")
    })
}

type Lines = Arc<Mutex<Vec<String>>>;

fn collect(stream: impl std::io::Read + Send + 'static) -> Lines {
    let lines = Lines::default();
    let sink = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if let Ok(mut all) = sink.lock() {
                all.push(line);
            }
        }
    });
    lines
}

/// A running (or ended) `maigie` process; killed when dropped.
pub struct MaigieProcess {
    child: Child,
    stdout: Lines,
    stderr: Lines,
    started: Instant,
}

impl MaigieProcess {
    /// `maigie <args>` with exactly `env` (and `PATH`), in an empty directory, so no
    /// `.env` file is read.
    pub fn spawn(args: &[&str], env: &[(&str, String)]) -> MaigieProcess {
        let dir = std::env::temp_dir().join(format!("maigie-run-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut cmd = Command::new(maigie_bin());
        cmd.args(args)
            .current_dir(&dir)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {} (built by scripts/test): {e}", maigie_bin()));
        let stdout = collect(child.stdout.take().expect("stdout"));
        let stderr = collect(child.stderr.take().expect("stderr"));
        MaigieProcess {
            child,
            stdout,
            stderr,
            started: Instant::now(),
        }
    }

    /// Waits (polling) for the process to exit; `None` if it still runs at `timeout`.
    pub async fn exit_within(&mut self, timeout: Duration) -> Option<(ExitStatus, Duration)> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                // Let the reader threads take the last lines.
                tokio::time::sleep(Duration::from_millis(100)).await;
                return Some((status, self.started.elapsed()));
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The first stdout line `matches` accepts, waiting up to `timeout`.
    pub async fn stdout_line(
        &self,
        timeout: Duration,
        matches: impl Fn(&str) -> bool,
    ) -> Option<String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(line) = self.stdout().into_iter().find(|l| matches(l)) {
                return Some(line);
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn stdout(&self) -> Vec<String> {
        self.stdout.lock().map(|l| l.clone()).unwrap_or_default()
    }

    pub fn stderr(&self) -> Vec<String> {
        self.stderr.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Both outputs, for assertion messages.
    pub fn output(&self) -> String {
        format!(
            "stdout:\n{}\nstderr:\n{}",
            self.stdout().join("\n"),
            self.stderr().join("\n")
        )
    }
}

impl Drop for MaigieProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A `maigie worker` in its own process, on the app's task queue.
pub struct WorkerProcess {
    child: std::process::Child,
}

impl WorkerProcess {
    /// Starts the binary `scripts/test` built (`MAIGIE_BIN`, else the target dir's).
    pub fn start(app: &TestApp) -> WorkerProcess {
        Self::start_with(app, &[])
    }

    /// [`WorkerProcess::start`] with some of the app's variables replaced.
    pub fn start_with(app: &TestApp, overrides: &[(&str, &str)]) -> WorkerProcess {
        let bin = maigie_bin();
        let mut cmd = std::process::Command::new(&bin);
        cmd.arg("worker")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", "warn")
            // Several workers run at once: none binds a listener, whatever `.env` says.
            .env("WORKER_HTTP_ADDR", "")
            .stdout(std::process::Stdio::null());
        for (k, v) in &app.env {
            cmd.env(k, v);
        }
        for (k, v) in overrides {
            cmd.env(k, v);
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {bin} (built by scripts/test): {e}"));
        WorkerProcess { child }
    }

    /// SIGKILL: no clean-up, no finishing of activities.
    pub fn kill_hard(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
