//! `/api/tasks` (and `/api/goals/{id}/tasks`): tasks with filters, search, sorting,
//! cursor pagination and RFC 5545 recurrence.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use maigie_domain::planning::optional_text;
use maigie_domain::recurrence::{Recurrence, RecurrenceMode};
use maigie_domain::tasks::{Due, Occurrence, SortOrder, StatusFilter, TaskSort, next_due};
use maigie_domain::{Priority, Tags, Title, Validation};
use maigie_store::StoreError;
use maigie_store::goals;
use maigie_store::tasks::{self, SortKey, TaskFields, TaskFilter, TaskRow};
use maigie_store::users;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::extractor::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::events;
use crate::http::extract::{Json, Path, Query};
use crate::http::input::{nullable, parse_enum};
use crate::pagination;
use crate::reminders;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tasks, create_task))
        .routes(routes!(get_task, update_task, delete_task))
        .routes(routes!(complete_task))
        .routes(routes!(reopen_task))
        .routes(routes!(list_goal_tasks, create_goal_task))
}

/// A task.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskView {
    pub id: Uuid,
    pub goal_id: Option<Uuid>,
    pub title: String,
    pub description: Option<String>,
    #[schema(value_type = String, example = "high")]
    pub priority: Priority,
    pub tags: Vec<String>,
    /// Due at an instant…
    pub due_at: Option<DateTime<Utc>>,
    /// …or on a whole day in the user's time zone (never both).
    pub due_date: Option<NaiveDate>,
    /// RFC 5545, normalised: `RRULE:…` and optional `EXDATE:…` lines.
    #[schema(example = "RRULE:FREQ=WEEKLY;BYDAY=MO")]
    pub recurrence_rule: Option<String>,
    #[schema(value_type = String, example = "from_due")]
    pub recurrence_mode: RecurrenceMode,
    /// The occurrence this one follows.
    pub recurrence_parent_id: Option<Uuid>,
    /// 1-based position in its series.
    pub occurrence_index: i32,
    /// Minutes before `due_at` when a reminder is sent (WebSocket and e-mail).
    pub reminder_minutes: Option<i32>,
    pub completed: bool,
    pub completed_at: Option<DateTime<Utc>>,
    pub is_ai_generated: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<TaskRow> for TaskView {
    type Error = ApiError;
    fn try_from(r: TaskRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: r.id,
            goal_id: r.goal_id,
            priority: r.priority.parse().map_err(ApiError::internal)?,
            recurrence_mode: r.recurrence_mode.parse().map_err(ApiError::internal)?,
            title: r.title,
            description: r.description,
            tags: r.tags,
            due_at: r.due_at,
            due_date: r.due_date,
            recurrence_rule: r.recurrence_rule,
            recurrence_parent_id: r.recurrence_parent_id,
            occurrence_index: r.occurrence_index,
            reminder_minutes: r.reminder_minutes,
            completed: r.completed,
            completed_at: r.completed_at,
            is_ai_generated: r.is_ai_generated,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTask {
    /// 1–200 characters.
    #[schema(example = "Revise chapter 3")]
    pub title: String,
    pub description: Option<String>,
    /// low, medium (default), high or urgent.
    pub priority: Option<String>,
    /// Up to 20 tags of 1–50 characters.
    #[serde(default)]
    pub tags: Vec<String>,
    pub due_at: Option<DateTime<Utc>>,
    pub due_date: Option<NaiveDate>,
    pub goal_id: Option<Uuid>,
    /// RFC 5545 RRULE (e.g. `FREQ=MONTHLY;BYDAY=-1FR` for the last Friday), optionally
    /// with `EXDATE:` lines; needs a due date.
    pub recurrence_rule: Option<String>,
    /// `from_due` (default) or `from_completion`.
    pub recurrence_mode: Option<String>,
    /// Remind this many minutes before `due_at` (0–10080); needs `due_at`.
    pub reminder_minutes: Option<i32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTask {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub priority: Option<String>,
    pub tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub due_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub due_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub goal_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub recurrence_rule: Option<Option<String>>,
    pub recurrence_mode: Option<String>,
    /// `null` removes the reminder.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>)]
    pub reminder_minutes: Option<Option<i32>>,
    /// Completing a recurring task creates its next occurrence (once).
    pub completed: Option<bool>,
}

/// The answer to completing a task.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletedTask {
    pub task: TaskView,
    /// The next occurrence of a recurring task (the same one however often you retry).
    pub next_occurrence: Option<TaskView>,
}

async fn user_tz(state: &AppState, user: &AuthUser) -> ApiResult<Tz> {
    let name = users::timezone(&state.db, user.id).await?;
    Ok(name.parse().unwrap_or(Tz::UTC))
}

/// Checks the whole task as it will be stored, and anchors a (new) series.
fn finish_fields(v: &mut Validation, f: &mut TaskFields, tz: Tz, reanchor: bool) {
    match f.reminder_minutes {
        Some(m) if !(0..=10_080).contains(&m) => {
            v.push(
                "reminder_minutes",
                "out_of_range",
                "must be between 0 and 10080",
            );
        }
        Some(_) if f.due_at.is_none() => {
            v.push(
                "reminder_minutes",
                "needs_due_at",
                "a reminder needs a due_at time",
            );
        }
        _ => {}
    }
    if f.due_at.is_some() && f.due_date.is_some() {
        v.push(
            "due_date",
            "conflict",
            "give either due_at or due_date, not both",
        );
    }
    for (field, year) in [
        ("due_at", f.due_at.map(|d| d.date_naive())),
        ("due_date", f.due_date),
    ] {
        if year.is_some_and(|d| !(1970..=2200).contains(&chrono::Datelike::year(&d))) {
            v.push(field, "out_of_range", "must be between 1970 and 2200");
        }
    }
    let due = f.due_at.map(Due::At).or(f.due_date.map(Due::On));
    match (&f.recurrence_rule, due) {
        (Some(_), None) => v.push(
            "recurrence_rule",
            "needs_due",
            "a recurring task needs due_at or due_date",
        ),
        (Some(_), Some(due)) if reanchor || f.recurrence_anchor.is_none() => {
            f.recurrence_anchor = Some(due.local_anchor(tz))
        }
        (None, _) => f.recurrence_anchor = None,
        _ => {}
    }
}

fn parse_rule(v: &mut Validation, raw: Option<&str>) -> Option<Option<String>> {
    match raw.map(str::trim) {
        None | Some("") => Some(None),
        Some(r) => v
            .check("recurrence_rule", Recurrence::parse(r))
            .map(|r| Some(r.to_text())),
    }
}

impl CreateTask {
    fn parse(self, tz: Tz, goal_id: Option<Uuid>) -> ApiResult<TaskFields> {
        let mut v = Validation::new();
        let mut f = TaskFields {
            goal_id: goal_id.or(self.goal_id),
            title: v
                .check("title", Title::parse(&self.title))
                .map(Title::into_string)
                .unwrap_or_default(),
            description: v
                .check(
                    "description",
                    optional_text(self.description.as_deref(), 10_000),
                )
                .flatten(),
            priority: parse_enum(
                &mut v,
                "priority",
                Some(self.priority.as_deref().unwrap_or("medium")),
            )
            .map(|x: Priority| x.as_str().to_owned())
            .unwrap_or_default(),
            tags: v
                .check("tags", Tags::parse(&self.tags))
                .map(Tags::into_vec)
                .unwrap_or_default(),
            due_at: self.due_at,
            due_date: self.due_date,
            recurrence_rule: parse_rule(&mut v, self.recurrence_rule.as_deref()).flatten(),
            recurrence_mode: parse_enum(
                &mut v,
                "recurrence_mode",
                Some(self.recurrence_mode.as_deref().unwrap_or("from_due")),
            )
            .map(|x: RecurrenceMode| x.as_str().to_owned())
            .unwrap_or_default(),
            recurrence_anchor: None,
            reminder_minutes: self.reminder_minutes,
        };
        finish_fields(&mut v, &mut f, tz, true);
        v.finish()?;
        Ok(f)
    }
}

impl UpdateTask {
    /// Merges the patch into the stored task.
    fn apply(self, row: &TaskRow, tz: Tz) -> ApiResult<(TaskFields, Option<bool>)> {
        let mut v = Validation::new();
        let mut f = TaskFields::of(row);
        if let Some(t) = self.title.as_deref() {
            f.title = v
                .check("title", Title::parse(t))
                .map(Title::into_string)
                .unwrap_or_default();
        }
        if let Some(d) = self.description {
            f.description = v
                .check("description", optional_text(d.as_deref(), 10_000))
                .flatten();
        }
        if let Some(p) = self.priority.as_deref() {
            f.priority = parse_enum(&mut v, "priority", Some(p))
                .map(|x: Priority| x.as_str().to_owned())
                .unwrap_or_default();
        }
        if let Some(tags) = self.tags.as_deref() {
            f.tags = v
                .check("tags", Tags::parse(tags))
                .map(Tags::into_vec)
                .unwrap_or_default();
        }
        let due_changed = self.due_at.is_some() || self.due_date.is_some();
        if let Some(d) = self.due_at {
            f.due_at = d;
        }
        if let Some(d) = self.due_date {
            f.due_date = d;
        }
        if let Some(g) = self.goal_id {
            f.goal_id = g;
        }
        if let Some(m) = self.reminder_minutes {
            f.reminder_minutes = m;
        }
        let rule_changed = self.recurrence_rule.is_some();
        if let Some(r) = self.recurrence_rule {
            f.recurrence_rule = parse_rule(&mut v, r.as_deref()).flatten();
        }
        if let Some(m) = self.recurrence_mode.as_deref() {
            f.recurrence_mode = parse_enum(&mut v, "recurrence_mode", Some(m))
                .map(|x: RecurrenceMode| x.as_str().to_owned())
                .unwrap_or_default();
        }
        finish_fields(&mut v, &mut f, tz, due_changed || rule_changed);
        v.finish()?;
        Ok((f, self.completed))
    }
}

/// Another user's goal in a body is a field error; in a path it is a 404.
fn goal_link_error(err: StoreError) -> ApiError {
    match err {
        StoreError::Constraint(c) if c == tasks::GOAL_FKEY => {
            ApiError::invalid_field("goal_id", "not_found", "no such goal")
        }
        other => other.into(),
    }
}

async fn insert(state: &AppState, user: &AuthUser, fields: TaskFields) -> ApiResult<TaskView> {
    let mut tx = state.db.begin().await.map_err(ApiError::internal)?;
    let row = tasks::create(&mut *tx, user.id, &fields)
        .await
        .map_err(goal_link_error)?;
    goals::refresh_progress(&mut tx, &row.goal_id.into_iter().collect::<Vec<_>>()).await?;
    tx.commit().await.map_err(ApiError::internal)?;
    reminders::sync_task(state, user.id, row.id, None, Some(&row)).await;
    let view = TaskView::try_from(row)?;
    events::publish(state, user.id, "task.created", &view).await;
    Ok(view)
}

/// Create a task.
#[utoipa::path(post, path = "/api/tasks", tag = "tasks", security(("bearer" = [])), request_body = CreateTask,
    responses((status = 201, body = TaskView), (status = 422, description = "Invalid fields, e.g. `invalid_rrule` with the parser's reason.", body = ErrorBody)))]
