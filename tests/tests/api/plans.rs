//! Weekly plans → daily plans → plan items at `/api/plans`.

use std::time::Duration;

use chrono::{Datelike, Utc, Weekday};
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

async fn created(res: reqwest::Response) -> Value {
    let status = res.status();
    let body: Value = res.json().await.expect("json");
    assert_eq!(status, 201, "{body}");
    body
}

async fn ok(res: reqwest::Response) -> Value {
    let status = res.status();
    let body: Value = res.json().await.expect("json");
    assert_eq!(status, 200, "{body}");
    body
}

fn id(v: &Value) -> &str {
    v["id"].as_str().expect("id")
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

async fn week(app: &TestApp, t: &str, start: &str) -> Value {
    created(
        app.post_auth(
            "/api/plans/weekly",
            t,
            &json!({ "week_start": start, "focus_areas": ["calculus"] }),
        )
        .await,
    )
    .await
}

async fn day(app: &TestApp, t: &str, date: &str, weekly: Option<&str>) -> Value {
    created(
        app.post_auth(
            "/api/plans/daily",
            t,
            &json!({ "plan_date": date, "weekly_plan_id": weekly }),
        )
        .await,
    )
    .await
}

async fn item(app: &TestApp, t: &str, day_id: &str, title: &str, position: Option<i32>) -> Value {
    created(
        app.post_auth(
            &format!("/api/plans/daily/{day_id}/items"),
            t,
            &json!({ "title": title, "position": position }),
        )
        .await,
    )
    .await
}

async fn titles(app: &TestApp, t: &str, day_id: &str) -> Vec<(String, i64)> {
    let d = ok(app.get_auth(&format!("/api/plans/daily/{day_id}"), t).await).await;
    d["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["title"].as_str().expect("title").to_owned(),
                i["position"].as_i64().expect("position"),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_week_holds_its_days_and_a_day_holds_its_items_in_order() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let w = week(&app, &t, "2026-03-02").await;
    assert_eq!(w["status"], "draft");
    assert_eq!(w["focus_areas"], json!(["calculus"]));
    let d = day(&app, &t, "2026-03-04", Some(id(&w))).await;
    item(&app, &t, id(&d), "second", None).await;
    let first = item(&app, &t, id(&d), "first", Some(0)).await;
    assert_eq!(first["status"], "todo");
    assert_eq!(first["priority"], "medium");

    let got = ok(app
        .get_auth(&format!("/api/plans/weekly/{}", id(&w)), &t)
        .await)
    .await;
    assert_eq!(got["daily_plans"][0]["id"], d["id"]);
    assert_eq!(got["daily_plans"][0]["weekly_plan_id"], w["id"]);
    let by_date = ok(app
        .get_auth("/api/plans/daily/by-date/2026-03-04", &t)
        .await)
    .await;
    assert_eq!(by_date["id"], d["id"]);
    assert_eq!(
        titles(&app, &t, id(&d)).await,
        [("first".into(), 0), ("second".into(), 1)]
    );
    let missing = app
        .get_auth("/api/plans/daily/by-date/2026-03-05", &t)
        .await;
    assert_eq!(missing.status(), 404);

    let patched = ok(app
        .patch_auth(
            &format!("/api/plans/weekly/{}", id(&w)),
            &t,
            &json!({ "status": "active", "summary": "Exam week" }),
        )
        .await)
    .await;
    assert_eq!(
        (patched["status"].as_str(), patched["summary"].as_str()),
        (Some("active"), Some("Exam week"))
    );
    let cleared = ok(app
        .patch_auth(
            &format!("/api/plans/weekly/{}", id(&w)),
            &t,
            &json!({ "summary": null }),
        )
        .await)
    .await;
    assert!(cleared["summary"].is_null());
    assert_eq!(cleared["status"], "active");

    // Deleting the week keeps its days, unlinked; deleting a day takes its items.
    let res = app
        .delete_auth(&format!("/api/plans/weekly/{}", id(&w)), &t, &json!(null))
        .await;
    assert_eq!(res.status(), 204);
    let d2 = ok(app
        .get_auth(&format!("/api/plans/daily/{}", id(&d)), &t)
        .await)
    .await;
    assert!(d2["weekly_plan_id"].is_null());
    let res = app
        .delete_auth(&format!("/api/plans/daily/{}", id(&d)), &t, &json!(null))
        .await;
    assert_eq!(res.status(), 204);
    let gone = app
        .get_auth(&format!("/api/plans/items/{}", id(&first)), &t)
        .await;
    assert_eq!(gone.status(), 404);
}

#[tokio::test]
async fn a_week_must_start_on_a_monday_and_defaults_to_this_week_where_the_user_lives() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let res = app
        .post_auth(
            "/api/plans/weekly",
            &t,
            &json!({ "week_start": "2026-03-04" }),
        )
        .await;
    let (status, code, body) = error_code(res).await;
    assert_eq!((status, code.as_str()), (422, "validation_failed"));
    assert_eq!(
        fields(&body),
        [("week_start".into(), "not_week_start".into())]
    );

    let res = app
        .patch_auth(
            "/api/users/me",
            &t,
            &json!({ "timezone": "Pacific/Kiritimati" }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let w = created(app.post_auth("/api/plans/weekly", &t, &json!({})).await).await;
    let start: chrono::NaiveDate = w["week_start"]
        .as_str()
        .expect("date")
        .parse()
        .expect("date");
    // Kiritimati is UTC+14 all year round.
    let local_today = (Utc::now() + chrono::Duration::hours(14)).date_naive();
    let monday = local_today
        - chrono::Duration::days(i64::from(local_today.weekday().num_days_from_monday()));
    assert_eq!(start.weekday(), Weekday::Mon);
    assert_eq!(start, monday);
}

#[tokio::test]
async fn a_second_plan_for_the_same_week_or_day_is_a_409() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    week(&app, &t, "2026-03-09").await;
    day(&app, &t, "2026-03-10", None).await;

    let res = app
        .post_auth(
            "/api/plans/weekly",
            &t,
            &json!({ "week_start": "2026-03-09" }),
        )
        .await;
    assert_eq!(error_code(res).await.1, "plan_exists");
    let res = app
        .post_auth(
            "/api/plans/daily",
            &t,
            &json!({ "plan_date": "2026-03-10" }),
        )
        .await;
    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (409, "daily_plan_exists"));
    // Another user's plans do not collide with mine.
    let other = user(&app).await;
    week(&app, &other, "2026-03-09").await;
}

#[tokio::test]
async fn a_day_links_only_to_its_own_week_of_the_same_user() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let w = week(&app, &t, "2026-03-02").await;
    let res = app
        .post_auth(
            "/api/plans/daily",
            &t,
            &json!({ "plan_date": "2026-03-09", "weekly_plan_id": id(&w) }),
        )
        .await;
    let (status, _, body) = error_code(res).await;
    assert_eq!(status, 422);
    assert_eq!(
        fields(&body),
        [("weekly_plan_id".into(), "outside_week".into())]
    );

    let other = user(&app).await;
    let theirs = week(&app, &other, "2026-03-02").await;
    let res = app
        .post_auth(
            "/api/plans/daily",
            &t,
            &json!({ "plan_date": "2026-03-03", "weekly_plan_id": id(&theirs) }),
        )
        .await;
    let (status, _, body) = error_code(res).await;
    assert_eq!(status, 422);
    assert_eq!(
        fields(&body),
        [("weekly_plan_id".into(), "not_found".into())]
    );

    let d = day(&app, &t, "2026-03-03", None).await;
    let res = app
        .patch_auth(
            &format!("/api/plans/daily/{}", id(&d)),
            &t,
            &json!({ "weekly_plan_id": id(&theirs) }),
        )
        .await;
    assert_eq!(error_code(res).await.0, 422);
    let linked = ok(app
        .patch_auth(
            &format!("/api/plans/daily/{}", id(&d)),
            &t,
            &json!({ "weekly_plan_id": id(&w), "status": "active" }),
        )
        .await)
    .await;
    assert_eq!(linked["weekly_plan_id"], w["id"]);
}

