//! Streaming and non-streaming replies from one provider: text, tool calls, usage.

mod common;

use common::{ask, chain, provider, request, shown_text};
use maigie_llm::fake::{FakeLlm, FakeReply};
use maigie_llm::{Delta, Message, Usage};

#[tokio::test]
async fn streams_text_deltas_in_order_and_returns_usage() {
    let fake = FakeLlm::start().await;
    let text = "You have three tasks due today and one exam on Friday.";
    fake.on("what is due", FakeReply::text(text));
    let chain = chain(vec![provider("fake", &fake, true)], 0);

    let (result, deltas) = ask(&chain, &request("What is DUE today?")).await;

    let completion = result.expect("completion");
    assert_eq!(completion.content, text);
    assert!(deltas.len() >= 3, "several deltas, got {deltas:?}");
    assert!(!deltas.contains(&Delta::Restart));
    assert_eq!(shown_text(&deltas), text);
    assert_eq!(completion.provider, "fake");
    assert_eq!(completion.model, "fake-model");
    // The fake reports words as completion tokens: usage came from the stream, not an estimate.
    assert_eq!(
        completion.usage,
        Usage {
            prompt_tokens: 5,
            completion_tokens: 11
        }
    );
    let sent = &fake.requests()[0];
    assert_eq!(sent["stream"], true);
    assert_eq!(sent["stream_options"]["include_usage"], true);
    assert_eq!(sent["model"], "fake-model");
    assert_eq!(sent["tools"][0]["function"]["name"], "create_task");
}

#[tokio::test]
async fn returns_tool_calls_assembled_from_streamed_fragments() {
    let fake = FakeLlm::start().await;
    fake.on(
        "plan",
        FakeReply::ToolCalls(vec![
            (
                "create_task".into(),
                r#"{"title": "Read chapter 3", "due": "2025-03-01"}"#.into(),
            ),
            ("create_task".into(), r#"{"title": "Flashcards"}"#.into()),
        ]),
    );
    let chain = chain(vec![provider("fake", &fake, true)], 0);

    let (result, deltas) = ask(&chain, &request("Plan my biology revision")).await;

    let completion = result.expect("completion");
    assert!(
        deltas.is_empty(),
        "tool-call fragments are not text deltas: {deltas:?}"
    );
    assert_eq!(completion.content, "");
    let calls = &completion.tool_calls;
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].name, "create_task");
    assert_eq!(
        calls[0].arguments,
        r#"{"title": "Read chapter 3", "due": "2025-03-01"}"#
    );
    assert_eq!(calls[1].arguments, r#"{"title": "Flashcards"}"#);
    assert_ne!(calls[0].id, calls[1].id);
    assert!(calls.iter().all(|c| c.id.starts_with("call_fake_")));
}

#[tokio::test]
async fn a_non_streaming_provider_returns_text_and_tool_calls_too() {
    let fake = FakeLlm::start().await;
    fake.on_with_followup(
        "remind",
        FakeReply::tool_call("create_task", "{'title': 'Call mum'}"),
        "Task added.",
    );
    let chain = chain(vec![provider("ollama", &fake, false)], 0);

    let mut req = request("Remind me to call mum");
    let (first, _) = ask(&chain, &req).await;
    let first = first.expect("tool call");
    assert_eq!(first.tool_calls[0].arguments, "{'title': 'Call mum'}");
    assert!(first.usage.completion_tokens > 0);

    req.messages.push(Message::assistant(&first));
    req.messages.push(Message::tool(
        first.tool_calls[0].id.clone(),
        r#"{"ok": true}"#,
    ));
    let (second, deltas) = ask(&chain, &req).await;

    assert_eq!(second.expect("follow-up").content, "Task added.");
    assert_eq!(deltas, vec![Delta::Text("Task added.".into())]);
    let sent = fake.requests();
    assert_eq!(sent[0]["stream"], false);
    assert!(sent[0].get("stream_options").is_none());
    assert_eq!(
        sent[1]["messages"][1]["tool_calls"][0]["id"],
        first.tool_calls[0].id
    );
    assert_eq!(sent[1]["messages"][2]["role"], "tool");
    assert_eq!(
        sent[1]["messages"][2]["tool_call_id"],
        first.tool_calls[0].id
    );
}

#[tokio::test]
async fn scripted_sequences_advance_per_matching_request_and_the_default_answers_the_rest() {
    let fake = FakeLlm::start().await;
    fake.on(
        "next",
        FakeReply::Sequence(vec![FakeReply::text("one"), FakeReply::text("two")]),
    );
    let chain = chain(vec![provider("fake", &fake, true)], 0);

    let mut replies = Vec::new();
    for text in ["next", "hello", "NEXT please", "next"] {
        replies.push(ask(&chain, &request(text)).await.0.expect("reply").content);
    }

    assert_eq!(
        replies,
        ["one", maigie_llm::fake::DEFAULT_REPLY, "two", "two"]
    );
}

#[tokio::test]
async fn a_stream_cut_midway_restarts_on_the_next_provider() {
    let (broken, healthy) = (FakeLlm::start().await, FakeLlm::start().await);
    let text = "Here is a long answer about your study plan for the week.";
    broken.on("", FakeReply::text(text));
    broken.cut_stream_after(Some(3));
    healthy.on("", FakeReply::text("Short answer."));
    let chain = chain(
        vec![
            provider("broken", &broken, true),
            provider("healthy", &healthy, true),
        ],
        0,
    );

    let (result, deltas) = ask(&chain, &request("Plan")).await;

    assert_eq!(result.expect("fallback").provider, "healthy");
    let restart = deltas
        .iter()
        .position(|d| *d == Delta::Restart)
        .expect("a Restart delta");
    assert!(restart > 0, "text arrived before the cut: {deltas:?}");
    assert_eq!(shown_text(&deltas), "Short answer.");
}
