//! Courses → modules → topics at `/api/courses`: CRUD, ordering, completion and
//! progress roll-up, archive, pagination, cross-user 404s and live events.

use std::time::Duration;

use maigie_tests::{TestApp, connect_ws, error_code, next_event, token};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(10);

async fn user(app: &TestApp) -> String {
    let (_, _, session) = app.register().await;
    token(&session)
}

async fn json_of(res: reqwest::Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let body: Value = res.json().await.expect("json");
    assert_eq!(got, status, "{body}");
    body
}

async fn create_course(app: &TestApp, t: &str, body: Value) -> Value {
    json_of(app.post_auth("/api/courses", t, &body).await, 201).await
}

async fn create_module(app: &TestApp, t: &str, course: &Value, title: &str) -> Value {
    let path = format!(
        "/api/courses/{}/modules",
        course["id"].as_str().expect("id")
    );
    json_of(
        app.post_auth(&path, t, &json!({ "title": title })).await,
        201,
    )
    .await
}

fn module_path(module: &Value) -> String {
    format!(
        "/api/courses/{}/modules/{}",
        module["course_id"].as_str().expect("course_id"),
        module["id"].as_str().expect("id")
    )
}

fn topic_path(topic: &Value) -> String {
    format!(
        "/api/courses/{}/modules/{}/topics/{}",
        topic["course_id"].as_str().expect("course_id"),
        topic["module_id"].as_str().expect("module_id"),
        topic["id"].as_str().expect("id")
    )
}

async fn create_topic(app: &TestApp, t: &str, module: &Value, body: Value) -> Value {
    let path = format!("{}/topics", module_path(module));
    json_of(app.post_auth(&path, t, &body).await, 201).await
}

async fn get_course(app: &TestApp, t: &str, course: &Value) -> Value {
    let path = format!("/api/courses/{}", course["id"].as_str().expect("id"));
    json_of(app.get_auth(&path, t).await, 200).await
}

fn titles(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|x| x["title"].as_str().expect("title").to_owned())
        .collect()
}

fn positions(list: &Value) -> Vec<i64> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|x| x["position"].as_i64().expect("position"))
        .collect()
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

fn approx(v: &Value, expected: f64) -> bool {
    (v.as_f64().expect("number") - expected).abs() < 1e-4
}

/// A course with modules "M0".."M{n-1}", each holding topics "T0".."T{k-1}".
async fn course_with(app: &TestApp, t: &str, modules: usize, topics: usize) -> (Value, Vec<Value>) {
    let course = create_course(app, t, json!({ "title": "Algebra" })).await;
    let mut made = Vec::new();
    for i in 0..modules {
        let module = create_module(app, t, &course, &format!("M{i}")).await;
        for j in 0..topics {
            create_topic(
                app,
                t,
                &module,
                json!({ "title": format!("T{j}"), "estimated_hours": 2.0 }),
            )
            .await;
        }
        made.push(module);
    }
    (course, made)
}

