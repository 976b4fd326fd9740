//! The transport around the tools: sessions (an SSE stream to GET, DELETE to end,
//! carried over to another API instance), the protocol's errors for what is not one
//! JSON-RPC message, and the rate limit charged per message.

use maigie_tests::{TestApp, error_code, token};
use serde_json::{Value, json};

use super::client::{self, ACCEPT, Session};
use super::mcp_token;

#[tokio::test]
async fn a_session_streams_continues_on_another_instance_and_ends_with_delete() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let secret = mcp_token(&app, &t, &["read", "write"]).await;
    let session = Session::open(&app, &secret).await;

    let stream = app
        .http
        .get(app.url("/mcp"))
        .bearer_auth(&secret)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &session.id)
        .send()
        .await
        .expect("send");
    assert_eq!(stream.status(), 200);
    assert!(
        stream.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/event-stream")
    );
    drop(stream);

    // A second API instance (same database, same Redis) takes the session over.
    let other = TestApp::spawn_api_only_with(vec![
        ("REDIS_KEY_PREFIX", app.redis_prefix.clone()),
        ("TEMPORAL_TASK_QUEUE", app.task_queue.clone()),
    ])
    .await;
    let moved = session.on(&other);
    let created = moved
        .call("create_task", json!({"title": "Via the other instance"}))
        .await;
    assert_eq!(created["isError"], false, "{created}");
    assert!(moved.tools().await.contains(&"list_tasks".to_owned()));

    let ended = other
        .http
        .delete(other.url("/mcp"))
        .bearer_auth(&secret)
        .header("mcp-session-id", &moved.id)
        .send()
        .await
        .expect("send");
    assert_eq!(ended.status(), 202);
    let ping = json!({"jsonrpc": "2.0", "id": 1, "method": "ping"});
    let gone = moved.post(&ping).send().await.expect("send");
    assert_eq!(gone.status(), 404, "an ended session is not found");
    let unknown = client::post(&app, &secret, None, &ping)
        .header("mcp-session-id", "no-such-session")
        .send()
        .await
        .expect("send");
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn what_is_not_one_json_rpc_message_gets_the_protocols_error() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let secret = mcp_token(&app, &token(&s), &["read"]).await;
    let raw = |body: &'static str| {
        app.http
            .post(app.url("/mcp"))
            .bearer_auth(&secret)
            .header("accept", ACCEPT)
            .header("content-type", "application/json")
            .body(body)
    };

    let cases = [
        ("{not json", Value::Null, -32700),
        (
            r#"[{"jsonrpc": "2.0", "id": 1, "method": "ping"}]"#,
            Value::Null,
            -32600,
        ),
        (r#"{"jsonrpc": "2.0", "id": 3}"#, json!(3), -32600),
        (
            r#"{"jsonrpc": "1.0", "id": 4, "method": "ping"}"#,
            json!(4),
            -32600,
        ),
    ];
    for (body, id, code) in cases {
        let res = raw(body).send().await.expect("send");
        assert_eq!(res.status(), 400, "{body}");
        let answer: Value = res.json().await.expect("json");
        assert_eq!(answer["jsonrpc"], "2.0", "{body}");
        assert_eq!(
            (&answer["id"], &answer["error"]["code"]),
            (&id, &json!(code)),
            "{body}"
        );
    }

    // Outside a session, only `initialize` (or the stateless revision) is answered.
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
    let res = client::post(&app, &secret, None, &list)
        .send()
        .await
        .expect("send");
    assert_eq!(error_code(res).await.0, 400);
    let res = app
        .http
        .post(app.url("/mcp"))
        .bearer_auth(&secret)
        .header("accept", "application/json")
        .json(&list)
        .send()
        .await
        .expect("send");
    assert_eq!(error_code(res).await.0, 406, "SSE must be accepted too");
}

#[tokio::test]
async fn each_mcp_message_costs_one_request_of_the_users_rate_limit() {
    // 3 a minute: one request each 20 s; the token's creation spends the first.
    let app = TestApp::spawn_with(vec![("RATE_LIMIT_FREE_PER_MINUTE", "3".into())]).await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let reader = mcp_token(&app, &t, &["read"]).await;
    // `initialize` and `notifications/initialized`: two messages, the rest.
    let session = Session::open(&app, &reader).await;

    let call = json!({"jsonrpc": "2.0", "id": 9, "method": "tools/call",
                      "params": {"name": "list_tasks", "arguments": {}}});
    let res = session.post(&call).send().await.expect("send");
    assert!(res.headers().contains_key("retry-after"));
    let (status, code, body) = error_code(res).await;
    assert_eq!((status, code.as_str()), (429, "rate_limited"), "{body}");
    assert!(
        body["error"]["details"]["retry_after_secs"]
            .as_u64()
            .expect("secs")
            >= 1
    );
    let rest = app.get_auth("/api/users/me", &t).await;
    assert_eq!(rest.status(), 429, "MCP and REST share the user's bucket");
}
