//! The assistant's model providers (`LLM_*`) as the worker builds and checks them.

use std::sync::Arc;
use std::time::Duration;

use crate::StartupError;
use crate::config::Config;

/// The model providers of `LLM_*` (none: the agent answers offline). Their circuit
/// states are read at each metrics scrape.
pub fn llm_chain(config: &Config) -> anyhow::Result<maigie_llm::LlmChain> {
    let llm = &config.llm;
    let mut chain = maigie_llm::ChainConfig::from_env_values(
        &llm.base_urls,
        &llm.api_keys,
        &llm.models,
        llm.timeout,
    )
    .map_err(|e| StartupError(format!("LLM_BASE_URL / LLM_API_KEY / LLM_MODEL: {e}")))?;
    if !llm.stream {
        for p in &mut chain.providers {
            p.stream = false;
        }
    }
    if chain.providers.is_empty() {
        tracing::info!("no LLM_BASE_URL: the assistant answers with the built-in offline parser");
    } else {
        let providers: Vec<String> = chain
            .providers
            .iter()
            .map(|p| format!("{} ({})", p.name, p.model))
            .collect();
        tracing::info!(providers = %providers.join(", "), "LLM providers, in order");
    }
    Ok(maigie_llm::LlmChain::new(chain)?)
}

/// `LLM_CHECK_AT_START`: asks each provider whether it serves the model. A refused key
/// or a model the provider does not serve stops the worker; a provider that cannot be
/// reached now is only logged (the circuit breaker and the fallback cope with it).
pub(crate) async fn check_models(
    config: &Config,
    chain: &Arc<maigie_llm::LlmChain>,
) -> anyhow::Result<()> {
    let watched = chain.clone();
    maigie_api::metrics::set_collector("llm_circuits", move || {
        watched.record_circuit_states();
        Box::pin(async {})
    });
    if chain.is_empty() || !config.llm.check_at_start {
        return Ok(());
    }
    tracing::info!("worker start-up: asking the LLM providers for their models");
    let mut wrong = Vec::new();
    for check in chain.check_models(Duration::from_secs(6)).await {
        let line = format!(
            "LLM provider {} with model {}: {}",
            check.provider, check.model, check.outcome
        );
        if check.outcome.is_misconfiguration() {
            wrong.push(line);
        } else if check.outcome == maigie_llm::ModelCheckOutcome::Served {
            tracing::info!("{line}");
        } else {
            tracing::warn!("{line}");
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(StartupError(format!(
            "{} (LLM_MODEL / LLM_API_KEY; LLM_CHECK_AT_START=false skips this check)",
            wrong.join("; ")
        ))
        .into())
    }
}
