//! Notes at `/api/notes`: CRUD, links, archive, full-text search with snippets.

use std::time::Duration;

use maigie_tests::{TestApp, connect_ws, db, error_code, next_event, token};
use serde_json::{Value, json};
use uuid::Uuid;

async fn user(app: &TestApp) -> String {
    let (_, _, session) = app.register().await;
    token(&session)
}

async fn user_id(app: &TestApp, t: &str) -> Uuid {
    let me: Value = app
        .get_auth("/api/users/me", t)
        .await
        .json()
        .await
        .expect("json");
    me["id"].as_str().expect("id").parse().expect("uuid")
}

async fn expect(res: reqwest::Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let body: Value = res.json().await.expect("json");
    assert_eq!(got, status, "{body}");
    body
}

async fn note(app: &TestApp, t: &str, body: Value) -> Value {
    expect(app.post_auth("/api/notes", t, &body).await, 201).await
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

fn fields(body: &Value) -> Vec<(String, String)> {
    body["error"]["details"]["fields"]
        .as_array()
        .expect("details.fields")
        .iter()
        .map(|f| {
            (
                f["field"].as_str().expect("field").to_owned(),
                f["code"].as_str().expect("code").to_owned(),
            )
        })
        .collect()
}

fn titles(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|n| n["title"].as_str().expect("title").to_owned())
        .collect()
}

async fn list(app: &TestApp, t: &str, query: &str) -> Value {
    expect(app.get_auth(&format!("/api/notes{query}"), t).await, 200).await
}

#[tokio::test]
async fn a_note_is_created_read_changed_and_deleted() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let n = note(
        &app,
        &t,
        json!({ "title": "  Cells ", "content": "# Mitosis\n\n- prophase\n", "tags": ["bio", "Bio"] }),
    )
    .await;
    assert_eq!(n["title"], "Cells");
    assert_eq!(n["content"], "# Mitosis\n\n- prophase\n");
    assert_eq!(n["tags"], json!(["bio"]));
    assert!(n["summary"].is_null() && n["archived_at"].is_null());

    let path = format!("/api/notes/{}", id(&n));
    assert_eq!(expect(app.get_auth(&path, &t).await, 200).await, n);
    let changed = expect(
        app.patch_auth(&path, &t, &json!({ "content": "new", "tags": [] }))
            .await,
        200,
    )
    .await;
    assert_eq!(
        (changed["title"].as_str(), changed["content"].as_str()),
        (Some("Cells"), Some("new"))
    );
    assert_eq!(changed["tags"], json!([]));
    let res = app
        .patch_auth(&path, &t, &json!({ "summary": "mine now" }))
        .await;
    assert_eq!(
        error_code(res).await.0,
        422,
        "summary is read-only (unknown field)"
    );

    assert_eq!(app.delete_auth(&path, &t, &json!(null)).await.status(), 204);
    assert_eq!(app.get_auth(&path, &t).await.status(), 404);
}

#[tokio::test]
async fn bad_note_input_names_every_bad_field() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let tags: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
    let res = app
        .post_auth(
            "/api/notes",
            &t,
            &json!({ "title": " ", "content": "x".repeat(200_001), "tags": tags }),
        )
        .await;
    let (status, code, body) = error_code(res).await;
    assert_eq!((status, code.as_str()), (422, "validation_failed"));
    assert_eq!(
        fields(&body),
        [
            ("title".into(), "blank".into()),
            ("content".into(), "too_long".into()),
            ("tags".into(), "too_many".into())
        ]
    );
    let res = app
        .get_auth(&format!("/api/notes?search={}", "q".repeat(501)), &t)
        .await;
    assert_eq!(
        fields(&error_code(res).await.2),
        [("search".into(), "too_long".into())]
    );
    // The longest content is accepted.
    note(
        &app,
        &t,
        json!({ "title": "long", "content": "y".repeat(200_000) }),
    )
    .await;
}

