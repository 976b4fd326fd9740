//! The provider chain: fallback in order, retries with backoff, and circuit breakers.

use std::time::Duration;

use crate::breaker::{Breaker, CircuitState, Outcome, Permit};
use crate::config::ChainConfig;
use crate::error::{AttemptError, Kind, LlmError};
use crate::provider::{ModelCheck, Provider};
use crate::types::{ChatRequest, Completion, Delta};

/// Providers tried in order, each with its own retry budget and circuit breaker.
///
/// `Send + Sync`; share one in an `Arc`. Breaker state lives behind a `std::sync::Mutex` that is
/// only held for a few field updates, never across an `.await`.
pub struct LlmChain {
    providers: Vec<Provider>,
    retries: u32,
    backoff: Duration,
}

impl std::fmt::Debug for LlmChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self
            .providers
            .iter()
            .map(|p| p.config.name.as_str())
            .collect();
        f.debug_struct("LlmChain")
            .field("providers", &names)
            .finish_non_exhaustive()
    }
}

impl LlmChain {
    /// Builds one HTTP client and breaker per provider. An empty provider list is allowed
    /// (the assistant is then off): [`LlmChain::complete`] answers [`LlmError::NoProviders`].
    pub fn new(config: ChainConfig) -> Result<Self, LlmError> {
        crate::telemetry::describe();
        let providers = config
            .providers
            .into_iter()
            .map(|p| {
                Provider::new(
                    p,
                    Breaker::new(config.breaker_failures, config.breaker_cooldown),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            providers,
            retries: config.retries,
            backoff: config.backoff,
        })
    }

    /// Whether no provider is configured.
    pub fn is_empty(&self) -> bool {
        self.providers.is_empty()
    }

    /// Names of the configured providers, in the order they are tried.
    pub fn provider_names(&self) -> Vec<String> {
        self.providers
            .iter()
            .map(|p| p.config.name.clone())
            .collect()
    }

    /// Each provider's circuit breaker state, in order (for the metrics scrape).
    pub fn circuit_states(&self) -> Vec<(String, CircuitState)> {
        self.providers
            .iter()
            .map(|p| (p.config.name.clone(), p.breaker.state()))
            .collect()
    }

    /// Sets the `maigie_llm_circuit_state` gauge of every provider (the metrics scrape
    /// calls this: a circuit turns half-open by the clock alone).
    pub fn record_circuit_states(&self) {
        for (provider, state) in self.circuit_states() {
            metrics::gauge!(crate::telemetry::CIRCUIT_STATE, "provider" => provider)
                .set(f64::from(state as u8));
        }
    }

    /// Asks each provider's `GET /models` whether it serves the configured model, all
    /// at once, each within `timeout` (a start-up check of the configuration).
    pub async fn check_models(&self, timeout: Duration) -> Vec<ModelCheck> {
        futures::future::join_all(self.providers.iter().map(|p| p.check_model(timeout))).await
    }

    /// Asks the providers in order until one answers.
    ///
    /// Providers whose circuit is open are skipped. Each provider gets `retries` extra attempts
    /// on retryable errors (connect errors, timeouts, HTTP 408/429/5xx, a broken stream), with
    /// `backoff` doubled before each; other errors move on to the next provider at once. A
    /// provider's failure counts towards its breaker unless the request itself was refused
    /// (400, 413, 422). A half-open provider gets a single trial attempt.
    ///
    /// `on_delta` receives each text fragment as it arrives (the whole text at once from a
    /// provider that does not stream); tool-call fragments are assembled, not passed on. When
    /// an attempt fails after text was passed on, [`Delta::Restart`] tells the caller to discard
    /// that text before the next attempt's text arrives.
    pub async fn complete(
        &self,
        request: &ChatRequest,
        on_delta: &mut (dyn FnMut(Delta) + Send),
    ) -> Result<Completion, LlmError> {
        if self.providers.is_empty() {
            return Err(LlmError::NoProviders);
        }
        let mut failures = Vec::new();
        let mut sent_text = false;
        for provider in &self.providers {
            let name = &provider.config.name;
            let Some(permit) = provider.breaker.try_acquire() else {
                tracing::debug!(provider = %name, "LLM provider skipped: circuit open");
                crate::telemetry::skipped(name);
                failures.push((name.clone(), "circuit open".to_string()));
                continue;
            };
            match self
                .try_provider(provider, &permit, request, on_delta, &mut sent_text)
                .await
            {
                Ok(completion) => {
                    permit.resolve(Outcome::Success);
                    crate::telemetry::tokens(
                        name,
                        completion.usage.prompt_tokens,
                        completion.usage.completion_tokens,
                    );
                    tracing::debug!(
                        provider = %name,
                        prompt_tokens = completion.usage.prompt_tokens,
                        completion_tokens = completion.usage.completion_tokens,
                        tool_calls = completion.tool_calls.len(),
                        "LLM completion"
                    );
                    return Ok(completion);
                }
                Err(err) => {
                    let outcome = if err.kind == Kind::Request {
                        Outcome::Neutral
                    } else {
                        Outcome::Failure
                    };
                    permit.resolve(outcome);
                    if provider.breaker.is_open() {
                        tracing::warn!(provider = %name, "LLM provider circuit open");
                    }
                    failures.push((name.clone(), err.message));
                }
            }
        }
        tracing::error!(providers = failures.len(), "every LLM provider failed");
        Err(LlmError::AllFailed(failures))
    }

    async fn try_provider(
        &self,
        provider: &Provider,
        permit: &Permit<'_>,
        request: &ChatRequest,
        on_delta: &mut (dyn FnMut(Delta) + Send),
        sent_text: &mut bool,
    ) -> Result<Completion, AttemptError> {
        let attempts = if permit.is_trial() {
            1
        } else {
            self.retries.saturating_add(1)
        };
        let mut delay = self.backoff;
        let mut attempt = 1;
        loop {
            let started = std::time::Instant::now();
            let result = provider.attempt(request, on_delta, sent_text).await;
            let failed = result.as_ref().err().map(|e| e.kind);
            crate::telemetry::attempt(&provider.config.name, started.elapsed(), failed);
            let err = match result {
                Ok(completion) => return Ok(completion),
                Err(err) => err,
            };
            if std::mem::take(sent_text) {
                on_delta(Delta::Restart);
            }
            tracing::warn!(
                provider = %provider.config.name,
                attempt,
                of = attempts,
                kind = ?err.kind,
                error = %err.message,
                "LLM attempt failed"
            );
            if err.kind != Kind::Retryable || attempt >= attempts {
                return Err(err);
            }
            tokio::time::sleep(delay).await;
            delay = delay.saturating_mul(2);
            attempt += 1;
        }
    }
}
