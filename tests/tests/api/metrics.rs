//! `/metrics` is not public: closed by default, behind `METRICS_TOKEN` on the API
//! listener, or on a listener of its own (`METRICS_ADDR`).

use maigie_tests::{TestApp, error_code};

async fn metrics(app: &TestApp, base: &str, token: Option<&str>) -> reqwest::Response {
    let mut req = app.http.get(format!("{base}/metrics"));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req.send().await.expect("request")
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

    let (status, code, _) = error_code(metrics(&app, &app.base, None).await).await;

    assert_eq!((status, code.as_str()), (404, "route_not_found"));
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
        let (status, code, _) = error_code(metrics(&app, &app.base, token).await).await;
        assert_eq!(
            (status, code.as_str()),
            (401, "invalid_metrics_token"),
            "{token:?}"
        );
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
    let (status, code, _) = error_code(metrics(&app, &app.base, None).await).await;
    assert_eq!((status, code.as_str()), (404, "route_not_found"));
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
