//! Schedule generation: `POST /api/schedule/generate` starts a `schedule_generation`
//! workflow that plans study blocks into free time (a draft); the user reads the draft
//! (`GET /api/schedule/drafts/{id}`), then accepts it — creating the blocks, with their
//! reminders, through the same path as `POST /api/schedule` — or discards it.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use maigie_domain::planner::Plan;
use maigie_store::drafts::{self, DraftRow};
use maigie_workflows::schedule_generation::{self, DraftInput, ScheduleGenerationWorkflow};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use temporalio_client::{WorkflowIdReusePolicy, WorkflowStartOptions};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::agent::drafting::{DraftOptions, MAX_WINDOW};
use crate::auth::extractor::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::http::extract::{Json, Path};
use crate::state::AppState;
use maigie_services::ServiceError;
use maigie_services::schedule::{self, CreateBlock, OverlapParams};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateSchedule {
    /// RFC 3339; the window's start (past time is skipped).
    pub from: DateTime<Utc>,
    /// RFC 3339; at most 31 days after `from`.
    pub to: DateTime<Utc>,
    /// max_block_minutes (15–480, default 90), min_block_minutes (5–240, 25),
    /// break_minutes (0–120, 15), max_daily_minutes (15–960, 240), task_minutes (60),
    /// goal_minutes (60), reminder_minutes (10).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub options: Option<Value>,
}

/// A draft schedule and how it changes the current one.
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftView {
    pub id: Uuid,
    /// generating, ready, accepted, discarded or failed.
    pub status: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The Temporal workflow generating it.
    pub workflow_id: String,
    pub explanation: Option<String>,
    /// The blocks it adds (existing blocks are never moved): `{item_id, kind, title, start, end}`.
    #[schema(value_type = Vec<Object>)]
    pub add: Value,
    /// Work that did not fit: `{item_id, title, minutes_missing, reason}`.
    #[schema(value_type = Vec<Object>)]
    pub unplaced: Value,
    pub total_minutes: u32,
    /// The blocks created on acceptance.
    pub created_blocks: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<DraftRow> for DraftView {
    fn from(d: DraftRow) -> Self {
        let plan: Option<Plan> = d.plan.and_then(|p| serde_json::from_value(p).ok());
        Self {
            id: d.id,
            status: d.status,
            from: d.window_from,
            to: d.window_to,
            workflow_id: d.workflow_id,
            explanation: d.explanation,
            add: plan
                .as_ref()
                .map_or(Value::Array(Vec::new()), |p| serde_json::json!(p.blocks)),
            unplaced: plan
                .as_ref()
                .map_or(Value::Array(Vec::new()), |p| serde_json::json!(p.unplaced)),
            total_minutes: plan.as_ref().map_or(0, |p| p.total_minutes),
            created_blocks: d.created_blocks,
            created_at: d.created_at,
        }
    }
}

fn options(raw: Option<Value>) -> ApiResult<DraftOptions> {
    let options: DraftOptions = match raw {
        None | Some(Value::Null) => DraftOptions::default(),
        Some(v) => serde_json::from_value(v)
            .map_err(|e| ApiError::invalid_field("options", "invalid", e.to_string()))?,
    };
    if let Some((field, lo, hi)) = options.out_of_range().first() {
        return Err(ApiError::invalid_field(
            &format!("options.{field}"),
            "out_of_range",
            format!("must be between {lo} and {hi}"),
        ));
    }
    Ok(options)
}

/// Draft a study schedule for a window (202: follow it on the WebSocket or poll it).
#[utoipa::path(post, path = "/api/schedule/generate", tag = "schedule", security(("bearer" = [])),
    request_body = GenerateSchedule,
    responses((status = 202, body = DraftView), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn generate(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<GenerateSchedule>,
) -> ApiResult<(StatusCode, Json<DraftView>)> {
    if body.to <= body.from || body.to - body.from > MAX_WINDOW {
        return Err(ApiError::invalid_field(
            "to",
            "out_of_range",
            "must be after from, at most 31 days later",
        ));
    }
    if body.to <= Utc::now() {
        return Err(ApiError::invalid_field(
            "to",
            "in_the_past",
            "the window is over",
        ));
    }
    let options = options(body.options)?;
    let id = Uuid::new_v4();
    let workflow_id = schedule_generation::draft_workflow_id(id);
    let stored = serde_json::to_value(&options).map_err(ApiError::internal)?;
    let draft = drafts::create(
        &state.db,
        id,
        user.id,
        &workflow_id,
        (body.from, body.to),
        &stored,
    )
    .await?;
    let start = WorkflowStartOptions::new(&state.settings.temporal_task_queue, &workflow_id)
        .id_reuse_policy(WorkflowIdReusePolicy::RejectDuplicate)
        .build();
    let input = DraftInput {
        draft_id: id,
        user_id: user.id,
    };
    if let Err(err) = state
        .temporal
        .start_workflow(ScheduleGenerationWorkflow::run, input, start)
        .await
    {
        tracing::warn!(draft_id = %id, error = %err, "could not start schedule generation");
        let _ = drafts::transition(&state.db, id, "generating", "failed", &[]).await;
        return Err(ApiError::Unavailable(
            "Schedule generation is unavailable right now.".into(),
        ));
    }
    Ok((StatusCode::ACCEPTED, Json(draft.into())))
}

/// A draft and the blocks it would add.
#[utoipa::path(get, path = "/api/schedule/drafts/{id}", tag = "schedule", security(("bearer" = [])),
    responses((status = 200, body = DraftView), (status = 404, body = ErrorBody)))]
