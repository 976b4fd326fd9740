//! Tasks: CRUD, validation, recurrence (exactly one next occurrence), filters, search,
//! sorting with stable cursors, ownership and live events.

use std::time::Duration;

use maigie_tests::{TestApp, connect_ws, db, error_code, next_event, token};
use serde_json::{Value, json};

async fn create(app: &TestApp, t: &str, body: Value) -> Value {
    let res = app.post_auth("/api/tasks", t, &body).await;
    assert_eq!(res.status(), 201, "create task");
    res.json().await.expect("json")
}

async fn set_timezone(app: &TestApp, t: &str, tz: &str) {
    let res = app
        .patch_auth("/api/users/me", t, &json!({ "timezone": tz }))
        .await;
    assert_eq!(res.status(), 200);
}

async fn complete(app: &TestApp, t: &str, id: &str) -> Value {
    let res = app
        .post_auth(&format!("/api/tasks/{id}/complete"), t, &json!({}))
        .await;
    assert_eq!(res.status(), 200, "complete");
    res.json().await.expect("json")
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn a_task_is_created_updated_and_deleted_with_live_events() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let mut ws = connect_ws(&app, &format!("access_token={t}"))
        .await
        .expect("ws");

    let task = create(&app, &t, json!({ "title": "Revise ch. 3", "priority": "high", "tags": ["exam", "Exam", "math"], "due_at": "2027-01-10T09:00:00Z" })).await;
    assert_eq!(task["tags"], json!(["exam", "math"]));
    assert_eq!(task["completed"], false);
    let event = next_event(&mut ws, "task.created", Duration::from_secs(5))
        .await
        .expect("created event");
    assert_eq!(event["data"]["id"], task["id"]);

    let path = format!("/api/tasks/{}", id(&task));
    let res = app
        .patch_auth(
            &path,
            &t,
            &json!({ "due_at": null, "due_date": "2027-01-11", "description": "Focus on limits" }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let updated: Value = res.json().await.expect("json");
    assert!(updated["due_at"].is_null());
    assert_eq!(updated["due_date"], "2027-01-11");
    next_event(&mut ws, "task.updated", Duration::from_secs(5))
        .await
        .expect("updated event");

    assert_eq!(app.delete_auth(&path, &t, &json!({})).await.status(), 204);
    let deleted = next_event(&mut ws, "task.deleted", Duration::from_secs(5))
        .await
        .expect("deleted event");
    assert_eq!(deleted["data"]["id"], task["id"]);
    assert_eq!(app.get_auth(&path, &t).await.status(), 404);
}

#[tokio::test]
async fn bad_task_input_is_refused_with_field_errors_and_the_parsers_reason() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let cases = [
        (json!({ "title": "x".repeat(201) }), "title"),
        (json!({ "title": "a", "priority": "critical" }), "priority"),
        (
            json!({ "title": "a", "due_at": "2027-01-01T00:00:00Z", "due_date": "2027-01-01" }),
            "due_date",
        ),
        (
            json!({ "title": "a", "recurrence_rule": "FREQ=WEEKLY" }),
            "recurrence_rule",
        ),
        (
            json!({ "title": "a", "due_date": "2027-01-01", "recurrence_rule": "FREQ=FORTNIGHTLY" }),
            "recurrence_rule",
        ),
        (json!({ "title": "a", "tags": ["x".repeat(51)] }), "tags"),
        (
            json!({ "title": "a", "due_date": "3000-01-01" }),
            "due_date",
        ),
    ];
    for (body, field) in cases {
        let (status, code, err) = error_code(app.post_auth("/api/tasks", &t, &body).await).await;
        assert_eq!(
            (status, code.as_str()),
            (422, "validation_failed"),
            "{body}"
        );
        assert_eq!(
            err["error"]["details"]["fields"][0]["field"], field,
            "{body}"
        );
    }
    let (_, _, err) = error_code(app.post_auth("/api/tasks", &t, &json!({ "title": "a", "due_date": "2027-01-01", "recurrence_rule": "FREQ=WEEKLY;BYDAY=XX" })).await).await;
    let field = &err["error"]["details"]["fields"][0];
    assert_eq!(field["code"], "invalid_rrule");
    assert!(
        field["message"]
            .as_str()
            .is_some_and(|m| m.len() > "invalid recurrence rule: ".len()),
        "{field}"
    );
}

#[tokio::test]
async fn completing_a_weekly_task_creates_the_next_occurrence_once() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let task = create(&app, &t, json!({ "title": "Weekly review", "due_at": "2027-01-04T17:00:00Z", "recurrence_rule": "RRULE:FREQ=WEEKLY;BYDAY=MO" })).await;

    let first = complete(&app, &t, &id(&task)).await;
    let retry = complete(&app, &t, &id(&task)).await;

    assert_eq!(first["task"]["completed"], true);
    let next = &first["next_occurrence"];
    assert_eq!(next["due_at"], "2027-01-11T17:00:00Z");
    assert_eq!(next["recurrence_parent_id"], task["id"]);
    assert_eq!(next["occurrence_index"], 2);
    assert_eq!(
        retry["next_occurrence"]["id"], next["id"],
        "a retry answers the same successor"
    );
    // Reopen and complete again: still one successor.
    app.post_auth(&format!("/api/tasks/{}/reopen", id(&task)), &t, &json!({}))
        .await;
    complete(&app, &t, &id(&task)).await;
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM tasks WHERE recurrence_parent_id = $1::uuid")
            .bind(id(&task))
            .fetch_one(&db().await)
            .await
            .expect("count");
    assert_eq!(count, 1);
}

