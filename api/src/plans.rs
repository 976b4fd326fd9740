//! `/api/plans`: weekly plans → daily plans → plan items.
//!
//! Weeks start on Monday (see `maigie_domain::plans`); a weekly plan created without
//! `week_start` is for the current week in the user's time zone. A daily plan may
//! link to the weekly plan whose week contains its date. Item positions are `0..n`
//! without gaps; inserts, moves, deletes and reorders keep them so.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use maigie_domain::planning::optional_text;
use maigie_domain::plans::{self as rules, ItemStatus, PlanStatus};
use maigie_domain::{Priority, Tags, Timezone, Title, Validation};
use maigie_store::StoreError;
use maigie_store::plans::{
    self as store, DailyChanges, DailyPlanRow, ItemChanges, NewDailyPlan, NewPlanItem,
    NewWeeklyPlan, PlanItemRow, Reorder, WeeklyChanges, WeeklyPlanRow,
};
use maigie_store::users;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::extractor::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::events;
use crate::http::extract::{Json, Path, Query};
use crate::http::input::{nullable, parse_enum, present};
use crate::pagination;
use crate::pagination::{paginate, views};
use crate::state::AppState;

const SUMMARY_MAX: usize = 10_000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_weekly, create_weekly))
        .routes(routes!(get_weekly, update_weekly, delete_weekly))
        .routes(routes!(list_daily, create_daily))
        .routes(routes!(get_daily_by_date))
        .routes(routes!(get_daily, update_daily, delete_daily))
        .routes(routes!(create_item))
        .routes(routes!(reorder_items))
        .routes(routes!(get_item, update_item, delete_item))
        .routes(routes!(move_item))
}

// ---------------------------------------------------------------------------------
// Shared helpers (also used by notes and resources)
// ---------------------------------------------------------------------------------

fn link_error(field: &str, what: &str) -> ApiError {
    ApiError::invalid_field(field, "not_found", format!("No such {what} of yours."))
}

/// Maps the plan constraints to precise client errors.
fn plan_error(err: StoreError) -> ApiError {
    match err {
        StoreError::Conflict(c) if c == store::WEEK_TAKEN => ApiError::conflict(
            "plan_exists",
            "You already have a weekly plan for that week.",
        ),
        StoreError::Conflict(c) if c == store::DAY_TAKEN => ApiError::conflict(
            "daily_plan_exists",
            "You already have a daily plan for that date.",
        ),
        StoreError::Constraint(c) if c == store::WEEKLY_LINK => {
            link_error("weekly_plan_id", "weekly plan")
        }
        StoreError::Constraint(c) if c == store::GOAL_LINK => link_error("goal_id", "goal"),
        StoreError::Constraint(c) if c == store::TASK_LINK => link_error("task_id", "task"),
        other => other.into(),
    }
}

fn check_date(v: &mut Validation, field: &str, date: NaiveDate) -> Option<NaiveDate> {
    v.check(field, rules::plan_date(date))
}

// ---------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------

