//! "What did the AI do for user X": every workflow the app starts carries the
//! `UserId` and `WorkflowKind` search attributes and a summary, found with the
//! Temporal client the way an operator searches the Temporal UI.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use maigie::Config;
use maigie_tests::{TestApp, token};
use serde_json::{Value, json};
use temporalio_client::{Client, UntypedWorkflow, WorkflowDescribeOptions, WorkflowListOptions};
use temporalio_common::search_attributes::SearchAttributeKey;

const WORKFLOW_KIND: SearchAttributeKey<String> = SearchAttributeKey::keyword("WorkflowKind");

pub(crate) async fn client(app: &TestApp) -> Client {
    let config = Config::from_lookup(|name| {
        app.env
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    })
    .expect("config");
    maigie::temporal::connect(&config).await.expect("temporal")
}

/// The workflow ids a visibility query finds, polled until there are `at_least`
/// (visibility is eventually consistent).
async fn find(client: &Client, query: &str, at_least: usize) -> Vec<(String, Option<String>)> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut found = Vec::new();
        let mut stream = client.list_workflows(query, WorkflowListOptions::default());
        while let Some(execution) = stream.next().await {
            let execution = execution.expect("list");
            let kind = execution.search_attributes().get(&WORKFLOW_KIND);
            found.push((execution.id().to_owned(), kind));
        }
        if found.len() >= at_least || Instant::now() > deadline {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test]
async fn a_users_workflows_are_found_by_user_id_and_kind_with_a_summary() {
    let app = TestApp::spawn().await;
    let temporal = client(&app).await;
    let (_, _, body) = app.register().await;
    let t = token(&body);
    let user = body["user"]["id"].as_str().expect("id").to_owned();
    let conv: Value = app
        .post_auth("/api/chat/conversations", &t, &json!({}))
        .await
        .json()
        .await
        .expect("json");
    let res = app
        .http
        .post(app.url(&format!(
            "/api/chat/conversations/{}/messages",
            conv["id"].as_str().expect("conversation")
        )))
        .bearer_auth(&t)
        .header("accept", "application/json")
        .json(&json!({ "content": "add a task to read chapter 3 tomorrow" }))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 202);
    let action = res.json::<Value>().await.expect("json")["action_id"]
        .as_str()
        .expect("action id")
        .to_owned();

    let all = find(&temporal, &format!("UserId = '{user}'"), 2).await;
    let mut kinds: Vec<&str> = all.iter().filter_map(|(_, k)| k.as_deref()).collect();
    kinds.sort_unstable();
    assert_eq!(kinds, vec!["ai.action", "onboarding"], "{all:?}");

    // What the AI did for this user: its kinds share the `ai.` prefix.
    let ai = find(
        &temporal,
        &format!("UserId = '{user}' AND WorkflowKind STARTS_WITH 'ai.'"),
        1,
    )
    .await;
    assert_eq!(ai.len(), 1, "{ai:?}");
    let (ai_id, _) = &ai[0];
    assert!(ai_id.contains(&action), "{ai_id} is the action {action}");

    let described = temporal
        .get_workflow_handle::<UntypedWorkflow>(ai_id.clone())
        .describe(WorkflowDescribeOptions::default())
        .await
        .expect("describe");
    let summary = described.static_summary().expect("a summary");
    assert!(summary.starts_with("AI assistant: action"), "{summary}");
    assert!(summary.contains(&user), "{summary}");
    let onboarding = temporal
        .get_workflow_handle::<UntypedWorkflow>(format!("user-onboarding-{user}"))
        .describe(WorkflowDescribeOptions::default())
        .await
        .expect("describe");
    assert_eq!(
        onboarding.static_summary(),
        Some(format!("Welcome e-mail for new user {user}").as_str())
    );
}
