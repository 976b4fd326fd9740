//! The bodies that create, change, move and reorder plan items.

use maigie_domain::Priority;
use maigie_domain::planning::optional_text;
use maigie_domain::plans::ItemStatus;
use maigie_domain::{Title, Validation};
use maigie_store::plans::{ItemChanges, NewPlanItem};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ServiceResult;
use crate::input::{nullable, parse_enum};

/// The longest item notes, in characters.
const NOTES_MAX: usize = 10_000;

#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePlanItem {
    /// 1–200 characters.
    #[schema(example = "Revise chapter 4")]
    pub title: String,
    /// Up to 10,000 characters.
    pub notes: Option<String>,
    /// todo (default), in_progress, done or skipped.
    #[schema(value_type = Option<maigie_domain::plans::ItemStatus>)]
    pub status: Option<String>,
    /// low, medium (default), high or urgent.
    #[schema(value_type = Option<maigie_domain::Priority>)]
    pub priority: Option<String>,
    /// 0-based place among the day's items; absent or past the end appends.
    pub position: Option<i32>,
    /// One of your goals.
    pub goal_id: Option<Uuid>,
    /// One of your tasks.
    pub task_id: Option<Uuid>,
}

impl CreatePlanItem {
    pub(crate) fn parse(self) -> ServiceResult<NewPlanItem> {
        let mut v = Validation::new();
        let title = v.check("title", Title::parse(&self.title));
        let notes = v.check("notes", optional_text(self.notes.as_deref(), NOTES_MAX));
        let status =
            parse_enum(&mut v, "status", self.status.as_deref()).unwrap_or(ItemStatus::Todo);
        let priority =
            parse_enum(&mut v, "priority", self.priority.as_deref()).unwrap_or(Priority::Medium);
        v.finish()?;
        Ok(NewPlanItem {
            title: title.map(Title::into_string).unwrap_or_default(),
            notes: notes.flatten(),
            status: status.as_str(),
            priority: priority.as_str(),
            position: self.position,
            goal_id: self.goal_id,
            task_id: self.task_id,
        })
    }
}

#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePlanItem {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    #[schema(value_type = Option<maigie_domain::plans::ItemStatus>)]
    pub status: Option<String>,
    #[schema(value_type = Option<maigie_domain::Priority>)]
    pub priority: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub goal_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub task_id: Option<Option<Uuid>>,
}

impl UpdatePlanItem {
    pub(crate) fn parse(self) -> ServiceResult<ItemChanges> {
        let mut v = Validation::new();
        let title = self
            .title
            .as_deref()
            .and_then(|t| v.check("title", Title::parse(t)))
            .map(Title::into_string);
        let notes = self.notes.map(|n| {
            v.check("notes", optional_text(n.as_deref(), NOTES_MAX))
                .flatten()
        });
        let status: Option<ItemStatus> = parse_enum(&mut v, "status", self.status.as_deref());
        let priority: Option<Priority> = parse_enum(&mut v, "priority", self.priority.as_deref());
        v.finish()?;
        Ok(ItemChanges {
            title,
            notes,
            status: status.map(ItemStatus::as_str),
            priority: priority.map(Priority::as_str),
            goal_id: self.goal_id,
            task_id: self.task_id,
        })
    }
}

#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MovePlanItem {
    /// 0-based target place; past the end means last.
    pub position: i32,
}

#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReorderPlanItems {
    /// Every item of the day, each once, in the new order.
    pub item_ids: Vec<Uuid>,
}