#[tokio::test]
async fn two_concurrent_completions_create_one_next_occurrence() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let task = create(&app, &t, json!({ "title": "Daily reading", "due_date": "2027-02-01", "recurrence_rule": "FREQ=DAILY" })).await;
    let path = format!("/api/tasks/{}/complete", id(&task));

    let empty = json!({});
    let (a, b) = tokio::join!(
        app.post_auth(&path, &t, &empty),
        app.post_auth(&path, &t, &empty)
    );
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    let (a, b): (Value, Value) = (a.json().await.expect("json"), b.json().await.expect("json"));

    assert_eq!(a["next_occurrence"]["id"], b["next_occurrence"]["id"]);
    assert_eq!(a["next_occurrence"]["due_date"], "2027-02-02");
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM tasks WHERE recurrence_parent_id = $1::uuid")
            .bind(id(&task))
            .fetch_one(&db().await)
            .await
            .expect("count");
    assert_eq!(count, 1);
}

#[tokio::test]
async fn last_friday_of_the_month_is_evaluated_in_the_users_time_zone() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    set_timezone(&app, &t, "Europe/London").await;
    // Fri 26 Mar 2027 17:00 GMT; the clocks go forward on Sun 28 Mar.
    let task = create(&app, &t, json!({ "title": "Month-end report", "due_at": "2027-03-26T17:00:00Z", "recurrence_rule": "FREQ=MONTHLY;BYDAY=-1FR" })).await;

    let done = complete(&app, &t, &id(&task)).await;

    // Fri 30 Apr 2027 17:00 BST = 16:00Z: still 17:00 local.
    assert_eq!(done["next_occurrence"]["due_at"], "2027-04-30T16:00:00Z");
}

#[tokio::test]
async fn a_weekly_block_of_tasks_keeps_local_time_over_the_new_york_dst_change() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    set_timezone(&app, &t, "America/New_York").await;
    // Sun 31 Oct 2027 09:00 EDT (13:00Z); clocks fall back on 7 Nov.
    let task = create(&app, &t, json!({ "title": "Plan the week", "due_at": "2027-10-31T13:00:00Z", "recurrence_rule": "FREQ=WEEKLY" })).await;
    let second = complete(&app, &t, &id(&task)).await["next_occurrence"].clone();
    assert_eq!(second["due_at"], "2027-11-07T14:00:00Z", "09:00 EST");
}

