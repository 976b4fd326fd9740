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
