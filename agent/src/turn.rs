//! One model turn of an action (`ai.turn`): ask the model — or the offline parser when
//! no provider is configured or all are down — stream its text to the user, check its
//! tool calls against their schemas (repairing, and re-asking once, when a model sends
//! bad arguments), store the assistant message and the calls as steps.
//!
//! A turn is stored under `<action>:turn:<n>`: a retried activity finds it and answers
//! the same calls instead of asking the model again.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use maigie_domain::EventKind;
use maigie_llm::{ChatRequest, Completion, Delta, Message, ToolCall, ToolSpec, Usage};
use maigie_services::Source;
use maigie_services::chat::events::{ChatDelta, ChatToolCall};
use maigie_store::agent::{self as log, UsageRecord};
use maigie_store::chat::{self, NewMessage};
use maigie_workflows::ai_action::{PlannedCall, TurnInput, TurnOutput};
use serde_json::{Value, json};

pub use crate::error::TurnError;

use crate::context::{self, HISTORY_MESSAGES};
use crate::exec::Caller;
use crate::registry::Scopes;
use crate::{Agent, offline, registry, schema};

/// What a provider (or the offline parser) answered.
pub struct Reply {
    pub content: String,
    pub calls: Vec<ToolCall>,
    pub provider: String,
    pub model: String,
    pub usage: Usage,
}

impl From<Completion> for Reply {
    fn from(c: Completion) -> Self {
        Self {
            content: c.content,
            calls: c.tool_calls,
            provider: c.provider,
            model: c.model,
            usage: c.usage,
        }
    }
}

/// The tools as the model is offered them.
#[must_use]
pub fn specs() -> Vec<ToolSpec> {
    registry::TOOLS
        .iter()
        .map(|t| ToolSpec {
            name: t.name.to_owned(),
            description: t.description.to_owned(),
            parameters: (t.parameters)(),
        })
        .collect()
}

/// Runs one turn; `beat` is called while the model streams (activity heartbeat).
pub async fn run(
    agent: &Agent,
    input: &TurnInput,
    beat: &(dyn Fn() + Send + Sync),
) -> Result<TurnOutput, TurnError> {
    let db = &agent.db;
    let action = log::action_caller(db, input.user_id, input.action_id).await?;
    let conversation_id = action
        .conversation_id
        .ok_or_else(|| TurnError::Permanent("the conversation was deleted".into()))?;
    let key = format!("{}:turn:{}", input.action_id, input.turn);
    if let Some(stored) = chat::by_dedupe_key(db, &key).await? {
        return planned(agent, input, &stored.tool_calls.unwrap_or(Value::Null)).await;
    }
    let (ctx, tz) = crate::caller_of(input.user_id, &action.caller, Source::Chat);
    let caller = Caller {
        svc: &agent.services,
        ctx,
        idempotency: None,
        tz,
        step: None,
        scopes: Scopes::ALL,
    };
    let rows = chat::recent(db, input.user_id, conversation_id, HISTORY_MESSAGES).await?;
    let stream = Stream::new(agent, input, conversation_id);
    let (reply, rejected, passages) = if agent.llm.is_empty() {
        // No model configured: the offline assistant reads the conversation itself, so
        // a model's context (the user's passages, the situation) would go unread.
        let reply = offline::reply(agent, &caller, input, &rows).await?;
        stream.push(&reply.content);
        let (reply, rejected) = checked(agent, reply, &[], &[], &stream, beat).await;
        (reply, rejected, Vec::new())
    } else {
        let conversation = chat::get_conversation(db, input.user_id, conversation_id).await?;
        let passages = context::retrieved(&caller, &rows).await;
        let mut messages = vec![Message::System {
            content: context::situation(&caller, &conversation, &passages).await?,
        }];
        messages.extend(context::history(&rows));
        let tools = if input.tools_allowed {
            specs()
        } else {
            Vec::new()
        };
        let reply = ask(
            agent, &messages, &tools, &stream, beat, &caller, input, &rows,
        )
        .await?;
        let (reply, rejected) = checked(agent, reply, &messages, &tools, &stream, beat).await;
        (reply, rejected, passages)
    };
    stream.flush().await;
    record_usage(agent, input, conversation_id, &reply, &key).await;
    // Call ids made unique per action: servers that send none say `call_0` every turn.
    let calls: Vec<ToolCall> = if input.tools_allowed {
        reply.calls
    } else {
        Vec::new()
    }
    .into_iter()
    .map(|mut c| {
        c.id = format!(
            "t{}-{}",
            input.turn,
            c.id.chars().take(150).collect::<String>()
        );
        c
    })
    .collect();
    let content = if reply.content.is_empty() && calls.is_empty() {
        rejected.unwrap_or_else(|| "Sorry, I could not work that out.".to_owned())
    } else {
        reply.content
    };
    let sources = context::cited(&content, &passages);
    if let Some(sources) = &sources {
        log::add_sources(db, input.action_id, sources).await?;
    }
    chat::add_message(
        db,
        input.user_id,
        &NewMessage {
            conversation_id,
            role: "assistant",
            content: &content,
            tool_calls: (!calls.is_empty()).then(|| context::stored_calls(&calls)),
            prompt_tokens: i32::try_from(reply.usage.prompt_tokens).ok(),
            completion_tokens: i32::try_from(reply.usage.completion_tokens).ok(),
            dedupe_key: Some(&key),
            sources,
            ..NewMessage::default()
        },
    )
    .await?;
    let turn = i32::try_from(input.turn).unwrap_or(i32::MAX);
    log::note_turn(db, input.action_id, &reply.provider, turn, Some(&content)).await?;
    planned(agent, input, &context::stored_calls(&calls)).await
}

