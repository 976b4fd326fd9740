//! Daily analytics: computing one user's day from their data, storing it
//! idempotently (one row per user and day, replaced on re-computation), and reading
//! it back.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use maigie_domain::analytics::{STREAK_LOOKBACK_DAYS, STUDY_BLOCK_TYPES, day_bounds, streak};
use serde::Serialize;
use sqlx::{PgExecutor, PgPool};
use uuid::Uuid;

use crate::StoreError;

/// One user's day, computed.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct DayMetrics {
    /// Minutes of completed study/class/task blocks starting that day (at most 1440).
    pub study_minutes: i32,
    pub tasks_completed: i32,
    pub topics_completed: i32,
    pub goals_completed: i32,
    /// Mean progress of the goals still open when computed; `None` without any.
    pub goals_progress: Option<f32>,
    /// Chat messages the user sent.
    pub ai_messages: i32,
    /// Prompt + completion tokens used.
    pub ai_tokens: i64,
    #[sqlx(default)]
    pub streak_days: i32,
}

/// A stored day.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct DailyRow {
    pub day: NaiveDate,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub metrics: DayMetrics,
    pub computed_at: DateTime<Utc>,
}

/// Computes `day` (a calendar date in `tz`) for the user from their data.
pub async fn compute_day(
    db: &PgPool,
    user_id: Uuid,
    tz: Tz,
    day: NaiveDate,
) -> Result<DayMetrics, StoreError> {
    let (start, end) = day_bounds(tz, day);
    let mut metrics: DayMetrics = sqlx::query_as(
        "SELECT
           LEAST(1440, COALESCE((
             SELECT sum(extract(epoch FROM end_at - start_at))::bigint / 60
               FROM schedule_blocks
              WHERE user_id = $1 AND recurrence_rule IS NULL AND completed_at IS NOT NULL
                AND block_type = ANY($4) AND start_at >= $2 AND start_at < $3), 0)
           + COALESCE((
             SELECT sum(extract(epoch FROM
                      COALESCE(e.override_end_at, e.occurrence_start + (b.end_at - b.start_at))
                    - COALESCE(e.override_start_at, e.occurrence_start)))::bigint / 60
               FROM schedule_block_exceptions e
               JOIN schedule_blocks b ON b.id = e.block_id AND b.user_id = e.user_id
              WHERE e.user_id = $1 AND e.completed_at IS NOT NULL AND NOT e.cancelled
                AND b.block_type = ANY($4)
                AND COALESCE(e.override_start_at, e.occurrence_start) >= $2
                AND COALESCE(e.override_start_at, e.occurrence_start) < $3), 0))::int
             AS study_minutes,
           (SELECT count(*) FROM tasks
             WHERE user_id = $1 AND completed_at >= $2 AND completed_at < $3)::int
             AS tasks_completed,
           (SELECT count(*) FROM topics
             WHERE user_id = $1 AND completed_at >= $2 AND completed_at < $3)::int
             AS topics_completed,
           (SELECT count(*) FROM goals
             WHERE user_id = $1 AND completed_at >= $2 AND completed_at < $3)::int
             AS goals_completed,
           (SELECT avg(progress)::real FROM goals
             WHERE user_id = $1 AND status IN ('NOT_STARTED', 'IN_PROGRESS'))
             AS goals_progress,
           (SELECT count(*) FROM chat_messages
             WHERE user_id = $1 AND role = 'user' AND created_at >= $2 AND created_at < $3)::int
             AS ai_messages,
           (SELECT COALESCE(sum(prompt_tokens + completion_tokens), 0) FROM token_usage
             WHERE user_id = $1 AND created_at >= $2 AND created_at < $3)::bigint
             AS ai_tokens",
    )
    .bind(user_id)
    .bind(start)
    .bind(end)
    .bind(&STUDY_BLOCK_TYPES[..])
    .fetch_one(db)
    .await?;
    let active = active_days(db, user_id, tz, day).await?;
    metrics.streak_days = streak(&active, day);
    Ok(metrics)
}

