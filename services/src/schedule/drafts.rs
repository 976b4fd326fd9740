//! Schedule generation: a `schedule_generation` workflow plans study blocks into free
//! time (a draft); the user reads the draft, then accepts it — creating the blocks,
//! with their reminders, through [`super::create`] — or discards it.

use chrono::{DateTime, Duration, Utc};
use maigie_domain::planner::{Plan, PlanOptions};
use maigie_store::drafts::{self, DraftRow};
use maigie_workflows::schedule_generation::{self, DraftInput};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::input::{CreateBlock, OverlapParams};
use crate::error::{ServiceError, ServiceResult};
use crate::{Ctx, Replace, Services};

/// How far ahead a draft may look.
pub const MAX_WINDOW: Duration = Duration::days(31);

/// What a client may set in `options` of `POST /api/schedule/generate`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftOptions {
    pub max_block_minutes: Option<u32>,
    pub min_block_minutes: Option<u32>,
    pub break_minutes: Option<u32>,
    pub max_daily_minutes: Option<u32>,
    /// Time given to each due task (default 60).
    pub task_minutes: Option<u32>,
    /// Time given to each active goal in the window (default 60).
    pub goal_minutes: Option<u32>,
    /// Reminder of the accepted blocks, minutes before (default 10; `null` in JSON = 10).
    pub reminder_minutes: Option<i32>,
}

