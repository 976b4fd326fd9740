//! The resource catalogue (`/api/resources`) and saved resources
//! (`/api/users/me/resources`).

use std::time::Duration;

use maigie_tests::{TestApp, connect_ws, db, error_code, next_event, token};
use serde_json::{Value, json};
use uuid::Uuid;

async fn user(app: &TestApp) -> String {
    let (_, _, session) = app.register().await;
    token(&session)
}

async fn expect(res: reqwest::Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let body: Value = res.json().await.expect("json");
    assert_eq!(got, status, "{body}");
    body
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
        .map(|r| {
            r["title"]
                .as_str()
                .or_else(|| r["resource"]["title"].as_str())
                .expect("title")
                .to_owned()
        })
        .collect()
}

async fn resource(app: &TestApp, t: &str, title: &str) -> Value {
    expect(
        app.post_auth(
            "/api/resources",
            t,
            &json!({ "title": title, "resource_type": "article",
                     "url": format!("https://example.com/{}", Uuid::new_v4()) }),
        )
        .await,
        201,
    )
    .await
}

/// A public catalogue entry, as an operator would publish it.
async fn public_resource(title: &str, kind: &str, difficulty: &str, description: &str) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO resources (title, resource_type, difficulty, description, url, is_public)
         VALUES ($1, $2, $3, $4, $5, true) RETURNING id",
    )
    .bind(title)
    .bind(kind)
    .bind(difficulty)
    .bind(description)
    .bind(format!("https://example.org/{}", Uuid::new_v4()))
    .fetch_one(&db().await)
    .await
    .expect("public resource")
}

#[tokio::test]
async fn a_users_resource_is_private_to_them_and_editable_by_them() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let r = expect(
        app.post_auth(
            "/api/resources",
            &t,
            &json!({ "title": "Rust Book", "resource_type": "book",
                     "url": "https://Doc.Rust-Lang.org/book/", "source": "Rust",
                     "difficulty": "beginner", "duration_minutes": 600,
                     "thumbnail_url": "http://img.example.com/rb.png",
                     "description": "The book." }),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(r["url"], "https://doc.rust-lang.org/book/");
    assert_eq!(
        (r["is_public"].as_bool(), r["created_by_me"].as_bool()),
        (Some(false), Some(true))
    );
    let path = format!("/api/resources/{}", id(&r));
    assert_eq!(expect(app.get_auth(&path, &t).await, 200).await, r);

    let changed = expect(
        app.patch_auth(
            &path,
            &t,
            &json!({ "difficulty": null, "duration_minutes": 30, "title": "The Rust Book" }),
        )
        .await,
        200,
    )
    .await;
    assert!(changed["difficulty"].is_null());
    assert_eq!(changed["duration_minutes"], 30);
    assert_eq!(changed["source"], "Rust");

    let other = user(&app).await;
    assert_eq!(app.get_auth(&path, &other).await.status(), 404);
    let list = expect(app.get_auth("/api/resources", &other).await, 200).await;
    assert!(!titles(&list).contains(&"The Rust Book".to_owned()));

    assert_eq!(app.delete_auth(&path, &t, &json!(null)).await.status(), 204);
    assert_eq!(app.get_auth(&path, &t).await.status(), 404);
}

#[tokio::test]
async fn bad_resource_input_names_every_bad_field() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let res = app
        .post_auth(
            "/api/resources",
            &t,
            &json!({ "title": "x".repeat(301), "resource_type": "blog",
                     "url": "javascript:alert(1)", "difficulty": "easy",
                     "duration_minutes": -5, "thumbnail_url": "ftp://example.com/a.png" }),
        )
        .await;
    let (status, code, body) = error_code(res).await;
    assert_eq!((status, code.as_str()), (422, "validation_failed"));
    assert_eq!(
        fields(&body),
        [
            ("title".into(), "too_long".into()),
            ("resource_type".into(), "unknown_value".into()),
            ("url".into(), "invalid_url".into()),
            ("difficulty".into(), "unknown_value".into()),
            ("duration_minutes".into(), "out_of_range".into()),
            ("thumbnail_url".into(), "invalid_url".into()),
        ]
    );
    for url in ["example.com/page", "https://", "data:text/html,hi"] {
        let res = app
            .post_auth(
                "/api/resources",
                &t,
                &json!({ "title": "t", "resource_type": "video", "url": url }),
            )
            .await;
        assert_eq!(
            fields(&error_code(res).await.2),
            [("url".into(), "invalid_url".into())],
            "{url}"
        );
    }
    let list = expect(app.get_auth("/api/resources?mine=true", &t).await, 200).await;
    assert_eq!(list["items"], json!([]));
}

