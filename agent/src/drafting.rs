//! The `schedule_generation` workflow's activities: gather the planner's input from
//! the user's data, plan (deterministic: `now` is the draft's creation time), explain
//! (the model's tokens recorded as `schedule_generation` usage; the draft itself was
//! counted against the AI allowance when it was requested).

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use maigie_domain::planner::{self, Availability, Busy, Plan, PlanInput, WorkItem, WorkKind};
use maigie_llm::{ChatRequest, Completion, Message};
use maigie_store::agent::UsageRecord;
use maigie_store::drafts::{self, DraftRow};
use maigie_workflows::schedule_generation::{DraftInput, PlanSummary};
use serde_json::{Value, json};

use maigie_domain::EventKind;
use maigie_services::schedule::DraftOptions;
use maigie_services::schedule::drafts::{DraftReady, GenerationProgress};

use crate::Agent;
use crate::turn::TurnError;

fn priority(p: &str) -> u8 {
    match p {
        "urgent" => 3,
        "high" => 2,
        "low" => 0,
        _ => 1,
    }
}

/// The end of a local day (the next local midnight) as an instant.
fn end_of(day: NaiveDate, tz: Tz) -> Option<DateTime<Utc>> {
    let next = day.succ_opt()?.and_time(NaiveTime::MIN);
    tz.from_local_datetime(&next)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// `preferences.study_hours`: `[{"weekday": "mon", "start": "18:00", "end": "21:00"}]`;
/// entries that do not parse are ignored (none: the planner's default hours).
fn study_hours(preferences: &Value) -> Vec<Availability> {
    let time = |v: &Value| NaiveTime::parse_from_str(v.as_str()?, "%H:%M").ok();
    preferences["study_hours"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some(Availability {
                weekday: e["weekday"].as_str()?.parse::<Weekday>().ok()?,
                start: time(&e["start"])?,
                end: time(&e["end"])?,
            })
        })
        .collect()
}

async fn input_of(agent: &Agent, draft: &DraftRow, tz: Tz) -> Result<PlanInput, TurnError> {
    let db = &agent.db;
    let options: DraftOptions = serde_json::from_value(draft.options.clone()).unwrap_or_default();
    let (from, to) = (draft.window_from, draft.window_to);
    let mut work = Vec::new();
    for t in drafts::due_tasks(db, draft.user_id, draft.created_at, to).await? {
        let deadline = t.due_at.or_else(|| t.due_date.and_then(|d| end_of(d, tz)));
        work.push(WorkItem {
            id: t.id,
            kind: WorkKind::Task,
            title: t.title,
            minutes: options.task_minutes.unwrap_or(60),
            deadline,
            priority: priority(&t.priority),
        });
    }
    for topic in drafts::open_topics(db, draft.user_id).await? {
        // Whole hours are rounded to minutes; a topic asks for at most 10 h per draft.
        let minutes = (f64::from(topic.estimated_hours) * 60.0)
            .round()
            .clamp(15.0, 600.0) as u32;
        let deadline = topic.target_date.and_then(|d| end_of(d, tz));
        let title = format!("{}: {}", topic.course_title, topic.title);
        work.push(WorkItem {
            id: topic.id,
            kind: WorkKind::CourseTopic,
            title,
            minutes,
            deadline,
            priority: 1,
        });
    }
    let goal_minutes = options.goal_minutes.unwrap_or(60);
    if goal_minutes > 0 {
        for g in drafts::active_goals(db, draft.user_id).await? {
            let deadline = g.target_date.and_then(|d| end_of(d, tz));
            work.push(WorkItem {
                id: g.id,
                kind: WorkKind::Goal,
                title: g.title,
                minutes: goal_minutes,
                deadline,
                priority: priority(&g.priority),
            });
        }
    }
    let mut tx = db
        .begin()
        .await
        .map_err(|e| TurnError::Transient(e.to_string()))?;
    let expanded = maigie_services::schedule::window(&mut tx, draft.user_id, from, to, None)
        .await
        .map_err(|e| TurnError::Transient(e.to_string()))?;
    drop(tx);
    let busy = expanded
        .occurrences
        .iter()
        .map(|o| Busy {
            start: o.start,
            end: o.end,
        })
        .collect();
    let preferences = maigie_store::users::find_by_id(db, draft.user_id)
        .await?
        .map(|u| u.preferences)
        .unwrap_or(Value::Null);
    Ok(PlanInput {
        from,
        to,
        now: draft.created_at,
        tz,
        availability: study_hours(&preferences),
        busy,
        work,
        options: options.planner(),
    })
}

fn summary(plan: &Plan) -> PlanSummary {
    PlanSummary {
        blocks: u32::try_from(plan.blocks.len()).unwrap_or(u32::MAX),
        unplaced: u32::try_from(plan.unplaced.len()).unwrap_or(u32::MAX),
        minutes: plan.total_minutes,
    }
}