#[tokio::test]
async fn bad_plan_input_names_every_bad_field() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let res = app
        .post_auth(
            "/api/plans/weekly",
            &t,
            &json!({ "week_start": "2026-03-02", "focus_areas": [" "], "status": "doing",
                     "summary": "x".repeat(10_001) }),
        )
        .await;
    let (_, _, body) = error_code(res).await;
    let names: Vec<String> = fields(&body).into_iter().map(|f| f.0).collect();
    assert_eq!(names, ["focus_areas", "summary", "status"]);

    let res = app
        .post_auth(
            "/api/plans/daily",
            &t,
            &json!({ "plan_date": "0500-01-01" }),
        )
        .await;
    assert_eq!(
        fields(&error_code(res).await.2),
        [("plan_date".into(), "out_of_range".into())]
    );

    let d = day(&app, &t, "2026-03-03", None).await;
    let res = app
        .post_auth(
            &format!("/api/plans/daily/{}/items", id(&d)),
            &t,
            &json!({ "title": "  ", "status": "finished", "priority": "critical" }),
        )
        .await;
    let names: Vec<String> = fields(&error_code(res).await.2)
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(names, ["title", "status", "priority"]);
    let res = app
        .post_auth(
            &format!("/api/plans/daily/{}/items", id(&d)),
            &t,
            &json!({ "title": "x", "colour": "red" }),
        )
        .await;
    assert_eq!(error_code(res).await.0, 422);
    assert!(titles(&app, &t, id(&d)).await.is_empty());
}

