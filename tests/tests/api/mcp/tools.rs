//! The agent's tools through MCP: plans, schedule blocks, and what a token without
//! the read scope may do and see.

use maigie_tests::{TestApp, token};
use serde_json::{Value, json};

use super::client::Session;
use super::mcp_token;

#[tokio::test]
async fn plan_tools_create_a_days_plan_with_items_and_undo_removes_both() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let writer = Session::open(&app, &mcp_token(&app, &t, &["read", "write"]).await).await;
    let day = (chrono::Utc::now() + chrono::Duration::days(2))
        .date_naive()
        .to_string();

    let added = writer.rpc("tools/call", json!({"name": "add_plan_item", "arguments": {"plan_date": day, "title": "Revise integrals", "priority": "high"}})).await;
    assert_eq!(added["result"]["isError"], false, "{added}");
    let changed = writer.rpc("tools/call", json!({"name": "update_daily_plan", "arguments": {"plan_date": day, "summary": "Calculus day"}})).await;
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
    let writer = Session::open(&app, &mcp_token(&app, &t, &["read", "write"]).await).await;
    let start = chrono::Utc::now() + chrono::Duration::days(1);
    let block: Value = app
        .post_auth("/api/schedule", &t, &json!({"title": "Lab", "start_at": start.to_rfc3339(), "end_at": (start + chrono::Duration::hours(1)).to_rfc3339()}))
        .await
        .json()
        .await
        .expect("json");
    let later = start + chrono::Duration::hours(3);
    let moved = writer.rpc("tools/call", json!({"name": "move_schedule_block", "arguments": {
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
    let bad = writer.rpc("tools/call", json!({"name": "move_schedule_block", "arguments": {
        "block_id": uuid::Uuid::new_v4(), "start_at": later.to_rfc3339(), "end_at": (later + chrono::Duration::hours(1)).to_rfc3339()}})).await;
    assert_eq!(
        bad["result"]["isError"], true,
        "someone else's or no block: refused"
    );
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
    let writer = Session::open(&app, &mcp_token(&app, &t, &["write"]).await).await;
    let secrets = [
        "4711",
        "Dear diary",
        "Moriarty",
        "Calculus revision",
        "Therapy",
    ];

    let summary = writer
        .call("summarize_note", json!({"note": "Diary"}))
        .await;
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
        let found = writer.call(tool, args).await;
        refused_for_scope(&found, &["read"], &secrets);
    }
    let deleter = Session::open(&app, &mcp_token(&app, &t, &["write", "delete"]).await).await;
    let deleted = deleter
        .call("delete_task", json!({"task": "Calculus"}))
        .await;
    refused_for_scope(&deleted, &["read"], &secrets);
    let goal = writer
        .call("update_goal", json!({"goal": "x", "status": "completed"}))
        .await;
    refused_for_scope(&goal, &["read"], &secrets);

    let listed = writer.tools().await;
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
    let created = writer
        .call("create_task", json!({"title": "Buy chalk"}))
        .await;
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
    let clash = writer
        .call(
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
    let full = Session::open(&app, &mcp_token(&app, &t, &["read", "write"]).await).await;
    let ambiguous = full
        .call(
            "update_task",
            json!({"task": "Calculus", "priority": "high"}),
        )
        .await;
    assert!(
        ambiguous.to_string().contains("Calculus revision"),
        "{ambiguous}"
    );
    let summarized = full.call("summarize_note", json!({"note": "Diary"})).await;
    assert_eq!(summarized["isError"], false, "{summarized}");
    assert!(summarized.to_string().contains("4711"), "{summarized}");
}
