//! The `maigie` binary as an operator meets it: a worker that cannot start says why
//! and exits non-zero within 30 s; its health check; `maigie migrate` with only the
//! database; configuration errors on one line, even with `RUST_BACKTRACE=1`.

use std::time::Duration;

use maigie_llm::fake::FakeLlm;
use maigie_tests::process::{MaigieProcess, closed_port};
use maigie_tests::{Overrides, app_env, database_url};

const START_LIMIT: Duration = Duration::from_secs(30);

fn with_backtraces(mut env: Vec<(&'static str, String)>) -> Vec<(&'static str, String)> {
    env.push(("RUST_BACKTRACE", "1".into()));
    env.push(("RUST_LOG", "info".into()));
    env
}

/// Runs `maigie worker` with `overrides` and asserts it exits non-zero within 30 s
/// with one line on stderr that contains `expected`; answers that line.
async fn worker_fails_to_start(overrides: Overrides, expected: &str) -> String {
    let env = with_backtraces(app_env(overrides));
    let mut worker = MaigieProcess::spawn(&["worker"], &env);
    let (status, took) = worker
        .exit_within(START_LIMIT)
        .await
        .unwrap_or_else(|| panic!("still running after 30 s\n{}", worker.output()));
    assert!(
        !status.success(),
        "exit status {status}\n{}",
        worker.output()
    );
    assert!(took < START_LIMIT, "took {took:?}");
    let stderr = worker.stderr();
    assert_eq!(stderr.len(), 1, "one line on stderr\n{}", worker.output());
    assert!(stderr[0].contains(expected), "{}", worker.output());
    assert!(
        !stderr[0].to_lowercase().contains("backtrace"),
        "{}",
        worker.output()
    );
    let logged = worker.stdout().join("\n");
    assert!(
        logged.contains("worker start-up: connecting to PostgreSQL"),
        "the steps are logged\n{logged}"
    );
    stderr[0].clone()
}

#[tokio::test]
async fn a_worker_that_cannot_reach_temporal_exits_non_zero_within_30_seconds() {
    let address = format!("http://127.0.0.1:{}", closed_port());
    let line = worker_fails_to_start(
        vec![("TEMPORAL_ADDRESS", address.clone())],
        "cannot reach Temporal",
    )
    .await;
    assert!(line.starts_with("maigie: "), "{line}");
    assert!(line.contains(&address), "names the address: {line}");
}

#[tokio::test]
async fn a_worker_that_cannot_reach_postgresql_exits_non_zero_within_30_seconds() {
    let url = format!("postgres://postgres@127.0.0.1:{}/maigie", closed_port());
    worker_fails_to_start(vec![("DATABASE_URL", url)], "connecting to PostgreSQL").await;
}

#[tokio::test]
async fn a_worker_asked_for_a_model_its_provider_does_not_serve_exits_non_zero() {
    let model = FakeLlm::start().await;
    let line = worker_fails_to_start(
        vec![
            ("LLM_BASE_URL", model.base_url.clone()),
            ("LLM_MODEL", "no-such-model".into()),
        ],
        "model not served (it serves: fake-model)",
    )
    .await;
    assert!(line.contains("LLM_CHECK_AT_START=false"), "{line}");
}

#[tokio::test]
async fn a_bad_llm_setting_is_one_configuration_line_and_exit_code_2() {
    let env = with_backtraces(app_env(vec![
        ("LLM_BASE_URL", "http://a.test/v1,http://b.test/v1".into()),
        ("LLM_MODEL", "m1,m2,m3".into()),
    ]));
    let mut worker = MaigieProcess::spawn(&["worker"], &env);
    let (status, _) = worker.exit_within(START_LIMIT).await.expect("exits");
    assert_eq!(status.code(), Some(2), "{}", worker.output());
    assert_eq!(
        worker.stderr(),
        vec![
            "maigie: configuration error: LLM_BASE_URL / LLM_API_KEY / LLM_MODEL is invalid: \
             models: expected 1 or 2 comma-separated values, got 3"
                .to_owned()
        ]
    );
}

#[tokio::test]
async fn migrate_needs_only_the_database_url() {
    let mut migrate = MaigieProcess::spawn(
        &["migrate"],
        &[
            ("DATABASE_URL", database_url()),
            ("RUST_BACKTRACE", "1".into()),
        ],
    );
    let (status, _) = migrate.exit_within(START_LIMIT).await.expect("exits");
    assert!(status.success(), "{}", migrate.output());
    assert!(migrate.stderr().is_empty(), "{}", migrate.output());
}

#[tokio::test]
async fn a_missing_variable_is_one_line_without_a_backtrace() {
    let mut migrate = MaigieProcess::spawn(&["migrate"], &[("RUST_BACKTRACE", "1".into())]);
    let (status, _) = migrate.exit_within(START_LIMIT).await.expect("exits");
    assert_eq!(status.code(), Some(2));
    assert_eq!(
        migrate.stderr(),
        vec![
            "maigie: configuration error: DATABASE_URL is required but not set (see .env.example)"
                .to_owned()
        ]
    );
    let mut serve = MaigieProcess::spawn(
        &["serve"],
        &[
            ("DATABASE_URL", database_url()),
            ("RUST_BACKTRACE", "1".into()),
        ],
    );
    let (status, _) = serve.exit_within(START_LIMIT).await.expect("exits");
    assert_eq!(status.code(), Some(2));
    assert_eq!(
        serve.stderr(),
        vec![
            "maigie: configuration error: JWT_SECRET is required but not set (see .env.example)"
                .to_owned()
        ]
    );
}

/// `maigie healthcheck` against the worker listener at `addr`: (exit 0, output).
async fn healthcheck(addr: &str) -> (bool, String) {
    let mut probe =
        MaigieProcess::spawn(&["healthcheck"], &[("WORKER_HTTP_ADDR", addr.to_owned())]);
    let (status, _) = probe
        .exit_within(Duration::from_secs(15))
        .await
        .expect("healthcheck exits");
    (status.success(), probe.output())
}

#[tokio::test]
async fn the_worker_health_check_passes_once_it_polls_and_fails_when_it_is_gone() {
    let port = closed_port();
    let addr = format!("127.0.0.1:{port}");
    let env = app_env(vec![("WORKER_HTTP_ADDR", addr.clone())]);
    let (healthy, output) = healthcheck(&addr).await;
    assert!(!healthy, "nothing listens yet: {output}");

    let worker = MaigieProcess::spawn(&["worker"], &env);
    let deadline = std::time::Instant::now() + START_LIMIT;
    loop {
        let (healthy, output) = healthcheck(&addr).await;
        if healthy {
            assert!(output.contains("\"status\":\"ok\""), "{output}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not healthy within 30 s: {output}\n{}",
            worker.output()
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    // Its listener serves the worker's metrics too.
    let metrics = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    for wanted in [
        "# HELP temporal_worker_start ",
        "# HELP maigie_db_pool_connections ",
        "maigie_db_pool_connections{pool=\"worker\"}",
        "# HELP process_resident_memory_bytes ",
    ] {
        assert!(metrics.contains(wanted), "{wanted} in\n{metrics}");
    }

    drop(worker);
    let (healthy, output) = healthcheck(&addr).await;
    assert!(!healthy, "the worker is gone: {output}");
}