/// The local dates (in `tz`) with a completed task, topic or study block, from
/// [`STREAK_LOOKBACK_DAYS`] before `day` up to `day`.
async fn active_days(
    db: &PgPool,
    user_id: Uuid,
    tz: Tz,
    day: NaiveDate,
) -> Result<BTreeSet<NaiveDate>, StoreError> {
    let (_, end) = day_bounds(tz, day);
    let (since, _) = day_bounds(tz, day - Duration::days(STREAK_LOOKBACK_DAYS));
    let days: Vec<NaiveDate> = sqlx::query_scalar(
        "SELECT DISTINCT (at AT TIME ZONE $4)::date FROM (
             SELECT completed_at AS at FROM tasks
              WHERE user_id = $1 AND completed_at >= $2 AND completed_at < $3
             UNION ALL
             SELECT completed_at FROM topics
              WHERE user_id = $1 AND completed_at >= $2 AND completed_at < $3
             UNION ALL
             SELECT start_at FROM schedule_blocks
              WHERE user_id = $1 AND recurrence_rule IS NULL AND completed_at IS NOT NULL
                AND block_type = ANY($5) AND start_at >= $2 AND start_at < $3
             UNION ALL
             SELECT COALESCE(e.override_start_at, e.occurrence_start)
               FROM schedule_block_exceptions e
               JOIN schedule_blocks b ON b.id = e.block_id AND b.user_id = e.user_id
              WHERE e.user_id = $1 AND e.completed_at IS NOT NULL AND NOT e.cancelled
                AND b.block_type = ANY($5)
                AND COALESCE(e.override_start_at, e.occurrence_start) >= $2
                AND COALESCE(e.override_start_at, e.occurrence_start) < $3
         ) a",
    )
    .bind(user_id)
    .bind(since)
    .bind(end)
    .bind(tz.name())
    .bind(&STUDY_BLOCK_TYPES[..])
    .fetch_all(db)
    .await?;
    Ok(days.into_iter().collect())
}

/// The streak as it stands on `today`: through today if the user was active today,
/// else through yesterday (the streak is not broken before the day ends).
pub async fn current_streak(
    db: &PgPool,
    user_id: Uuid,
    tz: Tz,
    today: NaiveDate,
) -> Result<i32, StoreError> {
    let active = active_days(db, user_id, tz, today).await?;
    Ok(match streak(&active, today) {
        0 => streak(&active, today - Duration::days(1)),
        n => n,
    })
}

/// Stores a computed day, replacing an earlier computation of it.
pub async fn upsert_day(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    day: NaiveDate,
    m: &DayMetrics,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO daily_analytics (user_id, day, study_minutes, tasks_completed,
             topics_completed, streak_days, goals_progress, goals_completed, ai_messages,
             ai_tokens, computed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())
         ON CONFLICT ON CONSTRAINT daily_analytics_user_day_key DO UPDATE SET
             study_minutes = EXCLUDED.study_minutes, tasks_completed = EXCLUDED.tasks_completed,
             topics_completed = EXCLUDED.topics_completed, streak_days = EXCLUDED.streak_days,
             goals_progress = EXCLUDED.goals_progress, goals_completed = EXCLUDED.goals_completed,
             ai_messages = EXCLUDED.ai_messages, ai_tokens = EXCLUDED.ai_tokens,
             computed_at = now()",
    )
    .bind(user_id)
    .bind(day)
    .bind(m.study_minutes)
    .bind(m.tasks_completed)
    .bind(m.topics_completed)
    .bind(m.streak_days)
    .bind(m.goals_progress.map(|p| p.clamp(0.0, 1.0)))
    .bind(m.goals_completed)
    .bind(m.ai_messages)
    .bind(m.ai_tokens)
    .execute(db)
    .await?;
    Ok(())
}

/// The user's stored days in `[from, to]`, oldest first.
pub async fn days(
    db: &PgPool,
    user_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<DailyRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT day, study_minutes, tasks_completed, topics_completed, goals_completed,
                goals_progress, ai_messages, ai_tokens, streak_days, computed_at
           FROM daily_analytics WHERE user_id = $1 AND day BETWEEN $2 AND $3 ORDER BY day",
    )
    .bind(user_id)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await?)
}

/// The longest streak stored for the user.
pub async fn best_streak(db: &PgPool, user_id: Uuid) -> Result<i32, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT COALESCE(max(streak_days), 0) FROM daily_analytics WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_one(db)
    .await?)
}

/// Distinct time zones of the users.
pub async fn user_timezones(db: &PgPool) -> Result<Vec<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT DISTINCT timezone FROM users ORDER BY timezone")
            .fetch_all(db)
            .await?,
    )
}

/// A page of the ids of users in `timezone`, after `after`, by id.
pub async fn users_in_zone(
    db: &PgPool,
    timezone: &str,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Uuid>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM users WHERE timezone = $1 AND ($2::uuid IS NULL OR id > $2)
         ORDER BY id LIMIT $3",
    )
    .bind(timezone)
    .bind(after)
    .bind(limit)
    .fetch_all(db)
    .await?)
}