#[tokio::test]
async fn from_completion_mode_counts_from_the_day_it_was_done_and_count_ends_the_series() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    // Due long ago: completing today places the next one 3 days after today.
    let task = create(&app, &t, json!({ "title": "Water plants", "due_date": "2020-01-01", "recurrence_rule": "FREQ=DAILY;INTERVAL=3;COUNT=2", "recurrence_mode": "from_completion" })).await;
    let done = complete(&app, &t, &id(&task)).await;
    let expected = (chrono::Utc::now().date_naive() + chrono::Duration::days(3)).to_string();
    assert_eq!(done["next_occurrence"]["due_date"], expected.as_str());
    let last = complete(&app, &t, &id(&done["next_occurrence"])).await;
    assert!(last["next_occurrence"].is_null(), "COUNT=2 ends the series");
}

#[tokio::test]
async fn lists_filter_by_status_priority_tag_goal_due_and_search() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let overdue = create(&app, &t, json!({ "title": "Submit essay draft", "priority": "urgent", "tags": ["english"], "due_at": "2020-05-01T10:00:00Z" })).await;
    let later = create(&app, &t, json!({ "title": "Photosynthesis flashcards", "priority": "low", "tags": ["biology"], "due_date": "2030-01-01" })).await;
    let done = create(
        &app,
        &t,
        json!({ "title": "Buy notebooks", "tags": ["english"] }),
    )
    .await;
    complete(&app, &t, &id(&done)).await;

    let titles = |v: Value| -> Vec<String> {
        v["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["title"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let get = |q: &'static str| {
        let app = &app;
        let t = t.clone();
        async move {
            let r = app.get_auth(&format!("/api/tasks?{q}"), &t).await;
            assert_eq!(r.status(), 200, "{q}");
            r.json::<Value>().await.expect("json")
        }
    };

    assert_eq!(
        titles(get("status=pending&sort=title").await),
        vec!["Photosynthesis flashcards", "Submit essay draft"]
    );
    assert_eq!(titles(get("status=completed").await), vec!["Buy notebooks"]);
    assert_eq!(
        titles(get("priority=urgent").await),
        vec!["Submit essay draft"]
    );
    assert_eq!(
        titles(get("tag=english&sort=title").await),
        vec!["Buy notebooks", "Submit essay draft"]
    );
    assert_eq!(
        titles(get("overdue=true").await),
        vec!["Submit essay draft"]
    );
    assert_eq!(
        titles(get("due_after=2029-01-01T00:00:00Z").await),
        vec!["Photosynthesis flashcards"]
    );
    assert_eq!(
        titles(get("search=flashcard").await),
        vec!["Photosynthesis flashcards"]
    );
    assert_eq!(
        titles(get("sort=due").await)[..2],
        [
            "Submit essay draft".to_owned(),
            "Photosynthesis flashcards".to_owned()
        ]
    );
    assert_eq!(titles(get("sort=priority").await)[0], "Submit essay draft");
    let _ = (overdue, later);
    let (status, code, _) = error_code(app.get_auth("/api/tasks?sort=color", &t).await).await;
    assert_eq!((status, code.as_str()), (422, "validation_failed"));
}

#[tokio::test]
async fn paging_by_priority_is_stable_while_tasks_are_added() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    for (i, p) in ["low", "high", "medium", "urgent", "high", "low", "medium"]
        .iter()
        .enumerate()
    {
        create(&app, &t, json!({ "title": format!("T{i}"), "priority": p })).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = cursor
            .as_ref()
            .map_or(String::new(), |c| format!("&cursor={c}"));
        let page: Value = app
            .get_auth(&format!("/api/tasks?sort=priority&limit=3{q}"), &t)
            .await
            .json()
            .await
            .expect("json");
        // Concurrent inserts (urgent and low) must not shift what the cursor returns.
        create(&app, &t, json!({ "title": "late", "priority": "urgent" })).await;
        seen.extend(page["items"].as_array().expect("items").iter().map(|i| {
            (
                i["priority"].as_str().unwrap_or_default().to_owned(),
                i["title"].as_str().unwrap_or_default().to_owned(),
            )
        }));
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    let originals: Vec<_> = seen.iter().filter(|(_, title)| title != "late").collect();
    assert_eq!(originals.len(), 7, "each original exactly once: {seen:?}");
    let ranks: Vec<u8> = originals
        .iter()
        .map(|(p, _)| match p.as_str() {
            "urgent" => 4,
            "high" => 3,
            "medium" => 2,
            _ => 1,
        })
        .collect();
    assert!(
        ranks.windows(2).all(|w| w[0] >= w[1]),
        "descending: {seen:?}"
    );
    let (_, code, _) = error_code(
        app.get_auth(
            &format!(
                "/api/tasks?sort=title&cursor={}",
                maigie_tests::base64url(
                    "[\"x\",\"00000000-0000-0000-0000-000000000000\",\"created\",\"desc\"]"
                )
            ),
            &t,
        )
        .await,
    )
    .await;
    assert_eq!(
        code, "invalid_cursor",
        "a cursor from another sort is refused"
    );
}