#[tokio::test]
async fn items_move_delete_and_reorder_without_gaps() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let d = day(&app, &t, "2026-03-03", None).await;
    let mut ids = Vec::new();
    for name in ["a", "b", "c", "d"] {
        ids.push(id(&item(&app, &t, id(&d), name, None).await).to_owned());
    }
    let moved = ok(app
        .post_auth(
            &format!("/api/plans/items/{}/move", ids[3]),
            &t,
            &json!({ "position": 0 }),
        )
        .await)
    .await;
    assert_eq!(moved["items"][0]["title"], "d");
    let order = |v: Vec<(String, i64)>| v.into_iter().map(|(t, _)| t).collect::<Vec<_>>().join("");
    assert_eq!(order(titles(&app, &t, id(&d)).await), "dabc");
    app.post_auth(
        &format!("/api/plans/items/{}/move", ids[3]),
        &t,
        &json!({ "position": 99 }),
    )
    .await;
    assert_eq!(order(titles(&app, &t, id(&d)).await), "abcd");

    let res = app
        .delete_auth(&format!("/api/plans/items/{}", ids[1]), &t, &json!(null))
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        titles(&app, &t, id(&d)).await,
        [("a".into(), 0), ("c".into(), 1), ("d".into(), 2)]
    );

    let res = app
        .http
        .put(app.url(&format!("/api/plans/daily/{}/items/order", id(&d))))
        .bearer_auth(&t)
        .json(&json!({ "item_ids": [ids[3], ids[0], ids[2]] }))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
    assert_eq!(
        titles(&app, &t, id(&d)).await,
        [("d".into(), 0), ("a".into(), 1), ("c".into(), 2)]
    );
    let res = app
        .http
        .put(app.url(&format!("/api/plans/daily/{}/items/order", id(&d))))
        .bearer_auth(&t)
        .json(&json!({ "item_ids": [ids[3], ids[0]] }))
        .send()
        .await
        .expect("request");
    assert_eq!(
        fields(&error_code(res).await.2),
        [("item_ids".into(), "not_a_permutation".into())]
    );

    let patched = ok(app
        .patch_auth(
            &format!("/api/plans/items/{}", ids[0]),
            &t,
            &json!({ "status": "done", "priority": "urgent", "notes": "went well" }),
        )
        .await)
    .await;
    assert_eq!(
        (patched["status"].as_str(), patched["priority"].as_str()),
        (Some("done"), Some("urgent"))
    );
    assert_eq!(patched["position"], 1);
}

