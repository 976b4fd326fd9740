//! The MCP endpoint: external agents list and call the chat agent's tools with a
//! scoped token; what they change lands in the action log and can be undone.

use maigie_tests::{TestApp, error_code, token};
use serde_json::{Value, json};

async fn mcp_token(app: &TestApp, t: &str, scopes: &[&str]) -> String {
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

async fn rpc(app: &TestApp, bearer: &str, method: &str, params: Value) -> Value {
    let res = app
        .http
        .post(app.url("/mcp"))
        .bearer_auth(bearer)
        .header("accept", "application/json, text/event-stream")
        .json(&json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params}))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["id"], 7);
    body
}

fn names(list: &Value) -> Vec<String> {
    list["result"]["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t["name"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn an_external_agent_lists_and_calls_tools_within_its_token_scopes() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let reader = mcp_token(&app, &t, &["read"]).await;
    let writer = mcp_token(&app, &t, &["read", "write"]).await;

    let init = rpc(
        &app,
        &reader,
        "initialize",
        json!({"protocolVersion": "2025-03-26", "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"}}),
    )
    .await;
    assert_eq!(init["result"]["protocolVersion"], "2025-03-26");
    assert_eq!(init["result"]["serverInfo"]["name"], "maigie");
    let note = app
        .http
        .post(app.url("/mcp"))
        .bearer_auth(&reader)
        .json(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        .send()
        .await
        .expect("send");
    assert_eq!(note.status(), 202);

    let read_only = names(&rpc(&app, &reader, "tools/list", json!({})).await);
    assert!(read_only.contains(&"list_tasks".to_owned()));
    assert!(
        !read_only.contains(&"create_task".to_owned())
            && !read_only.contains(&"delete_task".to_owned())
    );
    let writing = names(&rpc(&app, &writer, "tools/list", json!({})).await);
    assert!(writing.contains(&"create_task".to_owned()));
    assert!(
        !writing.contains(&"delete_task".to_owned()),
        "no delete scope, no delete tool"
    );

    let deleter_only = mcp_token(&app, &t, &["delete"]).await;
    assert!(
        names(&rpc(&app, &deleter_only, "tools/list", json!({})).await).is_empty(),
        "delete alone reads nothing"
    );
    let deleter = mcp_token(&app, &t, &["read", "delete"]).await;
    assert!(
        names(&rpc(&app, &deleter, "tools/list", json!({})).await)
            .contains(&"delete_task".to_owned())
    );

    let refused = rpc(
        &app,
        &reader,
        "tools/call",
        json!({"name": "create_task", "arguments": {"title": "Nope"}}),
    )
    .await;
    assert_eq!(refused["result"]["isError"], true);
    assert!(
        refused["result"]["content"][0]["text"]
            .as_str()
            .expect("text")
            .contains("write scope")
    );

    let created = rpc(
        &app,
        &writer,
        "tools/call",
        json!({"name": "create_task", "arguments": {"title": "From MCP", "priority": "high"}}),
    )
    .await;
    assert_eq!(created["result"]["isError"], false, "{created}");
    let action_id = created["result"]["_meta"]["action_id"]
        .as_str()
        .expect("action")
        .to_owned();
    let listed = rpc(
        &app,
        &reader,
        "tools/call",
        json!({"name": "list_tasks", "arguments": {}}),
    )
    .await;
    assert!(
        listed["result"]["content"][0]["text"]
            .as_str()
            .expect("text")
            .contains("From MCP")
    );

    let bad = rpc(
        &app,
        &writer,
        "tools/call",
        json!({"name": "create_task", "arguments": {"title": "x", "priority": "huge"}}),
    )
    .await;
    assert_eq!(bad["result"]["isError"], true);
    let refused_by_api = rpc(
        &app,
        &writer,
        "tools/call",
        json!({"name": "create_task", "arguments": {"title": ""}}),
    )
    .await;
    assert_eq!(
        refused_by_api["result"]["isError"], true,
        "the API's own validation applies"
    );
    let unknown = rpc(&app, &writer, "resources/list", json!({})).await;
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

#[tokio::test]
async fn mcp_needs_a_live_token_of_its_own() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let res = app
        .http
        .post(app.url("/mcp"))
        .bearer_auth(&t)
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}))
        .send()
        .await
        .expect("send");
    let (status, code, _) = error_code(res).await;
    assert_eq!(
        (status, code.as_str()),
        (401, "invalid_token"),
        "an access token is not an MCP token"
    );

    let secret = mcp_token(&app, &t, &["read"]).await;
    assert_eq!(
        rpc(&app, &secret, "ping", json!({})).await["result"],
        json!({})
    );
    let tokens: Value = app
        .get_auth("/api/mcp/tokens", &t)
        .await
        .json()
        .await
        .expect("json");
    assert!(
        tokens[0].get("token").is_none(),
        "the secret is never shown again"
    );
    let id = tokens[0]["id"].as_str().expect("id");
    assert_eq!(
        app.delete_auth(&format!("/api/mcp/tokens/{id}"), &t, &json!(null))
            .await
            .status(),
        204
    );
    let res = app
        .http
        .post(app.url("/mcp"))
        .bearer_auth(&secret)
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 401);

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

