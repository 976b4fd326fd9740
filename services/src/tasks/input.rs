//! The bodies that create and change a task, checked whole (every bad field at once)
//! and merged with the stored task before the rules see it.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use maigie_domain::planning::optional_text;
use maigie_domain::recurrence::{Recurrence, RecurrenceMode};
use maigie_domain::tasks::Due;
use maigie_domain::{Priority, Tags, Title, Validation};
use maigie_store::tasks::{TaskFields, TaskRow};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ServiceResult;
use crate::input::{nullable, parse_enum};

#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTask {
    /// 1–200 characters.
    #[schema(example = "Revise chapter 3")]
    pub title: String,
    pub description: Option<String>,
    /// low, medium (default), high or urgent.
    #[schema(value_type = Option<maigie_domain::Priority>)]
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
    #[schema(value_type = Option<maigie_domain::recurrence::RecurrenceMode>)]
    pub recurrence_mode: Option<String>,
    /// Remind this many minutes before `due_at` (0–10080); needs `due_at`.
    pub reminder_minutes: Option<i32>,
}

#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTask {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[schema(value_type = Option<maigie_domain::Priority>)]
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
    #[schema(value_type = Option<maigie_domain::recurrence::RecurrenceMode>)]
    pub recurrence_mode: Option<String>,
    /// `null` removes the reminder.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>)]
    pub reminder_minutes: Option<Option<i32>>,
    /// Completing a recurring task creates its next occurrence (once).
    pub completed: Option<bool>,
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
            f.recurrence_anchor = Some(due.local_anchor(tz));
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

fn text_enum<T>(v: &mut Validation, field: &str, raw: &str) -> String
where
    T: std::str::FromStr<Err = maigie_domain::InputError> + AsStr,
{
    parse_enum(v, field, Some(raw))
        .map(|x: T| x.as_str().to_owned())
        .unwrap_or_default()
}

/// Enums stored as their text.
trait AsStr {
    fn as_str(&self) -> &'static str;
}

impl AsStr for Priority {
    fn as_str(&self) -> &'static str {
        Priority::as_str(*self)
    }
}

impl AsStr for RecurrenceMode {
    fn as_str(&self) -> &'static str {
        RecurrenceMode::as_str(*self)
    }
}

impl CreateTask {
    pub(crate) fn parse(self, tz: Tz, goal_id: Option<Uuid>) -> ServiceResult<TaskFields> {
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
            priority: text_enum::<Priority>(
                &mut v,
                "priority",
                self.priority.as_deref().unwrap_or("medium"),
            ),
            tags: v
                .check("tags", Tags::parse(&self.tags))
                .map(Tags::into_vec)
                .unwrap_or_default(),
            due_at: self.due_at,
            due_date: self.due_date,
            recurrence_rule: parse_rule(&mut v, self.recurrence_rule.as_deref()).flatten(),
            recurrence_mode: text_enum::<RecurrenceMode>(
                &mut v,
                "recurrence_mode",
                self.recurrence_mode.as_deref().unwrap_or("from_due"),
            ),
            recurrence_anchor: None,
            reminder_minutes: self.reminder_minutes,
        };
        finish_fields(&mut v, &mut f, tz, true);
        v.finish()?;
        Ok(f)
    }
}

impl UpdateTask {
    /// Merges the patch into the stored task; answers the fields and the wanted
    /// completion, if the patch gives one.
    pub(crate) fn apply(self, row: &TaskRow, tz: Tz) -> ServiceResult<(TaskFields, Option<bool>)> {
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
            f.priority = text_enum::<Priority>(&mut v, "priority", p);
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
            f.recurrence_mode = text_enum::<RecurrenceMode>(&mut v, "recurrence_mode", m);
        }
        finish_fields(&mut v, &mut f, tz, due_changed || rule_changed);
        v.finish()?;
        Ok((f, self.completed))
    }
}
