//! The bodies that create and change a goal, checked whole (every bad field at once).

use chrono::NaiveDate;
use maigie_domain::goals::{GoalStatus, TimeHorizon};
use maigie_domain::planning::optional_text;
use maigie_domain::{Priority, Title, Validation};
use maigie_store::goals::GoalFields;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::ServiceResult;
use crate::input::{nullable, parse_enum};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGoal {
    /// 1–200 characters.
    #[schema(example = "Pass the calculus exam")]
    pub title: String,
    pub description: Option<String>,
    #[schema(value_type = Option<maigie_domain::Priority>, example = "high")]
    pub priority: Option<String>,
    #[schema(value_type = Option<maigie_domain::goals::GoalStatus>, example = "NOT_STARTED")]
    pub status: Option<String>,
    #[schema(value_type = Option<maigie_domain::goals::TimeHorizon>, example = "medium")]
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
    #[schema(value_type = Option<maigie_domain::Priority>)]
    pub priority: Option<String>,
    /// Moving to COMPLETED sets `completed_at`; leaving it clears it.
    #[schema(value_type = Option<maigie_domain::goals::GoalStatus>)]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<maigie_domain::goals::TimeHorizon>)]
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

fn priority(v: &mut Validation, raw: Option<&str>) -> Option<String> {
    parse_enum(v, "priority", raw).map(|x: Priority| x.as_str().to_owned())
}

/// A status, as stored; also used by the list filter.
pub(super) fn status(v: &mut Validation, raw: Option<&str>) -> Option<String> {
    parse_enum(v, "status", raw).map(|x: GoalStatus| x.as_str().to_owned())
}

fn time_horizon(v: &mut Validation, raw: Option<&str>) -> Option<String> {
    parse_enum(v, "time_horizon", raw).map(|x: TimeHorizon| x.as_str().to_owned())
}

impl CreateGoal {
    pub(crate) fn parse(self) -> ServiceResult<GoalFields> {
        let mut v = Validation::new();
        let title = v.check("title", Title::parse(&self.title));
        let description = v.check(
            "description",
            optional_text(self.description.as_deref(), 10_000),
        );
        let fields = GoalFields {
            title: title.map(Title::into_string),
            description,
            priority: priority(&mut v, self.priority.as_deref()),
            status: status(&mut v, self.status.as_deref()),
            time_horizon: Some(time_horizon(&mut v, self.time_horizon.as_deref())),
            target_date: Some(self.target_date),
            progress: check_progress(&mut v, self.progress),
        };
        target_date_in_range(&mut v, self.target_date);
        v.finish()?;
        Ok(fields)
    }
}

impl UpdateGoal {
    pub(crate) fn parse(self) -> ServiceResult<GoalFields> {
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
            Some(Some(h)) => time_horizon(&mut v, Some(&h)).map(Some),
            Some(None) => Some(None),
            None => None,
        };
        target_date_in_range(&mut v, self.target_date.flatten());
        let fields = GoalFields {
            title: title.map(Title::into_string),
            description,
            priority: priority(&mut v, self.priority.as_deref()),
            status: status(&mut v, self.status.as_deref()),
            time_horizon,
            target_date: self.target_date,
            progress: check_progress(&mut v, self.progress),
        };
        v.finish()?;
        Ok(fields)
    }
}
