//! Running a tool: the in-process REST call, the title → id resolution models need,
//! and the change set (row snapshots before and after) that undo restores.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use maigie_store::PgPool;
use maigie_store::snapshot;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tower::ServiceExt;
use uuid::Uuid;

pub use maigie_services::chat::undo::Change;

/// What a tool call did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub ok: bool,
    /// The API's answer (or its `error` object).
    pub result: Value,
    /// One plain sentence for the user (and the offline assistant's reply).
    pub summary: String,
    pub changes: Vec<Change>,
}

impl Outcome {
    fn failed(summary: impl Into<String>, result: Value) -> Self {
        Self {
            ok: false,
            result,
            summary: summary.into(),
            changes: Vec::new(),
        }
    }
}

/// A failure worth retrying (the API answered 5xx, or the idempotent create is still
/// in flight elsewhere).
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error("tool call failed transiently: {0}")]
    Transient(String),
    #[error("store: {0}")]
    Store(#[from] snapshot::RestoreError),
}

/// Who a tool runs for and how.
pub struct Caller<'a> {
    pub router: &'a Router,
    pub db: &'a PgPool,
    pub user_id: Uuid,
    /// A short-lived access token of the user.
    pub token: &'a str,
    /// Prefix of the idempotency keys of this call's creates (None: not idempotent).
    pub idempotency: Option<&'a str>,
    /// The user's zone, for the summaries' times.
    pub tz: chrono_tz::Tz,
    /// The action step this call runs for (remembers the row before a change).
    pub step: Option<Uuid>,
}

pub(crate) struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Caller<'_> {
    pub(crate) async fn http(
        &self,
        method: Method,
        uri: &str,
        body: Option<Value>,
        key_suffix: &str,
    ) -> Result<Answer, ExecError> {
        let mut req = Request::builder()
            .method(method.clone())
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {}", self.token));
        if let (&Method::POST, Some(prefix)) = (&method, self.idempotency) {
            req = req.header("idempotency-key", format!("{prefix}:{key_suffix}"));
        }
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .map_err(|e| ExecError::Transient(e.to_string()))?;
        let res = self
            .router
            .clone()
            .oneshot(req)
            .await
            .map_err(|e| ExecError::Transient(e.to_string()))?;
        let status = res.status();
        let bytes = to_bytes(res.into_body(), 8 * 1024 * 1024)
            .await
            .map_err(|e| ExecError::Transient(e.to_string()))?;
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let in_flight = body["error"]["code"] == "idempotency_in_progress";
        if status.is_server_error() || in_flight {
            return Err(ExecError::Transient(format!("{method} {uri}: {status}")));
        }
        Ok(Answer { status, body })
    }

    pub(crate) async fn snapshot(
        &self,
        entity: &str,
        id: Uuid,
    ) -> Result<Option<Value>, ExecError> {
        Ok(snapshot::snapshot(self.db, entity, self.user_id, id).await?)
    }

    /// The row an earlier attempt of this step was about to change, if any.
    pub(crate) async fn stashed(
        &self,
        entity: &str,
    ) -> Result<Option<(Uuid, Option<Value>)>, ExecError> {
        let Some(step) = self.step else {
            return Ok(None);
        };
        let stash = maigie_store::agent::stashed_before(self.db, step)
            .await
            .map_err(|e| ExecError::Transient(e.to_string()))?;
        Ok(stash.and_then(|s| {
            let id = s["id"].as_str()?.parse().ok()?;
            (s["entity"] == entity).then(|| (id, Some(s["row"].clone()).filter(|r| !r.is_null())))
        }))
    }

    /// The row before this step changes it, remembered on the step before the call, so
    /// a retry after a crash (the change made, the step not yet recorded) still has it.
    /// Answers the row and whether this is such a retry.
    pub(crate) async fn before(
        &self,
        entity: &str,
        id: Uuid,
    ) -> Result<(Option<Value>, bool), ExecError> {
        if let Some((stashed_id, row)) = self.stashed(entity).await?
            && stashed_id == id
        {
            return Ok((row, true));
        }
        let row = self.snapshot(entity, id).await?;
        if let Some(step) = self.step {
            let stash = json!({"entity": entity, "id": id, "row": row});
            maigie_store::agent::stash_before(self.db, step, &stash)
                .await
                .map_err(|e| ExecError::Transient(e.to_string()))?;
        }
        Ok((row, false))
    }
}

