//! `/metrics` is not public: closed by default, behind `METRICS_TOKEN` on the API
//! listener, or on a listener of its own (`METRICS_ADDR`).

use maigie_tests::TestApp;
use serde_json::Value;

async fn metrics(app: &TestApp, base: &str, token: Option<&str>) -> reqwest::Response {
    let mut req = app.http.get(format!("{base}/metrics"));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req.send().await.expect("request")
}

/// The status and error code of an answer ("" when it is not a JSON error).
async fn outcome(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    let code = body["error"]["code"].as_str().unwrap_or_default();
    (status, code.to_owned())
}

async fn is_prometheus_text(res: reqwest::Response) -> bool {
    res.status() == 200
        && res
            .text()
            .await
            .expect("text")
            .contains("maigie_http_requests_total")
}

#[tokio::test]
async fn metrics_are_not_served_to_anyone_by_default() {
    let app = TestApp::spawn().await;
    app.http
        .get(app.url("/health"))
        .send()
        .await
        .expect("health");

    let answer = outcome(metrics(&app, &app.base, None).await).await;

    assert_eq!(answer, (404, "route_not_found".into()));
    assert!(app.metrics_base.is_none());
}

#[tokio::test]
async fn with_a_metrics_token_only_its_bearer_reads_metrics() {
    let secret = "metrics-secret-0123456789";
    let app = TestApp::spawn_with(vec![("METRICS_TOKEN", secret.into())]).await;
    app.http
        .get(app.url("/health"))
        .send()
        .await
        .expect("health");

    for token in [None, Some("wrong"), Some("metrics-secret-012345678")] {
        let answer = outcome(metrics(&app, &app.base, token).await).await;
        assert_eq!(answer, (401, "invalid_metrics_token".into()), "{token:?}");
    }
    assert!(is_prometheus_text(metrics(&app, &app.base, Some(secret)).await).await);
}

#[tokio::test]
async fn with_a_metrics_address_metrics_are_served_there_and_not_on_the_api() {
    let app = TestApp::spawn_with(vec![("METRICS_ADDR", "127.0.0.1:0".into())]).await;
    app.http
        .get(app.url("/health"))
        .send()
        .await
        .expect("health");
    let own = app.metrics_base.clone().expect("a metrics listener");

    assert!(is_prometheus_text(metrics(&app, &own, None).await).await);
    let answer = outcome(metrics(&app, &app.base, None).await).await;
    assert_eq!(
        answer,
        (404, "route_not_found".into()),
        "not on the API listener"
    );
    let elsewhere = app
        .http
        .get(format!("{own}/health"))
        .send()
        .await
        .expect("req");
    assert_eq!(
        elsewhere.status(),
        404,
        "the metrics listener serves metrics only"
    );
}

/// `/metrics` of an app with its own metrics listener, after some traffic.
async fn scrape(app: &TestApp) -> String {
    let own = app.metrics_base.clone().expect("a metrics listener");
    let res = metrics(app, &own, None).await;
    assert_eq!(res.status(), 200);
    res.text().await.expect("text")
}

/// Every metric family has `# HELP` text.
fn assert_every_metric_is_described(text: &str) {
    for line in text.lines().filter(|l| l.starts_with("# TYPE ")) {
        let name = line.split_whitespace().nth(2).expect("a metric name");
        assert!(
            text.contains(&format!("# HELP {name} ")),
            "no # HELP for {name}"
        );
    }
}

