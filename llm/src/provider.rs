//! One attempt against one OpenAI-compatible provider, through async-openai.

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::middleware::ReqwestService;
use async_openai::types::chat::{
    ChatCompletionMessageToolCall, ChatCompletionMessageToolCalls,
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestAssistantMessageContent,
    ChatCompletionRequestMessage, ChatCompletionRequestSystemMessage,
    ChatCompletionRequestSystemMessageContent, ChatCompletionRequestToolMessage,
    ChatCompletionRequestToolMessageContent, ChatCompletionRequestUserMessage,
    ChatCompletionRequestUserMessageContent, ChatCompletionStreamOptions, ChatCompletionTool,
    ChatCompletionTools, CreateChatCompletionRequest, FunctionCall, FunctionObject,
};
use futures::StreamExt;

use crate::assemble::{Assembler, from_response};
use crate::breaker::Breaker;
use crate::config::ProviderConfig;
use crate::error::{AttemptError, LlmError};
use crate::types::{ChatRequest, Completion, Delta, Message, ToolSpec};

/// A configured provider with its client and circuit breaker.
pub(crate) struct Provider {
    pub(crate) config: ProviderConfig,
    pub(crate) breaker: Breaker,
    client: Client<OpenAIConfig>,
    /// The same connection pool, for `GET /models`.
    http: reqwest::Client,
}

/// What a provider's `GET /models` said about the configured model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelCheck {
    pub provider: String,
    pub model: String,
    pub outcome: ModelCheckOutcome,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelCheckOutcome {
    /// The model is listed.
    Served,
    /// The list does not have it: a wrong `LLM_MODEL` (or the model is not pulled yet).
    NotServed { available: Vec<String> },
    /// 401 or 403: a wrong or missing `LLM_API_KEY`.
    Refused(u16),
    /// No answer (down, wrong host or port, timeout): the circuit breaker copes.
    Unreachable(String),
    /// Another answer (no `/models` on this server, an unreadable list): cannot tell.
    Unknown(String),
}

impl ModelCheckOutcome {
    /// Whether the configuration is certainly wrong (as opposed to the provider being
    /// down now or unable to say).
    #[must_use]
    pub fn is_misconfiguration(&self) -> bool {
        matches!(self, Self::NotServed { .. } | Self::Refused(_))
    }
}

impl std::fmt::Display for ModelCheckOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Served => write!(f, "model served"),
            Self::NotServed { available } => {
                let shown: Vec<&str> = available.iter().take(10).map(String::as_str).collect();
                write!(f, "model not served (it serves: {})", shown.join(", "))
            }
            Self::Refused(status) => write!(f, "refused with HTTP {status}: check LLM_API_KEY"),
            Self::Unreachable(e) => write!(f, "unreachable: {e}"),
            Self::Unknown(e) => write!(f, "cannot tell: {e}"),
        }
    }
}

impl Provider {
    pub(crate) fn new(config: ProviderConfig, breaker: Breaker) -> Result<Self, LlmError> {
        // The API key is always set explicitly (empty when absent) and the organisation and
        // project headers cleared: async-openai otherwise falls back to OPENAI_* environment
        // variables, which would hand an OpenAI key to a local or third-party server.
        let openai = OpenAIConfig::new()
            .with_api_base(config.base_url.trim_end_matches('/'))
            .with_api_key(config.api_key.clone().unwrap_or_default())
            .with_org_id("")
            .with_project_id("");
        let http = reqwest::Client::builder()
            .connect_timeout(config.timeout.min(std::time::Duration::from_secs(10)))
            .build()
            .map_err(|e| LlmError::Http(e.to_string()))?;
        // A bare ReqwestService: async-openai's default executor retries 429/5xx on its own,
        // which would multiply our retries and hide failures from the circuit breaker.
        let client =
            Client::with_config(openai).with_http_service(ReqwestService::new(http.clone()));
        Ok(Self {
            config,
            breaker,
            client,
            http,
        })
    }

    /// `GET {base_url}/models`: is the configured model listed?
    pub(crate) async fn check_model(&self, timeout: std::time::Duration) -> ModelCheck {
        let outcome = match tokio::time::timeout(timeout, self.list_models()).await {
            Ok(outcome) => outcome,
            Err(_) => ModelCheckOutcome::Unreachable(format!("no answer within {timeout:?}")),
        };
        ModelCheck {
            provider: self.config.name.clone(),
            model: self.config.model.clone(),
            outcome,
        }
    }

    async fn list_models(&self) -> ModelCheckOutcome {
        let url = format!("{}/models", self.config.base_url.trim_end_matches('/'));
        let mut request = self.http.get(url);
        if let Some(key) = self.config.api_key.as_deref().filter(|k| !k.is_empty()) {
            request = request.bearer_auth(key);
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) if e.is_connect() || e.is_timeout() => {
                return ModelCheckOutcome::Unreachable(e.to_string());
            }
            Err(e) => return ModelCheckOutcome::Unknown(e.to_string()),
        };
        let status = response.status().as_u16();
        if matches!(status, 401 | 403) {
            return ModelCheckOutcome::Refused(status);
        }
        if status != 200 {
            return ModelCheckOutcome::Unknown(format!("GET /models answered {status}"));
        }
        let Ok(list) = response.json::<serde_json::Value>().await else {
            return ModelCheckOutcome::Unknown("the model list is not JSON".into());
        };
        let available: Vec<String> = list["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m["id"].as_str().map(str::to_owned))
            .collect();
        if available.is_empty() {
            return ModelCheckOutcome::Unknown("the model list is empty".into());
        }
        // Ollama lists `llama3.2:latest` for `llama3.2`.
        let wanted = &self.config.model;
        if available
            .iter()
            .any(|m| m == wanted || m.strip_suffix(":latest") == Some(wanted.as_str()))
        {
            ModelCheckOutcome::Served
        } else {
            ModelCheckOutcome::NotServed { available }
        }
    }

