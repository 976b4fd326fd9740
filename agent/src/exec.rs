//! Running a tool: who it runs for ([`Caller`]), what it answers ([`Outcome`]), how a
//! use-case's refusal reaches the model (the REST API's error object, so the model and
//! the tests see the same thing), and the change set (row snapshots before and after)
//! that undo restores.

use chrono::{DateTime, Utc};
use maigie_services::{Ctx, ServiceError, Services};
use maigie_store::snapshot;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use uuid::Uuid;

pub use maigie_services::chat::undo::Change;

use crate::registry::Scopes;

/// What a tool call did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub ok: bool,
    /// The use-case's answer (its view as JSON), or `{"status", "error"}`.
    pub result: Value,
    /// One plain sentence for the user (and the offline assistant's reply).
    pub summary: String,
    pub changes: Vec<Change>,
}

impl Outcome {
    pub(crate) fn failed(summary: impl Into<String>, result: Value) -> Self {
        Self {
            ok: false,
            result,
            summary: summary.into(),
            changes: Vec::new(),
        }
    }
}

/// A failure worth retrying (a dependency is down, or the idempotent create is still
/// in flight elsewhere).
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error("tool call failed transiently: {0}")]
    Transient(String),
    #[error("store: {0}")]
    Store(#[from] snapshot::RestoreError),
}

impl From<maigie_store::StoreError> for ExecError {
    fn from(e: maigie_store::StoreError) -> Self {
        Self::Transient(e.to_string())
    }
}

/// Why a tool stopped early: it has its answer (a refusal the model reads), or it
/// failed in a way worth retrying.
pub(crate) enum Stop {
    Answer(Outcome),
    Failed(ExecError),
}

impl From<ExecError> for Stop {
    fn from(e: ExecError) -> Self {
        Self::Failed(e)
    }
}

impl From<maigie_store::StoreError> for Stop {
    fn from(e: maigie_store::StoreError) -> Self {
        Self::Failed(e.into())
    }
}

impl From<ServiceError> for Stop {
    fn from(e: ServiceError) -> Self {
        match refusal(e) {
            Ok(outcome) => Self::Answer(outcome),
            Err(failed) => Self::Failed(failed),
        }
    }
}

impl From<Outcome> for Stop {
    fn from(o: Outcome) -> Self {
        Self::Answer(o)
    }
}

/// What a tool's body answers.
pub(crate) type Step<T> = Result<T, Stop>;

/// Who a tool runs for and how.
pub struct Caller<'a> {
    pub svc: &'a Services,
    /// The user, their tier and the entry point (`chat` or `mcp`).
    pub ctx: Ctx,
    /// Prefix of the idempotency keys of this call's creates (None: not idempotent).
    pub idempotency: Option<&'a str>,
    /// The user's zone, for the summaries' times.
    pub tz: chrono_tz::Tz,
    /// The action step this call runs for (remembers the row before a change).
    pub step: Option<Uuid>,
    /// What the caller may do: every scope in chat, the token's over MCP.
    pub scopes: Scopes,
}