pub async fn create_task(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<CreateTask>,
) -> ApiResult<(StatusCode, Json<TaskView>)> {
    let tz = user_tz(&state, &user).await?;
    let fields = body.parse(tz, None)?;
    Ok((
        StatusCode::CREATED,
        Json(insert(&state, &user, fields).await?),
    ))
}

/// Create a task under a goal.
#[utoipa::path(post, path = "/api/goals/{id}/tasks", tag = "goals", security(("bearer" = [])), request_body = CreateTask,
    responses((status = 201, body = TaskView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_goal_task(
    State(state): State<AppState>,
    user: AuthUser,
    Path(goal_id): Path<Uuid>,
    Json(body): Json<CreateTask>,
) -> ApiResult<(StatusCode, Json<TaskView>)> {
    goals::get(&state.db, user.id, goal_id).await?;
    let tz = user_tz(&state, &user).await?;
    let fields = body.parse(tz, Some(goal_id))?;
    Ok((
        StatusCode::CREATED,
        Json(insert(&state, &user, fields).await?),
    ))
}

/// One task.
#[utoipa::path(get, path = "/api/tasks/{id}", tag = "tasks", security(("bearer" = [])),
    responses((status = 200, body = TaskView), (status = 404, body = ErrorBody)))]
pub async fn get_task(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<TaskView>> {
    Ok(Json(TaskView::try_from(
        tasks::get(&state.db, user.id, id).await?,
    )?))
}

/// Update a task; `completed: true` completes it like `POST …/complete`.
#[utoipa::path(patch, path = "/api/tasks/{id}", tag = "tasks", security(("bearer" = [])), request_body = UpdateTask,
    responses((status = 200, body = TaskView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_task(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    Json(body): Json<UpdateTask>,
) -> ApiResult<Json<TaskView>> {
    let tz = user_tz(&state, &user).await?;
    let mut tx = state.db.begin().await.map_err(ApiError::internal)?;
    let row = tasks::lock(&mut tx, user.id, id).await?;
    let (fields, completed) = body.apply(&row, tz)?;
    let mut updated = tasks::update(&mut *tx, user.id, id, &fields)
        .await
        .map_err(goal_link_error)?;
    let mut next = None;
    if let Some(done) = completed {
        (updated, next) = set_completion(&mut tx, user.id, updated, done, tz).await?;
    }
    let touched: Vec<Uuid> = [row.goal_id, updated.goal_id]
        .into_iter()
        .flatten()
        .collect();
    goals::refresh_progress(&mut tx, &touched).await?;
    tx.commit().await.map_err(ApiError::internal)?;
    reminders::sync_task(&state, user.id, id, Some(&row), Some(&updated)).await;
    let view = TaskView::try_from(updated)?;
    events::publish(&state, user.id, "task.updated", &view).await;
    publish_next(&state, user.id, next).await?;
    Ok(Json(view))
}

/// Completes or reopens a locked task; completing a recurring one inserts its next
/// occurrence unless it already has one.
async fn set_completion(
    tx: &mut maigie_store::Transaction<'_, maigie_store::Postgres>,
    user_id: Uuid,
    row: TaskRow,
    done: bool,
    tz: Tz,
) -> ApiResult<(TaskRow, Option<(TaskRow, bool)>)> {
    if row.completed == done {
        return Ok((row, None));
    }
    let row = tasks::set_completed(&mut **tx, row.id, done).await?;
    if !done {
        return Ok((row, None));
    }
    let (Some(rule), Some(anchor), Some(completed_at)) = (
        row.recurrence_rule.as_deref(),
        row.recurrence_anchor,
        row.completed_at,
    ) else {
        return Ok((row, None));
    };
    let Some(due) = row.due_at.map(Due::At).or(row.due_date.map(Due::On)) else {
        return Ok((row, None));
    };
    let recurrence = Recurrence::parse(rule).map_err(ApiError::internal)?;
    let mode = row.recurrence_mode.parse().map_err(ApiError::internal)?;
    let occurrence = Occurrence {
        recurrence: &recurrence,
        mode,
        due,
        anchor,
        index: u32::try_from(row.occurrence_index).unwrap_or(1),
    };
    let Some(next) = next_due(&occurrence, completed_at, tz) else {
        return Ok((row, None));
    };
    let existing = tasks::successor(&mut **tx, row.id).await?;
    let (due_at, due_date) = match next {
        Due::At(at) => (Some(at), None),
        Due::On(day) => (None, Some(day)),
    };
    let successor = tasks::insert_next(tx, user_id, &row, due_at, due_date).await?;
    Ok((row, Some((successor, existing.is_none()))))
}

async fn publish_next(
    state: &AppState,
    user_id: Uuid,
    next: Option<(TaskRow, bool)>,
) -> ApiResult<Option<TaskView>> {
    let Some((row, created)) = next else {
        return Ok(None);
    };
    if created {
        reminders::sync_task(state, user_id, row.id, None, Some(&row)).await;
    }
    let view = TaskView::try_from(row)?;
    if created {
        events::publish(state, user_id, "task.created", &view).await;
    }
    Ok(Some(view))
}

async fn change_completion(
    state: &AppState,
    user: &AuthUser,
    id: Uuid,
    done: bool,
) -> ApiResult<CompletedTask> {
    let tz = user_tz(state, user).await?;
    let mut tx = state.db.begin().await.map_err(ApiError::internal)?;
    let before = tasks::lock(&mut tx, user.id, id).await?;
    let changed = before.completed != done;
    let (row, next) = set_completion(&mut tx, user.id, before.clone(), done, tz).await?;
    // A retried completion answers the successor created the first time.
    let next = match next {
        Some(n) => Some(n),
        None if done => tasks::successor(&mut *tx, row.id)
            .await?
            .map(|s| (s, false)),
        None => None,
    };
    goals::refresh_progress(&mut tx, &row.goal_id.into_iter().collect::<Vec<_>>()).await?;
    tx.commit().await.map_err(ApiError::internal)?;
    if changed {
        reminders::sync_task(state, user.id, id, Some(&before), Some(&row)).await;
    }
    let task = TaskView::try_from(row)?;
    if changed {
        events::publish(state, user.id, "task.updated", &task).await;
    }
    let next_occurrence = publish_next(state, user.id, next).await?;
    Ok(CompletedTask {
        task,
        next_occurrence,
    })
}

/// Complete a task (idempotent). A recurring task gets exactly one next occurrence,
/// however many times this is retried or clicked.
#[utoipa::path(post, path = "/api/tasks/{id}/complete", tag = "tasks", security(("bearer" = [])),
    responses((status = 200, body = CompletedTask), (status = 404, body = ErrorBody)))]
pub async fn complete_task(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<CompletedTask>> {
    Ok(Json(change_completion(&state, &user, id, true).await?))
}

/// Mark a completed task as not done. An occurrence it already spawned is kept.
#[utoipa::path(post, path = "/api/tasks/{id}/reopen", tag = "tasks", security(("bearer" = [])),
    responses((status = 200, body = CompletedTask), (status = 404, body = ErrorBody)))]
