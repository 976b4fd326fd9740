//! Hybrid search over the user's notes (issue 14): notes are indexed by the
//! `knowledge_index` workflow after their edits pause, a paraphrase finds a note
//! that shares no word with the query, and nobody else's notes ever appear.

use std::time::{Duration, Instant};

use maigie_tests::{TestApp, db, error_code, token};
use serde_json::{Value, json};

async fn note(app: &TestApp, t: &str, title: &str, content: &str) -> Value {
    let res = app
        .post_auth(
            "/api/notes",
            t,
            &json!({ "title": title, "content": content }),
        )
        .await;
    assert_eq!(res.status(), 201);
    res.json().await.expect("json")
}

async fn search(app: &TestApp, t: &str, query: &str) -> Value {
    let res = app.get_auth(&format!("/api/search?{query}"), t).await;
    assert_eq!(res.status(), 200, "search {query}");
    res.json().await.expect("json")
}

/// `(status, chunks, rounds)` of a source's index.
async fn index_state(id: &str) -> Option<(String, i32, i32)> {
    sqlx::query_as(
        "SELECT status, chunks, rounds FROM knowledge_sources
          WHERE source_type = 'note' AND source_id = $1::uuid",
    )
    .bind(id)
    .fetch_optional(&db().await)
    .await
    .expect("state")
}

/// Waits until the note's index is written and settled.
async fn indexed(id: &str) -> (i32, i32) {
    let start = Instant::now();
    loop {
        if let Some((status, chunks, rounds)) = index_state(id).await
            && status == "indexed"
        {
            return (chunks, rounds);
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "note {id} not indexed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["source_id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn a_paraphrase_finds_the_note_that_full_text_cannot_and_only_the_owners() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let plants = note(
        &app,
        &t,
        "Biology revision",
        "Chlorophyll turns light into sugar inside the leaves.",
    )
    .await;
    let trains = note(
        &app,
        &t,
        "Travel",
        "The train leaves at noon from platform four.",
    )
    .await;
    let plants_id = plants["id"].as_str().expect("id");
    indexed(plants_id).await;
    indexed(trains["id"].as_str().expect("id")).await;

    let query = "q=how%20do%20plants%20make%20food";
    let words = search(&app, &t, &format!("{query}&mode=fulltext")).await;
    assert!(ids(&words).is_empty(), "no shared word: {words}");
    for mode in ["hybrid", "semantic"] {
        let page = search(&app, &t, &format!("{query}&mode={mode}")).await;
        assert_eq!(page["mode"], mode);
        assert_eq!(
            ids(&page).first().map(String::as_str),
            Some(plants_id),
            "{page}"
        );
        assert_eq!(page["items"][0]["title"], "Biology revision");
    }
    // Words still work, with an HTML-safe highlighted snippet.
    let page = search(&app, &t, "q=chlorophyll&mode=fulltext").await;
    assert_eq!(ids(&page), vec![plants_id.to_owned()]);
    let snippet = page["items"][0]["snippet"].as_str().expect("snippet");
    assert!(snippet.contains("<mark>Chlorophyll</mark>"), "{snippet}");

    // Another user finds nothing of it.
    let (_, _, other) = app.register().await;
    let theirs = search(&app, &token(&other), query).await;
    assert!(ids(&theirs).is_empty(), "{theirs}");
    app.shutdown().await;
}

#[tokio::test]
async fn a_burst_of_edits_is_embedded_once_with_the_last_text_and_a_deleted_note_leaves_nothing() {
    let app = TestApp::spawn_with(vec![("KNOWLEDGE_INDEX_DEBOUNCE_MS", "1500".into())]).await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let n = note(&app, &t, "Draft", "first words").await;
    let id = n["id"].as_str().expect("id");
    for i in 1..=5 {
        let res = app
            .patch_auth(
                &format!("/api/notes/{id}"),
                &t,
                &json!({ "content": format!("version {i} about volcanoes erupting") }),
            )
            .await;
        assert_eq!(res.status(), 200);
    }
    let (chunks, rounds) = indexed(id).await;
    assert_eq!((chunks, rounds), (1, 1), "one chunk, written once");
    let content: String = sqlx::query_scalar(
        "SELECT content FROM knowledge_chunks WHERE source_type = 'note' AND source_id = $1::uuid",
    )
    .bind(id)
    .fetch_one(&db().await)
    .await
    .expect("chunk");
    assert!(content.contains("version 5 about volcanoes"), "{content}");

    let res = app
        .delete_auth(&format!("/api/notes/{id}"), &t, &json!({}))
        .await;
    assert_eq!(res.status(), 204);
    let start = Instant::now();
    while index_state(id).await.is_some() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "index not removed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let left: i64 =
        sqlx::query_scalar("SELECT count(*) FROM knowledge_chunks WHERE source_id = $1::uuid")
            .bind(id)
            .fetch_one(&db().await)
            .await
            .expect("count");
    assert_eq!(left, 0);
    app.shutdown().await;
}

#[tokio::test]
async fn pages_follow_one_another_and_hold_every_result_once() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let mut made = Vec::new();
    for i in 0..7 {
        let n = note(
            &app,
            &t,
            &format!("Glacier field trip {i}"),
            &"The glacier moved a little today. ".repeat(i + 1),
        )
        .await;
        made.push(n["id"].as_str().expect("id").to_owned());
    }
    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut query = "q=glacier&mode=fulltext&limit=3".to_owned();
    loop {
        let page = search(&app, &t, &query).await;
        sizes.push(ids(&page).len());
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => query = format!("q=glacier&mode=fulltext&limit=3&cursor={cursor}"),
            None => break,
        }
        assert!(sizes.len() < 10, "the pages never end");
    }
    assert_eq!(sizes, vec![3, 3, 1]);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 7, "a result shown twice: {seen:?}");
    made.sort();
    assert_eq!(sorted, made);
    app.shutdown().await;
}

