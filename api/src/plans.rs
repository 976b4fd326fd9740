//! `/api/plans`: weekly plans → daily plans → plan items. The rules live in
//! [`maigie_services::plans`]; these handlers extract, call and answer.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use maigie_services::plans::{self, PlanKind};
pub use maigie_services::plans::{
    CreateDailyPlan, CreatePlanItem, CreateWeeklyPlan, DailyListParams, DailyPlanDetail,
    DailyPlanPage, DailyPlanView, MovePlanItem, PageParams, PlanItemView, ReorderPlanItems,
    UpdateDailyPlan, UpdatePlanItem, UpdateWeeklyPlan, WeeklyPlanDetail, WeeklyPlanPage,
    WeeklyPlanView,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::extractor::AuthUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::extract::{Json, Path, Query};
use crate::state::AppState;

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
// Weekly plans
// ---------------------------------------------------------------------------------

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
    let detail = plans::create_weekly(&state.services, &user.ctx(), body).await?;
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
    Ok(Json(
        plans::list_weekly(&state.services, &user.ctx(), p).await?,
    ))
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
    Ok(Json(plans::get(&state.services, &user.ctx(), id).await?))
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
    Ok(Json(
        plans::update_weekly(&state.services, &user.ctx(), id, body).await?,
    ))
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
    plans::delete(&state.services, &user.ctx(), PlanKind::Weekly, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------
// Daily plans
// ---------------------------------------------------------------------------------

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
    let detail = plans::create_daily(&state.services, &user.ctx(), body).await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

/// List daily plans, latest date first.
#[utoipa::path(get, path = "/api/plans/daily", tag = "plans", security(("bearer" = [])), params(DailyListParams),
    responses((status = 200, body = DailyPlanPage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_daily(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<DailyListParams>,
) -> ApiResult<Json<DailyPlanPage>> {
    Ok(Json(
        plans::list_daily(&state.services, &user.ctx(), p).await?,
    ))
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
    Ok(Json(
        plans::daily_by_date(&state.services, &user.ctx(), date).await?,
    ))
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
    Ok(Json(plans::get(&state.services, &user.ctx(), id).await?))
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
    Ok(Json(
        plans::update_daily(&state.services, &user.ctx(), id, body).await?,
    ))
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
    plans::delete(&state.services, &user.ctx(), PlanKind::Daily, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------
// Plan items
// ---------------------------------------------------------------------------------

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
    let view = plans::create_item(&state.services, &user.ctx(), id, body).await?;
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
    Ok(Json(
        plans::reorder_items(&state.services, &user.ctx(), id, body).await?,
    ))
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
        plans::get_item(&state.services, &user.ctx(), id).await?,
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
    Ok(Json(
        plans::update_item(&state.services, &user.ctx(), id, body).await?,
    ))
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
    Ok(Json(
        plans::move_item(&state.services, &user.ctx(), id, body).await?,
    ))
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
    plans::delete_item(&state.services, &user.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
