//! Prometheus metrics of the chain, per provider (names from the configuration, so the
//! label values are bounded): attempts and their latency, errors by kind, skips while a
//! circuit is open, tokens. The circuit state itself is read at scrape time through
//! [`crate::LlmChain::circuit_states`].

use std::time::Duration;

use crate::error::Kind;

pub(crate) const ATTEMPTS: &str = "maigie_llm_requests_total";
pub(crate) const DURATION: &str = "maigie_llm_request_duration_seconds";
pub(crate) const ERRORS: &str = "maigie_llm_errors_total";
pub(crate) const SKIPPED: &str = "maigie_llm_skipped_total";
pub(crate) const TOKENS: &str = "maigie_llm_tokens_total";
/// The gauge the scrape sets from [`crate::LlmChain::circuit_states`].
pub const CIRCUIT_STATE: &str = "maigie_llm_circuit_state";

/// Gives every metric its `# HELP` text (a no-op until a recorder is installed).
pub fn describe() {
    metrics::describe_counter!(
        ATTEMPTS,
        "Attempts to get a completion from an LLM provider, by provider and outcome (ok or error)."
    );
    metrics::describe_histogram!(
        DURATION,
        metrics::Unit::Seconds,
        "Duration of one LLM attempt (the whole streamed reply), by provider."
    );
    metrics::describe_counter!(
        ERRORS,
        "Failed LLM attempts by provider and kind: retryable (connect, timeout, 429, 5xx), \
         provider (401/403/404, unreadable reply), request (400/413/422)."
    );
    metrics::describe_counter!(
        SKIPPED,
        "Requests that skipped an LLM provider because its circuit was open."
    );
    metrics::describe_counter!(
        TOKENS,
        "Tokens of successful LLM completions, by provider and type (prompt, completion)."
    );
    metrics::describe_gauge!(
        CIRCUIT_STATE,
        "Circuit breaker of each LLM provider: 0 closed, 1 half-open (next request is a trial), 2 open."
    );
}

fn kind_label(kind: Kind) -> &'static str {
    match kind {
        Kind::Retryable => "retryable",
        Kind::Provider => "provider",
        Kind::Request => "request",
    }
}

pub(crate) fn attempt(provider: &str, took: Duration, failed: Option<Kind>) {
    let outcome = if failed.is_some() { "error" } else { "ok" };
    metrics::counter!(ATTEMPTS, "provider" => provider.to_owned(), "outcome" => outcome)
        .increment(1);
    metrics::histogram!(DURATION, "provider" => provider.to_owned()).record(took.as_secs_f64());
    if let Some(kind) = failed {
        metrics::counter!(ERRORS, "provider" => provider.to_owned(), "kind" => kind_label(kind))
            .increment(1);
    }
}

pub(crate) fn skipped(provider: &str) {
    metrics::counter!(SKIPPED, "provider" => provider.to_owned()).increment(1);
}

pub(crate) fn tokens(provider: &str, prompt: u32, completion: u32) {
    metrics::counter!(TOKENS, "provider" => provider.to_owned(), "type" => "prompt")
        .increment(u64::from(prompt));
    metrics::counter!(TOKENS, "provider" => provider.to_owned(), "type" => "completion")
        .increment(u64::from(completion));
}