#[tokio::test]
async fn unknown_urls_share_one_label_and_every_metric_has_help_text() {
    let model = maigie_llm::fake::FakeLlm::start().await;
    let app = TestApp::spawn_with(vec![
        ("METRICS_ADDR", "127.0.0.1:0".into()),
        ("LLM_BASE_URL", model.base_url.clone()),
        ("LLM_MODEL", "fake-model".into()),
    ])
    .await;
    let (_, _, body) = app.register().await;
    let token = maigie_tests::token(&body);
    let secrets: Vec<String> = (0..20)
        .map(|_| uuid::Uuid::new_v4().simple().to_string())
        .collect();
    for secret in &secrets {
        let res = app
            .http
            .get(app.url(&format!("/x/{secret}")))
            .send()
            .await
            .expect("req");
        assert_eq!(res.status(), 404);
    }
    let task = uuid::Uuid::new_v4();
    assert_eq!(
        app.get_auth(&format!("/api/tasks/{task}"), &token)
            .await
            .status(),
        404
    );

    // The worker runs in the same process and registers the model providers' circuit
    // gauge once it has started (after its database, Redis and Temporal checks).
    let started = std::time::Instant::now();
    let text = loop {
        let text = scrape(&app).await;
        if text.contains("# HELP maigie_llm_circuit_state ")
            || started.elapsed() > std::time::Duration::from_secs(30)
        {
            break text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };

    for secret in &secrets {
        assert!(
            !text.contains(secret.as_str()),
            "an unknown URL became a label"
        );
    }
    assert!(
        !text.contains(&task.to_string()),
        "a raw path became a label"
    );
    assert!(
        text.contains(
            "maigie_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"}"
        )
    );
    assert!(text.contains(
        "maigie_http_requests_total{method=\"GET\",route=\"/api/tasks/{id}\",status=\"404\"}"
    ));
    assert_every_metric_is_described(&text);
    for wanted in [
        "process_cpu_seconds_total ",
        "process_resident_memory_bytes ",
        "process_open_fds ",
        "process_start_time_seconds ",
        "maigie_db_pool_connections{pool=\"api\"}",
        "maigie_db_pool_idle_connections{pool=\"api\"}",
        "maigie_db_pool_in_use_connections{pool=\"api\"}",
        "maigie_db_pool_max_connections{pool=\"api\"} 5",
        "maigie_workflow_outbox_pending ",
        "maigie_workflow_outbox_oldest_pending_age_seconds ",
        "maigie_http_request_duration_seconds_bucket{",
        "# HELP maigie_llm_circuit_state ",
    ] {
        assert!(text.contains(wanted), "{wanted} missing from\n{text}");
    }
    let provider = model.base_url.trim_start_matches("http://");
    let provider = provider.split('/').next().expect("host:port");
    assert!(
        text.contains(&format!(
            "maigie_llm_circuit_state{{provider=\"{provider}\"}} 0"
        )),
        "closed circuit of {provider} in\n{text}"
    );
}

#[tokio::test]
async fn the_outbox_backlog_and_the_temporal_worker_are_measured() {
    let app = TestApp::spawn_with(vec![("METRICS_ADDR", "127.0.0.1:0".into())]).await;
    // A start the relay will not try for an hour, recorded two hours ago.
    let db = maigie_tests::db().await;
    let workflow_id = format!("metrics-test-{}", uuid::Uuid::new_v4());
    sqlx::query(
        "INSERT INTO workflow_outbox (workflow_type, workflow_id, input, created_at, next_attempt_at) \
         VALUES ('metrics_test', $1, '{}', now() - interval '2 hours', now() + interval '1 hour')",
    )
    .bind(&workflow_id)
    .execute(&db)
    .await
    .expect("insert");

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let text = loop {
        let text = scrape(&app).await;
        // The worker starts in the background: its metrics come once it polls.
        if text.contains("temporal_worker_start") || std::time::Instant::now() > deadline {
            break text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    };
    sqlx::query("DELETE FROM workflow_outbox WHERE workflow_id = $1")
        .bind(&workflow_id)
        .execute(&db)
        .await
        .expect("delete");

    let gauge = |name: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} in\n{text}"))
    };
    assert!(gauge("maigie_workflow_outbox_pending") >= 1.0);
    assert!(gauge("maigie_workflow_outbox_oldest_pending_age_seconds") >= 7200.0);
    assert!(text.contains("# HELP temporal_worker_start "), "{text}");
    assert!(
        text.contains("# HELP temporal_request "),
        "client RPCs:\n{text}"
    );
    assert!(
        text.contains("maigie_db_pool_connections{pool=\"worker\"}"),
        "{text}"
    );
    assert_every_metric_is_described(&text);
}
