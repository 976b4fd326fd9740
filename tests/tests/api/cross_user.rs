//! The cross-user matrix, generated from the OpenAPI document the app serves: user A
//! owns one of everything; user B calls EVERY operation whose path names a row, with
//! A's ids, and must get the same 404 a made-up id gets, with nothing of A's in it;
//! afterwards A's data reads exactly as before.
//!
//! A route whose path parameter has no fixture fails the test by name: add the row to
//! `fixtures.rs` and its kind to [`fixture_for`]. Only routes whose parameter is not a
//! row owned by a user are excluded, each with its reason.

mod bodies;
mod fixtures;

use maigie_tests::{TestApp, token};
use reqwest::Method;
use serde_json::Value;
use uuid::Uuid;

/// Operations left out, and why: none of them names a row that a user owns.
const EXCLUDED: [(&str, &str, &str); 4] = [
    (
        "PATCH",
        "/api/admin/users/{id}/tier",
        "admin-only: names any account on purpose; a non-admin gets 403 (billing tests)",
    ),
    (
        "POST",
        "/api/admin/billing/events/{id}/reprocess",
        "admin-only: a Stripe event belongs to no user",
    ),
    (
        "GET",
        "/api/calendar/{file}",
        "a capability URL: the segment is the feed's secret, not an id (calendar tests)",
    ),
    (
        "GET",
        "/api/voice/messages/{id}/audio/{part}",
        "a capability URL: the signature in its query is the permission, not a bearer (voice_audio tests)",
    ),
];

/// Which of A's rows fills a path parameter: by its name, and for `{id}` by the
/// collection before it. `None`: a route this test does not know yet.
fn fixture_for(path: &str, param: &str) -> Option<&'static str> {
    let kind = match param {
        "course_id" => "course",
        "module_id" => "module",
        "topic_id" => "topic",
        "resource_id" => "resource",
        "occurrence_start" => "occurrence",
        "date" => "plan_date",
        "id" => match &path[..path.find("{id}")?] {
            "/api/tasks/" => "task",
            "/api/goals/" => "goal",
            "/api/notes/" => "note",
            "/api/resources/" => "resource",
            "/api/schedule/" => "block",
            "/api/schedule/drafts/" => "draft",
            "/api/plans/weekly/" => "weekly_plan",
            "/api/plans/daily/" => "daily_plan",
            "/api/plans/items/" => "plan_item",
            "/api/chat/conversations/" => "conversation",
            "/api/chat/actions/" => "action",
            "/api/notifications/" => "notification",
            "/api/mcp/tokens/" => "mcp_token",
            "/api/users/me/sessions/" => "session",
            "/api/voice/messages/" => "voice_message",
            _ => return None,
        },
        _ => return None,
    };
    Some(kind)
}

/// One templated operation of the document.
struct Operation {
    method: Method,
    template: String,
    params: Vec<String>,
    body: Option<Value>,
}

impl Operation {
    fn name(&self) -> String {
        format!("{} {}", self.method, self.template)
    }

    /// The path with each parameter replaced by `value(param)`.
    fn path(&self, value: impl Fn(&str) -> String) -> String {
        self.params.iter().fold(self.template.clone(), |path, p| {
            path.replace(&format!("{{{p}}}"), &value(p))
        })
    }
}

fn templated_operations(doc: &Value) -> Vec<Operation> {
    let mut ops = Vec::new();
    for (template, item) in doc["paths"].as_object().expect("paths") {
        let params: Vec<String> = template
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .map(str::to_owned)
            .collect();
        if params.is_empty() {
            continue;
        }
        for (method, op) in item.as_object().expect("operations") {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            let schema = &op["requestBody"]["content"]["application/json"]["schema"];
            ops.push(Operation {
                method,
                template: template.clone(),
                params: params.clone(),
                body: (!schema.is_null()).then(|| schema.clone()),
            });
        }
    }
    // Reads first and deletions last: a write that wrongly succeeds still leaves the
    // other operations something to try.
    let rank = |m: &Method| {
        [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ]
        .iter()
        .position(|x| x == m)
        .unwrap_or(5)
    };
    ops.sort_by_key(|o| rank(&o.method));
    ops
}

async fn call(app: &TestApp, t: &str, method: Method, path: &str, body: &Value) -> (u16, String) {
    let mut req = app
        .http
        .request(method.clone(), app.url(path))
        .bearer_auth(t)
        .header("accept", "application/json");
    if method != Method::GET && method != Method::DELETE {
        req = req.json(body);
    }
    let res = req.send().await.expect("request");
    (res.status().as_u16(), res.text().await.expect("body"))
}

fn code_of(body: &str) -> String {
    serde_json::from_str::<Value>(body).map_or_else(
        |_| format!("(not JSON: {body})"),
        |v| {
            v["error"]["code"]
                .as_str()
                .unwrap_or("(no code)")
                .to_owned()
        },
    )
}

