//! Failing providers: retries, fallback, timeouts and the circuit breaker.

mod common;

use std::time::{Duration, Instant};

use common::{ask, chain, provider, request};
use maigie_llm::fake::{FakeLlm, FakeReply};
use maigie_llm::{ChainConfig, LlmChain, LlmError};

async fn two_fakes() -> (FakeLlm, FakeLlm) {
    let (first, second) = (FakeLlm::start().await, FakeLlm::start().await);
    first.on("", FakeReply::text("from the first"));
    second.on("", FakeReply::text("from the second"));
    (first, second)
}

#[tokio::test]
async fn a_failing_provider_is_retried_then_the_next_one_answers() {
    let (first, second) = two_fakes().await;
    first.fail_with(500);
    let chain = chain(
        vec![
            provider("first", &first, true),
            provider("second", &second, true),
        ],
        2,
    );

    let (result, _) = ask(&chain, &request("hi")).await;

    let completion = result.expect("second answers");
    assert_eq!(completion.provider, "second");
    assert_eq!(completion.content, "from the second");
    assert_eq!(first.request_count(), 3, "one attempt and two retries");
    assert_eq!(second.request_count(), 1);
}

#[tokio::test]
async fn rate_limits_are_retried_and_a_recovered_provider_answers() {
    let (first, second) = two_fakes().await;
    first.fail_with(429);
    let chain = chain(
        vec![
            provider("first", &first, true),
            provider("second", &second, true),
        ],
        1,
    );

    assert_eq!(
        ask(&chain, &request("hi"))
            .await
            .0
            .expect("fallback")
            .provider,
        "second"
    );
    assert_eq!(first.request_count(), 2);
    first.recover();
    assert_eq!(
        ask(&chain, &request("hi"))
            .await
            .0
            .expect("first again")
            .provider,
        "first"
    );
}

#[tokio::test]
async fn a_bad_request_is_not_retried_and_falls_over_at_once() {
    let (first, second) = two_fakes().await;
    first.fail_with(400);
    let chain = chain(
        vec![
            provider("first", &first, true),
            provider("second", &second, true),
        ],
        2,
    );

    let (result, _) = ask(&chain, &request("hi")).await;

    assert_eq!(result.expect("second answers").provider, "second");
    assert_eq!(first.request_count(), 1);
}

