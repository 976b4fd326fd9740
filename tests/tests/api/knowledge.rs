//! The user's knowledge beyond notes (issue 14): tasks, goals, courses, modules,
//! topics and resources are indexed like notes and found by meaning; related items;
//! resource recommendations for active courses and goals; the assistant's answers
//! drawn from (and citing) the user's notes; the `search_knowledge` tool.

use std::time::{Duration, Instant};

use maigie_llm::fake::FakeLlm;
use maigie_tests::sse::read_all;
use maigie_tests::{TestApp, connect_ws, db, error_code, next_event, token};
use serde_json::{Value, json};

async fn created(app: &TestApp, t: &str, path: &str, body: Value) -> Value {
    let res = app.post_auth(path, t, &body).await;
    assert_eq!(res.status(), 201, "POST {path}");
    res.json().await.expect("json")
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

/// Waits until the source's index is written.
async fn indexed(source_type: &str, source_id: &str) {
    let start = Instant::now();
    loop {
        let status: Option<String> = sqlx::query_scalar(
            "SELECT status FROM knowledge_sources
              WHERE source_type = $1 AND source_id = $2::uuid",
        )
        .bind(source_type)
        .bind(source_id)
        .fetch_optional(&db().await)
        .await
        .expect("state");
        if status.as_deref() == Some("indexed") {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{source_type} {source_id} not indexed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn chunks_of(source_id: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM knowledge_chunks WHERE source_id = $1::uuid")
        .bind(source_id)
        .fetch_one(&db().await)
        .await
        .expect("count")
}

async fn get(app: &TestApp, t: &str, path: &str) -> Value {
    let res = app.get_auth(path, t).await;
    assert_eq!(res.status(), 200, "GET {path}");
    res.json().await.expect("json")
}

fn hits(page: &Value) -> Vec<(String, String)> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["source_type"].as_str().expect("type").to_owned(),
                i["source_id"].as_str().expect("id").to_owned(),
            )
        })
        .collect()
}

async fn note(app: &TestApp, t: &str, title: &str, content: &str) -> String {
    id(&created(
        app,
        t,
        "/api/notes",
        json!({"title": title, "content": content}),
    )
    .await)
}

#[tokio::test]
async fn every_kind_of_item_is_found_by_meaning_filtered_by_type_and_forgotten_with_its_course() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let task = created(&app, &t, "/api/tasks",
        json!({"title": "Water the tomato seedlings", "description": "They dry out on the balcony."})).await;
    let goal = created(
        &app,
        &t,
        "/api/goals",
        json!({"title": "Run a marathon", "description": "Build endurance for 42 kilometres."}),
    )
    .await;
    let course = created(
        &app,
        &t,
        "/api/courses",
        json!({"title": "Medieval history", "description": "Kings, castles and crusades."}),
    )
    .await;
    let module = created(
        &app,
        &t,
        &format!("/api/courses/{}/modules", id(&course)),
        json!({"title": "Feudal society"}),
    )
    .await;
    let topic = created(&app, &t,
        &format!("/api/courses/{}/modules/{}/topics", id(&course), id(&module)),
        json!({"title": "Serfs", "content": "Peasants bound to the lord's land worked his fields."})).await;
    let resource = created(&app, &t, "/api/resources",
        json!({"title": "Guitar chords for beginners", "resource_type": "video",
               "url": "https://example.com/chords", "description": "Learn to strum your first songs."})).await;
    for (kind, v) in [
        ("task", &task),
        ("goal", &goal),
        ("course", &course),
        ("module", &module),
        ("topic", &topic),
        ("resource", &resource),
    ] {
        indexed(kind, &id(v)).await;
    }

    // Paraphrases that share no word with the item find it, whatever its kind.
    for (query, kind, item) in [
        (
            "q=plants%20on%20my%20terrace%20need%20irrigation",
            "task",
            &task,
        ),
        ("q=long%20distance%20running%20race", "goal", &goal),
        (
            "q=agricultural%20workers%20tied%20to%20a%20noble%27s%20estate",
            "topic",
            &topic,
        ),
        (
            "q=playing%20music%20on%20a%20string%20instrument",
            "resource",
            &resource,
        ),
    ] {
        let page = get(&app, &t, &format!("/api/search?{query}&mode=semantic")).await;
        assert_eq!(
            hits(&page).first(),
            Some(&(kind.to_owned(), id(item))),
            "{query}: {page}"
        );
    }
    // `types` keeps only those kinds (plural or singular).
    let page = get(
        &app,
        &t,
        "/api/search?q=long%20distance%20running%20race&types=tasks,resource",
    )
    .await;
    assert!(
        hits(&page)
            .iter()
            .all(|(k, _)| k == "task" || k == "resource"),
        "{page}"
    );
    // Words match topics' content at once, with a highlighted snippet.
    let page = get(&app, &t, "/api/search?q=peasants&mode=fulltext").await;
    assert_eq!(
        hits(&page),
        vec![("topic".to_owned(), id(&topic))],
        "{page}"
    );
    assert!(
        page["items"][0]["snippet"]
            .as_str()
            .expect("snippet")
            .contains("<mark>Peasants</mark>")
    );

    // Nobody else sees any of it.
    let (_, _, other) = app.register().await;
    let theirs = get(
        &app,
        &token(&other),
        "/api/search?q=long%20distance%20running%20race",
    )
    .await;
    assert!(hits(&theirs).is_empty(), "{theirs}");

    // Deleting the course takes its module's and topic's vectors with it.
    assert!(chunks_of(&id(&topic)).await > 0);
    let res = app
        .delete_auth(&format!("/api/courses/{}", id(&course)), &t, &json!(null))
        .await;
    assert_eq!(res.status(), 204);
    for gone in [&course, &module, &topic] {
        assert_eq!(chunks_of(&id(gone)).await, 0, "{gone}");
    }
    let page = get(&app, &t, "/api/search?q=peasants&mode=fulltext").await;
    assert!(hits(&page).is_empty(), "{page}");
    app.shutdown().await;
}

