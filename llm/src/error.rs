//! Errors of the chain, and how one attempt's failure is classified.

use async_openai::error::OpenAIError;

use crate::config::ConfigError;

/// Why a completion could not be had.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    /// No provider is configured.
    #[error("no LLM provider is configured")]
    NoProviders,
    /// Every provider failed or was skipped (open circuit): `(provider, error)` for each.
    #[error("every LLM provider failed: {}", describe(.0))]
    AllFailed(Vec<(String, String)>),
    /// The configuration is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The HTTP client could not be built.
    #[error("could not build the HTTP client: {0}")]
    Http(String),
}

fn describe(failures: &[(String, String)]) -> String {
    let parts: Vec<String> = failures.iter().map(|(p, e)| format!("{p}: {e}")).collect();
    parts.join("; ")
}

/// How a failed attempt affects what happens next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Transient (connect, timeout, 429, 5xx, broken stream): retry the same provider.
    Retryable,
    /// The provider cannot serve us (401, 403, 404, unreadable reply): next provider at once.
    Provider,
    /// The request itself was refused (400, 413, 422): next provider, breaker untouched.
    Request,
}

/// One failed attempt against one provider.
#[derive(Debug)]
pub(crate) struct AttemptError {
    pub kind: Kind,
    /// Safe to log: holds no request content or credentials.
    pub message: String,
}

impl AttemptError {
    pub(crate) fn timeout(after: std::time::Duration) -> Self {
        Self {
            kind: Kind::Retryable,
            message: format!("timed out after {after:?}"),
        }
    }
}

impl From<OpenAIError> for AttemptError {
    fn from(err: OpenAIError) -> Self {
        let kind = match &err {
            OpenAIError::Reqwest(e) if e.is_builder() => Kind::Request,
            OpenAIError::Reqwest(_) | OpenAIError::StreamError(_) => Kind::Retryable,
            OpenAIError::ApiError(api) => {
                let quota = api.api_error.code.as_deref() == Some("insufficient_quota");
                status_kind(api.status_code.as_u16(), quota)
            }
            OpenAIError::InvalidArgument(_) => Kind::Request,
            _ => Kind::Provider,
        };
        let message = match err {
            // The body can be long and may echo the request: keep only the parser's complaint.
            OpenAIError::JSONDeserialize(e, _) => format!("unreadable reply: {e}"),
            // The URL could carry a key in its query string (some gateways want one there).
            OpenAIError::Reqwest(e) => truncate(&with_causes(&e.without_url()), 300),
            other => truncate(&other.to_string(), 300),
        };
        Self { kind, message }
    }
}

/// The error and its chain of causes (reqwest's own text says little: "error sending request").
fn with_causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

fn status_kind(status: u16, out_of_quota: bool) -> Kind {
    match status {
        429 if out_of_quota => Kind::Provider,
        408 | 429 | 500..=599 => Kind::Retryable,
        400 | 413 | 422 => Kind::Request,
        _ => Kind::Provider,
    }
}

fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits_and_server_errors_are_retried_but_bad_requests_are_not() {
        assert_eq!(status_kind(429, false), Kind::Retryable);
        assert_eq!(status_kind(503, false), Kind::Retryable);
        assert_eq!(status_kind(429, true), Kind::Provider);
        assert_eq!(status_kind(400, false), Kind::Request);
        assert_eq!(status_kind(401, false), Kind::Provider);
    }

    #[test]
    fn long_messages_are_cut_on_a_character_boundary() {
        assert_eq!(truncate("ééé", 2), "éé…");
        assert_eq!(truncate("ab", 5), "ab");
    }
}
