//! Helpers shared by the integration tests: providers pointing at fakes, and asking a chain.
#![allow(dead_code)]

use std::time::Duration;

use maigie_llm::fake::FakeLlm;
use maigie_llm::{
    ChainConfig, ChatRequest, Completion, Delta, LlmChain, LlmError, Message, ProviderConfig,
    ToolSpec,
};

/// A provider named `name` asking `fake` for model `fake-model`.
pub fn provider(name: &str, fake: &FakeLlm, stream: bool) -> ProviderConfig {
    ProviderConfig {
        name: name.to_string(),
        base_url: fake.base_url.clone(),
        api_key: Some("test-key".to_string()),
        model: "fake-model".to_string(),
        timeout: Duration::from_secs(5),
        stream,
    }
}

/// A chain over `providers` with fast backoff and the given retries.
pub fn chain(providers: Vec<ProviderConfig>, retries: u32) -> LlmChain {
    let config = ChainConfig {
        providers,
        retries,
        backoff: Duration::from_millis(5),
        ..ChainConfig::default()
    };
    LlmChain::new(config).expect("chain")
}

/// A request with one user message and the task tools on offer.
pub fn request(text: &str) -> ChatRequest {
    ChatRequest {
        messages: vec![Message::user(text)],
        tools: tools(),
        max_tokens: Some(256),
    }
}

pub fn tools() -> Vec<ToolSpec> {
    vec![ToolSpec {
        name: "create_task".to_string(),
        description: "Create a task".to_string(),
        parameters: serde_json::json!({
            "type": "object",
            "properties": { "title": { "type": "string" }, "due": { "type": "string" } },
            "required": ["title"],
        }),
    }]
}

/// Asks the chain, returning the result and every delta received.
pub async fn ask(
    chain: &LlmChain,
    request: &ChatRequest,
) -> (Result<Completion, LlmError>, Vec<Delta>) {
    let mut deltas = Vec::new();
    let result = chain.complete(request, &mut |d| deltas.push(d)).await;
    (result, deltas)
}

/// The text the caller would show: deltas concatenated, discarding text before each Restart.
pub fn shown_text(deltas: &[Delta]) -> String {
    let mut text = String::new();
    for delta in deltas {
        match delta {
            Delta::Text(t) => text.push_str(t),
            Delta::Restart => text.clear(),
        }
    }
    text
}
