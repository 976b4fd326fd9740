//! The LLM client layer: OpenAI-compatible providers (OpenAI, Ollama, vLLM, llama.cpp…) asked
//! through `async-openai`, in a chain with fallback, retries with exponential backoff and a
//! circuit breaker per provider, streaming text deltas and assembling tool calls.
//!
//! ```no_run
//! # async fn demo() -> Result<(), maigie_llm::LlmError> {
//! use maigie_llm::{ChainConfig, ChatRequest, LlmChain, Message};
//! let config = ChainConfig::from_env_values(
//!     "http://127.0.0.1:11434/v1", "", "llama3.2", std::time::Duration::from_secs(60))?;
//! let chain = LlmChain::new(config)?;
//! let request = ChatRequest { messages: vec![Message::user("Plan my week")], ..Default::default() };
//! let reply = chain.complete(&request, &mut |delta| println!("{delta:?}")).await?;
//! println!("{} ({} tool calls)", reply.content, reply.tool_calls.len());
//! # Ok(()) }
//! ```
//!
//! With the `fake` feature, [`fake::FakeLlm`] is a scriptable OpenAI-compatible server for tests.

mod assemble;
mod breaker;
mod chain;
mod config;
mod error;
mod provider;
mod repair;
mod telemetry;
mod types;

#[cfg(feature = "fake")]
pub mod fake;

pub use breaker::CircuitState;
pub use chain::LlmChain;
pub use config::{ChainConfig, ConfigError, ProviderConfig};
pub use error::LlmError;
pub use provider::{ModelCheck, ModelCheckOutcome};
pub use repair::repair_arguments;
pub use telemetry::describe as describe_metrics;
pub use types::{ChatRequest, Completion, Delta, Message, ToolCall, ToolSpec, Usage};