#[tokio::test]
async fn a_hanging_provider_times_out_and_the_next_one_answers() {
    let (first, second) = two_fakes().await;
    first.hang(Duration::from_secs(3));
    let mut slow = provider("slow", &first, true);
    slow.timeout = Duration::from_millis(200);
    let chain = chain(vec![slow, provider("second", &second, true)], 1);

    let started = Instant::now();
    let (result, _) = ask(&chain, &request("hi")).await;

    assert_eq!(result.expect("second answers").provider, "second");
    assert_eq!(first.request_count(), 2, "a timeout is retried");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn when_every_provider_fails_the_error_lists_each_of_them() {
    let (first, second) = two_fakes().await;
    first.fail_with(503);
    second.fail_with(401);
    let chain = chain(
        vec![
            provider("first", &first, true),
            provider("second", &second, false),
        ],
        0,
    );

    let (result, deltas) = ask(&chain, &request("hi")).await;

    let Err(LlmError::AllFailed(failures)) = result else {
        panic!("expected AllFailed, got {result:?}");
    };
    let names: Vec<&str> = failures.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(names, ["first", "second"]);
    assert!(failures[0].1.contains("503"), "{failures:?}");
    assert!(failures[1].1.contains("scripted failure"), "{failures:?}");
    assert!(deltas.is_empty());
}

#[tokio::test]
async fn a_chain_without_providers_says_so() {
    let chain = LlmChain::new(ChainConfig::default()).expect("empty chain");
    assert!(chain.is_empty());
    assert!(matches!(
        ask(&chain, &request("hi")).await.0,
        Err(LlmError::NoProviders)
    ));
}

#[tokio::test]
async fn an_open_circuit_skips_its_provider_until_one_trial_after_the_cooldown() {
    let (first, second) = two_fakes().await;
    first.fail_with(500);
    let cooldown = Duration::from_millis(300);
    let config = ChainConfig {
        providers: vec![
            provider("first", &first, true),
            provider("second", &second, true),
        ],
        retries: 1,
        backoff: Duration::from_millis(5),
        breaker_failures: 2,
        breaker_cooldown: cooldown,
    };
    let chain = LlmChain::new(config).expect("chain");
    let answered_by = |r: Result<maigie_llm::Completion, LlmError>| r.expect("an answer").provider;

    for _ in 0..2 {
        assert_eq!(answered_by(ask(&chain, &request("hi")).await.0), "second");
    }
    assert_eq!(
        first.request_count(),
        4,
        "two failed completions of two attempts each"
    );

    assert_eq!(answered_by(ask(&chain, &request("hi")).await.0), "second");
    assert_eq!(
        first.request_count(),
        4,
        "no request while the circuit is open"
    );

    tokio::time::sleep(cooldown + Duration::from_millis(50)).await;
    assert_eq!(answered_by(ask(&chain, &request("hi")).await.0), "second");
    assert_eq!(first.request_count(), 5, "one trial request, not retried");
    assert_eq!(answered_by(ask(&chain, &request("hi")).await.0), "second");
    assert_eq!(
        first.request_count(),
        5,
        "the failed trial reopened the circuit"
    );

    tokio::time::sleep(cooldown + Duration::from_millis(50)).await;
    first.recover();
    assert_eq!(answered_by(ask(&chain, &request("hi")).await.0), "first");
    assert_eq!(answered_by(ask(&chain, &request("hi")).await.0), "first");
    assert_eq!(
        first.request_count(),
        7,
        "closed again after a successful trial"
    );
}

#[tokio::test]
async fn the_timeout_covers_a_slow_stream_and_its_text_is_withdrawn() {
    let (first, second) = two_fakes().await;
    first.on(
        "",
        FakeReply::text("one two three four five six seven eight nine ten eleven twelve"),
    );
    first.slow_stream(Duration::from_millis(100));
    let mut slow = provider("slow", &first, true);
    slow.timeout = Duration::from_millis(250);
    let chain = chain(vec![slow, provider("second", &second, true)], 0);

    let (result, deltas) = ask(&chain, &request("hi")).await;

    assert_eq!(result.expect("second answers").provider, "second");
    assert!(
        matches!(deltas.first(), Some(maigie_llm::Delta::Text(_))),
        "{deltas:?}"
    );
    assert_eq!(common::shown_text(&deltas), "from the second");
}

#[tokio::test]
async fn an_unreachable_provider_is_retried_then_skipped() {
    let second = FakeLlm::start().await;
    let gone = {
        let fake = FakeLlm::start().await;
        provider("gone", &fake, true)
    };
    // Dropping the fake closed its port: connections are now refused.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let alone = chain(vec![gone.clone()], 1);
    let both = chain(vec![gone, provider("second", &second, true)], 1);

    let Err(LlmError::AllFailed(failures)) = ask(&alone, &request("hi")).await.0 else {
        panic!("expected AllFailed");
    };
    assert!(
        failures[0].1.contains("refused"),
        "the cause is kept: {failures:?}"
    );
    assert!(
        !failures[0].1.contains("127.0.0.1"),
        "the URL is not: {failures:?}"
    );
    assert_eq!(
        ask(&both, &request("hi"))
            .await
            .0
            .expect("second answers")
            .provider,
        "second"
    );
}

#[test]
fn the_chain_can_be_shared_across_tasks() {
    fn shareable<T: Send + Sync + 'static>() {}
    fn sendable<T: Send>(_: &T) {}
    shareable::<LlmChain>();
    let chain = LlmChain::new(ChainConfig::default()).expect("empty chain");
    let request = request("hi");
    let mut on_delta = |_| {};
    sendable(&chain.complete(&request, &mut on_delta));
}
