//! The HTTP transport under async-openai: one reqwest client, no retries of its own, and
//! every non-2xx answer turned into its status code and message whatever the body holds.
//!
//! async-openai's own handling keeps the status only when the body is OpenAI's JSON error
//! object (or for 5xx): a proxy's plain-text or HTML `429 Too Many Requests` would arrive as
//! "unreadable JSON", which we could not tell from a permanent failure. Its default executor
//! also retries 429 and 5xx itself; retrying belongs to our callers (durable activities).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use async_openai::error::OpenAIError;
use async_openai::middleware::HttpRequestFactory;

use crate::error::truncate_message;

/// A tower service for [`async_openai::Client::with_http_service`], shared by every
/// OpenAI-compatible client of ours (embeddings, voice).
#[derive(Clone)]
pub struct StatusService {
    pub client: reqwest::Client,
}

/// A non-2xx answer, carried through async-openai as [`OpenAIError::Boxed`].
#[derive(Debug, thiserror::Error)]
#[error("HTTP {status}: {message}")]
pub struct HttpStatus {
    pub status: u16,
    pub message: String,
}

type ResponseFuture =
    Pin<Box<dyn Future<Output = Result<reqwest::Response, OpenAIError>> + Send + 'static>>;

impl tower::Service<HttpRequestFactory> for StatusService {
    type Response = reqwest::Response;
    type Error = OpenAIError;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: HttpRequestFactory) -> Self::Future {
        let client = self.client.clone();
        Box::pin(async move {
            let request = request.build().await?;
            let response = client.execute(request).await?;
            let status = response.status();
            if status.is_success() {
                return Ok(response);
            }
            // A body that cannot be read still leaves the status, which is what counts.
            let body = response.bytes().await.unwrap_or_default();
            Err(OpenAIError::Boxed(Box::new(HttpStatus {
                status: status.as_u16(),
                message: error_message(&body),
            })))
        })
    }
}

/// The message of an error body: OpenAI's `{"error": {"message": …}}`, Ollama's
/// `{"error": "…"}`, a bare `{"message": …}`, or the text itself; at most 300 characters.
fn error_message(body: &[u8]) -> String {
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let from_json = json.as_ref().and_then(|v| {
        v["error"]["message"]
            .as_str()
            .or_else(|| v["error"].as_str())
            .or_else(|| v["message"].as_str())
    });
    let text = match from_json {
        Some(message) => message.to_string(),
        None => String::from_utf8_lossy(body).trim().to_string(),
    };
    truncate_message(&text, 300)
}

#[cfg(test)]
mod tests {
    use super::error_message;

    #[test]
    fn error_messages_are_read_from_each_known_body_shape() {
        let cases: [(&[u8], &str); 5] = [
            (
                br#"{"error":{"message":"bad input","type":"x"}}"#,
                "bad input",
            ),
            (br#"{"error":"model not found"}"#, "model not found"),
            (br#"{"message":"slow down"}"#, "slow down"),
            (
                b"<html>429 Too Many Requests</html>\n",
                "<html>429 Too Many Requests</html>",
            ),
            (b"", ""),
        ];
        for (body, expected) in cases {
            assert_eq!(error_message(body), expected);
        }
    }
}