/// The API's error as a failed outcome.
pub(crate) fn refused(answer: &Answer) -> Outcome {
    let error = answer.body.get("error").cloned().unwrap_or(Value::Null);
    let mut summary = error["message"]
        .as_str()
        .unwrap_or("The request was refused.")
        .to_owned();
    if let Some(details) = error.get("details").and_then(Value::as_array) {
        let fields: Vec<String> = details
            .iter()
            .filter_map(|d| {
                Some(format!(
                    "{}: {}",
                    d["field"].as_str()?,
                    d["message"].as_str()?
                ))
            })
            .collect();
        if !fields.is_empty() {
            summary = format!("{summary} ({})", fields.join("; "));
        }
    }
    Outcome::failed(
        summary,
        json!({"status": answer.status.as_u16(), "error": error}),
    )
}

/// Takes `key` out of the arguments as a string.
pub(crate) fn take_str(args: &mut Map<String, Value>, key: &str) -> Option<String> {
    args.remove(key).and_then(|v| v.as_str().map(str::to_owned))
}

/// Query string from the arguments (strings, numbers, booleans), URL-encoded.
pub(crate) fn query(args: &Map<String, Value>) -> String {
    let pairs: Vec<String> = args
        .iter()
        .filter_map(|(k, v)| {
            let v = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return None,
            };
            Some(format!("{}={}", encode(k), encode(&v)))
        })
        .collect();
    pairs.join("&")
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Finds the one item whose id is `id_key` or whose title matches `words_key`, via the
/// list endpoint `list_uri` (searched with `search` when it supports it).
pub(crate) async fn resolve(
    caller: &Caller<'_>,
    args: &mut Map<String, Value>,
    (id_key, words_key): (&str, &str),
    list_uri: &str,
    noun: &str,
) -> Result<Result<Uuid, Outcome>, ExecError> {
    let id = take_str(args, id_key);
    let words = take_str(args, words_key);
    let entity = noun.replace(' ', "_");
    if let Some((stashed, _)) = caller.stashed(&entity).await? {
        // A retry: the target was found (and maybe changed or deleted) by the first try.
        return Ok(Ok(stashed));
    }
    if let Some(id) = id {
        return Ok(Uuid::parse_str(&id).map_err(|_| {
            Outcome::failed(
                format!("{id_key} is not a valid id."),
                json!({"field": id_key}),
            )
        }));
    }
    let Some(words) = words.filter(|w| !w.trim().is_empty()) else {
        return Ok(Err(Outcome::failed(
            format!("Which {noun}? Give {id_key} or {words_key}."),
            json!({"field": words_key}),
        )));
    };
    let answer = caller.http(Method::GET, list_uri, None, "").await?;
    let items = answer.body["items"].as_array().cloned().unwrap_or_default();
    let wanted = words.trim().to_lowercase();
    let title = |v: &Value| v["title"].as_str().unwrap_or("").to_lowercase();
    let exact: Vec<&Value> = items.iter().filter(|v| title(v) == wanted).collect();
    let partial: Vec<&Value> = items
        .iter()
        .filter(|v| {
            let t = title(v);
            t.contains(&wanted) || wanted.split_whitespace().all(|w| t.contains(w))
        })
        .collect();
    let found = if exact.len() == 1 { exact } else { partial };
    match found.as_slice() {
        [one] => Ok(one["id"]
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(|| Outcome::failed("Malformed list answer.", Value::Null))),
        [] => Ok(Err(Outcome::failed(
            format!("No {noun} matches “{}”.", words.trim()),
            json!({"matches": []}),
        ))),
        many => {
            let names: Vec<&str> = many
                .iter()
                .filter_map(|v| v["title"].as_str())
                .take(5)
                .collect();
            Ok(Err(Outcome::failed(
                format!(
                    "Several {noun}s match “{}”: {}. Which one?",
                    words.trim(),
                    names.join(", ")
                ),
                json!({"matches": many.iter().take(5).map(|v| json!({"id": v["id"], "title": v["title"]})).collect::<Vec<_>>()}),
            )))
        }
    }
}

/// A successful write: the answer, a summary and the change set.
pub(crate) fn changed(body: Value, summary: String, changes: Vec<Change>) -> Outcome {
    Outcome {
        ok: true,
        result: body,
        summary,
        changes,
    }
}

/// A successful read.
pub(crate) fn read(body: Value, summary: String) -> Outcome {
    changed(body, summary, Vec::new())
}

/// A time from an API answer as the user reads it ("Thu 3 Dec 17:00").
pub(crate) fn when(caller: &Caller<'_>, v: &Value) -> Option<String> {
    let t = chrono::DateTime::parse_from_rfc3339(v.as_str()?).ok()?;
    Some(
        t.with_timezone(&caller.tz)
            .format("%a %-d %b %H:%M")
            .to_string(),
    )
}

/// The id in an API answer.
pub(crate) fn id_of(body: &Value) -> Option<Uuid> {
    body["id"].as_str().and_then(|s| Uuid::parse_str(s).ok())
}