pub async fn reopen_task(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<CompletedTask>> {
    Ok(Json(change_completion(&state, &user, id, false).await?))
}

/// Delete a task.
#[utoipa::path(delete, path = "/api/tasks/{id}", tag = "tasks", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_task(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    let mut tx = state.db.begin().await.map_err(ApiError::internal)?;
    let before = tasks::lock(&mut tx, user.id, id).await?;
    let goal = tasks::delete(&mut *tx, user.id, id).await?;
    goals::refresh_progress(&mut tx, &goal.into_iter().collect::<Vec<_>>()).await?;
    tx.commit().await.map_err(ApiError::internal)?;
    reminders::sync_task(&state, user.id, id, Some(&before), None).await;
    events::publish(
        &state,
        user.id,
        "task.deleted",
        &serde_json::json!({ "id": id }),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskListParams {
    /// pending, completed or all (default).
    pub status: Option<String>,
    pub priority: Option<String>,
    pub tag: Option<String>,
    pub goal_id: Option<Uuid>,
    /// Due strictly before this instant (all-day dues count from their day's start).
    pub due_before: Option<DateTime<Utc>>,
    pub due_after: Option<DateTime<Utc>>,
    /// Only pending tasks whose due has passed.
    pub overdue: Option<bool>,
    /// Full-text search in title, description and tags (web-search syntax).
    pub search: Option<String>,
    /// created (default), due, priority or title.
    pub sort: Option<String>,
    /// asc or desc (default desc for created and priority, asc for due and title).
    pub order: Option<String>,
    pub cursor: Option<String>,
    /// 1–200 (default 50).
    pub limit: Option<i64>,
}

/// A page of tasks.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskPage {
    pub items: Vec<TaskView>,
    /// Pass as `cursor` (with the same filters and sort) for the next page.
    pub next_cursor: Option<String>,
}

fn parse_query<T: serde::de::DeserializeOwned>(
    v: &mut Validation,
    field: &str,
    raw: Option<&str>,
) -> Option<T> {
    let raw = raw?;
    match serde_json::from_value(serde_json::Value::String(raw.to_owned())) {
        Ok(t) => Some(t),
        Err(_) => {
            v.push(field, "unknown_value", format!("unknown value {raw:?}"));
            None
        }
    }
}

async fn list(
    state: &AppState,
    user: &AuthUser,
    p: TaskListParams,
    goal: Option<Uuid>,
) -> ApiResult<TaskPage> {
    let mut v = Validation::new();
    let status: StatusFilter =
        parse_query(&mut v, "status", p.status.as_deref()).unwrap_or(StatusFilter::All);
    let sort: TaskSort = parse_query(&mut v, "sort", p.sort.as_deref()).unwrap_or_default();
    let default_order = if matches!(sort, TaskSort::Due | TaskSort::Title) {
        SortOrder::Asc
    } else {
        SortOrder::Desc
    };
    let order: SortOrder =
        parse_query(&mut v, "order", p.order.as_deref()).unwrap_or(default_order);
    let priority = p.priority.as_deref().and_then(|r| {
        parse_enum(&mut v, "priority", Some(r)).map(|x: Priority| x.as_str().to_owned())
    });
    if p.search.as_deref().is_some_and(|s| s.chars().count() > 200) {
        v.push("search", "too_long", "must be at most 200 characters");
    }
    for (field, bound) in [("due_before", p.due_before), ("due_after", p.due_after)] {
        if bound.is_some_and(|b| !(1970..=2200).contains(&chrono::Datelike::year(&b))) {
            v.push(field, "out_of_range", "must be between 1970 and 2200");
        }
    }
    v.finish()?;
    let limit = pagination::limit(p.limit)?;
    let after = p
        .cursor
        .as_deref()
        .map(pagination::decode::<(String, Uuid, TaskSort, SortOrder)>)
        .transpose()?;
    if after
        .as_ref()
        .is_some_and(|(k, _, s, o)| (*s, *o) != (sort, order) || !sort_key_is_valid(sort, k))
    {
        return Err(ApiError::bad_request(
            "invalid_cursor",
            "The cursor belongs to another sort order.",
        ));
    }
    let tz = users::timezone(&state.db, user.id).await?;
    let filter = TaskFilter {
        completed: match status {
            StatusFilter::Pending => Some(false),
            StatusFilter::Completed => Some(true),
            StatusFilter::All => None,
        },
        priority,
        tag: p.tag,
        goal_id: goal.or(p.goal_id),
        due_before: p.due_before,
        due_after: p.due_after,
        overdue: p.overdue.unwrap_or(false),
        search: p.search.filter(|s| !s.trim().is_empty()),
    };
    let key = match sort {
        TaskSort::Created => SortKey::Created,
        TaskSort::Due => SortKey::Due,
        TaskSort::Priority => SortKey::Priority,
        TaskSort::Title => SortKey::Title,
    };
    let ascending = order == SortOrder::Asc;
    let mut rows = tasks::list(
        &state.db,
        user.id,
        &tz,
        &filter,
        key,
        ascending,
        after.map(|(k, id, _, _)| (k, id)),
        limit + 1,
    )
    .await?;
    let more = usize::try_from(limit).is_ok_and(|l| rows.len() > l);
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next_cursor = if more {
        rows.last()
            .map(|r| pagination::encode(&(r.sort_key.clone(), r.task.id, sort, order)))
    } else {
        None
    };
    let items = rows
        .into_iter()
        .map(|r| TaskView::try_from(r.task))
        .collect::<ApiResult<_>>()?;
    Ok(TaskPage { items, next_cursor })
}

/// Whether a cursor's sort key has the form the database gave it (a cursor is client
/// input: a forged one must be a 400, not a failed cast).
fn sort_key_is_valid(sort: TaskSort, key: &str) -> bool {
    match sort {
        TaskSort::Created | TaskSort::Due => {
            matches!(key, "infinity" | "-infinity")
                || DateTime::parse_from_str(key, "%Y-%m-%d %H:%M:%S%.f%#z")
                    .is_ok_and(|d| (1970..=2200).contains(&chrono::Datelike::year(&d)))
        }
        TaskSort::Priority => key.parse::<i32>().is_ok_and(|r| (1..=4).contains(&r)),
        TaskSort::Title => true,
    }
}

/// List tasks with filters, search, sort and cursor pagination.
#[utoipa::path(get, path = "/api/tasks", tag = "tasks", security(("bearer" = [])), params(TaskListParams),
    responses((status = 200, body = TaskPage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_tasks(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<TaskListParams>,
) -> ApiResult<Json<TaskPage>> {
    Ok(Json(list(&state, &user, p, None).await?))
}

/// A goal's tasks (same options as `/api/tasks`).
#[utoipa::path(get, path = "/api/goals/{id}/tasks", tag = "goals", security(("bearer" = [])), params(TaskListParams),
    responses((status = 200, body = TaskPage), (status = 404, body = ErrorBody)))]
pub async fn list_goal_tasks(
    State(state): State<AppState>,
    user: AuthUser,
    Path(goal_id): Path<Uuid>,
    Query(p): Query<TaskListParams>,
) -> ApiResult<Json<TaskPage>> {
    goals::get(&state.db, user.id, goal_id).await?;
    Ok(Json(list(&state, &user, p, Some(goal_id)).await?))
}
