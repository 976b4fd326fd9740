//! Reads what the SMTP sink (`scripts/smtp_sink.py`) delivered: one `.eml` file per
//! message in `SMTP_SINK_DIR`, its first line `X-Sink-Rcpt-To: <recipients>`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

fn sink_dir() -> PathBuf {
    PathBuf::from(std::env::var("SMTP_SINK_DIR").unwrap_or_else(|_| ".dev/mail".into()))
}

/// Every message delivered to `recipient`, oldest first.
pub fn messages_to(recipient: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(sink_dir()) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter(|text| {
            text.lines().next().is_some_and(|first| {
                first.starts_with("X-Sink-Rcpt-To:") && first.contains(recipient)
            })
        })
        .collect()
}

/// Waits until at least `count` messages reached `recipient`.
pub async fn wait_for_mail(recipient: &str, count: usize, timeout: Duration) -> Vec<String> {
    let start = Instant::now();
    loop {
        let found = messages_to(recipient);
        if found.len() >= count || start.elapsed() > timeout {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
