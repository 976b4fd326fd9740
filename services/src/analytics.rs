//! The user's analytics: the days the `daily_analytics` workflow computed after each
//! local midnight (see `maigie_workflows::analytics`), and a summary with today
//! computed live.

use chrono::{Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use maigie_domain::analytics::{self as rules, local_day};
use maigie_domain::validation::ParseError;
use maigie_store::analytics::{self, DailyRow, DayMetrics};
use maigie_store::users;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{Ctx, ServiceError, ServiceResult, Services};

/// One day's figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayView {
    /// The calendar day in the user's time zone.
    #[schema(value_type = String, example = "2026-11-21")]
    pub day: NaiveDate,
    /// Minutes of completed study, class and task blocks that started that day.
    pub study_minutes: i32,
    pub tasks_completed: i32,
    pub topics_completed: i32,
    pub goals_completed: i32,
    /// Mean progress (0–1) of the open goals when computed; null without any.
    pub goals_progress: Option<f32>,
    /// Consecutive active days (a completed task, topic or study block) ending that day.
    pub streak_days: i32,
    /// Messages sent to the assistant.
    pub ai_messages: i32,
    pub ai_tokens: i64,
}

impl DayView {
    fn new(day: NaiveDate, m: &DayMetrics) -> Self {
        Self {
            day,
            study_minutes: m.study_minutes,
            tasks_completed: m.tasks_completed,
            topics_completed: m.topics_completed,
            goals_completed: m.goals_completed,
            goals_progress: m.goals_progress,
            streak_days: m.streak_days,
            ai_messages: m.ai_messages,
            ai_tokens: m.ai_tokens,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DailyParams {
    /// First day (YYYY-MM-DD); default 29 days before `to`.
    #[param(value_type = Option<String>)]
    pub from: Option<NaiveDate>,
    /// Last day, inclusive (YYYY-MM-DD); default yesterday in the user's zone.
    #[param(value_type = Option<String>)]
    pub to: Option<NaiveDate>,
}

/// Computed days in a range.
#[derive(Debug, Serialize, ToSchema)]
pub struct DailyPage {
    #[schema(value_type = String)]
    pub from: NaiveDate,
    #[schema(value_type = String)]
    pub to: NaiveDate,
    pub timezone: String,
    /// The days computed so far, oldest first (a day appears after its local midnight).
    pub items: Vec<DayView>,
}

async fn user_tz(svc: &Services, ctx: &Ctx) -> ServiceResult<(String, Tz)> {
    let name = users::timezone(&svc.db, ctx.user_id).await?;
    let tz = name.parse().unwrap_or(Tz::UTC);
    Ok((name, tz))
}

/// The user's computed days between `from` and `to` (at most 366 days).
pub async fn daily(svc: &Services, ctx: &Ctx, q: DailyParams) -> ServiceResult<DailyPage> {
    let (timezone, tz) = user_tz(svc, ctx).await?;
    let to =
        q.to.unwrap_or_else(|| local_day(Utc::now(), tz) - Duration::days(1));
    let from = q.from.unwrap_or(to - Duration::days(29));
    let (from, to) = rules::range(from, to)
        .map_err(|e| ServiceError::invalid_field("to", e.code(), e.to_string()))?;
    let items = analytics::days(&svc.db, ctx.user_id, from, to)
        .await?
        .iter()
        .map(|r: &DailyRow| DayView::new(r.day, &r.metrics))
        .collect();
    Ok(DailyPage {
        from,
        to,
        timezone,
        items,
    })
}

/// Sums over a span of days.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct Totals {
    pub days: i32,
    pub study_minutes: i64,
    pub tasks_completed: i64,
    pub topics_completed: i64,
    pub goals_completed: i64,
    /// Days with a completed task, topic or study block.
    pub active_days: i64,
    pub ai_messages: i64,
    pub ai_tokens: i64,
}

impl Totals {
    fn add(&mut self, m: &DayMetrics) {
        self.study_minutes += i64::from(m.study_minutes);
        self.tasks_completed += i64::from(m.tasks_completed);
        self.topics_completed += i64::from(m.topics_completed);
        self.goals_completed += i64::from(m.goals_completed);
        self.active_days += i64::from(m.streak_days > 0);
        self.ai_messages += i64::from(m.ai_messages);
        self.ai_tokens += m.ai_tokens;
    }
}

/// The summary: today live, the last 7 and 30 days, streaks.
#[derive(Debug, Serialize, ToSchema)]
pub struct Summary {
    pub timezone: String,
    /// Computed now.
    pub today: DayView,
    /// Today and the 6 days before.
    pub last_7_days: Totals,
    /// Today and the 29 days before.
    pub last_30_days: Totals,
    /// Active days in a row up to today (or yesterday, while today is not active yet).
    pub current_streak: i32,
    pub best_streak: i32,
}

/// Today's figures (live) and totals over the last 7 and 30 days.
pub async fn summary(svc: &Services, ctx: &Ctx) -> ServiceResult<Summary> {
    let (timezone, tz) = user_tz(svc, ctx).await?;
    let today = local_day(Utc::now(), tz);
    let live = analytics::compute_day(&svc.db, ctx.user_id, tz, today).await?;
    let past = analytics::days(
        &svc.db,
        ctx.user_id,
        today - Duration::days(29),
        today - Duration::days(1),
    )
    .await?;
    let mut week = Totals {
        days: 7,
        ..Totals::default()
    };
    let mut month = Totals {
        days: 30,
        ..Totals::default()
    };
    week.add(&live);
    month.add(&live);
    for row in &past {
        month.add(&row.metrics);
        if row.day > today - Duration::days(7) {
            week.add(&row.metrics);
        }
    }
    let current_streak = analytics::current_streak(&svc.db, ctx.user_id, tz, today).await?;
    let best_streak = analytics::best_streak(&svc.db, ctx.user_id)
        .await?
        .max(current_streak);
    Ok(Summary {
        timezone,
        today: DayView::new(today, &live),
        last_7_days: week,
        last_30_days: month,
        current_streak,
        best_streak,
    })
}
