//! `/api/schedule`: blocks, occurrences across DST changes, per-occurrence
//! exceptions, conflicts, and cross-user isolation.

use std::time::Duration;

use maigie_tests::{TestApp, connect_ws, error_code, next_event, token};
use serde_json::{Value, json};
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(10);

async fn user(app: &TestApp, timezone: &str) -> (String, Uuid) {
    let (_, _, session) = app.register().await;
    let access = token(&session);
    let res = app
        .patch_auth("/api/users/me", &access, &json!({ "timezone": timezone }))
        .await;
    assert_eq!(res.status(), 200);
    let id = session["user"]["id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("uuid");
    (access, id)
}

async fn create(app: &TestApp, access: &str, body: Value) -> Value {
    let res = app.post_auth("/api/schedule", access, &body).await;
    let status = res.status();
    let body: Value = res.json().await.expect("json");
    assert_eq!(status, 201, "{body}");
    body
}

async fn occurrences(app: &TestApp, access: &str, from: &str, to: &str) -> Vec<Value> {
    let res = app
        .get_auth(&format!("/api/schedule?from={from}&to={to}"), access)
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.expect("json");
    body["items"].as_array().expect("items").clone()
}

fn field(v: &Value, name: &str) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x[name].as_str().expect(name).to_owned())
        .collect()
}

