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

/// POSTs `body` to `/mcp` with `bearer`; the raw response.
async fn post_mcp(app: &TestApp, bearer: &str, body: &Value) -> reqwest::Response {
    app.http
        .post(app.url("/mcp"))
        .bearer_auth(bearer)
        .json(body)
        .send()
        .await
        .expect("send")
}

async fn call_tool(app: &TestApp, bearer: &str, name: &str, arguments: Value) -> Value {
    rpc(
        app,
        bearer,
        "tools/call",
        json!({"name": name, "arguments": arguments}),
    )
    .await["result"]
        .clone()
}

/// The tool result is the scope refusal naming `missing`, and shows none of `secrets`.
fn refused_for_scope(result: &Value, missing: &[&str], secrets: &[&str]) {
    assert_eq!(result["isError"], true, "{result}");
    let error = &result["structuredContent"]["result"]["error"];
    assert_eq!(error["code"], "insufficient_scope", "{result}");
    assert_eq!(error["details"]["missing"], json!(missing), "{result}");
    let text = result.to_string();
    for secret in secrets {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
}

#[tokio::test]
async fn a_write_only_token_cannot_read_notes_or_find_tasks_by_title_and_gets_a_scope_error() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let note =
        json!({"title": "Diary", "content": "Dear diary, my bank PIN is 4711. I keep it here."});
    assert_eq!(app.post_auth("/api/notes", &t, &note).await.status(), 201);
    for title in ["Calculus revision", "Calculus exam with Dr Moriarty"] {
        let res = app
            .post_auth("/api/tasks", &t, &json!({"title": title}))
            .await;
        assert_eq!(res.status(), 201);
    }
    let start = chrono::Utc::now() + chrono::Duration::days(1);
    let end = start + chrono::Duration::hours(1);
    let busy = json!({"title": "Therapy session", "start_at": start.to_rfc3339(), "end_at": end.to_rfc3339()});
    assert_eq!(
        app.post_auth("/api/schedule", &t, &busy).await.status(),
        201
    );
    let writer = mcp_token(&app, &t, &["write"]).await;
    let secrets = [
        "4711",
        "Dear diary",
        "Moriarty",
        "Calculus revision",
        "Therapy",
    ];

    let summary = call_tool(&app, &writer, "summarize_note", json!({"note": "Diary"})).await;
    refused_for_scope(&summary, &["read"], &secrets);
    assert!(
        summary["content"][0]["text"]
            .as_str()
            .expect("text")
            .contains("read scope"),
        "{summary}"
    );
    for (tool, args) in [
        (
            "update_task",
            json!({"task": "Calculus", "priority": "high"}),
        ),
        ("complete_task", json!({"task": "Calculus"})),
    ] {
        let found = call_tool(&app, &writer, tool, args).await;
        refused_for_scope(&found, &["read"], &secrets);
    }
    let deleter = mcp_token(&app, &t, &["write", "delete"]).await;
    let deleted = call_tool(&app, &deleter, "delete_task", json!({"task": "Calculus"})).await;
    refused_for_scope(&deleted, &["read"], &secrets);
    let goal = call_tool(
        &app,
        &writer,
        "update_goal",
        json!({"goal": "x", "status": "completed"}),
    )
    .await;
    refused_for_scope(&goal, &["read"], &secrets);

    let listed = names(&rpc(&app, &writer, "tools/list", json!({})).await);
    assert!(listed.contains(&"create_task".to_owned()), "{listed:?}");
    for hidden in [
        "summarize_note",
        "update_task",
        "complete_task",
        "list_tasks",
        "search_notes",
    ] {
        assert!(
            !listed.contains(&hidden.to_owned()),
            "{hidden} listed: {listed:?}"
        );
    }

    // What it may do, it is answered with the new row's id only.
    let created = call_tool(&app, &writer, "create_task", json!({"title": "Buy chalk"})).await;
    assert_eq!(created["isError"], false, "{created}");
    let id = created["structuredContent"]["result"]["id"]
        .as_str()
        .expect("id");
    assert_eq!(created["structuredContent"]["result"], json!({"id": id}));
    assert_eq!(created["content"][0]["text"], "Created the task.");
    assert_eq!(
        app.get_auth(&format!("/api/tasks/{id}"), &t).await.status(),
        200
    );
    let clash = call_tool(
        &app,
        &writer,
        "create_schedule_block",
        json!({"title": "Gym", "start_at": start.to_rfc3339(), "end_at": end.to_rfc3339()}),
    )
    .await;
    assert_eq!(clash["isError"], true, "{clash}");
    assert_eq!(
        clash["structuredContent"]["result"]["error"]["code"],
        "schedule_conflict"
    );
    assert!(!clash.to_string().contains("Therapy"), "{clash}");

    // read + write still works, matches and content included.
    let full = mcp_token(&app, &t, &["read", "write"]).await;
    let ambiguous = call_tool(
        &app,
        &full,
        "update_task",
        json!({"task": "Calculus", "priority": "high"}),
    )
    .await;
    assert!(
        ambiguous.to_string().contains("Calculus revision"),
        "{ambiguous}"
    );
    let summarized = call_tool(&app, &full, "summarize_note", json!({"note": "Diary"})).await;
    assert_eq!(summarized["isError"], false, "{summarized}");
    assert!(summarized.to_string().contains("4711"), "{summarized}");
}

#[tokio::test]
async fn each_message_of_a_batch_costs_one_request_of_the_users_rate_limit() {
    // 3 a minute: one request each 20 s; the token's creation spends the first.
    let app = TestApp::spawn_with(vec![("RATE_LIMIT_FREE_PER_MINUTE", "3".into())]).await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let reader = mcp_token(&app, &t, &["read"]).await;
    let batch: Vec<Value> = (1..=5)
        .map(|id| {
            json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                         "params": {"name": "list_tasks", "arguments": {}}})
        })
        .collect();

    let res = post_mcp(&app, &reader, &Value::Array(batch)).await;

    assert_eq!(res.status(), 200);
    let answers: Vec<Value> = res.json().await.expect("json");
    assert_eq!(answers.len(), 5);
    let ran = answers
        .iter()
        .take_while(|a| a.get("result").is_some())
        .count();
    assert!((1..=3).contains(&ran), "{answers:?}");
    for limited in &answers[ran..] {
        assert_eq!(limited["error"]["code"], -32029, "{limited}");
        assert_eq!(limited["error"]["data"]["code"], "rate_limited");
        assert!(
            limited["error"]["data"]["retry_after_secs"]
                .as_u64()
                .expect("secs")
                >= 1
        );
    }
    let ids: Vec<&Value> = answers.iter().map(|a| &a["id"]).collect();
    assert_eq!(ids, [&json!(1), &json!(2), &json!(3), &json!(4), &json!(5)]);

    let single = post_mcp(
        &app,
        &reader,
        &json!({"jsonrpc": "2.0", "id": 9, "method": "ping"}),
    )
    .await;
    assert!(single.headers().contains_key("retry-after"));
    let (status, code, _) = error_code(single).await;
    assert_eq!(
        (status, code.as_str()),
        (429, "rate_limited"),
        "nothing fits: 429"
    );
    let rest = app.get_auth("/api/users/me", &t).await;
    assert_eq!(rest.status(), 429, "MCP and REST share the user's bucket");
}