#[tokio::test]
async fn archived_notes_leave_the_list_until_restored() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let keep = note(&app, &t, json!({ "title": "keep" })).await;
    let old = note(&app, &t, json!({ "title": "old" })).await;
    let archived = expect(
        app.post_auth(&format!("/api/notes/{}/archive", id(&old)), &t, &json!({}))
            .await,
        200,
    )
    .await;
    assert!(archived["archived_at"].is_string());

    assert_eq!(titles(&list(&app, &t, "").await), ["keep"]);
    assert_eq!(titles(&list(&app, &t, "?archived=true").await), ["old"]);
    assert_eq!(
        titles(&list(&app, &t, "?search=old").await),
        Vec::<String>::new()
    );

    let restored = expect(
        app.post_auth(
            &format!("/api/notes/{}/unarchive", id(&old)),
            &t,
            &json!({}),
        )
        .await,
        200,
    )
    .await;
    assert!(restored["archived_at"].is_null());
    assert_eq!(titles(&list(&app, &t, "").await), ["old", "keep"]);
    let _ = keep;
}

#[tokio::test]
async fn search_ranks_title_matches_first_and_highlights_safely() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    note(
        &app,
        &t,
        json!({ "title": "Biology", "content": "<script>alert('x')</script> Leaves use photosynthesis & light." }),
    )
    .await;
    note(
        &app,
        &t,
        json!({ "title": "Photosynthesis", "content": "Chlorophyll absorbs light." }),
    )
    .await;
    note(
        &app,
        &t,
        json!({ "title": "History", "content": "Nothing relevant." }),
    )
    .await;

    let page = list(&app, &t, "?search=photosynthesis").await;
    assert_eq!(titles(&page), ["Photosynthesis", "Biology"]);
    let ranks: Vec<f64> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|n| n["rank"].as_f64().expect("rank"))
        .collect();
    assert!(ranks[0] > ranks[1], "{ranks:?}");
    let snippet = page["items"][1]["snippet"].as_str().expect("snippet");
    assert!(snippet.contains("<mark>photosynthesis</mark>"), "{snippet}");
    assert!(!snippet.contains("<script"), "{snippet}");
    assert!(snippet.contains("&amp;"), "{snippet}");
    let without_marks = snippet.replace("<mark>", "").replace("</mark>", "");
    assert!(
        !without_marks.contains('<'),
        "only <mark> is markup: {snippet}"
    );

    // Web-search syntax: exclusion and stemming.
    let page = list(&app, &t, "?search=photosynthesis%20-chlorophyll").await;
    assert_eq!(titles(&page), ["Biology"]);
    let page = list(&app, &t, "?search=absorbing").await;
    assert_eq!(titles(&page), ["Photosynthesis"]);
    // A plain list carries no search fields.
    let page = list(&app, &t, "").await;
    assert!(page["items"][0].get("snippet").is_none());
}

#[tokio::test]
async fn search_pages_cover_every_hit_once() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    for i in 0..7 {
        let content = "enzyme ".repeat(i + 1);
        note(
            &app,
            &t,
            json!({ "title": format!("n{i}"), "content": content }),
        )
        .await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = cursor
            .as_deref()
            .map_or(String::new(), |c| format!("&cursor={c}"));
        let page = list(&app, &t, &format!("?search=enzyme&limit=3{q}")).await;
        seen.extend(titles(&page));
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    seen.sort();
    assert_eq!(seen, ["n0", "n1", "n2", "n3", "n4", "n5", "n6"]);
}