    /// One attempt, bounded by the provider's timeout. `sent_text` is set once any text delta
    /// went to the caller, so a failure after it can be announced with [`Delta::Restart`].
    pub(crate) async fn attempt(
        &self,
        request: &ChatRequest,
        on_delta: &mut (dyn FnMut(Delta) + Send),
        sent_text: &mut bool,
    ) -> Result<Completion, AttemptError> {
        let timeout = self.config.timeout;
        match tokio::time::timeout(timeout, self.call(request, on_delta, sent_text)).await {
            Ok(result) => result,
            Err(_) => Err(AttemptError::timeout(timeout)),
        }
    }

    async fn call(
        &self,
        request: &ChatRequest,
        on_delta: &mut (dyn FnMut(Delta) + Send),
        sent_text: &mut bool,
    ) -> Result<Completion, AttemptError> {
        let body = self.build(request);
        let name = &self.config.name;
        if !self.config.stream {
            let response = self.client.chat().create(body).await?;
            let completion = from_response(name, response, request, &self.config.model);
            if !completion.content.is_empty() {
                *sent_text = true;
                on_delta(Delta::Text(completion.content.clone()));
            }
            return Ok(completion);
        }
        let mut stream = self.client.chat().create_stream(body).await?;
        let mut assembler = Assembler::default();
        while let Some(chunk) = stream.next().await {
            if let Some(text) = assembler.push(chunk?) {
                *sent_text = true;
                on_delta(Delta::Text(text));
            }
        }
        Ok(assembler.finish(name, request, &self.config.model))
    }

    fn build(&self, request: &ChatRequest) -> CreateChatCompletionRequest {
        let tools =
            (!request.tools.is_empty()).then(|| request.tools.iter().map(to_tool).collect());
        let stream = self.config.stream;
        #[allow(deprecated)] // `max_tokens`: what Ollama, vLLM and llama.cpp understand.
        let mut body = CreateChatCompletionRequest {
            model: self.config.model.clone(),
            messages: request.messages.iter().map(to_message).collect(),
            tools,
            stream: Some(stream),
            stream_options: stream.then_some(ChatCompletionStreamOptions {
                include_usage: Some(true),
                include_obfuscation: None,
            }),
            max_tokens: request.max_tokens,
            ..CreateChatCompletionRequest::default()
        };
        // OpenAI itself refuses `max_tokens` for its newer models.
        if self.config.base_url.contains("api.openai.com") {
            #[allow(deprecated)]
            let cap = body.max_tokens.take();
            body.max_completion_tokens = cap;
        }
        body
    }
}

fn to_message(message: &Message) -> ChatCompletionRequestMessage {
    match message {
        Message::System { content } => {
            ChatCompletionRequestMessage::System(ChatCompletionRequestSystemMessage {
                content: ChatCompletionRequestSystemMessageContent::Text(content.clone()),
                name: None,
            })
        }
        Message::User { content } => {
            ChatCompletionRequestMessage::User(ChatCompletionRequestUserMessage {
                content: ChatCompletionRequestUserMessageContent::Text(content.clone()),
                name: None,
            })
        }
        Message::Assistant {
            content,
            tool_calls,
        } => {
            let calls = tool_calls
                .iter()
                .map(|c| {
                    ChatCompletionMessageToolCalls::Function(ChatCompletionMessageToolCall {
                        id: c.id.clone(),
                        function: FunctionCall {
                            name: c.name.clone(),
                            arguments: c.arguments.clone(),
                        },
                    })
                })
                .collect::<Vec<_>>();
            ChatCompletionRequestMessage::Assistant(ChatCompletionRequestAssistantMessage {
                content: content
                    .clone()
                    .map(ChatCompletionRequestAssistantMessageContent::Text),
                tool_calls: (!calls.is_empty()).then_some(calls),
                ..ChatCompletionRequestAssistantMessage::default()
            })
        }
        Message::Tool {
            tool_call_id,
            content,
        } => ChatCompletionRequestMessage::Tool(ChatCompletionRequestToolMessage {
            content: ChatCompletionRequestToolMessageContent::Text(content.clone()),
            tool_call_id: tool_call_id.clone(),
        }),
    }
}

fn to_tool(spec: &ToolSpec) -> ChatCompletionTools {
    ChatCompletionTools::Function(ChatCompletionTool {
        function: FunctionObject {
            name: spec.name.clone(),
            description: Some(spec.description.clone()),
            parameters: Some(spec.parameters.clone()),
            strict: None,
        },
    })
}
