//! The HTTP transport under async-openai: one reqwest client, no retries of its own
//! (retrying belongs to our callers: durable activities, or the user), and every non-2xx
//! answer turned into its status and message whatever the body holds (a proxy's HTML
//! `502` must still read as "try again", not as an unreadable answer).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use async_openai::error::OpenAIError;
use async_openai::middleware::HttpRequestFactory;

/// A tower service for [`async_openai::Client::with_http_service`].
#[derive(Clone)]
pub(super) struct StatusService {
    pub(super) client: reqwest::Client,
}

/// A non-2xx answer, carried through async-openai as [`OpenAIError::Boxed`].
#[derive(Debug, thiserror::Error)]
#[error("HTTP {status}: {message}")]
pub(super) struct HttpStatus {
    pub(super) status: u16,
    pub(super) message: String,
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
            let body = response.bytes().await.unwrap_or_default();
            Err(OpenAIError::Boxed(Box::new(HttpStatus {
                status: status.as_u16(),
                message: error_message(&body),
            })))
        })
    }
}

/// OpenAI's `{"error": {"message": …}}`, `{"error": "…"}`, `{"message": …}` or the
/// text itself; at most 300 characters.
fn error_message(body: &[u8]) -> String {
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let from_json = json.as_ref().and_then(|v| {
        v["error"]["message"]
            .as_str()
            .or_else(|| v["error"].as_str())
            .or_else(|| v["message"].as_str())
    });
    let text = match from_json {
        Some(message) => message.to_owned(),
        None => String::from_utf8_lossy(body).trim().to_owned(),
    };
    text.chars().take(300).collect()
}
