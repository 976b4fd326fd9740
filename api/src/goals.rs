//! `/api/goals`: goals, and their tasks at `/api/goals/{id}/tasks`.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use maigie_domain::goals::{GoalStatus, TimeHorizon, progress_from_tasks};
use maigie_domain::planning::optional_text;
use maigie_domain::{Priority, Title, Validation};
use maigie_store::goals::{self, GoalFields, GoalRow};
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
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_goals, create_goal))
        .routes(routes!(get_goal, update_goal, delete_goal))
}

/// A goal with its progress.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalView {
    pub id: Uuid,
    pub title: String,
    pub description: Option<String>,
    #[schema(value_type = String, example = "medium")]
    pub priority: Priority,
    #[schema(value_type = String, example = "IN_PROGRESS")]
    pub status: GoalStatus,
    #[schema(value_type = Option<String>, example = "short")]
    pub time_horizon: Option<TimeHorizon>,
    pub target_date: Option<NaiveDate>,
    /// 0–1: the share of completed tasks, or set by hand for a goal without tasks.
    pub progress: f32,
    pub task_count: i64,
    pub tasks_completed: i64,
    pub is_ai_generated: bool,
    pub completed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<GoalRow> for GoalView {
    type Error = ApiError;
    fn try_from(r: GoalRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: r.id,
            priority: r.priority.parse().map_err(ApiError::internal)?,
            status: r.status.parse().map_err(ApiError::internal)?,
            time_horizon: r
                .time_horizon
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(ApiError::internal)?,
            progress: progress_from_tasks(r.tasks_completed, r.task_count).unwrap_or(r.progress),
            title: r.title,
            description: r.description,
            target_date: r.target_date,
            task_count: r.task_count,
            tasks_completed: r.tasks_completed,
            is_ai_generated: r.is_ai_generated,
            completed_at: r.completed_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGoal {
    /// 1–200 characters.
    #[schema(example = "Pass the calculus exam")]
    pub title: String,
    pub description: Option<String>,
    #[schema(value_type = Option<String>, example = "high")]
    pub priority: Option<String>,
    #[schema(value_type = Option<String>, example = "NOT_STARTED")]
    pub status: Option<String>,
    #[schema(value_type = Option<String>, example = "medium")]
    pub time_horizon: Option<String>,
    pub target_date: Option<NaiveDate>,
    /// 0–1; only meaningful for a goal without tasks.
    pub progress: Option<f32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateGoal {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub priority: Option<String>,
    /// Moving to COMPLETED sets `completed_at`; leaving it clears it.
    pub status: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub time_horizon: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub target_date: Option<Option<NaiveDate>>,
    pub progress: Option<f32>,
}

fn check_progress(v: &mut Validation, progress: Option<f32>) -> Option<f32> {
    match progress {
        Some(p) if !(0.0..=1.0).contains(&p) => {
            v.push("progress", "out_of_range", "must be between 0 and 1");
            None
        }
        other => other,
    }
}

fn target_date_in_range(v: &mut Validation, date: Option<NaiveDate>) {
    if let Some(d) = date {
        let ok = NaiveDate::from_ymd_opt(1970, 1, 1).is_some_and(|min| d >= min)
            && NaiveDate::from_ymd_opt(2200, 12, 31).is_some_and(|max| d <= max);
        if !ok {
            v.push(
                "target_date",
                "out_of_range",
                "must be between 1970-01-01 and 2200-12-31",
            );
        }
    }
}

impl CreateGoal {
    fn parse(self) -> ApiResult<GoalFields> {
        let mut v = Validation::new();
        let title = v.check("title", Title::parse(&self.title));
        let description = v.check(
            "description",
            optional_text(self.description.as_deref(), 10_000),
        );
        let fields = GoalFields {
            title: title.map(Title::into_string),
            description,
            priority: parse_enum(&mut v, "priority", self.priority.as_deref())
                .map(|x: Priority| x.as_str().to_owned()),
            status: parse_enum(&mut v, "status", self.status.as_deref())
                .map(|x: GoalStatus| x.as_str().to_owned()),
            time_horizon: Some(
                parse_enum(&mut v, "time_horizon", self.time_horizon.as_deref())
                    .map(|x: TimeHorizon| x.as_str().to_owned()),
            ),
            target_date: Some(self.target_date),
            progress: check_progress(&mut v, self.progress),
        };
        target_date_in_range(&mut v, self.target_date);
        v.finish()?;
        Ok(fields)
    }
}

impl UpdateGoal {
    fn parse(self) -> ApiResult<GoalFields> {
        let mut v = Validation::new();
        let title = self
            .title
            .as_deref()
            .and_then(|t| v.check("title", Title::parse(t)));
        let description = match self.description {
            Some(d) => v.check("description", optional_text(d.as_deref(), 10_000)),
            None => None,
        };
        let time_horizon = match self.time_horizon {
            Some(Some(h)) => parse_enum(&mut v, "time_horizon", Some(&h))
                .map(|x: TimeHorizon| x.as_str().to_owned())
                .map(Some),
            Some(None) => Some(None),
            None => None,
        };
        target_date_in_range(&mut v, self.target_date.flatten());
        let fields = GoalFields {
            title: title.map(Title::into_string),
            description,
            priority: parse_enum(&mut v, "priority", self.priority.as_deref())
                .map(|x: Priority| x.as_str().to_owned()),
            status: parse_enum(&mut v, "status", self.status.as_deref())
                .map(|x: GoalStatus| x.as_str().to_owned()),
            time_horizon,
            target_date: self.target_date,
            progress: check_progress(&mut v, self.progress),
        };
        v.finish()?;
        Ok(fields)
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct GoalListParams {
    /// NOT_STARTED, IN_PROGRESS, COMPLETED or ABANDONED.
    pub status: Option<String>,
    pub cursor: Option<String>,
    /// 1–200 (default 50).
    pub limit: Option<i64>,
}

/// A page of goals.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalPage {
    pub items: Vec<GoalView>,
    pub next_cursor: Option<String>,
}

/// List goals, newest first.
#[utoipa::path(get, path = "/api/goals", tag = "goals", security(("bearer" = [])), params(GoalListParams),
    responses((status = 200, body = GoalPage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_goals(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<GoalListParams>,
) -> ApiResult<Json<GoalPage>> {
    let mut v = Validation::new();
    let status = parse_enum(&mut v, "status", p.status.as_deref())
        .map(|x: GoalStatus| x.as_str().to_owned());
    v.finish()?;
    let limit = pagination::limit(p.limit)?;
    let after = p
        .cursor
        .as_deref()
        .map(pagination::decode::<(DateTime<Utc>, Uuid)>)
        .transpose()?;
    let rows = goals::list(&state.db, user.id, status.as_deref(), after, limit + 1).await?;
    let (rows, next_cursor) = pagination::paginate(rows, limit, |r| (r.created_at, r.id));
    Ok(Json(GoalPage {
        items: pagination::views(rows)?,
        next_cursor,
    }))
}

/// Create a goal.
#[utoipa::path(post, path = "/api/goals", tag = "goals", security(("bearer" = [])), request_body = CreateGoal,
    responses((status = 201, body = GoalView),
        (status = 402, description = "`tier_limit_reached`: the plan's active-goal limit", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_goal(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<CreateGoal>,
) -> ApiResult<(StatusCode, Json<GoalView>)> {
    let fields = body.parse()?;
    let mut tx = state.db.begin().await.map_err(ApiError::internal)?;
    if fields.status.as_deref().is_none_or(is_active) {
        check_active_goals(&state, &mut tx, user.id, None).await?;
    }
    let row = goals::create(&mut *tx, user.id, &fields).await?;
    tx.commit().await.map_err(ApiError::internal)?;
    let view = GoalView::try_from(row)?;
    events::publish(&state, user.id, "goal.created", &view).await;
    Ok((StatusCode::CREATED, Json(view)))
}

fn is_active(status: &str) -> bool {
    matches!(status, "NOT_STARTED" | "IN_PROGRESS")
}

/// Refuses one more active goal beyond the tier's limit (402 `tier_limit_reached`).
/// The tier is read from the database, so an upgrade counts at once.
async fn check_active_goals(
    state: &AppState,
    tx: &mut maigie_store::Transaction<'_, maigie_store::Postgres>,
    user_id: Uuid,
    except: Option<Uuid>,
) -> ApiResult<()> {
    goals::lock_user_goals(tx, user_id).await?;
    let tier: maigie_domain::Tier = maigie_store::users::tier(&mut **tx, user_id)
        .await?
        .parse()
        .unwrap_or(maigie_domain::Tier::Free);
    let Some(allowed) = state.settings.limits.for_tier(tier).active_goals else {
        return Ok(());
    };
    let active = goals::count_active(&mut **tx, user_id, except).await?;
    if active >= i64::from(allowed) {
        return Err(ApiError::TierLimit {
            limit: "active_goals",
            allowed,
            tier: tier.as_str().to_owned(),
        });
    }
    Ok(())
}

/// One goal.
#[utoipa::path(get, path = "/api/goals/{id}", tag = "goals", security(("bearer" = [])),
    responses((status = 200, body = GoalView), (status = 404, body = ErrorBody)))]
pub async fn get_goal(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<GoalView>> {
    Ok(Json(GoalView::try_from(
        goals::get(&state.db, user.id, id).await?,
    )?))
}

/// Update a goal.
#[utoipa::path(patch, path = "/api/goals/{id}", tag = "goals", security(("bearer" = [])), request_body = UpdateGoal,
    responses((status = 200, body = GoalView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_goal(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    Json(body): Json<UpdateGoal>,
) -> ApiResult<Json<GoalView>> {
    let fields = body.parse()?;
    let mut tx = state.db.begin().await.map_err(ApiError::internal)?;
    if fields.status.as_deref().is_some_and(is_active) {
        let current = goals::get(&mut *tx, user.id, id).await?;
        if !is_active(&current.status) {
            check_active_goals(&state, &mut tx, user.id, Some(id)).await?;
        }
    }
    let row = goals::update(&mut *tx, user.id, id, &fields).await?;
    tx.commit().await.map_err(ApiError::internal)?;
    let view = GoalView::try_from(row)?;
    events::publish(&state, user.id, "goal.updated", &view).await;
    Ok(Json(view))
}

/// Delete a goal; its tasks stay, unlinked.
#[utoipa::path(delete, path = "/api/goals/{id}", tag = "goals", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_goal(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    goals::delete(&state.db, user.id, id).await?;
    events::publish(
        &state,
        user.id,
        "goal.deleted",
        &serde_json::json!({ "id": id }),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}
