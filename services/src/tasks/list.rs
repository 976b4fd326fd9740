//! Reading tasks: one by id, or a filtered, searched, sorted page.

use chrono::{DateTime, Utc};
use maigie_domain::tasks::{SortOrder, StatusFilter, TaskSort};
use maigie_domain::{Priority, Validation};
use maigie_store::tasks::{SortKey, TaskFilter};
use maigie_store::{goals, tasks};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::TaskView;
use crate::error::{ServiceError, ServiceResult};
use crate::input::{parse_enum, parse_query};
use crate::{Ctx, Services, pagination};

/// One task of the caller's.
pub async fn get(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<TaskView> {
    TaskView::try_from(tasks::get(&svc.db, ctx.user_id, id).await?)
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskListParams {
    /// pending, completed or all (default).
    #[param(value_type = Option<maigie_domain::tasks::StatusFilter>)]
    pub status: Option<String>,
    #[param(value_type = Option<maigie_domain::Priority>)]
    pub priority: Option<String>,
    pub tag: Option<String>,
    pub goal_id: Option<Uuid>,
    /// Due strictly before this instant (all-day dues count from their day's start).
    pub due_before: Option<DateTime<Utc>>,
    pub due_after: Option<DateTime<Utc>>,
    /// Only pending tasks whose due has passed.
    pub overdue: Option<bool>,
    /// Full-text search in title, description and tags (web-search syntax).
    pub search: Option<String>,
    /// created (default), due, priority or title.
    #[param(value_type = Option<maigie_domain::tasks::TaskSort>)]
    pub sort: Option<String>,
    /// asc or desc (default desc for created and priority, asc for due and title).
    #[param(value_type = Option<maigie_domain::tasks::SortOrder>)]
    pub order: Option<String>,
    pub cursor: Option<String>,
    /// 1–200 (default 50).
    pub limit: Option<i64>,
}

/// A page of tasks.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskPage {
    pub items: Vec<TaskView>,
    /// Pass as `cursor` (with the same filters and sort) for the next page.
    pub next_cursor: Option<String>,
}

/// The checked options of a list.
struct Options {
    status: StatusFilter,
    sort: TaskSort,
    order: SortOrder,
    priority: Option<String>,
}

fn options(p: &TaskListParams) -> ServiceResult<Options> {
    let mut v = Validation::new();
    let status: StatusFilter =
        parse_query(&mut v, "status", p.status.as_deref()).unwrap_or(StatusFilter::All);
    let sort: TaskSort = parse_query(&mut v, "sort", p.sort.as_deref()).unwrap_or_default();
    let default_order = if matches!(sort, TaskSort::Due | TaskSort::Title) {
        SortOrder::Asc
    } else {
        SortOrder::Desc
    };
    let order: SortOrder =
        parse_query(&mut v, "order", p.order.as_deref()).unwrap_or(default_order);
    let priority = p.priority.as_deref().and_then(|r| {
        parse_enum(&mut v, "priority", Some(r)).map(|x: Priority| x.as_str().to_owned())
    });
    if p.search.as_deref().is_some_and(|s| s.chars().count() > 200) {
        v.push("search", "too_long", "must be at most 200 characters");
    }
    for (field, bound) in [("due_before", p.due_before), ("due_after", p.due_after)] {
        if bound.is_some_and(|b| !(1970..=2200).contains(&chrono::Datelike::year(&b))) {
            v.push(field, "out_of_range", "must be between 1970 and 2200");
        }
    }
    v.finish()?;
    Ok(Options {
        status,
        sort,
        order,
        priority,
    })
}

/// A page of the caller's tasks; `goal` (from a path) restricts it to that goal's,
/// and another user's goal is not found.
pub async fn list(
    svc: &Services,
    ctx: &Ctx,
    p: TaskListParams,
    goal: Option<Uuid>,
) -> ServiceResult<TaskPage> {
    if let Some(goal) = goal {
        goals::get(&svc.db, ctx.user_id, goal).await?;
    }
    let Options {
        status,
        sort,
        order,
        priority,
    } = options(&p)?;
    let limit = pagination::limit(p.limit)?;
    let after = p
        .cursor
        .as_deref()
        .map(pagination::decode::<(String, Uuid, TaskSort, SortOrder)>)
        .transpose()?;
    if after
        .as_ref()
        .is_some_and(|(k, _, s, o)| (*s, *o) != (sort, order) || !sort_key_is_valid(sort, k))
    {
        return Err(ServiceError::bad_request(
            "invalid_cursor",
            "The cursor belongs to another sort order.",
        ));
    }
    let tz = svc.zone_for(ctx).await?.name();
    let filter = TaskFilter {
        completed: match status {
            StatusFilter::Pending => Some(false),
            StatusFilter::Completed => Some(true),
            StatusFilter::All => None,
        },
        priority,
        tag: p.tag,
        goal_id: goal.or(p.goal_id),
        due_before: p.due_before,
        due_after: p.due_after,
        overdue: p.overdue.unwrap_or(false),
        search: p.search.filter(|s| !s.trim().is_empty()),
    };
    let key = match sort {
        TaskSort::Created => SortKey::Created,
        TaskSort::Due => SortKey::Due,
        TaskSort::Priority => SortKey::Priority,
        TaskSort::Title => SortKey::Title,
    };
    let rows = tasks::list(
        &svc.db,
        ctx.user_id,
        tz,
        &filter,
        key,
        order == SortOrder::Asc,
        after.map(|(k, id, _, _)| (k, id)),
        limit + 1,
    )
    .await?;
    let (rows, next_cursor) = pagination::paginate(rows, limit, |r| {
        (r.sort_key.clone(), r.task.id, sort, order)
    });
    let items = rows
        .into_iter()
        .map(|r| TaskView::try_from(r.task))
        .collect::<ServiceResult<_>>()?;
    Ok(TaskPage { items, next_cursor })
}

/// Whether a cursor's sort key has the form the database gave it (a cursor is client
/// input: a forged one must be a 400, not a failed cast).
fn sort_key_is_valid(sort: TaskSort, key: &str) -> bool {
    match sort {
        TaskSort::Created | TaskSort::Due => {
            matches!(key, "infinity" | "-infinity")
                || DateTime::parse_from_str(key, "%Y-%m-%d %H:%M:%S%.f%#z")
                    .is_ok_and(|d| (1970..=2200).contains(&chrono::Datelike::year(&d)))
        }
        TaskSort::Priority => key.parse::<i32>().is_ok_and(|r| (1..=4).contains(&r)),
        TaskSort::Title => true,
    }
}