#[tokio::test]
async fn plan_tools_create_a_days_plan_with_items_and_undo_removes_both() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let writer = mcp_token(&app, &t, &["read", "write"]).await;
    let day = (chrono::Utc::now() + chrono::Duration::days(2))
        .date_naive()
        .to_string();

    let added = rpc(&app, &writer, "tools/call", json!({"name": "add_plan_item", "arguments": {"plan_date": day, "title": "Revise integrals", "priority": "high"}})).await;
    assert_eq!(added["result"]["isError"], false, "{added}");
    let changed = rpc(&app, &writer, "tools/call", json!({"name": "update_daily_plan", "arguments": {"plan_date": day, "summary": "Calculus day"}})).await;
    assert_eq!(changed["result"]["isError"], false, "{changed}");
    let plan: Value = app
        .get_auth(&format!("/api/plans/daily/by-date/{day}"), &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(plan["summary"], "Calculus day");
    assert_eq!(plan["items"][0]["title"], "Revise integrals");

    let summary_action = changed["result"]["_meta"]["action_id"]
        .as_str()
        .expect("action");
    assert_eq!(
        app.post_auth(
            &format!("/api/chat/actions/{summary_action}/undo"),
            &t,
            &json!({})
        )
        .await
        .status(),
        200
    );
    let item_action = added["result"]["_meta"]["action_id"]
        .as_str()
        .expect("action");
    assert_eq!(
        app.post_auth(
            &format!("/api/chat/actions/{item_action}/undo"),
            &t,
            &json!({})
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        app.get_auth(&format!("/api/plans/daily/by-date/{day}"), &t)
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn moving_a_block_checks_the_id_and_moves_it() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let writer = mcp_token(&app, &t, &["read", "write"]).await;
    let start = chrono::Utc::now() + chrono::Duration::days(1);
    let block: Value = app
        .post_auth("/api/schedule", &t, &json!({"title": "Lab", "start_at": start.to_rfc3339(), "end_at": (start + chrono::Duration::hours(1)).to_rfc3339()}))
        .await
        .json()
        .await
        .expect("json");
    let later = start + chrono::Duration::hours(3);
    let moved = rpc(&app, &writer, "tools/call", json!({"name": "move_schedule_block", "arguments": {
        "block_id": block["id"], "start_at": later.to_rfc3339(), "end_at": (later + chrono::Duration::hours(1)).to_rfc3339()}})).await;
    assert_eq!(moved["result"]["isError"], false, "{moved}");
    assert_eq!(moved["result"]["content"][0]["text"], "Moved “Lab”.");
    let now: Value = app
        .get_auth(
            &format!("/api/schedule/{}", block["id"].as_str().expect("id")),
            &t,
        )
        .await
        .json()
        .await
        .expect("json");
    let at: chrono::DateTime<chrono::Utc> = now["start_at"]
        .as_str()
        .expect("start")
        .parse()
        .expect("instant");
    assert_eq!(at.timestamp(), later.timestamp());
    let bad = rpc(&app, &writer, "tools/call", json!({"name": "move_schedule_block", "arguments": {
        "block_id": uuid::Uuid::new_v4(), "start_at": later.to_rfc3339(), "end_at": (later + chrono::Duration::hours(1)).to_rfc3339()}})).await;
    assert_eq!(
        bad["result"]["isError"], true,
        "someone else's or no block: refused"
    );
}
