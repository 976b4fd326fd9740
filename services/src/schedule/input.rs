//! Request bodies for schedule blocks, and their parsing into stored fields plus the
//! block's timing ([`Series`]).

use chrono::{DateTime, Utc};
use maigie_domain::planning::optional_text;
use maigie_domain::schedule::{BlockType, Rule, Series, reminder_minutes};
use maigie_domain::{Timezone, Title, Validation};
use maigie_store::schedule::BlockFields;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{ServiceError, ServiceResult};
use crate::input::nullable;

const DESCRIPTION_MAX: usize = 10_000;

/// A new schedule block.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Calculus", "start_at": "2026-03-02T09:00:00Z",
    "end_at": "2026-03-02T10:30:00Z", "timezone": "Europe/London",
    "rrule": "FREQ=WEEKLY;BYDAY=MO,WE", "reminder_minutes": 10}))]
pub struct CreateBlock {
    /// 1–200 characters.
    pub title: String,
    pub description: Option<String>,
    /// RFC 3339; the first occurrence.
    pub start_at: String,
    /// RFC 3339; after `start_at`.
    pub end_at: String,
    /// IANA zone the rule is expanded in; default: the user's time zone.
    pub timezone: Option<String>,
    /// study, class, task, break, exercise, personal, work or other (default study).
    #[schema(value_type = Option<maigie_domain::schedule::BlockType>)]
    pub block_type: Option<String>,
    pub course_id: Option<Uuid>,
    pub goal_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    /// RFC 5545 RRULE value, e.g. `FREQ=WEEKLY;BYDAY=MO`; `start_at` must be its first
    /// occurrence.
    pub rrule: Option<String>,
    /// 0–10080.
    pub reminder_minutes: Option<i32>,
}

/// Changes to a block; absent fields stay, `null` clears where allowed. Changing
/// `start_at`, `end_at`, `timezone` or `rrule` drops the per-occurrence exceptions.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBlock {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub start_at: Option<String>,
    pub end_at: Option<String>,
    pub timezone: Option<String>,
    #[schema(value_type = Option<maigie_domain::schedule::BlockType>)]
    pub block_type: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub course_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub goal_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub task_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub rrule: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>)]
    pub reminder_minutes: Option<Option<i32>>,
    /// Completion of a one-off block (recurring blocks complete per occurrence).
    pub completed: Option<bool>,
}

/// `?allow_overlap=true` saves despite overlapping blocks.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OverlapParams {
    pub allow_overlap: Option<bool>,
}

/// An RFC 3339 instant from a string field, as a field error when malformed or
/// outside 1970–2200 (expanding and publishing a series costs work per year).
pub fn instant(v: &mut Validation, field: &str, raw: &str) -> Option<DateTime<Utc>> {
    match DateTime::parse_from_rfc3339(raw.trim()) {
        Ok(t) if !(1970..=2200).contains(&chrono::Datelike::year(&t)) => {
            v.push(field, "out_of_range", "must be between 1970 and 2200");
            None
        }
        Ok(t) => Some(t.with_timezone(&Utc)),
        Err(_) => {
            v.push(
                field,
                "invalid_datetime",
                "must be an RFC 3339 date-time such as 2026-03-02T09:00:00Z",
            );
            None
        }
    }
}

/// Parsed fields ready to store, and the timing they describe.
pub struct Parsed {
    pub fields: BlockFields,
    pub series: Series,
}

impl CreateBlock {
    /// Checks the block and its timing; the zone defaults to the user's.
    pub fn parse(self, user_timezone: &str) -> ServiceResult<Parsed> {
        let mut v = Validation::new();
        let title = v.check("title", Title::parse(&self.title));
        let description = v.check(
            "description",
            optional_text(self.description.as_deref(), DESCRIPTION_MAX),
        );
        let start = instant(&mut v, "start_at", &self.start_at);
        let end = instant(&mut v, "end_at", &self.end_at);
        let tz = v.check(
            "timezone",
            Timezone::parse(self.timezone.as_deref().unwrap_or(user_timezone)),
        );
        let block_type = v.check(
            "block_type",
            self.block_type
                .as_deref()
                .unwrap_or("study")
                .parse::<BlockType>(),
        );
        let reminder = self
            .reminder_minutes
            .map(|m| v.check("reminder_minutes", reminder_minutes(m)));
        let (Some(title), Some(description), Some(start), Some(end), Some(tz), Some(block_type)) =
            (title, description, start, end, tz, block_type)
        else {
            return Err(finish_err(v));
        };
        let fields = BlockFields {
            title: title.into_string(),
            description,
            start_at: start,
            end_at: end,
            timezone: tz.name().to_owned(),
            block_type: block_type.as_str().to_owned(),
            course_id: self.course_id,
            goal_id: self.goal_id,
            task_id: self.task_id,
            recurrence_rule: self.rrule,
            recurrence_end_at: None,
            reminder_minutes: reminder.flatten(),
            completed_at: None,
        };
        timing(v, fields)
    }
}