impl DraftOptions {
    /// The ranges a client may ask for: `(field, value, min, max)` of what is out.
    #[must_use]
    pub fn out_of_range(&self) -> Vec<(&'static str, u32, u32)> {
        let checks = [
            ("max_block_minutes", self.max_block_minutes, 15, 480),
            ("min_block_minutes", self.min_block_minutes, 5, 240),
            ("break_minutes", self.break_minutes, 0, 120),
            ("max_daily_minutes", self.max_daily_minutes, 15, 960),
            ("task_minutes", self.task_minutes, 5, 1440),
            ("goal_minutes", self.goal_minutes, 0, 1440),
        ];
        let mut out: Vec<(&'static str, u32, u32)> = checks
            .into_iter()
            .filter(|(_, v, lo, hi)| v.is_some_and(|v| v < *lo || v > *hi))
            .map(|(f, _, lo, hi)| (f, lo, hi))
            .collect();
        if self
            .reminder_minutes
            .is_some_and(|m| !(0..=10_080).contains(&m))
        {
            out.push(("reminder_minutes", 0, 10_080));
        }
        out
    }

    /// The planner's options: the client's, with defaults filled in.
    #[must_use]
    pub fn planner(&self) -> PlanOptions {
        let d = PlanOptions::default();
        PlanOptions {
            max_block_minutes: self.max_block_minutes.unwrap_or(d.max_block_minutes),
            min_block_minutes: self.min_block_minutes.unwrap_or(d.min_block_minutes),
            break_minutes: self.break_minutes.unwrap_or(d.break_minutes),
            max_daily_minutes: self.max_daily_minutes.unwrap_or(d.max_daily_minutes),
            slot_granularity_minutes: d.slot_granularity_minutes,
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
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

/// `schedule.generation_progress`: a stage of a draft's generation is done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GenerationProgress {
    pub draft_id: Uuid,
    /// The stage just finished: `planned` (the blocks are placed; the explanation
    /// follows).
    #[schema(example = "planned")]
    pub stage: String,
    /// Study blocks placed.
    pub blocks: u32,
    /// Work items that did not fit.
    pub unplaced: u32,
}

/// `schedule.draft_ready`: the draft can be read (`GET /api/schedule/drafts/{id}`)
/// and accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DraftReady {
    pub draft_id: Uuid,
    /// Study blocks it would add.
    pub blocks: u32,
}

/// A draft schedule and how it changes the current one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DraftView {
    pub id: Uuid,
    /// generating, ready, accepted, discarded or failed.
    #[schema(value_type = crate::schema_enums::DraftStatus)]
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

fn options(raw: Option<Value>) -> ServiceResult<DraftOptions> {
    let options: DraftOptions = match raw {
        None | Some(Value::Null) => DraftOptions::default(),
        Some(v) => serde_json::from_value(v)
            .map_err(|e| ServiceError::invalid_field("options", "invalid", e.to_string()))?,
    };
    if let Some((field, lo, hi)) = options.out_of_range().first() {
        return Err(ServiceError::invalid_field(
            &format!("options.{field}"),
            "out_of_range",
            format!("must be between {lo} and {hi}"),
        ));
    }
    Ok(options)
}

/// Drafts a study schedule for a window (follow it on the WebSocket or poll it); it
/// counts as one AI message of the month's allowance (429 `ai_quota_exceeded` past it).
pub async fn generate(
    svc: &Services,
    ctx: &Ctx,
    body: GenerateSchedule,
) -> ServiceResult<DraftView> {
    if body.to <= body.from || body.to - body.from > MAX_WINDOW {
        return Err(ServiceError::invalid_field(
            "to",
            "out_of_range",
            "must be after from, at most 31 days later",
        ));
    }
    if body.to <= Utc::now() {
        return Err(ServiceError::invalid_field(
            "to",
            "in_the_past",
            "the window is over",
        ));
    }
    let options = options(body.options)?;
    let id = Uuid::new_v4();
    let workflow_id = schedule_generation::draft_workflow_id(id);
    let stored = serde_json::to_value(&options).map_err(ServiceError::internal)?;
    let mut work = svc.begin().await?;
    // One unit of the month's AI allowance (the model explains the draft), counted
    // with the draft and its workflow start: a refusal writes nothing.
    crate::chat::send::count(svc, &mut work, ctx.user_id).await?;
    let draft = drafts::create(
        work.conn(),
        id,
        ctx.user_id,
        &workflow_id,
        (body.from, body.to),
        &stored,
    )
    .await?;
    let input = DraftInput {
        draft_id: id,
        user_id: ctx.user_id,
    };
    work.start_workflow(
        Some(ctx.user_id),
        schedule_generation::WORKFLOW_NAME,
        &workflow_id,
        &input,
        Replace::Never,
    )
    .await?;
    work.commit(svc).await?;
    Ok(draft.into())
}

/// A draft and the blocks it would add.
pub async fn get_draft(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<DraftView> {
    Ok(drafts::get(&svc.db, ctx.user_id, id).await?.into())
}

/// The block a planned one becomes.
fn block_body(block: &maigie_domain::planner::PlannedBlock, reminder: i32) -> CreateBlock {
    use maigie_domain::planner::WorkKind;
    CreateBlock {
        title: block.title.chars().take(200).collect(),
        description: Some("Planned by Maigie".into()),
        start_at: block.start.to_rfc3339(),
        end_at: block.end.to_rfc3339(),
        timezone: None,
        block_type: Some(
            if block.kind == WorkKind::Task {
                "task"
            } else {
                "study"
            }
            .into(),
        ),
        course_id: None,
        goal_id: (block.kind == WorkKind::Goal).then_some(block.item_id),
        task_id: (block.kind == WorkKind::Task).then_some(block.item_id),
        rrule: None,
        reminder_minutes: Some(reminder),
    }
}

/// Accepts a ready draft: its blocks are created (all or none; `draft_conflicts`
/// when the schedule changed so that one would now overlap — generate again).
pub async fn accept_draft(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<DraftView> {
    let draft = drafts::get(&svc.db, ctx.user_id, id).await?;
    let options: DraftOptions = serde_json::from_value(draft.options.clone()).unwrap_or_default();
    let plan: Option<Plan> = draft
        .plan
        .clone()
        .and_then(|p| serde_json::from_value(p).ok());
    let (Some(plan), true) = (
        plan,
        drafts::transition(&svc.db, id, "ready", "accepted", &[]).await?,
    ) else {
        return Err(ServiceError::conflict(
            "draft_not_ready",
            format!("The draft is {}, not ready.", draft.status),
        ));
    };
    let mut created = Vec::new();
    let reminder = options.reminder_minutes.unwrap_or(10);
    for block in &plan.blocks {
        let body = block_body(block, reminder);
        match super::create(svc, ctx, body, &OverlapParams::default()).await {
            Ok(view) => created.push(view.id),
            Err(err) => {
                for block_id in &created {
                    let _ = super::delete(svc, ctx, *block_id).await;
                }
                drafts::transition(&svc.db, id, "accepted", "ready", &[]).await?;
                return Err(match err {
                    ServiceError::ConflictWith { .. } => ServiceError::conflict(
                        "draft_conflicts",
                        "Your schedule changed since the draft was made; generate a new one.",
                    ),
                    other => other,
                });
            }
        }
    }
    drafts::transition(&svc.db, id, "accepted", "accepted", &created).await?;
    get_draft(svc, ctx, id).await
}

/// Discards a draft.
pub async fn discard_draft(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<DraftView> {
    let draft = drafts::get(&svc.db, ctx.user_id, id).await?;
    let discarded = drafts::transition(&svc.db, id, "ready", "discarded", &[]).await?
        || drafts::transition(&svc.db, id, "generating", "discarded", &[]).await?;
    if !discarded {
        return Err(ServiceError::conflict(
            "draft_not_ready",
            format!("The draft is {}.", draft.status),
        ));
    }
    get_draft(svc, ctx, id).await
}