/// `body` with every signed link (`{url, expires_at}`, minted afresh by each read) left
/// out, so two reads of unchanged data compare equal.
fn without_links(body: &str) -> String {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                if map.contains_key("url") && map.contains_key("expires_at") {
                    map.remove("url");
                    map.remove("expires_at");
                }
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    match serde_json::from_str::<Value>(body) {
        Ok(mut v) => {
            strip(&mut v);
            v.to_string()
        }
        Err(_) => body.to_owned(),
    }
}

/// A's view of every row the matrix touches, to compare before and after.
async fn snapshot(app: &TestApp, t: &str, reads: &[String]) -> Vec<(String, u16, String)> {
    let mut seen = Vec::new();
    for path in reads {
        let (status, body) = call(app, t, Method::GET, path, &Value::Null).await;
        seen.push((path.clone(), status, without_links(&body)));
    }
    seen
}

#[tokio::test]
async fn user_b_gets_404_for_every_route_that_names_user_a_s_rows() {
    // The speech server of scripts/test hears A's voice message.
    let app = TestApp::spawn_with(crate::voice::stt_env()).await;
    let (_, _, a) = app.register().await;
    let (_, _, b) = app.register().await;
    let (ta, tb) = (token(&a), token(&b));
    let fx = fixtures::make(&app, &ta).await;
    let doc: Value = app
        .http
        .get(app.url("/openapi.json"))
        .send()
        .await
        .expect("document")
        .json()
        .await
        .expect("json");
    let ops = templated_operations(&doc);
    for (method, template, _) in EXCLUDED {
        assert!(
            ops.iter()
                .any(|o| o.method == method && o.template == template),
            "excluded {method} {template} is no longer in the document: drop it from EXCLUDED"
        );
    }
    let ops: Vec<Operation> = ops
        .into_iter()
        .filter(|o| {
            !EXCLUDED
                .iter()
                .any(|(m, t, _)| o.method == *m && o.template == *t)
        })
        .collect();

    let mut failures = Vec::new();
    let mut planned = Vec::new();
    for op in &ops {
        let unknown: Vec<&String> = op
            .params
            .iter()
            .filter(|p| fixture_for(&op.template, p).is_none())
            .collect();
        if unknown.is_empty() {
            planned.push(op);
        } else {
            failures.push(format!("{}: no fixture of A's for {unknown:?}", op.name()));
        }
    }
    let a_value = |op: &Operation, p: &str| {
        fixture_for(&op.template, p).map_or_else(String::new, |k| fx.values[k].clone())
    };
    let reads: Vec<String> = planned
        .iter()
        .filter(|op| op.method == Method::GET)
        .map(|op| op.path(|p| a_value(op, p)))
        .chain([
            "/api/mcp/tokens".to_owned(),
            "/api/notifications".to_owned(),
        ])
        .collect();
    // A's items are embedded for search a moment after they are written: "before" is
    // taken once none is pending, so a read by meaning (related items) changes only if
    // B's attempts change it.
    let started = std::time::Instant::now();
    loop {
        let pending: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM knowledge_sources k
               JOIN knowledge_documents d
                 ON d.source_type = k.source_type AND d.source_id = k.source_id
              WHERE k.status = 'pending' AND d.title LIKE $1",
        )
        .bind(format!("{}%", fx.marker))
        .fetch_one(&maigie_tests::db().await)
        .await
        .expect("pending");
        if pending == 0 || started.elapsed() > std::time::Duration::from_secs(30) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let before = snapshot(&app, &ta, &reads).await;
    for (path, status, body) in &before {
        if *status != 200 {
            failures.push(format!(
                "A cannot read {path} (a wrong fixture?): {status} {body}"
            ));
        }
    }

    for op in &planned {
        let body = op.body.as_ref().map_or_else(
            || serde_json::json!({}),
            |s| bodies::sample(&doc, s, &fx.values),
        );
        let path = op.path(|p| a_value(op, p));
        let (status, text) = call(&app, &tb, op.method.clone(), &path, &body).await;
        let made_up = op.path(|p| {
            let v = a_value(op, p);
            if v.parse::<Uuid>().is_ok() {
                Uuid::new_v4().to_string()
            } else {
                v
            }
        });
        let (_, made_up_text) = call(&app, &tb, op.method.clone(), &made_up, &body).await;
        if status != 404 {
            failures.push(format!("{} as B: {status} {text}", op.name()));
        } else if code_of(&text) != code_of(&made_up_text) {
            failures.push(format!(
                "{} as B: {} where a made-up id gets {}",
                op.name(),
                code_of(&text),
                code_of(&made_up_text)
            ));
        }
        if text.contains(&fx.marker) {
            failures.push(format!("{} as B echoes A's data: {text}", op.name()));
        }
    }

    let after = snapshot(&app, &ta, &reads).await;
    for (old, new) in before.iter().zip(&after) {
        if old != new {
            failures.push(format!("A's {} changed: {old:?} → {new:?}", old.0));
        }
    }
    assert!(
        planned.len() >= 60,
        "only {} operations: is the document complete?",
        planned.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} operations failed:\n{}",
        failures.len(),
        ops.len(),
        failures.join("\n")
    );
}