#[tokio::test]
async fn related_items_are_the_closest_in_meaning_and_never_the_note_itself_or_anothers() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let photo = note(
        &app,
        &t,
        "Photosynthesis",
        "Chlorophyll turns sunlight into sugar in leaves.",
    )
    .await;
    let plants = note(
        &app,
        &t,
        "How plants feed",
        "Green plants make their own food from light, water and carbon dioxide.",
    )
    .await;
    let trains = note(
        &app,
        &t,
        "Timetable",
        "The train to Lyon leaves at noon from platform four.",
    )
    .await;
    for n in [&photo, &plants, &trains] {
        indexed("note", n).await;
    }
    let page = get(&app, &t, &format!("/api/notes/{photo}/related?types=notes")).await;
    assert_eq!(page["mode"], "semantic");
    let found = hits(&page);
    assert_eq!(
        found.first(),
        Some(&("note".to_owned(), plants.clone())),
        "{page}"
    );
    assert!(
        !found.iter().any(|(_, i)| *i == photo),
        "never itself: {page}"
    );
    let page = get(&app, &t, &format!("/api/notes/{photo}/related?limit=1")).await;
    assert_eq!(hits(&page).len(), 1);

    let (_, _, other) = app.register().await;
    let res = app
        .get_auth(&format!("/api/notes/{photo}/related"), &token(&other))
        .await;
    assert_eq!(error_code(res).await.0, 404);
    let res = app
        .get_auth(&format!("/api/notes/{}/related", uuid::Uuid::new_v4()), &t)
        .await;
    assert_eq!(error_code(res).await.0, 404);
    for bad in ["limit=0", "limit=51", "types=spaceships"] {
        let res = app
            .get_auth(&format!("/api/notes/{photo}/related?{bad}"), &t)
            .await;
        assert_eq!(error_code(res).await.0, 422, "{bad}");
    }
    app.shutdown().await;
}

/// A public catalogue entry, as an operator publishes it.
async fn publish(title: &str, description: &str) -> String {
    let id: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO resources (title, resource_type, url, description, is_public)
         VALUES ($1, 'article', $2, $3, true) RETURNING id",
    )
    .bind(title)
    .bind(format!("https://example.com/{}", uuid::Uuid::new_v4()))
    .bind(description)
    .fetch_one(&db().await)
    .await
    .expect("published");
    id.to_string()
}

