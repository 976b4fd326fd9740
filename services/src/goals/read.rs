//! Reading goals: one by id, or a page (newest first) filtered by status.

use chrono::{DateTime, Utc};
use maigie_domain::Validation;
use maigie_store::goals;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::GoalView;
use super::input::status;
use crate::error::ServiceResult;
use crate::{Ctx, Services, pagination};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GoalListParams {
    /// NOT_STARTED, IN_PROGRESS, COMPLETED or ABANDONED.
    #[param(value_type = Option<maigie_domain::goals::GoalStatus>)]
    pub status: Option<String>,
    pub cursor: Option<String>,
    /// 1–200 (default 50).
    pub limit: Option<i64>,
}

/// A page of goals.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalPage {
    pub items: Vec<GoalView>,
    pub next_cursor: Option<String>,
}

/// One goal of the caller's.
pub async fn get(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<GoalView> {
    GoalView::try_from(goals::get(&svc.db, ctx.user_id, id).await?)
}

/// A page of the caller's goals, newest first.
pub async fn list(svc: &Services, ctx: &Ctx, p: GoalListParams) -> ServiceResult<GoalPage> {
    let mut v = Validation::new();
    let status = status(&mut v, p.status.as_deref());
    v.finish()?;
    let limit = pagination::limit(p.limit)?;
    let after = p
        .cursor
        .as_deref()
        .map(pagination::decode::<(DateTime<Utc>, Uuid)>)
        .transpose()?;
    let rows = goals::list(&svc.db, ctx.user_id, status.as_deref(), after, limit + 1).await?;
    let (rows, next_cursor) = pagination::paginate(rows, limit, |r| (r.created_at, r.id));
    let items = rows
        .into_iter()
        .map(GoalView::try_from)
        .collect::<ServiceResult<_>>()?;
    Ok(GoalPage { items, next_cursor })
}