/// The fields of a 422 body, as (field, code).
fn fields(body: &Value) -> Vec<(String, String)> {
    body["error"]["details"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| {
            (
                f["field"].as_str().expect("field").to_owned(),
                f["code"].as_str().expect("code").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_block_is_created_read_updated_and_deleted_with_live_events() {
    let app = TestApp::spawn().await;
    let (access, _) = user(&app, "Europe/Paris").await;
    let mut ws = connect_ws(&app, &format!("access_token={access}"))
        .await
        .expect("ws");
    let block = create(
        &app,
        &access,
        json!({ "title": " Calculus ", "start_at": "2027-03-01T08:00:00Z",
                "end_at": "2027-03-01T09:30:00Z", "block_type": "class",
                "reminder_minutes": 10 }),
    )
    .await;
    assert_eq!(block["title"], "Calculus");
    assert_eq!(
        block["timezone"], "Europe/Paris",
        "defaults to the user's zone"
    );
    assert_eq!(block["block_type"], "class");
    let event = next_event(&mut ws, "schedule_block.created", WAIT)
        .await
        .expect("created event");
    assert_eq!(event["data"]["id"], block["id"]);

    let path = format!("/api/schedule/{}", block["id"].as_str().expect("id"));
    let got: Value = app
        .get_auth(&path, &access)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(got["start_at"], "2027-03-01T08:00:00Z");

    let res = app
        .patch_auth(
            &path,
            &access,
            &json!({ "title": "Linear algebra", "description": "ch. 2",
                                             "reminder_minutes": null, "completed": true }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let updated: Value = res.json().await.expect("json");
    assert_eq!(updated["title"], "Linear algebra");
    assert_eq!(updated["reminder_minutes"], Value::Null);
    assert!(updated["completed_at"].is_string());
    next_event(&mut ws, "schedule_block.updated", WAIT)
        .await
        .expect("updated event");

    let res = app.delete_auth(&path, &access, &json!({})).await;
    assert_eq!(res.status(), 204);
    next_event(&mut ws, "schedule_block.deleted", WAIT)
        .await
        .expect("deleted event");
    assert_eq!(app.get_auth(&path, &access).await.status(), 404);
}

#[tokio::test]
async fn bad_input_is_refused_field_by_field() {
    let app = TestApp::spawn().await;
    let (access, _) = user(&app, "UTC").await;
    let base = json!({ "title": "Study", "start_at": "2027-03-01T09:00:00Z",
                       "end_at": "2027-03-01T10:00:00Z" });
    let cases = [
        (
            json!({ "end_at": "2027-03-01T08:00:00Z" }),
            "end_at",
            "end_before_start",
        ),
        (
            json!({ "end_at": "2027-03-01T09:00:00Z" }),
            "end_at",
            "end_before_start",
        ),
        (
            json!({ "start_at": "tomorrow" }),
            "start_at",
            "invalid_datetime",
        ),
        (json!({ "title": "  " }), "title", "blank"),
        (json!({ "title": "x".repeat(201) }), "title", "too_long"),
        (
            json!({ "timezone": "Mars/Olympus" }),
            "timezone",
            "unknown_timezone",
        ),
        (
            json!({ "block_type": "nap" }),
            "block_type",
            "unknown_value",
        ),
        (
            json!({ "reminder_minutes": 10081 }),
            "reminder_minutes",
            "out_of_range",
        ),
        (
            json!({ "reminder_minutes": -1 }),
            "reminder_minutes",
            "out_of_range",
        ),
        (
            json!({ "rrule": "FREQ=SOMETIMES" }),
            "rrule",
            "invalid_rrule",
        ),
        (
            json!({ "rrule": "FREQ=HOURLY" }),
            "rrule",
            "unsupported_frequency",
        ),
        // 2027-03-01 is a Monday.
        (
            json!({ "rrule": "FREQ=WEEKLY;BYDAY=TU" }),
            "rrule",
            "start_not_in_rule",
        ),
        (
            json!({ "start_at": "0001-03-01T09:00:00Z" }),
            "start_at",
            "out_of_range",
        ),
    ];
    for (patch, name, code) in cases {
        let mut body = base.clone();
        for (k, v) in patch.as_object().expect("object") {
            body[k] = v.clone();
        }
        let (status, err, body) =
            error_code(app.post_auth("/api/schedule", &access, &body).await).await;
        assert_eq!(
            (status, err.as_str()),
            (422, "validation_failed"),
            "{name}: {body}"
        );
        assert_eq!(
            fields(&body),
            [(name.to_owned(), code.to_owned())],
            "{body}"
        );
    }
    // The parser's own reason reaches the client.
    let mut body = base.clone();
    body["rrule"] = json!("FREQ=WEEKLY;BYDAY=XX");
    let (_, _, err) = error_code(app.post_auth("/api/schedule", &access, &body).await).await;
    let message = err["error"]["details"]["fields"][0]["message"]
        .as_str()
        .expect("message");
    assert!(message.contains("XX"), "{message}");
    let mut body = base.clone();
    body["color"] = json!("red");
    let (status, _, _) = error_code(app.post_auth("/api/schedule", &access, &body).await).await;
    assert_eq!(status, 422, "unknown fields are refused");
    let res = app.get_auth("/api/schedule/blocks", &access).await;
    let page: Value = res.json().await.expect("json");
    assert_eq!(page["items"], json!([]), "nothing was written");
}

#[tokio::test]
async fn links_to_another_users_course_or_goal_are_refused_on_that_field() {
    let app = TestApp::spawn().await;
    let (a, a_id) = user(&app, "UTC").await;
    let (_, b_id) = user(&app, "UTC").await;
    let db = maigie_tests::db().await;
    let insert = |sql: &'static str, owner: Uuid| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, Uuid>(sql)
                .bind(owner)
                .fetch_one(&db)
                .await
                .expect("insert")
        }
    };
    const COURSE: &str = "INSERT INTO courses (user_id, title) VALUES ($1, 'x') RETURNING id";
    const GOAL: &str = "INSERT INTO goals (user_id, title) VALUES ($1, 'x') RETURNING id";
    let (own_course, b_course, b_goal) = (
        insert(COURSE, a_id).await,
        insert(COURSE, b_id).await,
        insert(GOAL, b_id).await,
    );
    let base = json!({ "title": "Study", "start_at": "2027-03-01T09:00:00Z",
                       "end_at": "2027-03-01T10:00:00Z" });
    for (name, id) in [
        ("course_id", b_course),
        ("goal_id", b_goal),
        ("course_id", Uuid::new_v4()),
    ] {
        let mut body = base.clone();
        body[name] = json!(id);
        let (status, _, err) = error_code(app.post_auth("/api/schedule", &a, &body).await).await;
        assert_eq!(status, 422);
        assert_eq!(fields(&err), [(name.to_owned(), "not_found".to_owned())]);
    }
    let mut body = base.clone();
    body["course_id"] = json!(own_course);
    let block = create(&app, &a, body).await;
    assert_eq!(block["course_id"], json!(own_course));
    let path = format!("/api/schedule/{}", block["id"].as_str().expect("id"));
    let res = app
        .patch_auth(&path, &a, &json!({ "goal_id": b_goal }))
        .await;
    let (status, _, err) = error_code(res).await;
    assert_eq!(
        (status, fields(&err)),
        (422, vec![("goal_id".into(), "not_found".into())])
    );
}

#[tokio::test]
async fn another_users_blocks_answer_404_on_every_route() {
    let app = TestApp::spawn().await;
    let (a, _) = user(&app, "UTC").await;
    let (b, _) = user(&app, "UTC").await;
    let block = create(
        &app,
        &a,
        json!({ "title": "Mine", "start_at": "2027-03-01T09:00:00Z",
                "end_at": "2027-03-01T10:00:00Z", "rrule": "FREQ=DAILY" }),
    )
    .await;
    let id = block["id"].as_str().expect("id");
    let path = format!("/api/schedule/{id}");
    let occ = format!("{path}/occurrences/2027-03-02T09:00:00Z");
    let statuses = [
        app.get_auth(&path, &b).await.status(),
        app.patch_auth(&path, &b, &json!({ "title": "Theirs" }))
            .await
            .status(),
        app.patch_auth(&occ, &b, &json!({ "cancelled": true }))
            .await
            .status(),
        app.post_auth(&format!("{occ}/complete"), &b, &json!({}))
            .await
            .status(),
        app.delete_auth(&path, &b, &json!({})).await.status(),
    ];
    assert!(statuses.iter().all(|s| *s == 404), "{statuses:?}");
    assert!(
        occurrences(&app, &b, "2027-03-01T00:00:00Z", "2027-03-05T00:00:00Z")
            .await
            .is_empty()
    );
    let page: Value = app
        .get_auth("/api/schedule/blocks", &b)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(page["items"], json!([]));
    let res = app
        .get_auth(
            "/api/schedule/conflicts?from=2027-03-01T00:00:00Z&to=2027-03-05T00:00:00Z",
            &b,
        )
        .await;
    assert_eq!(res.json::<Value>().await.expect("json")["items"], json!([]));
    // A's block is untouched.
    let got: Value = app.get_auth(&path, &a).await.json().await.expect("json");
    assert_eq!(got["title"], "Mine");
    let mine = occurrences(&app, &a, "2027-03-01T00:00:00Z", "2027-03-05T00:00:00Z").await;
    assert_eq!(mine.len(), 4);
    assert!(mine.iter().all(|o| o["completed"] == false));
}

#[tokio::test]
async fn a_weekly_0900_block_stays_at_0900_local_across_dst_in_london_and_new_york() {
    let app = TestApp::spawn().await;
    let (access, _) = user(&app, "Europe/London").await;
    // Sunday 2026-03-22 09:00 GMT; the clocks go forward on 2026-03-29.
    create(
        &app,
        &access,
        json!({ "title": "London", "start_at": "2026-03-22T09:00:00Z",
                "end_at": "2026-03-22T10:00:00Z", "rrule": "FREQ=WEEKLY" }),
    )
    .await;
    let got = occurrences(
        &app,
        &access,
        "2026-03-20T00:00:00Z",
        "2026-04-06T00:00:00Z",
    )
    .await;
    assert_eq!(
        field(&json!(got), "start_at"),
        [
            "2026-03-22T09:00:00Z",
            "2026-03-29T08:00:00Z",
            "2026-04-05T08:00:00Z"
        ]
    );
    // New York falls back on 2026-11-01: Sunday 09:00 EDT, then 09:00 EST.
    create(
        &app,
        &access,
        json!({ "title": "New York", "start_at": "2026-10-25T13:00:00Z",
                "end_at": "2026-10-25T14:00:00Z", "rrule": "FREQ=WEEKLY;COUNT=3",
                "timezone": "America/New_York" }),
    )
    .await;
    let got = occurrences(
        &app,
        &access,
        "2026-10-24T00:00:00Z",
        "2026-12-01T00:00:00Z",
    )
    .await;
    let ny: Vec<&Value> = got.iter().filter(|o| o["title"] == "New York").collect();
    assert_eq!(
        field(&json!(ny), "start_at"),
        [
            "2026-10-25T13:00:00Z",
            "2026-11-01T14:00:00Z",
            "2026-11-08T14:00:00Z"
        ]
    );
    assert!(
        ny.iter()
            .all(|o| o["end_at"].as_str().expect("end").ends_with(":00:00Z"))
    );
}

#[tokio::test]
async fn a_skipped_local_time_moves_forward_and_a_repeated_one_is_taken_once() {
    let app = TestApp::spawn().await;
    let (access, _) = user(&app, "America/New_York").await;
    // Daily 02:30: on 2026-03-08 02:30 does not exist in New York -> 03:30 EDT.
    create(
        &app,
        &access,
        json!({ "title": "Early", "start_at": "2026-03-07T07:30:00Z",
                "end_at": "2026-03-07T08:00:00Z", "rrule": "FREQ=DAILY;COUNT=3" }),
    )
    .await;
    let got = occurrences(
        &app,
        &access,
        "2026-03-07T00:00:00Z",
        "2026-03-11T00:00:00Z",
    )
    .await;
    assert_eq!(
        field(&json!(got), "start_at"),
        [
            "2026-03-07T07:30:00Z",
            "2026-03-08T07:30:00Z",
            "2026-03-09T06:30:00Z"
        ]
    );
    // Daily 01:30 London: 2026-10-25 01:30 happens twice; one occurrence, at BST.
    create(
        &app,
        &access,
        json!({ "title": "Late", "start_at": "2026-10-24T00:30:00Z",
                "end_at": "2026-10-24T01:00:00Z", "rrule": "FREQ=DAILY;UNTIL=20261026",
                "timezone": "Europe/London" }),
    )
    .await;
    let got = occurrences(
        &app,
        &access,
        "2026-10-23T00:00:00Z",
        "2026-10-28T00:00:00Z",
    )
    .await;
    assert_eq!(
        field(&json!(got), "start_at"),
        [
            "2026-10-24T00:30:00Z",
            "2026-10-25T00:30:00Z",
            "2026-10-26T01:30:00Z"
        ]
    );
}

#[tokio::test]
async fn one_occurrence_is_moved_retitled_cancelled_and_completed_without_touching_the_series() {
    let app = TestApp::spawn().await;
    let (access, _) = user(&app, "UTC").await;
    let mut ws = connect_ws(&app, &format!("access_token={access}"))
        .await
        .expect("ws");
    let block = create(
        &app,
        &access,
        json!({ "title": "Daily", "start_at": "2027-05-03T09:00:00Z",
                "end_at": "2027-05-03T10:00:00Z", "rrule": "FREQ=DAILY" }),
    )
    .await;
    let base = format!(
        "/api/schedule/{}/occurrences",
        block["id"].as_str().expect("id")
    );
    let res = app
        .patch_auth(
            &format!("{base}/2027-05-04T09:00:00Z"),
            &access,
            &json!({ "cancelled": true }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .patch_auth(
            &format!("{base}/2027-05-05T09:00:00Z"),
            &access,
            &json!({ "start_at": "2027-05-05T15:00:00Z", "title": "Afternoon" }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let moved: Value = res.json().await.expect("json");
    assert_eq!(moved["end_at"], "2027-05-05T16:00:00Z", "keeps its length");
    let event = next_event(&mut ws, "schedule_occurrence.updated", WAIT)
        .await
        .expect("occurrence event");
    assert_eq!(event["data"]["block_id"], block["id"]);
    let res = app
        .post_auth(
            &format!("{base}/2027-05-06T09:00:00Z/complete"),
            &access,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);

    let got = occurrences(
        &app,
        &access,
        "2027-05-03T00:00:00Z",
        "2027-05-08T00:00:00Z",
    )
    .await;
    let seen: Vec<(String, String, bool, bool)> = got
        .iter()
        .map(|o| {
            (
                o["start_at"].as_str().expect("start").to_owned(),
                o["title"].as_str().expect("title").to_owned(),
                o["moved"] == true,
                o["completed"] == true,
            )
        })
        .collect();
    let row = |s: &str, t: &str, m, c| (s.to_owned(), t.to_owned(), m, c);
    assert_eq!(
        seen,
        [
            row("2027-05-03T09:00:00Z", "Daily", false, false),
            row("2027-05-05T15:00:00Z", "Afternoon", true, false),
            row("2027-05-06T09:00:00Z", "Daily", false, true),
            row("2027-05-07T09:00:00Z", "Daily", false, false),
        ]
    );
    assert_eq!(got[1]["occurrence_start"], "2027-05-05T09:00:00Z");
    // A start the rule does not generate is not an occurrence.
    let res = app
        .patch_auth(
            &format!("{base}/2027-05-05T10:00:00Z"),
            &access,
            &json!({ "title": "x" }),
        )
        .await;
    assert_eq!(res.status(), 404);
    let res = app
        .patch_auth(
            &format!("{base}/2027-05-07T09:00:00Z"),
            &access,
            &json!({ "cancelled": true, "title": "x" }),
        )
        .await;
    assert_eq!(error_code(res).await.0, 422);
    // Restoring brings the cancelled one back.
    let res = app
        .patch_auth(
            &format!("{base}/2027-05-04T09:00:00Z"),
            &access,
            &json!({ "cancelled": false }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let got = occurrences(
        &app,
        &access,
        "2027-05-04T00:00:00Z",
        "2027-05-05T00:00:00Z",
    )
    .await;
    assert_eq!(field(&json!(got), "start_at"), ["2027-05-04T09:00:00Z"]);
}

#[tokio::test]
async fn overlapping_blocks_answer_409_with_the_conflicts_unless_overlap_is_allowed() {
    let app = TestApp::spawn().await;
    let (access, _) = user(&app, "Europe/London").await;
    // Weekly Monday 09:00-10:00 London from 2027-03-01 (GMT).
    let weekly = create(
        &app,
        &access,
        json!({ "title": "Lecture", "start_at": "2027-03-01T09:00:00Z",
                "end_at": "2027-03-01T10:00:00Z", "rrule": "FREQ=WEEKLY" }),
    )
    .await;
    // Monday 2027-04-05 09:30 BST (08:30Z) overlaps that Monday's 09:00 BST occurrence.
    let clash = json!({ "title": "Dentist", "start_at": "2027-04-05T08:30:00Z",
                        "end_at": "2027-04-05T09:30:00Z" });
    let (status, code, err) =
        error_code(app.post_auth("/api/schedule", &access, &clash).await).await;
    assert_eq!((status, code.as_str()), (409, "schedule_conflict"));
    let conflicts = &err["error"]["details"]["conflicts"];
    assert_eq!(conflicts[0]["block_id"], weekly["id"]);
    assert_eq!(conflicts[0]["start_at"], "2027-04-05T08:00:00Z");
    // Touching is not overlapping.
    create(
        &app,
        &access,
        json!({ "title": "Coffee", "start_at": "2027-04-05T09:00:00Z",
                "end_at": "2027-04-05T09:30:00Z" }),
    )
    .await;
    let res = app
        .post_auth("/api/schedule?allow_overlap=true", &access, &clash)
        .await;
    assert_eq!(res.status(), 201);
    let dentist: Value = res.json().await.expect("json");
    // Moving a block onto another is checked too.
    let res = app
        .patch_auth(
            &format!("/api/schedule/{}", dentist["id"].as_str().expect("id")),
            &access,
            &json!({ "start_at": "2027-04-12T08:15:00Z", "end_at": "2027-04-12T08:45:00Z" }),
        )
        .await;
    assert_eq!(error_code(res).await.1, "schedule_conflict");

    let res = app
        .get_auth(
            "/api/schedule/conflicts?from=2027-04-05T00:00:00Z&to=2027-04-06T00:00:00Z",
            &access,
        )
        .await;
    assert_eq!(res.status(), 200);
    let list: Value = res.json().await.expect("json");
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{list}");
    let pair = |p: &Value| {
        let mut t = [
            p["first"]["title"].as_str().expect("t"),
            p["second"]["title"].as_str().expect("t"),
        ];
        t.sort_unstable();
        t.join("+")
    };
    let mut pairs: Vec<String> = items.iter().map(pair).collect();
    pairs.sort();
    assert_eq!(pairs, ["Coffee+Dentist", "Dentist+Lecture"]);
}

#[tokio::test]
async fn windows_are_required_ordered_and_at_most_366_days() {
    let app = TestApp::spawn().await;
    let (access, _) = user(&app, "UTC").await;
    let cases = [
        ("", "from"),
        ("?from=2027-01-01T00:00:00Z", "to"),
        ("?from=2027-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to"),
        ("?from=2027-01-01T00:00:00Z&to=2028-01-03T00:00:00Z", "to"),
        ("?from=yesterday&to=2028-01-03T00:00:00Z", "from"),
    ];
    for (query, name) in cases {
        for route in ["/api/schedule", "/api/schedule/conflicts"] {
            let res = app.get_auth(&format!("{route}{query}"), &access).await;
            let (status, _, err) = error_code(res).await;
            assert_eq!(status, 422, "{route}{query}");
            assert_eq!(fields(&err)[0].0, name, "{route}{query}: {err}");
        }
    }
}

#[tokio::test]
async fn the_block_list_pages_stably_while_blocks_are_added() {
    let app = TestApp::spawn().await;
    let (access, _) = user(&app, "UTC").await;
    for day in 1..=5 {
        create(
            &app,
            &access,
            json!({ "title": format!("B{day}"), "start_at": format!("2027-06-0{day}T09:00:00Z"),
                    "end_at": format!("2027-06-0{day}T10:00:00Z") }),
        )
        .await;
    }
    let page: Value = app
        .get_auth("/api/schedule/blocks?limit=2", &access)
        .await
        .json()
        .await
        .expect("json");
    let mut titles = field(&page["items"], "title");
    let mut cursor = page["next_cursor"].as_str().map(str::to_owned);
    // Added meanwhile: one before the cursor (never shown), one after (shown once).
    for (title, at) in [("Early", "2027-05-01"), ("Late", "2027-06-09")] {
        create(
            &app,
            &access,
            json!({ "title": title, "start_at": format!("{at}T09:00:00Z"),
                    "end_at": format!("{at}T10:00:00Z") }),
        )
        .await;
    }
    while let Some(c) = cursor {
        let page: Value = app
            .get_auth(&format!("/api/schedule/blocks?limit=2&cursor={c}"), &access)
            .await
            .json()
            .await
            .expect("json");
        titles.extend(field(&page["items"], "title"));
        cursor = page["next_cursor"].as_str().map(str::to_owned);
    }
    assert_eq!(titles, ["B1", "B2", "B3", "B4", "B5", "Late"]);
    let res = app
        .get_auth("/api/schedule/blocks?cursor=garbage", &access)
        .await;
    assert_eq!(error_code(res).await.1, "invalid_cursor");
}

#[tokio::test]
async fn the_openapi_document_lists_the_schedule_routes() {
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
    let paths = &spec["paths"];
    for (path, method) in [
        ("/api/schedule", "get"),
        ("/api/schedule", "post"),
        ("/api/schedule/blocks", "get"),
        ("/api/schedule/{id}", "get"),
        ("/api/schedule/{id}", "patch"),
        ("/api/schedule/{id}", "delete"),
        ("/api/schedule/conflicts", "get"),
        ("/api/schedule/{id}/occurrences/{occurrence_start}", "patch"),
        (
            "/api/schedule/{id}/occurrences/{occurrence_start}/complete",
            "post",
        ),
    ] {
        let op = &paths[path][method];
        assert!(op.is_object(), "{method} {path} missing");
        assert_eq!(op["tags"][0], "schedule");
        assert!(op["responses"]["401"].is_object(), "{method} {path}");
    }
    assert!(spec["components"]["schemas"]["CreateBlock"].is_object());
}