#[tokio::test]
async fn list_pages_stay_stable_under_concurrent_inserts() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    for i in 0..5 {
        note(&app, &t, json!({ "title": format!("n{i}") })).await;
    }
    let first = list(&app, &t, "?limit=2").await;
    assert_eq!(titles(&first), ["n4", "n3"]);
    note(&app, &t, json!({ "title": "late" })).await;
    let mut seen = titles(&first);
    let mut cursor = first["next_cursor"].as_str().map(str::to_owned);
    while let Some(c) = cursor {
        let page = list(&app, &t, &format!("?limit=2&cursor={c}")).await;
        seen.extend(titles(&page));
        cursor = page["next_cursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen, ["n4", "n3", "n2", "n1", "n0"]);
}

#[tokio::test]
async fn notes_link_only_to_the_users_own_courses_and_topics() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let other = user(&app).await;
    let pool = db().await;
    let course = |u: Uuid| {
        sqlx::query_scalar::<_, Uuid>(
            "INSERT INTO courses (user_id, title) VALUES ($1, 'c') RETURNING id",
        )
        .bind(u)
        .fetch_one(&pool)
    };
    let me = user_id(&app, &t).await;
    let mine = course(me).await.expect("course");
    let theirs = course(user_id(&app, &other).await).await.expect("course");
    let module: Uuid = sqlx::query_scalar(
        "INSERT INTO modules (user_id, course_id, title, position) VALUES ($1, $2, 'm', 0) RETURNING id",
    )
    .bind(me)
    .bind(mine)
    .fetch_one(&pool)
    .await
    .expect("module");
    let topic: Uuid = sqlx::query_scalar(
        "INSERT INTO topics (user_id, module_id, title, position) VALUES ($1, $2, 't', 0) RETURNING id",
    )
    .bind(me)
    .bind(module)
    .fetch_one(&pool)
    .await
    .expect("topic");

    let res = app
        .post_auth(
            "/api/notes",
            &t,
            &json!({ "title": "x", "course_id": theirs }),
        )
        .await;
    assert_eq!(
        fields(&error_code(res).await.2),
        [("course_id".into(), "not_found".into())]
    );
    let n = note(
        &app,
        &t,
        json!({ "title": "x", "course_id": mine, "topic_id": topic }),
    )
    .await;
    assert_eq!(n["course_id"], json!(mine));
    let filtered = list(&app, &t, &format!("?course_id={mine}")).await;
    assert_eq!(titles(&filtered), ["x"]);
    let res = app
        .patch_auth(
            &format!("/api/notes/{}", id(&n)),
            &t,
            &json!({ "topic_id": Uuid::new_v4() }),
        )
        .await;
    assert_eq!(
        fields(&error_code(res).await.2),
        [("topic_id".into(), "not_found".into())]
    );
    let cleared = expect(
        app.patch_auth(
            &format!("/api/notes/{}", id(&n)),
            &t,
            &json!({ "course_id": null }),
        )
        .await,
        200,
    )
    .await;
    assert!(cleared["course_id"].is_null());
    assert_eq!(cleared["topic_id"], json!(topic));
}

#[tokio::test]
async fn another_user_gets_404_on_every_note_route_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let a = user(&app).await;
    let b = user(&app).await;
    let n = note(
        &app,
        &a,
        json!({ "title": "secret plan", "content": "private words" }),
    )
    .await;
    let path = format!("/api/notes/{}", id(&n));

    assert_eq!(app.get_auth(&path, &b).await.status(), 404);
    assert_eq!(
        app.patch_auth(&path, &b, &json!({ "title": "mine" }))
            .await
            .status(),
        404
    );
    for action in ["archive", "unarchive"] {
        let res = app
            .post_auth(&format!("{path}/{action}"), &b, &json!({}))
            .await;
        assert_eq!(res.status(), 404, "{action}");
    }
    assert_eq!(app.delete_auth(&path, &b, &json!(null)).await.status(), 404);
    assert_eq!(
        titles(&list(&app, &b, "?search=secret").await),
        Vec::<String>::new()
    );
    assert_eq!(titles(&list(&app, &b, "").await), Vec::<String>::new());

    assert_eq!(expect(app.get_auth(&path, &a).await, 200).await, n);
}

#[tokio::test]
async fn note_changes_reach_the_users_websocket() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let mut ws = connect_ws(&app, &format!("access_token={t}"))
        .await
        .expect("ws");
    let n = note(&app, &t, json!({ "title": "live" })).await;
    let ev = next_event(&mut ws, "note.created", Duration::from_secs(10))
        .await
        .expect("event");
    assert_eq!(ev["data"]["id"], n["id"]);
    app.delete_auth(&format!("/api/notes/{}", id(&n)), &t, &json!(null))
        .await;
    let ev = next_event(&mut ws, "note.deleted", Duration::from_secs(10))
        .await
        .expect("event");
    assert_eq!(ev["data"]["id"], n["id"]);
}

#[tokio::test]
async fn the_openapi_document_lists_the_note_routes() {
    let app = TestApp::spawn().await;
    let doc: Value = app
        .http
        .get(app.url("/openapi.json"))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    for path in [
        "/api/notes",
        "/api/notes/{id}",
        "/api/notes/{id}/archive",
        "/api/notes/{id}/unarchive",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    let params = doc["paths"]["/api/notes"]["get"]["parameters"].to_string();
    assert!(params.contains("search") && params.contains("archived"));
}
