//! The bodies and query parameters of the plan use-cases, checked whole (every bad
//! field at once) before anything is stored.

use chrono::NaiveDate;
use maigie_domain::planning::optional_text;
use maigie_domain::plans::{self as rules, PlanStatus};
use maigie_domain::{Tags, Validation};
use maigie_store::plans::{DailyChanges, DateRange, NewDailyPlan, NewWeeklyPlan, WeeklyChanges};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::ServiceResult;
use crate::input::{nullable, parse_enum};

/// The longest summary, in characters.
const SUMMARY_MAX: usize = 10_000;

fn check_date(v: &mut Validation, field: &str, date: NaiveDate) -> Option<NaiveDate> {
    v.check(field, rules::plan_date(date))
}

/// An optional summary of up to [`SUMMARY_MAX`] characters.
fn long_text(v: &mut Validation, field: &str, raw: Option<&str>) -> Option<String> {
    v.check(field, optional_text(raw, SUMMARY_MAX)).flatten()
}

/// Cursor pagination parameters.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// 1–200 (default 50).
    pub limit: Option<i64>,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DailyListParams {
    /// Only days on or after this date.
    pub from: Option<NaiveDate>,
    /// Only days on or before this date.
    pub to: Option<NaiveDate>,
    pub cursor: Option<String>,
    /// 1–200 (default 50).
    pub limit: Option<i64>,
}

impl DailyListParams {
    /// The checked date range, and the page asked for.
    pub(crate) fn parse(self) -> ServiceResult<(DateRange, PageParams)> {
        let mut v = Validation::new();
        let from = self.from.and_then(|d| check_date(&mut v, "from", d));
        let to = self.to.and_then(|d| check_date(&mut v, "to", d));
        v.finish()?;
        let page = PageParams {
            cursor: self.cursor,
            limit: self.limit,
        };
        Ok(((from, to), page))
    }
}

#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWeeklyPlan {
    /// A Monday; defaults to this week's Monday in your time zone.
    #[schema(example = "2026-03-02")]
    pub week_start: Option<NaiveDate>,
    /// Up to 20 tags of 1–50 characters.
    #[serde(default)]
    pub focus_areas: Vec<String>,
    /// Up to 10,000 characters.
    pub summary: Option<String>,
    /// draft (default), active or completed.
    #[schema(value_type = Option<maigie_domain::plans::PlanStatus>, example = "draft")]
    pub status: Option<String>,
}

impl CreateWeeklyPlan {
    /// The plan to store; `this_week` is the week used when the body names none.
    pub(crate) fn parse(self, this_week: Option<NaiveDate>) -> ServiceResult<NewWeeklyPlan> {
        let mut v = Validation::new();
        let week_start = match self.week_start {
            Some(d) => check_date(&mut v, "week_start", d)
                .and_then(|d| v.check("week_start", rules::week_start(d))),
            None => this_week,
        };
        let focus_areas = v.check("focus_areas", Tags::parse(&self.focus_areas));
        let summary = long_text(&mut v, "summary", self.summary.as_deref());
        let status =
            parse_enum(&mut v, "status", self.status.as_deref()).unwrap_or(PlanStatus::Draft);
        v.finish()?;
        Ok(NewWeeklyPlan {
            week_start: week_start.unwrap_or_default(),
            focus_areas: focus_areas.map(Tags::into_vec).unwrap_or_default(),
            summary,
            status: status.as_str(),
        })
    }
}

#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWeeklyPlan {
    pub focus_areas: Option<Vec<String>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub summary: Option<Option<String>>,
    #[schema(value_type = Option<maigie_domain::plans::PlanStatus>)]
    pub status: Option<String>,
}

impl UpdateWeeklyPlan {
    pub(crate) fn parse(self) -> ServiceResult<WeeklyChanges> {
        let mut v = Validation::new();
        let focus_areas = self
            .focus_areas
            .as_deref()
            .and_then(|t| v.check("focus_areas", Tags::parse(t)))
            .map(Tags::into_vec);
        let summary = self
            .summary
            .map(|s| long_text(&mut v, "summary", s.as_deref()));
        let status: Option<PlanStatus> = parse_enum(&mut v, "status", self.status.as_deref());
        v.finish()?;
        Ok(WeeklyChanges {
            focus_areas,
            summary,
            status: status.map(PlanStatus::as_str),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDailyPlan {
    #[schema(example = "2026-03-03")]
    pub plan_date: NaiveDate,
    /// One of your weekly plans whose week contains `plan_date`.
    pub weekly_plan_id: Option<Uuid>,
    pub summary: Option<String>,
    /// draft (default), active or completed.
    #[schema(value_type = Option<maigie_domain::plans::PlanStatus>)]
    pub status: Option<String>,
}

impl CreateDailyPlan {
    pub(crate) fn parse(self) -> ServiceResult<NewDailyPlan> {
        let mut v = Validation::new();
        let date = check_date(&mut v, "plan_date", self.plan_date);
        let summary = long_text(&mut v, "summary", self.summary.as_deref());
        let status =
            parse_enum(&mut v, "status", self.status.as_deref()).unwrap_or(PlanStatus::Draft);
        v.finish()?;
        Ok(NewDailyPlan {
            plan_date: date.unwrap_or(self.plan_date),
            weekly_plan_id: self.weekly_plan_id,
            summary,
            status: status.as_str(),
        })
    }
}

#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDailyPlan {
    /// `null` unlinks it from its week.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub weekly_plan_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub summary: Option<Option<String>>,
    #[schema(value_type = Option<maigie_domain::plans::PlanStatus>)]
    pub status: Option<String>,
}

impl UpdateDailyPlan {
    pub(crate) fn parse(self) -> ServiceResult<DailyChanges> {
        let mut v = Validation::new();
        let summary = self
            .summary
            .map(|s| long_text(&mut v, "summary", s.as_deref()));
        let status: Option<PlanStatus> = parse_enum(&mut v, "status", self.status.as_deref());
        v.finish()?;
        Ok(DailyChanges {
            weekly_plan_id: self.weekly_plan_id,
            summary,
            status: status.map(PlanStatus::as_str),
        })
    }
}