/// Records the turn's calls as steps and answers them (idempotent).
async fn planned(
    agent: &Agent,
    input: &TurnInput,
    stored: &Value,
) -> Result<TurnOutput, TurnError> {
    let calls = context::calls_of(stored);
    let writes = calls
        .iter()
        .filter(|c| registry::find(&c.name).is_some_and(|t| t.scope != registry::Scope::Read))
        .count();
    let bulk = writes > agent.services.settings.agent.bulk_threshold;
    let mut out = Vec::new();
    let mut conn = agent
        .db
        .acquire()
        .await
        .map_err(maigie_store::StoreError::from)?;
    for call in calls {
        let Some(def) = registry::find(&call.name) else {
            continue;
        };
        let arguments: Value = serde_json::from_str(&call.arguments).unwrap_or_else(|_| json!({}));
        log::add_step(
            &mut conn,
            input.user_id,
            input.action_id,
            &call.id,
            &call.name,
            &arguments,
        )
        .await?;
        agent
            .publish(
                input.user_id,
                EventKind::ChatToolCall,
                &ChatToolCall::planned(input.action_id, &call.id, &call.name, arguments),
            )
            .await;
        out.push(PlannedCall {
            call_id: call.id,
            tool: call.name,
            needs_confirmation: def.confirm || (bulk && def.scope != registry::Scope::Read),
        });
    }
    Ok(TurnOutput { calls: out })
}

#[allow(clippy::too_many_arguments)]
async fn ask(
    agent: &Agent,
    messages: &[Message],
    tools: &[ToolSpec],
    stream: &Stream<'_>,
    beat: &(dyn Fn() + Send + Sync),
    caller: &Caller<'_>,
    input: &TurnInput,
    rows: &[chat::MessageRow],
) -> Result<Reply, TurnError> {
    if !agent.llm.is_empty() {
        match complete(agent, messages, tools, stream, beat).await {
            Ok(c) => return Ok(c.into()),
            Err(err) => {
                tracing::warn!(action_id = %input.action_id, error = %err, "all model providers failed; answering offline");
                stream.reset();
            }
        }
    }
    let reply = offline::reply(agent, caller, input, rows).await?;
    stream.push(&reply.content);
    Ok(reply)
}

async fn complete(
    agent: &Agent,
    messages: &[Message],
    tools: &[ToolSpec],
    stream: &Stream<'_>,
    beat: &(dyn Fn() + Send + Sync),
) -> Result<Completion, maigie_llm::LlmError> {
    let request = ChatRequest {
        messages: messages.to_vec(),
        tools: tools.to_vec(),
        max_tokens: Some(1_024),
    };
    let shared = Arc::clone(&stream.buffer);
    let mut on_delta = move |d: Delta| {
        let mut b = shared.lock().unwrap_or_else(PoisonError::into_inner);
        match d {
            Delta::Text(t) => b.0.push_str(&t),
            Delta::Restart => {
                b.0.clear();
                b.1 = true;
            }
        }
    };
    let fut = agent.llm.complete(&request, &mut on_delta);
    tokio::pin!(fut);
    let mut tick = tokio::time::interval(Duration::from_millis(150));
    loop {
        tokio::select! {
            done = &mut fut => return done,
            _ = tick.tick() => {
                stream.flush().await;
                beat();
            }
        }
    }
}

