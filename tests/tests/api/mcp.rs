//! The MCP endpoint (the official `rmcp` SDK's streamable HTTP transport): external
//! agents list and call the chat agent's tools with a scoped token; what they change
//! lands in the action log and can be undone.

use maigie_tests::{TestApp, error_code, token};
use serde_json::{Value, json};

use client::Session;

pub mod client;
mod python;
mod tools;
mod transport;

pub async fn mcp_token(app: &TestApp, t: &str, scopes: &[&str]) -> String {
    let res = app
        .post_auth(
            "/api/mcp/tokens",
            t,
            &json!({"name": "desktop agent", "scopes": scopes}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.expect("json");
    let secret = body["token"].as_str().expect("token shown once").to_owned();
    assert!(secret.starts_with("mcp_"));
    secret
}

#[tokio::test]
async fn an_external_agent_lists_and_calls_tools_within_its_token_scopes() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let reader_token = mcp_token(&app, &t, &["read"]).await;
    let writer_token = mcp_token(&app, &t, &["read", "write"]).await;

    let (reader, init) = Session::open_with(&app, &reader_token, "2025-03-26").await;
    assert_eq!(init["result"]["protocolVersion"], "2025-03-26");
    assert_eq!(init["result"]["serverInfo"]["name"], "maigie");
    assert!(
        init["result"]["capabilities"]["tools"].is_object(),
        "{init}"
    );
    let writer = Session::open(&app, &writer_token).await;
    assert_eq!(writer.version, "2025-11-25", "the newest with a handshake");

    let read_only = reader.tools().await;
    assert!(read_only.contains(&"list_tasks".to_owned()));
    assert!(
        !read_only.contains(&"create_task".to_owned())
            && !read_only.contains(&"delete_task".to_owned())
    );
    let listed = writer.rpc("tools/list", json!({})).await;
    let create = listed["result"]["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .find(|t| t["name"] == "create_task")
        .expect("create_task listed");
    assert_eq!(create["inputSchema"]["type"], "object", "{create}");
    assert!(create["inputSchema"]["properties"]["title"].is_object());
    assert_eq!(create["annotations"]["readOnlyHint"], false);
    let writing = client::names(&listed);
    assert!(
        !writing.contains(&"delete_task".to_owned()),
        "no delete scope, no delete tool"
    );

    let deleter_only = Session::open(&app, &mcp_token(&app, &t, &["delete"]).await).await;
    assert!(
        deleter_only.tools().await.is_empty(),
        "delete alone reads nothing"
    );
    let deleter = Session::open(&app, &mcp_token(&app, &t, &["read", "delete"]).await).await;
    assert!(deleter.tools().await.contains(&"delete_task".to_owned()));

    let refused = reader.call("create_task", json!({"title": "Nope"})).await;
    assert_eq!(refused["isError"], true);
    assert!(
        refused["content"][0]["text"]
            .as_str()
            .expect("text")
            .contains("write scope")
    );

    let created = writer
        .call(
            "create_task",
            json!({"title": "From MCP", "priority": "high"}),
        )
        .await;
    assert_eq!(created["isError"], false, "{created}");
    let action_id = created["_meta"]["action_id"]
        .as_str()
        .expect("action")
        .to_owned();
    let listed = reader.call("list_tasks", json!({})).await;
    assert!(
        listed["content"][0]["text"]
            .as_str()
            .expect("text")
            .contains("From MCP")
    );
    assert!(listed.get("_meta").is_none(), "reading records no action");

    let bad = writer
        .call("create_task", json!({"title": "x", "priority": "huge"}))
        .await;
    assert_eq!(bad["isError"], true);
    let refused_by_api = writer.call("create_task", json!({"title": ""})).await;
    assert_eq!(
        refused_by_api["isError"], true,
        "the API's own validation applies"
    );
    let unknown = writer.rpc("resources/list", json!({})).await;
    assert_eq!(unknown["error"]["code"], -32601);

    let action: Value = app
        .get_auth(&format!("/api/chat/actions/{action_id}"), &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(action["source"], "mcp");
    let res = app
        .post_auth(
            &format!("/api/chat/actions/{action_id}/undo"),
            &t,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let page: Value = app
        .get_auth("/api/tasks", &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        page["items"],
        json!([]),
        "undo removed the task the agent created"
    );
}

async fn tokens_of(app: &TestApp, t: &str) -> Value {
    let res = app.get_auth("/api/mcp/tokens", t).await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
}

#[tokio::test]
async fn mcp_needs_a_live_token_of_its_own() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let ping = json!({"jsonrpc": "2.0", "id": 1, "method": "ping"});
    let res = client::post(&app, &t, None, &ping)
        .send()
        .await
        .expect("send");
    let (status, code, _) = error_code(res).await;
    assert_eq!(
        (status, code.as_str()),
        (401, "invalid_token"),
        "an access token is not an MCP token"
    );
    let res = app.http.get(app.url("/mcp")).send().await.expect("send");
    assert_eq!(
        error_code(res).await.0,
        401,
        "nor is no token, on any method"
    );

    let secret = mcp_token(&app, &t, &["read"]).await;
    assert_eq!(
        tokens_of(&app, &t).await[0]["last_used_at"],
        Value::Null,
        "unused"
    );
    let session = Session::open(&app, &secret).await;
    assert_eq!(session.rpc("ping", json!({})).await["result"], json!({}));
    let tokens = tokens_of(&app, &t).await;
    assert!(
        tokens[0].get("token").is_none(),
        "the secret is never shown again"
    );
    assert!(
        tokens[0]["last_used_at"].is_string(),
        "its use is noted: {tokens}"
    );
    let id = tokens[0]["id"].as_str().expect("id");
    assert_eq!(
        app.delete_auth(&format!("/api/mcp/tokens/{id}"), &t, &json!(null))
            .await
            .status(),
        204
    );
    let res = session.post(&ping).send().await.expect("send");
    let (status, code, _) = error_code(res).await;
    assert_eq!(
        (status, code.as_str()),
        (401, "invalid_token"),
        "a session does not outlive its token"
    );

    let (status, _, _) = error_code(
        app.post_auth(
            "/api/mcp/tokens",
            &t,
            &json!({"name": "x", "scopes": ["admin"]}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);
}
