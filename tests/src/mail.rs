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

/// Waits until at least `count` messages with `subject` reached `recipient`.
pub async fn wait_for_subject(
    recipient: &str,
    subject: &str,
    count: usize,
    timeout: Duration,
) -> Vec<String> {
    let start = Instant::now();
    loop {
        let found: Vec<String> = messages_to(recipient)
            .into_iter()
            .filter(|m| m.contains(&format!("Subject: {subject}\r\n")))
            .collect();
        if found.len() >= count || start.elapsed() > timeout {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A raw message with quoted-printable soft line breaks and `=3D` undone (enough to
/// read links out of it).
#[must_use]
pub fn unfold(raw: &str) -> String {
    raw.replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=")
}

/// The `token` of the first link to `path` (e.g. `/reset-password`) in a message.
#[must_use]
pub fn link_token(raw: &str, path: &str) -> Option<String> {
    let text = unfold(raw);
    let marker = format!("{path}?token=");
    let start = text.find(&marker)? + marker.len();
    let token: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (!token.is_empty()).then_some(token)
}

/// The message's `Message-ID` header.
#[must_use]
pub fn message_id(raw: &str) -> Option<String> {
    raw.lines()
        .find_map(|l| l.strip_prefix("Message-ID: "))
        .map(|v| v.trim().to_owned())
}