#[tokio::test]
async fn concurrent_inserts_keep_positions_dense_and_unique() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let d = day(&app, &t, "2026-03-03", None).await;
    let path = format!("/api/plans/daily/{}/items", id(&d));
    let results = futures_util::future::join_all((0..12).map(|i| {
        let body = json!({ "title": format!("item {i}"), "position": i % 3 });
        let (app, t, path) = (&app, &t, &path);
        async move { app.post_auth(path, t, &body).await.status() }
    }))
    .await;
    assert!(results.iter().all(|s| *s == 201), "{results:?}");
    let positions: Vec<i64> = titles(&app, &t, id(&d))
        .await
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    assert_eq!(positions, (0..12).collect::<Vec<_>>());
}

#[tokio::test]
async fn items_link_only_to_the_users_own_goals_and_tasks() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let other = user(&app).await;
    let (me, them) = (user_id(&app, &t).await, user_id(&app, &other).await);
    let pool = db().await;
    let goal = |u: Uuid| {
        sqlx::query_scalar::<_, Uuid>(
            "INSERT INTO goals (user_id, title) VALUES ($1, 'g') RETURNING id",
        )
        .bind(u)
        .fetch_one(&pool)
    };
    let (my_goal, their_goal) = (
        goal(me).await.expect("goal"),
        goal(them).await.expect("goal"),
    );
    let their_task: Uuid =
        sqlx::query_scalar("INSERT INTO tasks (user_id, title) VALUES ($1, 't') RETURNING id")
            .bind(them)
            .fetch_one(&pool)
            .await
            .expect("task");
    let d = day(&app, &t, "2026-03-03", None).await;
    let path = format!("/api/plans/daily/{}/items", id(&d));

    let res = app
        .post_auth(&path, &t, &json!({ "title": "x", "goal_id": their_goal }))
        .await;
    assert_eq!(
        fields(&error_code(res).await.2),
        [("goal_id".into(), "not_found".into())]
    );
    let res = app
        .post_auth(&path, &t, &json!({ "title": "x", "task_id": their_task }))
        .await;
    assert_eq!(
        fields(&error_code(res).await.2),
        [("task_id".into(), "not_found".into())]
    );

    let it = item(&app, &t, id(&d), "linked", None).await;
    let linked = ok(app
        .patch_auth(
            &format!("/api/plans/items/{}", id(&it)),
            &t,
            &json!({ "goal_id": my_goal }),
        )
        .await)
    .await;
    assert_eq!(linked["goal_id"], json!(my_goal));
    let res = app
        .patch_auth(
            &format!("/api/plans/items/{}", id(&it)),
            &t,
            &json!({ "task_id": their_task }),
        )
        .await;
    assert_eq!(error_code(res).await.0, 422);
    let unlinked = ok(app
        .patch_auth(
            &format!("/api/plans/items/{}", id(&it)),
            &t,
            &json!({ "goal_id": null }),
        )
        .await)
    .await;
    assert!(unlinked["goal_id"].is_null());
}

#[tokio::test]
async fn another_user_gets_404_on_every_plan_route_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let a = user(&app).await;
    let b = user(&app).await;
    let w = week(&app, &a, "2026-03-02").await;
    let d = day(&app, &a, "2026-03-03", Some(id(&w))).await;
    let it = item(&app, &a, id(&d), "mine", None).await;
    let (w, d, it) = (id(&w), id(&d), id(&it));
    let empty = json!({});

    let gets = [
        format!("/api/plans/weekly/{w}"),
        format!("/api/plans/daily/{d}"),
        "/api/plans/daily/by-date/2026-03-03".to_owned(),
        format!("/api/plans/items/{it}"),
    ];
    for path in &gets {
        assert_eq!(app.get_auth(path, &b).await.status(), 404, "GET {path}");
    }
    let patches = [
        (
            format!("/api/plans/weekly/{w}"),
            json!({ "summary": "hijack" }),
        ),
        (
            format!("/api/plans/daily/{d}"),
            json!({ "summary": "hijack" }),
        ),
        (
            format!("/api/plans/items/{it}"),
            json!({ "title": "hijack" }),
        ),
    ];
    for (path, body) in &patches {
        assert_eq!(
            app.patch_auth(path, &b, body).await.status(),
            404,
            "PATCH {path}"
        );
    }
    let posts = [
        (
            format!("/api/plans/daily/{d}/items"),
            json!({ "title": "intruder" }),
        ),
        (
            format!("/api/plans/items/{it}/move"),
            json!({ "position": 0 }),
        ),
    ];
    for (path, body) in &posts {
        assert_eq!(
            app.post_auth(path, &b, body).await.status(),
            404,
            "POST {path}"
        );
    }
    let res = app
        .http
        .put(app.url(&format!("/api/plans/daily/{d}/items/order")))
        .bearer_auth(&b)
        .json(&json!({ "item_ids": [it] }))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 404);
    for path in [
        format!("/api/plans/items/{it}"),
        format!("/api/plans/daily/{d}"),
        format!("/api/plans/weekly/{w}"),
    ] {
        assert_eq!(
            app.delete_auth(&path, &b, &empty).await.status(),
            404,
            "DELETE {path}"
        );
    }
    // B's lists are empty; A's data is intact.
    let list = ok(app.get_auth("/api/plans/weekly", &b).await).await;
    assert_eq!(list["items"], json!([]));
    let list = ok(app.get_auth("/api/plans/daily", &b).await).await;
    assert_eq!(list["items"], json!([]));
    let week = ok(app.get_auth(&format!("/api/plans/weekly/{w}"), &a).await).await;
    assert!(week["summary"].is_null());
    assert_eq!(titles(&app, &a, d).await, [("mine".into(), 0)]);
}