impl Caller<'_> {
    /// Runs the create `run` once under this call's key for `what` (see
    /// `maigie_services::idempotency`); answers the view as JSON.
    pub(crate) async fn create<T, F, Fut>(&self, what: &str, input: &Value, run: F) -> Step<Value>
    where
        T: Serialize,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, ServiceError>>,
    {
        let key = self.idempotency.map(|prefix| format!("{prefix}:{what}"));
        let request = (what, input);
        Ok(
            maigie_services::idempotency::once(self.svc, &self.ctx, key.as_deref(), request, run)
                .await?,
        )
    }

    pub(crate) async fn snapshot(
        &self,
        entity: &str,
        id: Uuid,
    ) -> Result<Option<Value>, ExecError> {
        Ok(snapshot::snapshot(&self.svc.db, entity, self.ctx.user_id, id).await?)
    }

    /// The change of a row this call made: its snapshot now, after `before`.
    pub(crate) async fn change(
        &self,
        entity: &str,
        id: Uuid,
        before: Option<Value>,
    ) -> Result<Change, ExecError> {
        Ok(Change {
            entity: entity.into(),
            id,
            before,
            after: self.snapshot(entity, id).await?,
        })
    }

    /// The row an earlier attempt of this step was about to change, if any.
    pub(crate) async fn stashed(
        &self,
        entity: &str,
    ) -> Result<Option<(Uuid, Option<Value>)>, ExecError> {
        let Some(step) = self.step else {
            return Ok(None);
        };
        let stash = maigie_store::agent::stashed_before(&self.svc.db, step).await?;
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
            maigie_store::agent::stash_before(&self.svc.db, step, &stash).await?;
        }
        Ok((row, false))
    }

    /// An instant as the user reads it ("Thu 3 Dec 17:00").
    pub(crate) fn when(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.tz)
            .format("%a %-d %b %H:%M")
            .to_string()
    }

    /// An instant in a JSON answer as the user reads it.
    pub(crate) fn when_json(&self, v: &Value) -> Option<String> {
        let t = DateTime::parse_from_rfc3339(v.as_str()?).ok()?;
        Some(self.when(t.with_timezone(&Utc)))
    }
}

/// A use-case's refusal as the failed outcome the model reads — the REST API's answer
/// (`{"status", "error": {"code", "message", "details"}}`) — or, for what a retry can
/// mend (a dependency down, an internal error, a create still in flight), an error.
pub(crate) fn refusal(err: ServiceError) -> Result<Outcome, ExecError> {
    if let ServiceError::Conflict { code, .. } = &err
        && *code == "idempotency_in_progress"
    {
        return Err(ExecError::Transient((*code).into()));
    }
    let refusal = err
        .into_refusal()
        .map_err(|err| ExecError::Transient(err.to_string()))?;
    if refusal.status >= 500 {
        return Err(ExecError::Transient(refusal.code.into()));
    }
    let mut error = json!({"code": refusal.code, "message": refusal.message});
    if let Some(details) = refusal.details {
        error["details"] = details;
    }
    Ok(refused(refusal.status, error))
}

/// An error object as a failed outcome, its message (and field problems) the summary.
pub(crate) fn refused(status: u16, error: Value) -> Outcome {
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
    Outcome::failed(summary, json!({"status": status, "error": error}))
}

/// The arguments as the use-case's input type; arguments that do not fit are refused
/// like a REST body that does not (422 `invalid_body`).
pub(crate) fn input<T: DeserializeOwned>(args: Map<String, Value>) -> Step<T> {
    serde_json::from_value(Value::Object(args)).map_err(|e| {
        let message = format!("Failed to deserialize the JSON body into the target type: {e}");
        Stop::Answer(refused(
            422,
            json!({"code": "invalid_body", "message": message}),
        ))
    })
}

/// Takes `key` out of the arguments as a string.
pub(crate) fn take_str(args: &mut Map<String, Value>, key: &str) -> Option<String> {
    args.remove(key).and_then(|v| v.as_str().map(str::to_owned))
}

/// A successful write: the answer, a summary and the change set.
pub(crate) fn changed(result: Value, summary: String, changes: Vec<Change>) -> Outcome {
    Outcome {
        ok: true,
        result,
        summary,
        changes,
    }
}

/// A successful read.
pub(crate) fn read(result: Value, summary: String) -> Outcome {
    changed(result, summary, Vec::new())
}

/// A view as the JSON the model reads.
pub(crate) fn json_of<T: Serialize>(view: &T) -> Step<Value> {
    serde_json::to_value(view).map_err(|e| Stop::Failed(ExecError::Transient(e.to_string())))
}

/// The id in a JSON answer.
pub(crate) fn id_of(body: &Value) -> Option<Uuid> {
    body["id"].as_str().and_then(|s| Uuid::parse_str(s).ok())
}