pub async fn get_draft(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<DraftView>> {
    Ok(Json(drafts::get(&state.db, user.id, id).await?.into()))
}

/// Accept a ready draft: its blocks are created (all or none; 409 `draft_conflicts`
/// when the schedule changed so that one would now overlap — generate again).
#[utoipa::path(post, path = "/api/schedule/drafts/{id}/accept", tag = "schedule", security(("bearer" = [])),
    responses((status = 200, body = DraftView), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`draft_not_ready`, `draft_conflicts`")))]
pub async fn accept_draft(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<DraftView>> {
    let draft = drafts::get(&state.db, user.id, id).await?;
    let options: DraftOptions = serde_json::from_value(draft.options.clone()).unwrap_or_default();
    let plan: Option<Plan> = draft
        .plan
        .clone()
        .and_then(|p| serde_json::from_value(p).ok());
    let (Some(plan), true) = (
        plan,
        drafts::transition(&state.db, id, "ready", "accepted", &[]).await?,
    ) else {
        return Err(ApiError::conflict(
            "draft_not_ready",
            format!("The draft is {}, not ready.", draft.status),
        ));
    };
    let mut created = Vec::new();
    for block in &plan.blocks {
        let body = CreateBlock {
            title: block.title.chars().take(200).collect(),
            description: Some("Planned by Maigie".into()),
            start_at: block.start.to_rfc3339(),
            end_at: block.end.to_rfc3339(),
            timezone: None,
            block_type: Some(
                if block.kind == maigie_domain::planner::WorkKind::Task {
                    "task"
                } else {
                    "study"
                }
                .into(),
            ),
            course_id: None,
            goal_id: (block.kind == maigie_domain::planner::WorkKind::Goal)
                .then_some(block.item_id),
            task_id: (block.kind == maigie_domain::planner::WorkKind::Task)
                .then_some(block.item_id),
            rrule: None,
            reminder_minutes: Some(options.reminder_minutes.unwrap_or(10)),
        };
        let ctx = user.ctx();
        match schedule::create(&state.services, &ctx, body, &OverlapParams::default()).await {
            Ok(view) => created.push(view.id),
            Err(err) => {
                for block_id in &created {
                    let _ = schedule::delete(&state.services, &ctx, *block_id).await;
                }
                drafts::transition(&state.db, id, "accepted", "ready", &[]).await?;
                return Err(match err {
                    ServiceError::ConflictWith { .. } => ApiError::conflict(
                        "draft_conflicts",
                        "Your schedule changed since the draft was made; generate a new one.",
                    ),
                    other => other.into(),
                });
            }
        }
    }
    drafts::transition(&state.db, id, "accepted", "accepted", &created).await?;
    Ok(Json(drafts::get(&state.db, user.id, id).await?.into()))
}

/// Discard a draft.
#[utoipa::path(post, path = "/api/schedule/drafts/{id}/discard", tag = "schedule", security(("bearer" = [])),
    responses((status = 200, body = DraftView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn discard_draft(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<DraftView>> {
    let draft = drafts::get(&state.db, user.id, id).await?;
    let discarded = drafts::transition(&state.db, id, "ready", "discarded", &[]).await?
        || drafts::transition(&state.db, id, "generating", "discarded", &[]).await?;
    if !discarded {
        return Err(ApiError::conflict(
            "draft_not_ready",
            format!("The draft is {}.", draft.status),
        ));
    }
    Ok(Json(drafts::get(&state.db, user.id, id).await?.into()))
}