#[tokio::test]
async fn a_course_is_created_read_updated_and_deleted() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;

    let course = create_course(
        &app,
        &t,
        json!({ "title": "  Linear algebra ", "description": "Matrices", "difficulty": "beginner",
                "estimated_hours": 40, "target_date": "2026-06-30" }),
    )
    .await;
    assert_eq!(course["title"], "Linear algebra");
    assert_eq!(course["difficulty"], "beginner");
    assert_eq!(course["estimated_hours"], 40.0);
    assert_eq!(course["target_date"], "2026-06-30");
    assert_eq!(course["progress"], 0.0);
    assert_eq!(course["is_ai_generated"], false);
    assert_eq!(course["archived_at"], Value::Null);
    let path = format!("/api/courses/{}", course["id"].as_str().expect("id"));

    let updated = json_of(
        app.patch_auth(
            &path,
            &t,
            &json!({ "title": "Algebra II", "difficulty": "advanced", "description": null,
                     "target_date": null }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(updated["title"], "Algebra II");
    assert_eq!(updated["difficulty"], "advanced");
    assert_eq!(updated["description"], Value::Null);
    assert_eq!(updated["target_date"], Value::Null);
    assert_eq!(updated["estimated_hours"], 40.0, "absent fields are kept");

    let read = get_course(&app, &t, &course).await;
    assert_eq!(read["title"], "Algebra II");
    assert_eq!(read["modules"], json!([]));

    let res = app.delete_auth(&path, &t, &json!({})).await;
    assert_eq!(res.status(), 204);
    let (status, code, _) = error_code(app.get_auth(&path, &t).await).await;
    assert_eq!((status, code.as_str()), (404, "not_found"));
}

#[tokio::test]
async fn bad_course_input_is_reported_field_by_field() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;

    let res = app
        .post_auth(
            "/api/courses",
            &t,
            &json!({ "title": " ", "difficulty": "expert", "estimated_hours": 0,
                     "target_date": "2026-02-30", "description": "x".repeat(10_001) }),
        )
        .await;

    let (status, code, body) = error_code(res).await;
    assert_eq!((status, code.as_str()), (422, "validation_failed"));
    let mut got = fields(&body);
    got.sort();
    let expected: Vec<(String, String)> = [
        ("description", "too_long"),
        ("difficulty", "unknown_value"),
        ("estimated_hours", "out_of_range"),
        ("target_date", "invalid_date"),
        ("title", "blank"),
    ]
    .iter()
    .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
    .collect();
    assert_eq!(got, expected);
    let (_, _, missing) = error_code(app.post_auth("/api/courses", &t, &json!({})).await).await;
    assert_eq!(fields(&missing), vec![("title".into(), "required".into())]);
    let (status, code, _) = error_code(
        app.post_auth(
            "/api/courses",
            &t,
            &json!({ "title": "x", "is_ai_generated": true }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (422, "invalid_body"),
        "read-only field"
    );
    let list = json_of(app.get_auth("/api/courses", &t).await, 200).await;
    assert_eq!(list["items"], json!([]), "nothing was written");
}

#[tokio::test]
async fn modules_and_topics_are_appended_in_order_and_returned_with_the_course() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let course = create_course(&app, &t, json!({ "title": "Algebra" })).await;

    let m0 = create_module(&app, &t, &course, "Vectors").await;
    let m1 = create_module(&app, &t, &course, "Matrices").await;
    let t0 = create_topic(
        &app,
        &t,
        &m1,
        json!({ "title": "Products", "content": "    indented code", "estimated_hours": 1.5 }),
    )
    .await;
    create_topic(&app, &t, &m1, json!({ "title": "Inverses" })).await;

    assert_eq!(
        (m0["position"].as_i64(), m1["position"].as_i64()),
        (Some(0), Some(1))
    );
    assert_eq!(t0["content"], "    indented code");
    assert_eq!(t0["estimated_hours"], 1.5);
    let detail = get_course(&app, &t, &course).await;
    assert_eq!(titles(&detail["modules"]), ["Vectors", "Matrices"]);
    assert_eq!(detail["modules"][0]["topics"], json!([]));
    assert_eq!(
        titles(&detail["modules"][1]["topics"]),
        ["Products", "Inverses"]
    );
    assert_eq!(positions(&detail["modules"][1]["topics"]), [0, 1]);
    assert_eq!(detail["module_count"], 2);
    assert_eq!(detail["topic_count"], 2);
    let module = json_of(app.get_auth(&module_path(&m1), &t).await, 200).await;
    assert_eq!(titles(&module["topics"]), ["Products", "Inverses"]);
    let topic = json_of(app.get_auth(&topic_path(&t0), &t).await, 200).await;
    assert_eq!(topic["title"], "Products");
}

#[tokio::test]
async fn moving_a_module_shifts_the_others_without_gaps() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let (course, modules) = course_with(&app, &t, 4, 0).await;

    let down = json_of(
        app.post_auth(
            &format!("{}/move", module_path(&modules[0])),
            &t,
            &json!({ "position": 2 }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(titles(&down["modules"]), ["M1", "M2", "M0", "M3"]);
    assert_eq!(positions(&down["modules"]), [0, 1, 2, 3]);

    let up = json_of(
        app.post_auth(
            &format!("{}/move", module_path(&modules[3])),
            &t,
            &json!({ "position": 0 }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(titles(&up["modules"]), ["M3", "M1", "M2", "M0"]);

    let (status, code, body) = error_code(
        app.post_auth(
            &format!("{}/move", module_path(&modules[1])),
            &t,
            &json!({ "position": 4 }),
        )
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (422, "validation_failed"));
    assert_eq!(
        fields(&body),
        vec![("position".into(), "out_of_range".into())]
    );
    let after = get_course(&app, &t, &course).await;
    assert_eq!(
        titles(&after["modules"]),
        ["M3", "M1", "M2", "M0"],
        "unchanged"
    );
}

#[tokio::test]
async fn moving_and_deleting_topics_keeps_positions_dense() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let (course, modules) = course_with(&app, &t, 1, 0).await;
    let mut topics = Vec::new();
    for i in 0..4 {
        topics.push(create_topic(&app, &t, &modules[0], json!({ "title": format!("T{i}") })).await);
    }

    let module = json_of(
        app.post_auth(
            &format!("{}/move", topic_path(&topics[3])),
            &t,
            &json!({ "position": 1 }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(titles(&module["topics"]), ["T0", "T3", "T1", "T2"]);

    let res = app
        .delete_auth(&topic_path(&topics[3]), &t, &json!({}))
        .await;
    assert_eq!(res.status(), 204);
    let res = app
        .delete_auth(&module_path(&modules[0]), &t, &json!({}))
        .await;
    assert_eq!(res.status(), 204);

    let m1 = create_module(&app, &t, &course, "Next").await;
    assert_eq!(m1["position"], 0, "the deleted module's slot is reused");
    let a = create_topic(&app, &t, &m1, json!({ "title": "A" })).await;
    let b = create_topic(&app, &t, &m1, json!({ "title": "B" })).await;
    app.delete_auth(&topic_path(&a), &t, &json!({})).await;
    let moved = json_of(app.get_auth(&module_path(&m1), &t).await, 200).await;
    assert_eq!(positions(&moved["topics"]), [0]);
    assert_eq!(moved["topics"][0]["id"], b["id"]);
}

#[tokio::test]
async fn concurrent_moves_and_creates_never_leave_gaps_or_duplicates() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let (course, modules) = course_with(&app, &t, 5, 0).await;

    let mut calls = Vec::new();
    for (i, module) in modules.iter().enumerate() {
        let path = format!("{}/move", module_path(module));
        let body = json!({ "position": (i * 3 + 1) % 5 });
        let (app, t) = (&app, &t);
        calls.push(async move { app.post_auth(&path, t, &body).await.status().as_u16() });
    }
    let creates = (0..5).map(|i| {
        let (app, t, course) = (&app, &t, &course);
        async move {
            let path = format!(
                "/api/courses/{}/modules",
                course["id"].as_str().expect("id")
            );
            app.post_auth(&path, t, &json!({ "title": format!("N{i}") }))
                .await
                .status()
                .as_u16()
        }
    });
    let (moves, created) = tokio::join!(
        futures_util::future::join_all(calls),
        futures_util::future::join_all(creates)
    );

    assert!(moves.iter().all(|s| *s == 200), "{moves:?}");
    assert!(created.iter().all(|s| *s == 201), "{created:?}");
    let detail = get_course(&app, &t, &course).await;
    assert_eq!(positions(&detail["modules"]), (0..10).collect::<Vec<i64>>());
}

#[tokio::test]
async fn completing_topics_rolls_progress_and_hours_up_to_module_and_course() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let (course, modules) = course_with(&app, &t, 2, 2).await;
    let detail = get_course(&app, &t, &course).await;
    let first = &detail["modules"][0]["topics"][0];
    assert_eq!(detail["total_estimated_hours"], 8.0);

    let done = json_of(
        app.patch_auth(&topic_path(first), &t, &json!({ "completed": true }))
            .await,
        200,
    )
    .await;
    assert_eq!(done["completed"], true);
    assert!(done["completed_at"].is_string());
    let detail = get_course(&app, &t, &course).await;
    assert!(approx(&detail["modules"][0]["progress"], 0.5));
    assert!(approx(&detail["progress"], 0.25));
    assert_eq!(detail["remaining_estimated_hours"], 6.0);
    assert_eq!(detail["modules"][0]["remaining_estimated_hours"], 2.0);
    assert_eq!(detail["completed_topic_count"], 1);

    let reopened = json_of(
        app.patch_auth(&topic_path(first), &t, &json!({ "completed": false }))
            .await,
        200,
    )
    .await;
    assert_eq!(reopened["completed_at"], Value::Null);
    let detail = get_course(&app, &t, &course).await;
    assert!(approx(&detail["progress"], 0.0));
    assert_eq!(detail["remaining_estimated_hours"], 8.0);
    let _ = modules;
}

#[tokio::test]
async fn completing_a_module_completes_its_topics_and_the_course_when_all_are_done() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let (course, modules) = course_with(&app, &t, 2, 2).await;

    let m0 = json_of(
        app.patch_auth(&module_path(&modules[0]), &t, &json!({ "completed": true }))
            .await,
        200,
    )
    .await;
    assert_eq!(m0["completed"], true);
    assert!(approx(&m0["progress"], 1.0));
    assert!(
        m0["topics"]
            .as_array()
            .expect("topics")
            .iter()
            .all(|x| x["completed"] == true)
    );
    let detail = get_course(&app, &t, &course).await;
    assert!(approx(&detail["progress"], 0.5));
    assert_eq!(detail["completed_at"], Value::Null);

    // Completing the other module's topics one by one completes it, then the course.
    for topic in detail["modules"][1]["topics"].as_array().expect("topics") {
        app.patch_auth(&topic_path(topic), &t, &json!({ "completed": true }))
            .await;
    }
    let detail = get_course(&app, &t, &course).await;
    assert_eq!(detail["modules"][1]["completed"], true);
    assert!(approx(&detail["progress"], 1.0));
    assert!(detail["completed_at"].is_string());
    assert_eq!(detail["remaining_estimated_hours"], 0.0);

    // A new open topic reopens its module and the course.
    create_topic(&app, &t, &modules[1], json!({ "title": "More" })).await;
    let detail = get_course(&app, &t, &course).await;
    assert_eq!(detail["modules"][1]["completed"], false);
    assert_eq!(detail["completed_at"], Value::Null);

    // Reopening a module reopens its topics.
    let m0 = json_of(
        app.patch_auth(
            &module_path(&modules[0]),
            &t,
            &json!({ "completed": false }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(m0["completed_at"], Value::Null);
    assert!(
        m0["topics"]
            .as_array()
            .expect("topics")
            .iter()
            .all(|x| x["completed"] == false)
    );
    assert!(approx(&m0["progress"], 0.0));
}

#[tokio::test]
async fn a_module_without_topics_is_completed_by_hand() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let (course, modules) = course_with(&app, &t, 1, 0).await;

    let m = json_of(
        app.patch_auth(
            &module_path(&modules[0]),
            &t,
            &json!({ "completed": true, "title": "Done" }),
        )
        .await,
        200,
    )
    .await;

    assert_eq!(m["title"], "Done");
    assert!(approx(&m["progress"], 1.0));
    let detail = get_course(&app, &t, &course).await;
    assert!(approx(&detail["progress"], 1.0));
    assert!(detail["completed_at"].is_string());
}

#[tokio::test]
async fn archived_courses_leave_the_default_list_until_unarchived() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let kept = create_course(&app, &t, json!({ "title": "Kept" })).await;
    let old = create_course(&app, &t, json!({ "title": "Old" })).await;
    let path = format!("/api/courses/{}", old["id"].as_str().expect("id"));

    let archived = json_of(
        app.post_auth(&format!("{path}/archive"), &t, &json!({}))
            .await,
        200,
    )
    .await;
    assert!(archived["archived_at"].is_string());
    let active = json_of(app.get_auth("/api/courses", &t).await, 200).await;
    assert_eq!(titles(&active["items"]), ["Kept"]);
    let only_archived = json_of(app.get_auth("/api/courses?archived=true", &t).await, 200).await;
    assert_eq!(titles(&only_archived["items"]), ["Old"]);

    let back = json_of(
        app.post_auth(&format!("{path}/unarchive"), &t, &json!({}))
            .await,
        200,
    )
    .await;
    assert_eq!(back["archived_at"], Value::Null);
    let active = json_of(app.get_auth("/api/courses", &t).await, 200).await;
    assert_eq!(titles(&active["items"]), ["Old", "Kept"]);
    let _ = kept;
}

#[tokio::test]
async fn course_pages_are_stable_while_courses_are_added() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    for i in 0..5 {
        create_course(&app, &t, json!({ "title": format!("C{i}") })).await;
    }

    let first = json_of(app.get_auth("/api/courses?limit=2", &t).await, 200).await;
    assert_eq!(titles(&first["items"]), ["C4", "C3"]);
    create_course(&app, &t, json!({ "title": "New" })).await;
    let cursor = first["next_cursor"].as_str().expect("next_cursor");
    let second = json_of(
        app.get_auth(&format!("/api/courses?limit=2&cursor={cursor}"), &t)
            .await,
        200,
    )
    .await;
    let cursor = second["next_cursor"].as_str().expect("next_cursor");
    let third = json_of(
        app.get_auth(&format!("/api/courses?limit=2&cursor={cursor}"), &t)
            .await,
        200,
    )
    .await;

    assert_eq!(titles(&second["items"]), ["C2", "C1"]);
    assert_eq!(titles(&third["items"]), ["C0"]);
    assert_eq!(third["next_cursor"], Value::Null);
    let (status, code, _) = error_code(app.get_auth("/api/courses?cursor=zzz", &t).await).await;
    assert_eq!((status, code.as_str()), (400, "invalid_cursor"));
}

#[tokio::test]
async fn bad_module_and_topic_input_is_reported_field_by_field() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let (course, modules) = course_with(&app, &t, 1, 1).await;
    let path = format!(
        "/api/courses/{}/modules",
        course["id"].as_str().expect("id")
    );

    let (status, _, body) = error_code(
        app.post_auth(&path, &t, &json!({ "title": "x".repeat(201) }))
            .await,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), vec![("title".into(), "too_long".into())]);

    let topics = format!("{}/topics", module_path(&modules[0]));
    let (status, _, body) = error_code(
        app.post_auth(
            &topics,
            &t,
            &json!({ "title": "ok", "estimated_hours": 1001 }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        fields(&body),
        vec![("estimated_hours".into(), "out_of_range".into())]
    );

    let detail = get_course(&app, &t, &course).await;
    let topic = &detail["modules"][0]["topics"][0];
    let (status, _, body) = error_code(
        app.patch_auth(
            &topic_path(topic),
            &t,
            &json!({ "title": "", "estimated_hours": -1 }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body).len(), 2);
    let (status, code, _) = error_code(app.get_auth("/api/courses/not-a-uuid", &t).await).await;
    assert_eq!((status, code.as_str()), (400, "invalid_path"));
}

#[tokio::test]
async fn another_users_courses_modules_and_topics_answer_404_everywhere() {
    let app = TestApp::spawn().await;
    let a = user(&app).await;
    let b = user(&app).await;
    let (course, modules) = course_with(&app, &a, 2, 1).await;
    let detail = get_course(&app, &a, &course).await;
    let topic = detail["modules"][0]["topics"][0].clone();
    let course_path = format!("/api/courses/{}", course["id"].as_str().expect("id"));
    let module = module_path(&modules[0]);
    let topic = topic_path(&topic);
    let b_course = create_course(&app, &b, json!({ "title": "B's" })).await;
    // A's module addressed under B's own course: the ids do not belong together.
    let mixed = format!(
        "/api/courses/{}/modules/{}",
        b_course["id"].as_str().expect("id"),
        modules[0]["id"].as_str().expect("id")
    );

    let mut statuses = Vec::new();
    for path in [&course_path, &module, &topic, &mixed] {
        statuses.push(app.get_auth(path, &b).await.status().as_u16());
        statuses.push(
            app.patch_auth(path, &b, &json!({ "title": "mine" }))
                .await
                .status()
                .as_u16(),
        );
        statuses.push(
            app.delete_auth(path, &b, &json!({}))
                .await
                .status()
                .as_u16(),
        );
    }
    for (path, body) in [
        (format!("{course_path}/modules"), json!({ "title": "x" })),
        (format!("{module}/topics"), json!({ "title": "x" })),
        (format!("{mixed}/topics"), json!({ "title": "x" })),
        (format!("{module}/move"), json!({ "position": 1 })),
        (format!("{topic}/move"), json!({ "position": 0 })),
        (format!("{mixed}/move"), json!({ "position": 0 })),
        (format!("{course_path}/archive"), json!({})),
        (format!("{course_path}/unarchive"), json!({})),
    ] {
        statuses.push(app.post_auth(&path, &b, &body).await.status().as_u16());
    }

    assert!(statuses.iter().all(|s| *s == 404), "{statuses:?}");
    let after = get_course(&app, &a, &course).await;
    assert_eq!(after["title"], "Algebra");
    assert_eq!(after["archived_at"], Value::Null);
    assert_eq!(titles(&after["modules"]), ["M0", "M1"]);
    assert_eq!(titles(&after["modules"][0]["topics"]), ["T0"]);
    let theirs = json_of(app.get_auth("/api/courses", &b).await, 200).await;
    assert_eq!(titles(&theirs["items"]), ["B's"]);
    let b_detail = get_course(&app, &b, &b_course).await;
    assert_eq!(b_detail["modules"], json!([]));
}

#[tokio::test]
async fn changes_reach_the_users_websocket() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let mut ws = connect_ws(&app, &format!("access_token={t}"))
        .await
        .expect("ws");

    let course = create_course(&app, &t, json!({ "title": "Live" })).await;
    let event = next_event(&mut ws, "course.created", WAIT)
        .await
        .expect("course.created");
    assert_eq!(event["data"]["id"], course["id"]);

    let module = create_module(&app, &t, &course, "M").await;
    let event = next_event(&mut ws, "module.created", WAIT)
        .await
        .expect("module.created");
    assert_eq!(event["data"]["id"], module["id"]);
    let topic = create_topic(&app, &t, &module, json!({ "title": "T" })).await;
    next_event(&mut ws, "topic.created", WAIT)
        .await
        .expect("topic.created");

    app.patch_auth(&topic_path(&topic), &t, &json!({ "completed": true }))
        .await;
    let event = next_event(&mut ws, "topic.updated", WAIT)
        .await
        .expect("topic.updated");
    assert_eq!(event["data"]["completed"], true);
    let event = next_event(&mut ws, "course.updated", WAIT)
        .await
        .expect("course.updated");
    assert!(approx(&event["data"]["progress"], 1.0));

    app.delete_auth(&topic_path(&topic), &t, &json!({})).await;
    let event = next_event(&mut ws, "topic.deleted", WAIT)
        .await
        .expect("topic.deleted");
    assert_eq!(event["data"]["id"], topic["id"]);
    let path = format!("/api/courses/{}", course["id"].as_str().expect("id"));
    app.delete_auth(&path, &t, &json!({})).await;
    let event = next_event(&mut ws, "course.deleted", WAIT)
        .await
        .expect("course.deleted");
    assert_eq!(event["data"]["id"], course["id"]);
}

#[tokio::test]
async fn the_openapi_document_lists_the_course_routes() {
    let app = TestApp::spawn().await;

    let spec: Value = app
        .http
        .get(app.url("/openapi.json"))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");

    for path in [
        "/api/courses",
        "/api/courses/{course_id}",
        "/api/courses/{course_id}/archive",
        "/api/courses/{course_id}/unarchive",
        "/api/courses/{course_id}/modules",
        "/api/courses/{course_id}/modules/{module_id}",
        "/api/courses/{course_id}/modules/{module_id}/move",
        "/api/courses/{course_id}/modules/{module_id}/topics",
        "/api/courses/{course_id}/modules/{module_id}/topics/{topic_id}",
        "/api/courses/{course_id}/modules/{module_id}/topics/{topic_id}/move",
    ] {
        assert!(spec["paths"].get(path).is_some(), "{path} documented");
    }
    let detail = &spec["components"]["schemas"]["CourseDetail"];
    assert!(detail.is_object(), "CourseDetail schema");
}

#[tokio::test]
async fn course_progress_counts_topics_not_modules() {
    let app = TestApp::spawn().await;
    let t = user(&app).await;
    let course = create_course(&app, &t, json!({ "title": "Uneven" })).await;
    let small = create_module(&app, &t, &course, "One topic").await;
    let large = create_module(&app, &t, &course, "Three topics").await;
    let only = create_topic(&app, &t, &small, json!({ "title": "Only" })).await;
    for i in 0..3 {
        create_topic(&app, &t, &large, json!({ "title": format!("T{i}") })).await;
    }

    app.patch_auth(&topic_path(&only), &t, &json!({ "completed": true }))
        .await;

    let detail = get_course(&app, &t, &course).await;
    assert!(approx(&detail["progress"], 0.25), "{}", detail["progress"]);
}
