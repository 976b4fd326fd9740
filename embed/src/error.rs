//! Why an embedding could not be had, and whether asking again can help.

use std::time::Duration;

/// Why texts could not be embedded.
///
/// Callers that retry (indexing activities) ask [`EmbedError::is_retryable`]: a provider that
/// is down, slow, rate-limiting or failing on its side may answer later; a bad configuration,
/// a refused request or an unusable reply will fail the same way again.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmbedError {
    /// The settings or the model files are unusable (missing directory, unreadable
    /// `config.json`, unknown dimension, invalid URL…).
    #[error("embedding configuration is invalid: {0}")]
    Config(String),
    /// The provider could not be reached or the connection broke.
    #[error("embedding provider unavailable: {0}")]
    Unavailable(String),
    /// The provider did not answer within the configured timeout.
    #[error("embedding provider did not answer within {0:?}")]
    Timeout(Duration),
    /// The provider answered with an HTTP error status.
    #[error("embedding provider answered HTTP {status}: {message}")]
    Status {
        /// The HTTP status code.
        status: u16,
        /// The provider's message, shortened; never holds the request's texts or key.
        message: String,
    },
    /// The provider answered, but not with one vector of the expected dimension per input.
    #[error("embedding provider sent an unusable reply: {0}")]
    InvalidResponse(String),
    /// The in-process model failed (tokenizer or forward pass).
    #[error("embedding model failed: {0}")]
    Model(String),
}

impl EmbedError {
    /// Whether the same request may succeed later: unreachable provider, timeout, HTTP 408,
    /// 429 and 5xx. Everything else (configuration, other 4xx, unusable replies, model
    /// failures) is permanent.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Unavailable(_) | Self::Timeout(_) => true,
            Self::Status { status, .. } => matches!(status, 408 | 429 | 500..=599),
            Self::Config(_) | Self::InvalidResponse(_) | Self::Model(_) => false,
        }
    }
}

impl From<candle_core::Error> for EmbedError {
    fn from(err: candle_core::Error) -> Self {
        Self::Model(err.to_string())
    }
}

/// `text` cut to at most `max_chars` characters (on a character boundary), marked with `…`.
pub(crate) fn truncate_message(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_trouble_is_retried_but_refusals_and_bad_setup_are_not() {
        let status = |status| EmbedError::Status {
            status,
            message: String::new(),
        };
        for retryable in [408, 429, 500, 502, 503, 504] {
            assert!(status(retryable).is_retryable(), "{retryable}");
        }
        for permanent in [400, 401, 403, 404, 413, 422] {
            assert!(!status(permanent).is_retryable(), "{permanent}");
        }
        assert!(EmbedError::Unavailable("connection refused".into()).is_retryable());
        assert!(EmbedError::Timeout(Duration::from_secs(1)).is_retryable());
        assert!(!EmbedError::Config("no model".into()).is_retryable());
        assert!(!EmbedError::InvalidResponse("3 vectors for 2 inputs".into()).is_retryable());
        assert!(!EmbedError::Model("shape mismatch".into()).is_retryable());
    }

    #[test]
    fn long_messages_are_cut_on_a_character_boundary() {
        assert_eq!(truncate_message("ééé", 2), "éé…");
        assert_eq!(truncate_message("ab", 5), "ab");
    }
}