#[tokio::test]
async fn another_users_task_answers_404_on_every_route() {
    let app = TestApp::spawn().await;
    let (_, _, a) = app.register().await;
    let (_, _, b) = app.register().await;
    let task = create(
        &app,
        &token(&a),
        json!({ "title": "Mine", "due_date": "2027-01-01", "recurrence_rule": "FREQ=DAILY" }),
    )
    .await;
    let tid = id(&task);
    let tb = token(&b);
    for res in [
        app.get_auth(&format!("/api/tasks/{tid}"), &tb).await,
        app.patch_auth(
            &format!("/api/tasks/{tid}"),
            &tb,
            &json!({ "title": "Yours" }),
        )
        .await,
        app.post_auth(&format!("/api/tasks/{tid}/complete"), &tb, &json!({}))
            .await,
        app.post_auth(&format!("/api/tasks/{tid}/reopen"), &tb, &json!({}))
            .await,
        app.delete_auth(&format!("/api/tasks/{tid}"), &tb, &json!({}))
            .await,
    ] {
        assert_eq!(res.status(), 404);
    }
    let list: Value = app
        .get_auth("/api/tasks", &tb)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["items"], json!([]));
    let still: Value = app
        .get_auth(&format!("/api/tasks/{tid}"), &token(&a))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        (still["title"].as_str(), still["completed"].as_bool()),
        (Some("Mine"), Some(false))
    );
}

#[tokio::test]
async fn control_characters_forged_cursors_and_absurd_dates_are_4xx_not_500() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let (status, _, err) = error_code(
        app.post_auth("/api/tasks", &t, &json!({ "title": "a\u{0}b" }))
            .await,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        err["error"]["details"]["fields"][0]["code"],
        "control_characters"
    );
    let nul_search = app.get_auth("/api/tasks?search=%00", &t).await;
    assert_eq!(nul_search.status(), 400, "NUL in a query string");
    let forged = maigie_tests::base64url(
        "[\"x\",\"00000000-0000-0000-0000-000000000000\",\"created\",\"desc\"]",
    );
    let (status, code, _) = error_code(
        app.get_auth(&format!("/api/tasks?cursor={forged}"), &t)
            .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (400, "invalid_cursor"));
    let (status, _, _) = error_code(
        app.get_auth("/api/tasks?due_before=-5000-01-01T00:00:00Z", &t)
            .await,
    )
    .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn a_goals_progress_returns_to_zero_when_its_last_task_goes() {
    let app = TestApp::spawn().await;
    let (_, _, s) = app.register().await;
    let t = token(&s);
    let goal: Value = app
        .post_auth("/api/goals", &t, &json!({ "title": "G" }))
        .await
        .json()
        .await
        .expect("json");
    let gid = goal["id"].as_str().expect("id");
    let task: Value = app
        .post_auth(
            &format!("/api/goals/{gid}/tasks"),
            &t,
            &json!({ "title": "only" }),
        )
        .await
        .json()
        .await
        .expect("json");
    complete(&app, &t, &id(&task)).await;
    let done: Value = app
        .get_auth(&format!("/api/goals/{gid}"), &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(done["progress"], 1.0);

    app.delete_auth(&format!("/api/tasks/{}", id(&task)), &t, &json!({}))
        .await;

    let after: Value = app
        .get_auth(&format!("/api/goals/{gid}"), &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(after["progress"], 0.0);
}