#[tokio::test]
async fn resources_are_recommended_for_active_courses_and_goals_never_saved_or_anothers_private_ones()
 {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    // Nothing to work towards yet: nothing to recommend.
    let page = get(&app, &t, "/api/resources/recommended").await;
    assert_eq!(page["items"], json!([]));

    let goal = created(
        &app,
        &t,
        "/api/goals",
        json!({"title": "Speak Spanish on my trip to Madrid", "status": "IN_PROGRESS"}),
    )
    .await;
    let course = created(
        &app,
        &t,
        "/api/courses",
        json!({"title": "Linear algebra", "description": "Matrices, vectors and eigenvalues."}),
    )
    .await;
    let verbs = publish(
        "Spanish verbs for beginners",
        "Conjugate the most common Spanish verbs.",
    )
    .await;
    let matrices = publish(
        "Matrix multiplication explained",
        "How to multiply matrices, with examples.",
    )
    .await;
    let bread = publish(
        "Sourdough baking",
        "Feed your starter and bake a crusty loaf.",
    )
    .await;
    let saved = publish(
        "Spanish phrases for travellers",
        "Ordering food and asking directions in Spanish.",
    )
    .await;
    let res = app
        .post_auth(
            "/api/users/me/resources",
            &t,
            &json!({"resource_id": saved}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let (_, _, other) = app.register().await;
    let private = created(
        &app,
        &token(&other),
        "/api/resources",
        json!({"title": "My Spanish grammar notes", "resource_type": "article",
               "url": "https://example.com/mine", "description": "Spanish verbs and tenses."}),
    )
    .await;

    let page = get(&app, &t, "/api/resources/recommended?limit=50").await;
    assert_eq!(page["mode"], "semantic");
    let items = page["items"].as_array().expect("items");
    let ids: Vec<&str> = items
        .iter()
        .map(|i| i["resource"]["id"].as_str().expect("id"))
        .collect();
    let because = |rid: &str| {
        items
            .iter()
            .find(|i| i["resource"]["id"] == rid)
            .map(|i| i["because"]["source_id"].clone())
    };
    assert_eq!(because(&verbs), Some(goal["id"].clone()), "{page}");
    assert_eq!(because(&matrices), Some(course["id"].clone()), "{page}");
    assert!(!ids.contains(&bread.as_str()), "unrelated: {page}");
    assert!(!ids.contains(&saved.as_str()), "already saved: {page}");
    assert!(
        !ids.contains(&id(&private).as_str()),
        "another user's: {page}"
    );

    // A finished goal is no longer an interest.
    let res = app
        .patch_auth(
            &format!("/api/goals/{}", id(&goal)),
            &t,
            &json!({"status": "COMPLETED"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let page = get(&app, &t, "/api/resources/recommended").await;
    assert!(!page.to_string().contains(&verbs), "{page}");
    let res = app.get_auth("/api/resources/recommended?limit=0", &t).await;
    assert_eq!(error_code(res).await.0, 422);
    app.shutdown().await;
}

#[tokio::test]
async fn the_assistant_answers_from_the_users_notes_and_cites_the_one_it_used() {
    let model = FakeLlm::start().await;
    model.on(
        "plants make food",
        maigie_llm::fake::FakeReply::text("They turn sunlight into sugar with chlorophyll [1]."),
    );
    let app = TestApp::spawn_with(vec![
        ("LLM_BASE_URL", model.base_url.clone()),
        ("LLM_API_KEY", "test-key".into()),
        ("LLM_MODEL", "fake-model".into()),
    ])
    .await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let photo = note(
        &app,
        &t,
        "Photosynthesis",
        "Chlorophyll turns sunlight into sugar in the leaves.",
    )
    .await;
    let trains = note(
        &app,
        &t,
        "Timetable",
        "The train to Lyon leaves at noon from platform four.",
    )
    .await;
    indexed("note", &photo).await;
    indexed("note", &trains).await;
    let conv = created(&app, &t, "/api/chat/conversations", json!({})).await;
    let mut ws = connect_ws(&app, &format!("access_token={t}"))
        .await
        .expect("ws");

    let res = app
        .http
        .post(app.url(&format!("/api/chat/conversations/{}/messages", id(&conv))))
        .bearer_auth(&t)
        .header("accept", "text/event-stream")
        .json(&json!({"content": "How do plants make food?"}))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 200);
    let events = read_all(res, Duration::from_secs(60)).await;
    let done = events.last().expect("done");
    assert_eq!(done.event, "chat.done", "{events:?}");
    let cited = json!([{"source_type": "note", "source_id": photo, "title": "Photosynthesis"}]);
    assert_eq!(done.data["sources"], cited, "{events:?}");
    let on_ws = next_event(&mut ws, "chat.done", Duration::from_secs(10))
        .await
        .expect("ws done");
    assert_eq!(on_ws["data"]["sources"], cited);

    // The model was given the note's passage, and not the unrelated one.
    let system = model.requests()[0]["messages"][0]["content"]
        .as_str()
        .expect("system")
        .to_owned();
    assert!(
        system.contains("Chlorophyll turns sunlight into sugar"),
        "{system}"
    );
    assert!(!system.contains("platform four"), "{system}");

    // The stored answer carries its sources.
    let history = get(
        &app,
        &t,
        &format!("/api/chat/conversations/{}/messages", id(&conv)),
    )
    .await;
    assert_eq!(history["items"][0]["role"], "assistant");
    assert_eq!(history["items"][0]["sources"], cited, "{history}");
    app.shutdown().await;
}

#[tokio::test]
async fn search_knowledge_is_a_read_tool_of_the_assistant_over_mcp_too() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let photo = note(
        &app,
        &t,
        "Photosynthesis",
        "Chlorophyll turns sunlight into sugar in the leaves.",
    )
    .await;
    indexed("note", &photo).await;
    let reader = crate::mcp::mcp_token(&app, &t, &["read"]).await;
    let session = crate::mcp::client::Session::open(&app, &reader).await;
    assert!(
        session
            .tools()
            .await
            .contains(&"search_knowledge".to_owned())
    );
    let result = session
        .call(
            "search_knowledge",
            json!({"query": "how do plants make food"}),
        )
        .await;
    assert_eq!(result["isError"], false, "{result}");
    let text = result.to_string();
    assert!(
        text.contains(&photo) && text.contains("Photosynthesis"),
        "{result}"
    );
    app.shutdown().await;
}