#[tokio::test]
async fn bad_queries_are_clear_4xx() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let long = "a".repeat(1000);
    for (query, status) in [
        ("q=".to_owned(), 422),
        ("q=%20%20".to_owned(), 422),
        (format!("q={long}"), 422),
        ("q=x&types=notes,spaceships".to_owned(), 422),
        ("q=x&limit=0".to_owned(), 422),
        ("q=x&limit=51".to_owned(), 422),
        ("q=x&mode=psychic".to_owned(), 400),
        ("q=x&cursor=%%%".to_owned(), 400),
    ] {
        let res = app.get_auth(&format!("/api/search?{query}"), &t).await;
        let (got, code, _) = error_code(res).await;
        assert_eq!(got, status, "{query}: {code}");
    }
    let res = app
        .http
        .get(app.url("/api/search?q=x"))
        .send()
        .await
        .expect("anonymous");
    assert_eq!(res.status(), 401);
    app.shutdown().await;
}

#[tokio::test]
async fn when_the_embedding_provider_is_down_full_text_still_answers_and_says_so() {
    let app = TestApp::spawn_with(vec![
        ("EMBEDDING_PROVIDER", "openai".into()),
        ("EMBEDDING_API_BASE", "http://127.0.0.1:9/v1".into()),
        ("EMBEDDING_MODEL", "text-embedding-3-small".into()),
        ("EMBEDDING_DIMENSIONS", "384".into()),
        ("EMBEDDING_TIMEOUT_SECS", "2".into()),
    ])
    .await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let n = note(&app, &t, "Volcanoes", "Magma rises through the crust.").await;
    let id = n["id"].as_str().expect("id");
    // The index cannot be written: the source stays pending (retried), never half done.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let (status, chunks, _) = index_state(id).await.expect("state");
    assert_eq!((status.as_str(), chunks), ("pending", 0));
    // Words still find it (the note's own full-text column), and the answer says
    // meaning could not be used.
    let page = search(&app, &t, "q=magma").await;
    assert_eq!(page["mode"], "fulltext");
    assert_eq!(ids(&page), vec![id.to_owned()], "{page}");
    app.shutdown().await;
}

#[tokio::test]
async fn a_backfill_indexes_the_notes_not_yet_indexed_page_by_page_and_reports_its_progress() {
    use maigie_workflows::knowledge_backfill::{BackfillInput, KnowledgeBackfillWorkflow};
    use temporalio_client::{WorkflowGetResultOptions, WorkflowQueryOptions, WorkflowStartOptions};

    // Live indexing waits ten minutes here: only the backfill indexes these notes, as
    // for notes written before search existed.
    let app = TestApp::spawn_with(vec![("KNOWLEDGE_INDEX_DEBOUNCE_MS", "600000".into())]).await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let user: uuid::Uuid = s["user"]["id"].as_str().expect("id").parse().expect("uuid");
    let mut notes = Vec::new();
    for i in 0..5 {
        let n = note(
            &app,
            &t,
            &format!("Chapter {i}"),
            "Mitochondria make energy for the cell.",
        )
        .await;
        notes.push(n["id"].as_str().expect("id").to_owned());
    }
    assert_eq!(index_state(&notes[0]).await.expect("state").0, "pending");

    let temporal = crate::visibility::client(&app).await;
    let id = format!("knowledge-backfill-test-{user}");
    let options = WorkflowStartOptions::new(&app.task_queue, &id).build();
    let input = BackfillInput {
        page_size: 2,
        user_id: Some(user),
        after: None,
        indexed: 0,
    };
    let handle = temporal
        .start_workflow(KnowledgeBackfillWorkflow::run, input, options)
        .await
        .expect("backfill started");
    let done = tokio::time::timeout(
        Duration::from_secs(120),
        handle.get_result(WorkflowGetResultOptions::default()),
    )
    .await
    .expect("backfill finished in time")
    .expect("backfill result");
    assert!(done.finished);
    assert_eq!((done.indexed, done.pages), (5, 3), "2 + 2 + 1");
    for id in &notes {
        assert_eq!(indexed(id).await, (1, 1), "note {id} indexed once");
    }
    let progress = handle
        .query(
            KnowledgeBackfillWorkflow::progress,
            (),
            WorkflowQueryOptions::default(),
        )
        .await
        .expect("progress");
    assert_eq!(progress, done);
    let page = search(&app, &t, "q=what%20powers%20a%20cell&mode=semantic").await;
    assert_eq!(ids(&page).len(), 5, "{page}");
    app.shutdown().await;
}