/// Keeps the calls whose arguments fit their schema (repaired where possible); when
/// some do not, asks the model once more with the errors. Calls still bad are dropped;
/// the second value then says why, for the user.
async fn checked(
    agent: &Agent,
    mut reply: Reply,
    messages: &[Message],
    tools: &[ToolSpec],
    stream: &Stream<'_>,
    beat: &(dyn Fn() + Send + Sync),
) -> (Reply, Option<String>) {
    let errors = fix_arguments(&mut reply.calls);
    if errors.is_empty() {
        return (reply, None);
    }
    if reply.provider != offline::PROVIDER {
        let mut retry = messages.to_vec();
        retry.push(Message::Assistant {
            content: None,
            tool_calls: reply.calls.clone(),
        });
        for call in &reply.calls {
            let content = match errors.iter().find(|(id, _)| id == &call.id) {
                Some((_, e)) => format!("Not run: invalid arguments ({e})."),
                None => "Not run: send it again together with the corrected calls.".to_owned(),
            };
            retry.push(Message::Tool {
                tool_call_id: call.id.clone(),
                content,
            });
        }
        // As the user's turn, which every provider (and model) answers with new calls.
        let problems: Vec<&str> = errors.iter().map(|(_, e)| e.as_str()).collect();
        retry.push(Message::User {
            content: format!(
                "Invalid arguments: {}. Call the tools again with arguments that fit their schemas.",
                problems.join("; ")
            ),
        });
        stream.reset();
        if let Ok(second) = complete(agent, &retry, tools, stream, beat).await {
            let mut second: Reply = second.into();
            second.usage.prompt_tokens += reply.usage.prompt_tokens;
            second.usage.completion_tokens += reply.usage.completion_tokens;
            reply = second;
        }
    }
    let errors = fix_arguments(&mut reply.calls);
    let bad: Vec<String> = errors.iter().map(|(_, e)| e.clone()).collect();
    reply
        .calls
        .retain(|c| !errors.iter().any(|(id, _)| id == &c.id));
    let why = (!bad.is_empty()).then(|| {
        format!(
            "I could not use that request's details ({}).",
            bad.join("; ")
        )
    });
    (reply, why)
}

/// Repairs each call's arguments in place; answers `(call id, problem)` for the ones
/// that are unknown tools or do not fit their schema.
fn fix_arguments(calls: &mut [ToolCall]) -> Vec<(String, String)> {
    let mut errors = Vec::new();
    for call in calls.iter_mut() {
        let Some(def) = registry::find(&call.name) else {
            errors.push((
                call.id.clone(),
                format!("there is no tool called {}", call.name),
            ));
            continue;
        };
        let Some(args) = maigie_llm::repair_arguments(&call.arguments) else {
            errors.push((
                call.id.clone(),
                format!("{}: the arguments are not a JSON object", call.name),
            ));
            continue;
        };
        let args = Value::Object(args);
        let problems = schema::check_arguments(def, &args);
        if problems.is_empty() {
            call.arguments = args.to_string();
        } else {
            errors.push((
                call.id.clone(),
                format!("{}: {}", call.name, problems.join(", ")),
            ));
        }
    }
    errors
}

async fn record_usage(
    agent: &Agent,
    input: &TurnInput,
    conversation_id: uuid::Uuid,
    reply: &Reply,
    key: &str,
) {
    if reply.provider == offline::PROVIDER {
        return;
    }
    let record = UsageRecord {
        user_id: input.user_id,
        conversation_id: Some(conversation_id),
        provider: &reply.provider,
        model: &reply.model,
        kind: "chat",
        prompt_tokens: i32::try_from(reply.usage.prompt_tokens).unwrap_or(i32::MAX),
        completion_tokens: i32::try_from(reply.usage.completion_tokens).unwrap_or(i32::MAX),
        request_id: key,
    };
    if let Err(err) = log::record_usage(&agent.db, &record).await {
        tracing::warn!(error = %err, "could not record token usage");
    }
}

mod stream;

use stream::Stream;