/// A weekly plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct WeeklyPlanView {
    pub id: Uuid,
    /// Always a Monday.
    #[schema(example = "2026-03-02")]
    pub week_start: NaiveDate,
    #[schema(example = json!(["calculus", "spanish"]))]
    pub focus_areas: Vec<String>,
    pub summary: Option<String>,
    #[schema(value_type = String, example = "draft")]
    pub status: PlanStatus,
    pub is_ai_generated: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<WeeklyPlanRow> for WeeklyPlanView {
    type Error = ApiError;
    fn try_from(r: WeeklyPlanRow) -> ApiResult<Self> {
        Ok(Self {
            id: r.id,
            week_start: r.week_start,
            focus_areas: r.focus_areas,
            summary: r.summary,
            status: r.status.parse().map_err(ApiError::internal)?,
            is_ai_generated: r.is_ai_generated,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// A weekly plan with the daily plans linked to it, by date.
#[derive(Debug, Serialize, ToSchema)]
pub struct WeeklyPlanDetail {
    #[serde(flatten)]
    pub plan: WeeklyPlanView,
    pub daily_plans: Vec<DailyPlanView>,
}

/// A daily plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct DailyPlanView {
    pub id: Uuid,
    #[schema(example = "2026-03-03")]
    pub plan_date: NaiveDate,
    pub weekly_plan_id: Option<Uuid>,
    pub summary: Option<String>,
    #[schema(value_type = String, example = "active")]
    pub status: PlanStatus,
    pub is_ai_generated: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<DailyPlanRow> for DailyPlanView {
    type Error = ApiError;
    fn try_from(r: DailyPlanRow) -> ApiResult<Self> {
        Ok(Self {
            id: r.id,
            plan_date: r.plan_date,
            weekly_plan_id: r.weekly_plan_id,
            summary: r.summary,
            status: r.status.parse().map_err(ApiError::internal)?,
            is_ai_generated: r.is_ai_generated,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// A daily plan with its items in order.
#[derive(Debug, Serialize, ToSchema)]
pub struct DailyPlanDetail {
    #[serde(flatten)]
    pub plan: DailyPlanView,
    pub items: Vec<PlanItemView>,
}

/// One thing to do on a day.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanItemView {
    pub id: Uuid,
    pub daily_plan_id: Uuid,
    #[schema(example = "Revise chapter 4")]
    pub title: String,
    pub notes: Option<String>,
    #[schema(value_type = String, example = "todo")]
    pub status: ItemStatus,
    #[schema(value_type = String, example = "medium")]
    pub priority: Priority,
    /// 0-based, without gaps within the day.
    pub position: i32,
    pub goal_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<PlanItemRow> for PlanItemView {
    type Error = ApiError;
    fn try_from(r: PlanItemRow) -> ApiResult<Self> {
        Ok(Self {
            id: r.id,
            daily_plan_id: r.daily_plan_id,
            title: r.title,
            notes: r.notes,
            status: r.status.parse().map_err(ApiError::internal)?,
            priority: r.priority.parse().map_err(ApiError::internal)?,
            position: r.position,
            goal_id: r.goal_id,
            task_id: r.task_id,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// A page of weekly plans.
#[derive(Debug, Serialize, ToSchema)]
pub struct WeeklyPlanPage {
    pub items: Vec<WeeklyPlanView>,
    pub next_cursor: Option<String>,
}

/// A page of daily plans.
#[derive(Debug, Serialize, ToSchema)]
pub struct DailyPlanPage {
    pub items: Vec<DailyPlanView>,
    pub next_cursor: Option<String>,
}

/// Cursor pagination parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PageParams {
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// 1–200 (default 50).
    pub limit: Option<i64>,
}

// ---------------------------------------------------------------------------------
// Weekly plans
// ---------------------------------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWeeklyPlan {
    /// A Monday; defaults to this week's Monday in your time zone.
    #[schema(example = "2026-03-02")]
    pub week_start: Option<NaiveDate>,
    /// Up to 20 tags of 1–50 characters.
    #[serde(default)]
    pub focus_areas: Vec<String>,
    /// Up to 10,000 characters.
    pub summary: Option<String>,
    /// draft (default), active or completed.
    #[schema(example = "draft")]
    pub status: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWeeklyPlan {
    pub focus_areas: Option<Vec<String>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub summary: Option<Option<String>>,
    pub status: Option<String>,
}

/// The user's time zone; an unreadable stored value falls back to UTC.
async fn user_timezone(state: &AppState, user: &AuthUser) -> ApiResult<Timezone> {
    let row = users::find_by_id(&state.db, user.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Timezone::parse(&row.timezone)
        .or_else(|_| Timezone::parse("UTC"))
        .map_err(ApiError::internal)
}

/// Create the plan for a week (one per week).
#[utoipa::path(post, path = "/api/plans/weekly", tag = "plans", security(("bearer" = [])),
    request_body = CreateWeeklyPlan,
    responses((status = 201, body = WeeklyPlanDetail), (status = 409, body = ErrorBody, description = "`plan_exists`"),
              (status = 422, body = ErrorBody)))]
pub async fn create_weekly(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<CreateWeeklyPlan>,
) -> ApiResult<(StatusCode, Json<WeeklyPlanDetail>)> {
    let mut v = Validation::new();
    let week_start = match body.week_start {
        Some(d) => check_date(&mut v, "week_start", d)
            .and_then(|d| v.check("week_start", rules::week_start(d))),
        None => Some(rules::current_week_start(
            Utc::now(),
            user_timezone(&state, &user).await?,
        )),
    };
    let focus_areas = v.check("focus_areas", Tags::parse(&body.focus_areas));
    let summary = v.check(
        "summary",
        optional_text(body.summary.as_deref(), SUMMARY_MAX),
    );
    let status = parse_enum(&mut v, "status", body.status.as_deref()).unwrap_or(PlanStatus::Draft);
    v.finish()?;
    let new = NewWeeklyPlan {
        week_start: present(week_start)?,
        focus_areas: present(focus_areas)?.into_vec(),
        summary: present(summary)?,
        status: status.as_str(),
    };
    let row = store::create_weekly(&state.db, user.id, &new)
        .await
        .map_err(plan_error)?;
    let detail = WeeklyPlanDetail {
        plan: row.try_into()?,
        daily_plans: Vec::new(),
    };
    events::publish(&state, user.id, "weekly_plan.created", &detail).await;
    Ok((StatusCode::CREATED, Json(detail)))
}

/// List weekly plans, latest week first.
#[utoipa::path(get, path = "/api/plans/weekly", tag = "plans", security(("bearer" = [])), params(PageParams),
    responses((status = 200, body = WeeklyPlanPage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_weekly(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<PageParams>,
) -> ApiResult<Json<WeeklyPlanPage>> {
    let limit = pagination::limit(p.limit)?;
    let after = p
        .cursor
        .as_deref()
        .map(pagination::decode::<(NaiveDate, Uuid)>)
        .transpose()?;
    let rows = store::list_weekly(&state.db, user.id, after, limit + 1).await?;
    let (rows, next_cursor) = paginate(rows, limit, |r| (r.week_start, r.id));
    Ok(Json(WeeklyPlanPage {
        items: views(rows)?,
        next_cursor,
    }))
}

async fn weekly_detail(state: &AppState, user_id: Uuid, id: Uuid) -> ApiResult<WeeklyPlanDetail> {
    let plan = store::get_weekly(&state.db, user_id, id).await?;
    let days = store::days_of_week(&state.db, user_id, id).await?;
    Ok(WeeklyPlanDetail {
        plan: plan.try_into()?,
        daily_plans: views(days)?,
    })
}

/// One weekly plan with its daily plans.
#[utoipa::path(get, path = "/api/plans/weekly/{id}", tag = "plans", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Weekly plan id")),
    responses((status = 200, body = WeeklyPlanDetail), (status = 404, body = ErrorBody)))]
pub async fn get_weekly(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<WeeklyPlanDetail>> {
    Ok(Json(weekly_detail(&state, user.id, id).await?))
}

/// Change focus areas, summary or status (the week itself is fixed).
#[utoipa::path(patch, path = "/api/plans/weekly/{id}", tag = "plans", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Weekly plan id")), request_body = UpdateWeeklyPlan,
    responses((status = 200, body = WeeklyPlanDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_weekly(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    Json(body): Json<UpdateWeeklyPlan>,
) -> ApiResult<Json<WeeklyPlanDetail>> {
    let mut v = Validation::new();
    let focus_areas = body
        .focus_areas
        .as_deref()
        .and_then(|t| v.check("focus_areas", Tags::parse(t)))
        .map(Tags::into_vec);
    let summary = body
        .summary
        .map(|s| v.check("summary", optional_text(s.as_deref(), SUMMARY_MAX)));
    let status: Option<PlanStatus> = parse_enum(&mut v, "status", body.status.as_deref());
    v.finish()?;
    let changes = WeeklyChanges {
        focus_areas,
        summary: summary.map(Option::flatten),
        status: status.map(PlanStatus::as_str),
    };
    store::update_weekly(&state.db, user.id, id, changes).await?;
    let detail = weekly_detail(&state, user.id, id).await?;
    events::publish(&state, user.id, "weekly_plan.updated", &detail).await;
    Ok(Json(detail))
}

/// Delete a weekly plan; its daily plans stay, unlinked.
#[utoipa::path(delete, path = "/api/plans/weekly/{id}", tag = "plans", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Weekly plan id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_weekly(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    store::delete_weekly(&state.db, user.id, id).await?;
    events::publish(&state, user.id, "weekly_plan.deleted", &json!({ "id": id })).await;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------
// Daily plans
// ---------------------------------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDailyPlan {
    #[schema(example = "2026-03-03")]
    pub plan_date: NaiveDate,
    /// One of your weekly plans whose week contains `plan_date`.
    pub weekly_plan_id: Option<Uuid>,
    pub summary: Option<String>,
    /// draft (default), active or completed.
    pub status: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDailyPlan {
    /// `null` unlinks it from its week.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub weekly_plan_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub summary: Option<Option<String>>,
    pub status: Option<String>,
}

/// Checks that the weekly plan is the user's and its week contains `date`.
async fn check_week_link(
    state: &AppState,
    user_id: Uuid,
    weekly_plan_id: Uuid,
    date: NaiveDate,
) -> ApiResult<()> {
    let week = store::week_start_of(&state.db, user_id, weekly_plan_id)
        .await?
        .ok_or_else(|| link_error("weekly_plan_id", "weekly plan"))?;
    let mut v = Validation::new();
    v.check("weekly_plan_id", rules::check_in_week(week, date));
    Ok(v.finish()?)
}

async fn daily_detail(
    state: &AppState,
    user_id: Uuid,
    row: DailyPlanRow,
) -> ApiResult<DailyPlanDetail> {
    let items = store::items_of(&state.db, user_id, row.id).await?;
    Ok(DailyPlanDetail {
        plan: row.try_into()?,
        items: views(items)?,
    })
}

/// Create the plan for a day (one per date).
#[utoipa::path(post, path = "/api/plans/daily", tag = "plans", security(("bearer" = [])),
    request_body = CreateDailyPlan,
    responses((status = 201, body = DailyPlanDetail), (status = 409, body = ErrorBody, description = "`daily_plan_exists`"),
              (status = 422, body = ErrorBody)))]
pub async fn create_daily(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<CreateDailyPlan>,
) -> ApiResult<(StatusCode, Json<DailyPlanDetail>)> {
    let mut v = Validation::new();
    let date = check_date(&mut v, "plan_date", body.plan_date);
    let summary = v.check(
        "summary",
        optional_text(body.summary.as_deref(), SUMMARY_MAX),
    );
    let status = parse_enum(&mut v, "status", body.status.as_deref()).unwrap_or(PlanStatus::Draft);
    v.finish()?;
    let (plan_date, summary) = (present(date)?, present(summary)?);
    if let Some(week) = body.weekly_plan_id {
        check_week_link(&state, user.id, week, plan_date).await?;
    }
    let new = NewDailyPlan {
        plan_date,
        weekly_plan_id: body.weekly_plan_id,
        summary,
        status: status.as_str(),
    };
    let row = store::create_daily(&state.db, user.id, &new)
        .await
        .map_err(plan_error)?;
    let detail = DailyPlanDetail {
        plan: row.try_into()?,
        items: Vec::new(),
    };
    events::publish(&state, user.id, "daily_plan.created", &detail).await;
    Ok((StatusCode::CREATED, Json(detail)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DailyListParams {
    /// Only days on or after this date.
    pub from: Option<NaiveDate>,
    /// Only days on or before this date.
    pub to: Option<NaiveDate>,
    pub cursor: Option<String>,
    /// 1–200 (default 50).
    pub limit: Option<i64>,
}

/// List daily plans, latest date first.
#[utoipa::path(get, path = "/api/plans/daily", tag = "plans", security(("bearer" = [])), params(DailyListParams),
    responses((status = 200, body = DailyPlanPage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_daily(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<DailyListParams>,
) -> ApiResult<Json<DailyPlanPage>> {
    let mut v = Validation::new();
    let from = p.from.and_then(|d| check_date(&mut v, "from", d));
    let to = p.to.and_then(|d| check_date(&mut v, "to", d));
    v.finish()?;
    let limit = pagination::limit(p.limit)?;
    let after = p
        .cursor
        .as_deref()
        .map(pagination::decode::<(NaiveDate, Uuid)>)
        .transpose()?;
    let rows = store::list_daily(&state.db, user.id, (from, to), after, limit + 1).await?;
    let (rows, next_cursor) = paginate(rows, limit, |r| (r.plan_date, r.id));
    Ok(Json(DailyPlanPage {
        items: views(rows)?,
        next_cursor,
    }))
}

/// The daily plan for a date, with its items.
#[utoipa::path(get, path = "/api/plans/daily/by-date/{date}", tag = "plans", security(("bearer" = [])),
    params(("date" = NaiveDate, Path, description = "YYYY-MM-DD")),
    responses((status = 200, body = DailyPlanDetail), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_daily_by_date(
    State(state): State<AppState>,
    user: AuthUser,
    Path(date): Path<NaiveDate>,
) -> ApiResult<Json<DailyPlanDetail>> {
    let row = store::get_daily_by_date(&state.db, user.id, date).await?;
    Ok(Json(daily_detail(&state, user.id, row).await?))
}

/// One daily plan with its items in order.
#[utoipa::path(get, path = "/api/plans/daily/{id}", tag = "plans", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Daily plan id")),
    responses((status = 200, body = DailyPlanDetail), (status = 404, body = ErrorBody)))]
pub async fn get_daily(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<DailyPlanDetail>> {
    let row = store::get_daily(&state.db, user.id, id).await?;
    Ok(Json(daily_detail(&state, user.id, row).await?))
}

/// Change a daily plan's week link, summary or status (its date is fixed).
#[utoipa::path(patch, path = "/api/plans/daily/{id}", tag = "plans", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Daily plan id")), request_body = UpdateDailyPlan,
    responses((status = 200, body = DailyPlanDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_daily(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    Json(body): Json<UpdateDailyPlan>,
) -> ApiResult<Json<DailyPlanDetail>> {
    let mut v = Validation::new();
    let summary = body
        .summary
        .map(|s| v.check("summary", optional_text(s.as_deref(), SUMMARY_MAX)));
    let status: Option<PlanStatus> = parse_enum(&mut v, "status", body.status.as_deref());
    v.finish()?;
    if let Some(Some(week)) = body.weekly_plan_id {
        let current = store::get_daily(&state.db, user.id, id).await?;
        check_week_link(&state, user.id, week, current.plan_date).await?;
    }
    let changes = DailyChanges {
        weekly_plan_id: body.weekly_plan_id,
        summary: summary.map(Option::flatten),
        status: status.map(PlanStatus::as_str),
    };
    let row = store::update_daily(&state.db, user.id, id, changes)
        .await
        .map_err(plan_error)?;
    let detail = daily_detail(&state, user.id, row).await?;
    events::publish(&state, user.id, "daily_plan.updated", &detail).await;
    Ok(Json(detail))
}

/// Delete a daily plan and its items.
#[utoipa::path(delete, path = "/api/plans/daily/{id}", tag = "plans", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Daily plan id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_daily(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    store::delete_daily(&state.db, user.id, id).await?;
    events::publish(&state, user.id, "daily_plan.deleted", &json!({ "id": id })).await;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------
// Plan items
// ---------------------------------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePlanItem {
    /// 1–200 characters.
    #[schema(example = "Revise chapter 4")]
    pub title: String,
    /// Up to 10,000 characters.
    pub notes: Option<String>,
    /// todo (default), in_progress, done or skipped.
    pub status: Option<String>,
    /// low, medium (default), high or urgent.
    pub priority: Option<String>,
    /// 0-based place among the day's items; absent or past the end appends.
    pub position: Option<i32>,
    /// One of your goals.
    pub goal_id: Option<Uuid>,
    /// One of your tasks.
    pub task_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePlanItem {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    pub status: Option<String>,
    pub priority: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub goal_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub task_id: Option<Option<Uuid>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MovePlanItem {
    /// 0-based target place; past the end means last.
    pub position: i32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReorderPlanItems {
    /// Every item of the day, each once, in the new order.
    pub item_ids: Vec<Uuid>,
}

/// Add an item to a day.
#[utoipa::path(post, path = "/api/plans/daily/{id}/items", tag = "plans", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Daily plan id")), request_body = CreatePlanItem,
    responses((status = 201, body = PlanItemView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_item(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    Json(body): Json<CreatePlanItem>,
) -> ApiResult<(StatusCode, Json<PlanItemView>)> {
    let mut v = Validation::new();
    let title = v.check("title", Title::parse(&body.title));
    let notes = v.check("notes", optional_text(body.notes.as_deref(), SUMMARY_MAX));
    let status = parse_enum(&mut v, "status", body.status.as_deref()).unwrap_or(ItemStatus::Todo);
    let priority =
        parse_enum(&mut v, "priority", body.priority.as_deref()).unwrap_or(Priority::Medium);
    v.finish()?;
    let new = NewPlanItem {
        title: present(title)?.into_string(),
        notes: present(notes)?,
        status: status.as_str(),
        priority: priority.as_str(),
        position: body.position,
        goal_id: body.goal_id,
        task_id: body.task_id,
    };
    let row = store::create_item(&state.db, user.id, id, &new)
        .await
        .map_err(plan_error)?;
    let view = PlanItemView::try_from(row)?;
    events::publish(&state, user.id, "plan_item.created", &view).await;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Put all of a day's items in a new order.
#[utoipa::path(put, path = "/api/plans/daily/{id}/items/order", tag = "plans", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Daily plan id")), request_body = ReorderPlanItems,
    responses((status = 200, body = DailyPlanDetail), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "`item_ids` is not exactly the day's items")))]
pub async fn reorder_items(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    Json(body): Json<ReorderPlanItems>,
) -> ApiResult<Json<DailyPlanDetail>> {
    match store::reorder_items(&state.db, user.id, id, &body.item_ids).await? {
        Reorder::Mismatch => Err(ApiError::invalid_field(
            "item_ids",
            "not_a_permutation",
            "List every item of the day exactly once.",
        )),
        Reorder::Done(_) => {
            let row = store::get_daily(&state.db, user.id, id).await?;
            let detail = daily_detail(&state, user.id, row).await?;
            events::publish(&state, user.id, "daily_plan.updated", &detail).await;
            Ok(Json(detail))
        }
    }
}

/// One plan item.
#[utoipa::path(get, path = "/api/plans/items/{id}", tag = "plans", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Plan item id")),
    responses((status = 200, body = PlanItemView), (status = 404, body = ErrorBody)))]
pub async fn get_item(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<PlanItemView>> {
    Ok(Json(
        store::get_item(&state.db, user.id, id).await?.try_into()?,
    ))
}

/// Change a plan item (use `move` to change its place).
#[utoipa::path(patch, path = "/api/plans/items/{id}", tag = "plans", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Plan item id")), request_body = UpdatePlanItem,
    responses((status = 200, body = PlanItemView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_item(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    Json(body): Json<UpdatePlanItem>,
) -> ApiResult<Json<PlanItemView>> {
    let mut v = Validation::new();
    let title = body
        .title
        .as_deref()
        .and_then(|t| v.check("title", Title::parse(t)))
        .map(Title::into_string);
    let notes = body
        .notes
        .map(|n| v.check("notes", optional_text(n.as_deref(), SUMMARY_MAX)));
    let status: Option<ItemStatus> = parse_enum(&mut v, "status", body.status.as_deref());
    let priority: Option<Priority> = parse_enum(&mut v, "priority", body.priority.as_deref());
    v.finish()?;
    let changes = ItemChanges {
        title,
        notes: notes.map(Option::flatten),
        status: status.map(ItemStatus::as_str),
        priority: priority.map(Priority::as_str),
        goal_id: body.goal_id,
        task_id: body.task_id,
    };
    let row = store::update_item(&state.db, user.id, id, changes)
        .await
        .map_err(plan_error)?;
    let view = PlanItemView::try_from(row)?;
    events::publish(&state, user.id, "plan_item.updated", &view).await;
    Ok(Json(view))
}

/// Move an item to another place in its day; the others close up.
#[utoipa::path(post, path = "/api/plans/items/{id}/move", tag = "plans", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Plan item id")), request_body = MovePlanItem,
    responses((status = 200, body = DailyPlanDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn move_item(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    Json(body): Json<MovePlanItem>,
) -> ApiResult<Json<DailyPlanDetail>> {
    let item = store::move_item(&state.db, user.id, id, body.position).await?;
    let day = store::get_daily(&state.db, user.id, item.daily_plan_id).await?;
    let detail = daily_detail(&state, user.id, day).await?;
    events::publish(&state, user.id, "daily_plan.updated", &detail).await;
    Ok(Json(detail))
}

/// Delete an item; the ones after it move up.
#[utoipa::path(delete, path = "/api/plans/items/{id}", tag = "plans", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Plan item id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_item(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    store::delete_item(&state.db, user.id, id).await?;
    events::publish(&state, user.id, "plan_item.deleted", &json!({ "id": id })).await;
    Ok(StatusCode::NO_CONTENT)
}
