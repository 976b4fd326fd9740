//! Reads a chat answer streamed as Server-Sent Events (`event: <name>\ndata: <json>\n\n`)
//! with `Response::chunk` (no streaming feature needed), noting when each milestone
//! arrived.

use std::time::Instant;

use serde_json::Value;

/// What one streamed answer looked like, times in ms since the request was sent.
#[derive(Debug, Default)]
pub struct Timeline {
    pub started_ms: Option<f64>,
    pub first_delta_ms: Option<f64>,
    pub done_ms: Option<f64>,
    /// `status` of `chat.done` (`completed`, `failed`, …).
    pub done_status: Option<String>,
    /// The stream ended with `chat.confirmation_required` instead.
    pub confirmation: bool,
    /// `chat.tool_call` events with status `completed`.
    pub tools_completed: usize,
    /// The streamed text (deltas joined, resets honoured).
    pub text: String,
}

impl Timeline {
    fn on_event(&mut self, name: &str, data: &Value, ms: f64) {
        match name {
            "chat.started" => self.started_ms = Some(ms),
            "chat.delta" => {
                if self.first_delta_ms.is_none() {
                    self.first_delta_ms = Some(ms);
                }
                if data["reset"] == true {
                    self.text.clear();
                }
                self.text.push_str(data["text"].as_str().unwrap_or(""));
            }
            "chat.tool_call" if data["status"] == "completed" => self.tools_completed += 1,
            "chat.confirmation_required" => self.confirmation = true,
            "chat.done" => {
                self.done_ms = Some(ms);
                self.done_status = data["status"].as_str().map(str::to_owned);
            }
            _ => {}
        }
    }
}

/// Reads `response` to its end; `sent` is when the request left.
pub async fn read(mut response: reqwest::Response, sent: Instant) -> anyhow::Result<Timeline> {
    let mut timeline = Timeline::default();
    let mut buffer = String::new();
    while let Some(chunk) = response.chunk().await? {
        let ms = sent.elapsed().as_secs_f64() * 1000.0;
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut name = "message";
            let mut data = String::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    name = v.trim();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
            if !data.is_empty() {
                let data: Value = serde_json::from_str(&data).unwrap_or(Value::Null);
                timeline.on_event(name, &data, ms);
            }
        }
    }
    Ok(timeline)
}