/// `schedule.plan`: plans once per draft.
pub async fn plan(agent: &Agent, input: &DraftInput) -> Result<PlanSummary, TurnError> {
    let draft = drafts::get(&agent.db, input.user_id, input.draft_id).await?;
    if let Some(stored) = draft
        .plan
        .as_ref()
        .and_then(|p| serde_json::from_value::<Plan>(p.clone()).ok())
    {
        return Ok(summary(&stored));
    }
    let tz = agent.zone_of(input.user_id).await;
    let plan = planner::plan(&input_of(agent, &draft, tz).await?);
    let json = serde_json::to_value(&plan).map_err(|e| TurnError::Permanent(e.to_string()))?;
    drafts::set_plan(&agent.db, draft.id, &json).await?;
    let s = summary(&plan);
    agent
        .publish(
            input.user_id,
            EventKind::ScheduleGenerationProgress,
            &GenerationProgress {
                draft_id: draft.id,
                stage: "planned".to_owned(),
                blocks: s.blocks,
                unplaced: s.unplaced,
            },
        )
        .await;
    Ok(s)
}

/// The offline explanation: what was placed, what did not fit and why.
#[must_use]
pub fn explain_offline(plan: &Plan, tz: Tz) -> String {
    let hours = f64::from(plan.total_minutes) / 60.0;
    let mut text = if plan.blocks.is_empty() {
        "I found no free time for study in that window.".to_owned()
    } else {
        let first = plan.blocks[0]
            .start
            .with_timezone(&tz)
            .format("%a %-d %b %H:%M");
        format!(
            "I placed {} study block(s), {hours:.1} h in all, starting {first}, earliest deadlines first.",
            plan.blocks.len()
        )
    };
    for u in plan.unplaced.iter().take(5) {
        let why = match u.reason {
            planner::UnplacedReason::DeadlinePassed => "its deadline has passed",
            planner::UnplacedReason::NoTimeBeforeDeadline => {
                "there is not enough free time before its deadline"
            }
            planner::UnplacedReason::NoTimeInWindow => "the window is full",
        };
        text.push_str(&format!(
            " “{}” is {} min short: {why}.",
            u.title, u.minutes_missing
        ));
    }
    text
}

/// Records the explanation's tokens (kind `schedule_generation`, once per draft: a
/// retried activity finds them recorded). Best effort, like a chat turn's.
async fn record_usage(agent: &Agent, draft: &DraftRow, c: &Completion) {
    let request_id = format!("{}:explain", draft.workflow_id);
    let record = UsageRecord {
        user_id: draft.user_id,
        conversation_id: None,
        provider: &c.provider,
        model: &c.model,
        kind: "schedule_generation",
        prompt_tokens: i32::try_from(c.usage.prompt_tokens).unwrap_or(i32::MAX),
        completion_tokens: i32::try_from(c.usage.completion_tokens).unwrap_or(i32::MAX),
        request_id: &request_id,
    };
    if let Err(err) = maigie_store::agent::record_usage(&agent.db, &record).await {
        tracing::warn!(error = %err, "could not record the schedule explanation's token usage");
    }
}

/// `schedule.explain`: the model's explanation (the offline one when none answers).
pub async fn explain(agent: &Agent, input: &DraftInput) -> Result<(), TurnError> {
    let draft = drafts::get(&agent.db, input.user_id, input.draft_id).await?;
    if draft.status != "generating" {
        return Ok(());
    }
    let plan: Plan = draft
        .plan
        .as_ref()
        .and_then(|p| serde_json::from_value(p.clone()).ok())
        .ok_or_else(|| TurnError::Transient("the draft has no plan yet".into()))?;
    let tz = agent.zone_of(input.user_id).await;
    let offline = explain_offline(&plan, tz);
    let mut text = offline.clone();
    if !agent.llm.is_empty() {
        let request = ChatRequest {
            messages: vec![
                Message::system(
                    "Explain this study schedule to the student in at most three short sentences. Mention deadlines that cannot be met.",
                ),
                Message::user(format!("{offline}\n\nBlocks: {}", json!(plan.blocks))),
            ],
            max_tokens: Some(200),
            ..ChatRequest::default()
        };
        match agent.llm.complete(&request, &mut |_| {}).await {
            Ok(c) => {
                record_usage(agent, &draft, &c).await;
                if !c.content.trim().is_empty() {
                    text = c.content;
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, "no model explained the schedule; using the offline text")
            }
        }
    }
    drafts::set_ready(&agent.db, draft.id, &text).await?;
    agent
        .publish(
            input.user_id,
            EventKind::ScheduleDraftReady,
            &DraftReady {
                draft_id: draft.id,
                blocks: u32::try_from(plan.blocks.len()).unwrap_or(u32::MAX),
            },
        )
        .await;
    Ok(())
}
