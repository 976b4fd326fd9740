//! The iCalendar feed: secret URL lifecycle, and a feed that a real iCalendar parser
//! (Python's `icalendar`, from the project venv) accepts and reads back correctly.

use std::io::Write;
use std::process::{Command, Stdio};

use maigie_tests::{TestApp, error_code, token};
use serde_json::{Value, json};
use uuid::Uuid;

async fn user(app: &TestApp) -> (String, Uuid) {
    let (_, _, session) = app.register().await;
    let access = token(&session);
    let res = app
        .patch_auth(
            "/api/users/me",
            &access,
            &json!({ "timezone": "Europe/London" }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let id = session["user"]["id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("uuid");
    (access, id)
}

async fn feed_url(app: &TestApp, access: &str) -> String {
    let res = app
        .post_auth("/api/calendar/token", access, &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.expect("json");
    let url = body["url"].as_str().expect("url");
    // The URL is built from PUBLIC_BASE_URL; fetch the same path from the test app.
    let path = &url[url.find("/api/calendar/").expect("feed path")..];
    assert!(path.ends_with(".ics"), "{url}");
    app.url(path)
}

async fn fetch(app: &TestApp, url: &str) -> reqwest::Response {
    app.http.get(url).send().await.expect("request")
}

/// Parses `ics` with Python's `icalendar` and answers what it read.
fn parse_with_icalendar(ics: &str) -> Value {
    const SCRIPT: &str = r#"
import datetime, icalendar, json, sys
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
errors = [str(e) for c in cal.walk() for e in c.errors]
out = {"version": str(cal["VERSION"]), "prodid": str(cal["PRODID"]), "errors": errors,
       "events": [], "timezones": {}}
for c in cal.walk("VEVENT"):
    e = {"uid": str(c["UID"]), "summary": str(c["SUMMARY"]),
         "dtstart": c.decoded("DTSTART").isoformat()}
    if "DTEND" in c: e["dtend"] = c.decoded("DTEND").isoformat()
    if "RRULE" in c: e["rrule"] = c["RRULE"].to_ical().decode()
    if "RECURRENCE-ID" in c: e["recurrence_id"] = c.decoded("RECURRENCE-ID").isoformat()
    ex = c.get("EXDATE")
    if ex is not None:
        ex = ex if isinstance(ex, list) else [ex]
        e["exdate"] = [d.dt.isoformat() for x in ex for d in x.dts]
    out["events"].append(e)
for c in cal.walk("VTIMEZONE"):
    tz = c.to_tz()
    at = lambda *a: datetime.datetime(*a, tzinfo=tz).utcoffset().total_seconds()
    out["timezones"][str(c["TZID"])] = {"winter": at(2027, 1, 15, 12), "summer": at(2027, 7, 15, 12)}
print(json.dumps(out))
"#;
    let venv = std::env::var("MAIGIE_VENV")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../.venv").to_owned());
    let mut child = Command::new(format!("{venv}/bin/python"))
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the venv's python runs (scripts/lib.sh installs icalendar)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(ics.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("python exits");
    assert!(
        out.status.success(),
        "icalendar refused the feed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json from python")
}

#[tokio::test]
async fn the_feed_is_valid_icalendar_with_rrule_exdate_overrides_vtimezone_and_due_tasks() {
    let app = TestApp::spawn().await;
    let (access, user_id) = user(&app).await;
    // Weekly Monday 09:00 London (GMT in March), a cancelled and a moved occurrence.
    let res = app
        .post_auth(
            "/api/schedule",
            &access,
            &json!({ "title": "Lecture; maths, \\ch. 1", "description": "Line one\nline two",
                     "start_at": "2027-03-01T09:00:00Z", "end_at": "2027-03-01T10:00:00Z",
                     "rrule": "FREQ=WEEKLY;BYDAY=MO" }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let weekly: Value = res.json().await.expect("json");
    let id = weekly["id"].as_str().expect("id");
    let occ = format!("/api/schedule/{id}/occurrences");
    let res = app
        .patch_auth(
            &format!("{occ}/2027-03-08T09:00:00Z"),
            &access,
            &json!({ "cancelled": true }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .patch_auth(
            &format!("{occ}/2027-03-15T09:00:00Z"),
            &access,
            &json!({ "start_at": "2027-03-16T14:00:00Z", "title": "Moved" }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let long_title = "Ünïcödé ".repeat(20);
    let res = app
        .post_auth(
            "/api/schedule",
            &access,
            &json!({ "title": long_title.trim(), "start_at": "2027-04-01T12:00:00Z",
                     "end_at": "2027-04-01T13:00:00Z" }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let db = maigie_tests::db().await;
    for (title, due_at, due_date, completed) in [
        ("Essay", Some("2027-03-20T17:00:00Z"), None, false),
        ("Read", None, Some("2027-03-21"), false),
        ("Done already", Some("2027-03-22T17:00:00Z"), None, true),
    ] {
        sqlx::query(
            "INSERT INTO tasks (user_id, title, due_at, due_date, completed, completed_at)
             VALUES ($1, $2, $3::timestamptz, $4::date, $5, CASE WHEN $5 THEN now() END)",
        )
        .bind(user_id)
        .bind(title)
        .bind(due_at)
        .bind(due_date)
        .bind(completed)
        .execute(&db)
        .await
        .expect("insert task");
    }

    let url = feed_url(&app, &access).await;
    let res = fetch(&app, &url).await;
    assert_eq!(res.status(), 200);
    let content_type = res.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(content_type.starts_with("text/calendar"), "{content_type}");
    let ics = res.text().await.expect("body");
    for line in ics.split("\r\n") {
        assert!(
            line.len() <= 75,
            "unfolded line of {} octets: {line}",
            line.len()
        );
        assert!(!line.contains('\n'), "bare LF in {line:?}");
    }
    assert!(ics.ends_with("END:VCALENDAR\r\n"));

    let cal = parse_with_icalendar(&ics);
    assert_eq!(cal["errors"], json!([]), "{cal}");
    assert_eq!(cal["version"], "2.0");
    assert!(cal["prodid"].as_str().expect("prodid").contains("Maigie"));
    let london = &cal["timezones"]["Europe/London"];
    assert_eq!(
        (london["winter"].as_f64(), london["summer"].as_f64()),
        (Some(0.0), Some(3600.0))
    );
    let events = cal["events"].as_array().expect("events");
    let uid = format!("{id}@maigie");
    let series = events
        .iter()
        .find(|e| e["uid"] == uid.as_str() && e.get("recurrence_id").is_none())
        .expect("series VEVENT");
    assert_eq!(series["summary"], "Lecture; maths, \\ch. 1");
    assert_eq!(series["dtstart"], "2027-03-01T09:00:00+00:00");
    assert_eq!(series["rrule"], "FREQ=WEEKLY;BYDAY=MO");
    assert_eq!(series["exdate"], json!(["2027-03-08T09:00:00+00:00"]));
    let moved = events
        .iter()
        .find(|e| e["uid"] == uid.as_str() && e.get("recurrence_id").is_some())
        .expect("override VEVENT");
    assert_eq!(moved["recurrence_id"], "2027-03-15T09:00:00+00:00");
    assert_eq!(moved["dtstart"], "2027-03-16T14:00:00+00:00");
    assert_eq!(moved["summary"], "Moved");
    assert!(
        events.iter().any(|e| e["summary"] == long_title.trim()),
        "folded text survives"
    );
    let summaries: Vec<&str> = events
        .iter()
        .filter_map(|e| e["summary"].as_str())
        .collect();
    assert!(summaries.contains(&"Due: Essay") && summaries.contains(&"Due: Read"));
    assert!(!summaries.iter().any(|s| s.contains("Done already")));
    let read = events
        .iter()
        .find(|e| e["summary"] == "Due: Read")
        .expect("all-day task");
    assert_eq!(read["dtstart"], "2027-03-21");
}

#[tokio::test]
async fn rotating_the_secret_retires_the_old_url_and_deleting_disables_the_feed() {
    let app = TestApp::spawn().await;
    let (access, _) = user(&app).await;
    let first = feed_url(&app, &access).await;
    assert_eq!(fetch(&app, &first).await.status(), 200);
    let second = feed_url(&app, &access).await;
    assert_ne!(first, second);
    let (status, code, _) = error_code(fetch(&app, &first).await).await;
    assert_eq!((status, code.as_str()), (404, "not_found"));
    assert_eq!(fetch(&app, &second).await.status(), 200);
    let res = app
        .delete_auth("/api/calendar/token", &access, &json!({}))
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(fetch(&app, &second).await.status(), 404);
}

#[tokio::test]
async fn each_secret_serves_only_its_owners_calendar_and_guesses_answer_404() {
    let app = TestApp::spawn().await;
    let (a, _) = user(&app).await;
    let (b, _) = user(&app).await;
    let res = app
        .post_auth(
            "/api/schedule",
            &a,
            &json!({ "title": "A only", "start_at": "2027-03-01T09:00:00Z",
                     "end_at": "2027-03-01T10:00:00Z" }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let b_url = feed_url(&app, &b).await;
    let ics = fetch(&app, &b_url).await.text().await.expect("body");
    assert!(!ics.contains("A only"));
    assert!(parse_with_icalendar(&ics)["events"] == json!([]));
    for guess in [
        "/api/calendar/x.ics",
        "/api/calendar/token.ics",
        "/api/calendar/abc",
    ] {
        assert_eq!(fetch(&app, &app.url(guess)).await.status(), 404, "{guess}");
    }
    // Managing the secret needs the bearer token.
    let res = app.post("/api/calendar/token", &json!({})).await;
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn the_openapi_document_lists_the_calendar_routes() {
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
    for (path, method) in [
        ("/api/calendar/token", "post"),
        ("/api/calendar/token", "delete"),
        ("/api/calendar/{file}", "get"),
    ] {
        let op = &spec["paths"][path][method];
        assert!(op.is_object(), "{method} {path} missing");
        assert_eq!(op["tags"][0], "calendar");
    }
}