#[tokio::test]
async fn the_catalogue_filters_and_searches_public_and_own_resources() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let tag = Uuid::new_v4().simple().to_string();
    public_resource(
        &format!("Quantum basics {tag}"),
        "video",
        "beginner",
        "Intro",
    )
    .await;
    public_resource(
        &format!("Advanced quantum {tag}"),
        "course",
        "advanced",
        "Deep dive",
    )
    .await;
    let mine = resource(&app, &t, &format!("My quantum notes {tag}")).await;

    let page = expect(
        app.get_auth(&format!("/api/resources?search={tag}"), &t)
            .await,
        200,
    )
    .await;
    assert_eq!(titles(&page).len(), 3);
    assert!(page["items"][0]["rank"].is_number());
    let page = expect(
        app.get_auth(
            &format!("/api/resources?search={tag}&resource_type=video"),
            &t,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(titles(&page), [format!("Quantum basics {tag}")]);
    let page = expect(
        app.get_auth(
            &format!("/api/resources?search={tag}&difficulty=advanced"),
            &t,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(titles(&page), [format!("Advanced quantum {tag}")]);
    let page = expect(app.get_auth("/api/resources?mine=true", &t).await, 200).await;
    assert_eq!(titles(&page), [mine["title"].as_str().expect("title")]);
    let res = app.get_auth("/api/resources?resource_type=blog", &t).await;
    assert_eq!(
        fields(&error_code(res).await.2),
        [("resource_type".into(), "unknown_value".into())]
    );

    // A public resource is visible to all but changeable by none.
    let other = user(&app).await;
    let public = expect(
        app.get_auth(&format!("/api/resources?search={tag}"), &other)
            .await,
        200,
    )
    .await;
    assert_eq!(titles(&public).len(), 2);
    let public_id = public["items"][0]["id"].as_str().expect("id").to_owned();
    let res = app
        .patch_auth(
            &format!("/api/resources/{public_id}"),
            &other,
            &json!({ "title": "defaced" }),
        )
        .await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn resource_pages_stay_stable_under_concurrent_inserts() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    for i in 0..5 {
        resource(&app, &t, &format!("r{i}")).await;
    }
    let first = expect(
        app.get_auth("/api/resources?mine=true&limit=2", &t).await,
        200,
    )
    .await;
    resource(&app, &t, "late").await;
    let mut seen = titles(&first);
    let mut cursor = first["next_cursor"].as_str().map(str::to_owned);
    while let Some(c) = cursor {
        let page = expect(
            app.get_auth(&format!("/api/resources?mine=true&limit=2&cursor={c}"), &t)
                .await,
            200,
        )
        .await;
        seen.extend(titles(&page));
        cursor = page["next_cursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen, ["r4", "r3", "r2", "r1", "r0"]);
}

#[tokio::test]
async fn saving_tracks_progress_rating_notes_and_completion() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let r = resource(&app, &t, "Lecture").await;
    let body = json!({ "resource_id": id(&r) });
    let saved = expect(
        app.post_auth("/api/users/me/resources", &t, &body).await,
        201,
    )
    .await;
    assert_eq!(saved["resource"]["id"], r["id"]);
    assert_eq!(
        (saved["progress"].as_f64(), saved["completed"].as_bool()),
        (Some(0.0), Some(false))
    );
    let again = expect(
        app.post_auth("/api/users/me/resources", &t, &body).await,
        200,
    )
    .await;
    assert_eq!(again, saved);

    let path = format!("/api/users/me/resources/{}", id(&r));
    let p = expect(
        app.patch_auth(
            &path,
            &t,
            &json!({ "progress": 0.5, "rating": 4, "notes": "good" }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (
            p["progress"].as_f64(),
            p["rating"].as_i64(),
            p["notes"].as_str()
        ),
        (Some(0.5), Some(4), Some("good"))
    );
    let done = expect(
        app.patch_auth(&path, &t, &json!({ "completed": true }))
            .await,
        200,
    )
    .await;
    assert_eq!(done["progress"], 1.0);
    assert!(done["completed"].as_bool().expect("bool") && done["completed_at"].is_string());
    let completed_list = expect(
        app.get_auth("/api/users/me/resources?completed=true", &t)
            .await,
        200,
    )
    .await;
    assert_eq!(titles(&completed_list), ["Lecture"]);

    let reopened = expect(
        app.patch_auth(&path, &t, &json!({ "progress": 0.8, "rating": null }))
            .await,
        200,
    )
    .await;
    assert!(reopened["completed_at"].is_null() && reopened["rating"].is_null());
    assert_eq!(reopened["notes"], "good");

    let res = app
        .patch_auth(
            &path,
            &t,
            &json!({ "progress": 1.5, "rating": 6, "notes": "n".repeat(10_001) }),
        )
        .await;
    assert_eq!(
        fields(&error_code(res).await.2),
        [
            ("progress".into(), "out_of_range".into()),
            ("rating".into(), "out_of_range".into()),
            ("notes".into(), "too_long".into())
        ]
    );
    let res = app
        .patch_auth(&path, &t, &json!({ "progress": 0.2, "completed": true }))
        .await;
    assert_eq!(
        fields(&error_code(res).await.2),
        [("progress".into(), "conflicts_with_completed".into())]
    );

    assert_eq!(app.delete_auth(&path, &t, &json!(null)).await.status(), 204);
    assert_eq!(app.delete_auth(&path, &t, &json!(null)).await.status(), 404);
    let list = expect(app.get_auth("/api/users/me/resources", &t).await, 200).await;
    assert_eq!(list["items"], json!([]));
}

#[tokio::test]
async fn another_user_gets_404_on_every_resource_route_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let a = user(&app).await;
    let b = user(&app).await;
    let r = resource(&app, &a, "A's private link").await;
    let rid = id(&r);
    expect(
        app.post_auth(
            "/api/users/me/resources",
            &a,
            &json!({ "resource_id": rid }),
        )
        .await,
        201,
    )
    .await;
    let path = format!("/api/resources/{rid}");
    let saved = format!("/api/users/me/resources/{rid}");

    assert_eq!(app.get_auth(&path, &b).await.status(), 404);
    assert_eq!(
        app.patch_auth(&path, &b, &json!({ "title": "x" }))
            .await
            .status(),
        404
    );
    assert_eq!(app.delete_auth(&path, &b, &json!(null)).await.status(), 404);
    let res = app
        .post_auth(
            "/api/users/me/resources",
            &b,
            &json!({ "resource_id": rid }),
        )
        .await;
    assert_eq!(error_code(res).await.0, 404);
    assert_eq!(app.get_auth(&saved, &b).await.status(), 404);
    assert_eq!(
        app.patch_auth(&saved, &b, &json!({ "progress": 1 }))
            .await
            .status(),
        404
    );
    assert_eq!(
        app.delete_auth(&saved, &b, &json!(null)).await.status(),
        404
    );
    let list = expect(app.get_auth("/api/users/me/resources", &b).await, 200).await;
    assert_eq!(list["items"], json!([]));

    assert_eq!(expect(app.get_auth(&path, &a).await, 200).await, r);
    let mine = expect(app.get_auth(&saved, &a).await, 200).await;
    assert_eq!(mine["progress"], 0.0);
}

#[tokio::test]
async fn resource_changes_reach_the_users_websocket() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let mut ws = connect_ws(&app, &format!("access_token={t}"))
        .await
        .expect("ws");
    let r = resource(&app, &t, "live").await;
    let ev = next_event(&mut ws, "resource.created", Duration::from_secs(10))
        .await
        .expect("event");
    assert_eq!(ev["data"]["id"], r["id"]);
    app.post_auth(
        "/api/users/me/resources",
        &t,
        &json!({ "resource_id": id(&r) }),
    )
    .await;
    let ev = next_event(&mut ws, "saved_resource.created", Duration::from_secs(10))
        .await
        .expect("event");
    assert_eq!(ev["data"]["resource"]["id"], r["id"]);
}

#[tokio::test]
async fn the_openapi_document_lists_the_resource_routes() {
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
        "/api/resources",
        "/api/resources/{id}",
        "/api/users/me/resources",
        "/api/users/me/resources/{resource_id}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
}