impl UpdateBlock {
    /// Merges the changes into `current`.
    pub fn apply(self, mut f: BlockFields, now: DateTime<Utc>) -> ServiceResult<Parsed> {
        let mut v = Validation::new();
        if let Some(raw) = &self.title
            && let Some(t) = v.check("title", Title::parse(raw))
        {
            f.title = t.into_string();
        }
        if let Some(raw) = self.description
            && let Some(d) = v.check(
                "description",
                optional_text(raw.as_deref(), DESCRIPTION_MAX),
            )
        {
            f.description = d;
        }
        if let Some(raw) = &self.start_at {
            f.start_at = instant(&mut v, "start_at", raw).unwrap_or(f.start_at);
        }
        if let Some(raw) = &self.end_at {
            f.end_at = instant(&mut v, "end_at", raw).unwrap_or(f.end_at);
        }
        if let Some(raw) = &self.timezone
            && let Some(tz) = v.check("timezone", Timezone::parse(raw))
        {
            f.timezone = tz.name().to_owned();
        }
        if let Some(raw) = &self.block_type
            && let Some(t) = v.check("block_type", raw.parse::<BlockType>())
        {
            f.block_type = t.as_str().to_owned();
        }
        if let Some(id) = self.course_id {
            f.course_id = id;
        }
        if let Some(id) = self.goal_id {
            f.goal_id = id;
        }
        if let Some(id) = self.task_id {
            f.task_id = id;
        }
        if let Some(rule) = self.rrule {
            f.recurrence_rule = rule;
        }
        if let Some(m) = self.reminder_minutes {
            f.reminder_minutes = match m {
                Some(m) => v.check("reminder_minutes", reminder_minutes(m)),
                None => None,
            };
        }
        if let Some(done) = self.completed {
            if f.recurrence_rule.is_some() {
                v.push(
                    "completed",
                    "recurring",
                    "a recurring block is completed per occurrence: \
                     POST /api/schedule/{id}/occurrences/{occurrence_start}/complete",
                );
            }
            f.completed_at = done.then(|| f.completed_at.unwrap_or(now));
        }
        timing(v, f)
    }
}

fn finish_err(v: Validation) -> ServiceError {
    match v.finish() {
        Err(fields) => ServiceError::Invalid(fields),
        Ok(()) => ServiceError::invalid_field("body", "invalid", "The block is invalid."),
    }
}

/// Parses the rule in the block's zone, checks the timing, and fills in the
/// canonical rule text and the series' end.
fn timing(mut v: Validation, mut f: BlockFields) -> ServiceResult<Parsed> {
    let tz = Timezone::parse(&f.timezone)
        .map_err(ServiceError::internal)?
        .tz();
    let rule = match f.recurrence_rule.as_deref() {
        Some(raw) => match v.check("rrule", Rule::parse(raw, tz)) {
            Some(rule) => Some(rule),
            None => return Err(finish_err(v)),
        },
        None => None,
    };
    v.finish()?;
    let series = Series::new(f.start_at, f.end_at, tz, rule).map_err(|(field, err)| {
        let mut v = Validation::new();
        v.check::<(), _>(field, Err(err));
        finish_err(v)
    })?;
    f.recurrence_rule = series.rule.as_ref().map(|r| r.as_str().to_owned());
    f.recurrence_end_at = series
        .last_end()
        .map_err(|e| ServiceError::invalid_field("rrule", "invalid_rrule", e.to_string()))?;
    Ok(Parsed { fields: f, series })
}