#[tokio::test]
async fn weekly_pages_run_latest_week_first_and_stay_stable_under_inserts() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    for start in [
        "2026-01-05",
        "2026-01-12",
        "2026-01-19",
        "2026-01-26",
        "2026-02-02",
    ] {
        week(&app, &t, start).await;
    }
    let first = ok(app.get_auth("/api/plans/weekly?limit=2", &t).await).await;
    let cursor = first["next_cursor"].as_str().expect("cursor").to_owned();
    // Weeks added meanwhile, before and after the page boundary.
    week(&app, &t, "2026-03-02").await;
    week(&app, &t, "2025-12-29").await;
    let mut seen: Vec<String> = first["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|w| w["week_start"].as_str().expect("date").to_owned())
        .collect();
    let mut next = Some(cursor);
    while let Some(c) = next {
        let page = ok(app
            .get_auth(&format!("/api/plans/weekly?limit=2&cursor={c}"), &t)
            .await)
        .await;
        seen.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|w| w["week_start"].as_str().expect("date").to_owned()),
        );
        next = page["next_cursor"].as_str().map(str::to_owned);
    }
    assert_eq!(
        seen,
        [
            "2026-02-02",
            "2026-01-26",
            "2026-01-19",
            "2026-01-12",
            "2026-01-05",
            "2025-12-29"
        ]
    );
    let res = app.get_auth("/api/plans/weekly?cursor=garbage", &t).await;
    assert_eq!(error_code(res).await.1, "invalid_cursor");
}

#[tokio::test]
async fn plan_changes_reach_the_users_websocket() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let mut ws = connect_ws(&app, &format!("access_token={t}"))
        .await
        .expect("ws");
    let d = day(&app, &t, "2026-03-03", None).await;
    let ev = next_event(&mut ws, "daily_plan.created", Duration::from_secs(10))
        .await
        .expect("event");
    assert_eq!(ev["data"]["id"], d["id"]);
    let it = item(&app, &t, id(&d), "live", None).await;
    let ev = next_event(&mut ws, "plan_item.created", Duration::from_secs(10))
        .await
        .expect("event");
    assert_eq!(ev["data"]["id"], it["id"]);
}

#[tokio::test]
async fn the_openapi_document_lists_the_plan_routes() {
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
        "/api/plans/weekly",
        "/api/plans/weekly/{id}",
        "/api/plans/daily",
        "/api/plans/daily/{id}",
        "/api/plans/daily/by-date/{date}",
        "/api/plans/daily/{id}/items",
        "/api/plans/daily/{id}/items/order",
        "/api/plans/items/{id}",
        "/api/plans/items/{id}/move",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert_eq!(
        doc["paths"]["/api/plans/weekly"]["post"]["tags"],
        json!(["plans"])
    );
}
