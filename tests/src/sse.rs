//! A Server-Sent Events reader for tests: the chat answer as a client reads it.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;

/// One event: its `event:` name and its `data:` as JSON.
#[derive(Debug, Clone)]
pub struct SseEvent {
    pub event: String,
    pub data: Value,
}

/// Reads the whole stream (until the server ends it, or `timeout`), in order. Panics
/// when an event does not fit the AsyncAPI document.
pub async fn read_all(res: reqwest::Response, timeout: Duration) -> Vec<SseEvent> {
    let mut events = Vec::new();
    let mut buffer = String::new();
    let mut body = res.bytes_stream();
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let chunk = match tokio::time::timeout_at(deadline, body.next()).await {
            Ok(Some(Ok(chunk))) => chunk,
            _ => break,
        };
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut event = String::from("message");
            let mut data = String::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    event = v.trim().to_owned();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
            if !data.is_empty() {
                let data = serde_json::from_str(&data).unwrap_or(Value::String(data));
                if let Err(err) = crate::asyncapi::check_sse(&event, &data) {
                    panic!("{err:#}");
                }
                events.push(SseEvent { event, data });
            }
        }
    }
    events
}

/// The text the assistant streamed (deltas joined, restarts honoured).
#[must_use]
pub fn streamed_text(events: &[SseEvent]) -> String {
    let mut text = String::new();
    for e in events.iter().filter(|e| e.event == "chat.delta") {
        if e.data["reset"] == true {
            text.clear();
        }
        text.push_str(e.data["text"].as_str().unwrap_or(""));
    }
    text
}
