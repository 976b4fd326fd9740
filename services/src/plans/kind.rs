//! What weekly and daily plans share, written once and keyed by kind: reading one
//! with its children, a page of them, deleting one, and announcing a change as
//! `<kind>.created` / `<kind>.updated` / `<kind>.deleted` (`weekly_plan.*`,
//! `daily_plan.*`).

use std::future::Future;

use chrono::NaiveDate;
use maigie_domain::EventKind;
use maigie_store::PgConnection;
use maigie_store::plans::{
    self as store, DailyPlanRow, DateRange, PlanKind, PlanRow, WeeklyPlanRow,
};
use serde::Serialize;
use uuid::Uuid;

use super::views::views;
use super::{DailyPlanDetail, DailyPlanPage, DailyPlanView, WeeklyPlanDetail, WeeklyPlanPage};
use super::{PageParams, WeeklyPlanView};
use crate::error::{ServiceError, ServiceResult};
use crate::live::Deleted;
use crate::pagination::{self, paginate};
use crate::{Ctx, Services, Work};

/// What happened to a plan, for its live event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Created,
    Updated,
    Deleted,
}

/// The live event of a change to a plan of `kind`.
fn event(kind: PlanKind, change: Change) -> EventKind {
    match (kind, change) {
        (PlanKind::Weekly, Change::Created) => EventKind::WeeklyPlanCreated,
        (PlanKind::Weekly, Change::Updated) => EventKind::WeeklyPlanUpdated,
        (PlanKind::Weekly, Change::Deleted) => EventKind::WeeklyPlanDeleted,
        (PlanKind::Daily, Change::Created) => EventKind::DailyPlanCreated,
        (PlanKind::Daily, Change::Updated) => EventKind::DailyPlanUpdated,
        (PlanKind::Daily, Change::Deleted) => EventKind::DailyPlanDeleted,
    }
}

/// A kind of plan as the use-cases answer it, implemented by its detail (the plan
/// with its children).
pub trait Plan: Serialize + Sized + Send {
    /// The stored row, which knows its kind (table, date column, name).
    type Row: PlanRow;
    /// The plan alone, as a list shows it.
    type View: TryFrom<Self::Row, Error = ServiceError>;
    /// A page of views.
    type Page;

    /// The plan with its children, read on `conn`.
    fn read(
        conn: &mut PgConnection,
        user_id: Uuid,
        row: Self::Row,
    ) -> impl Future<Output = ServiceResult<Self>> + Send;

    /// Wraps a page of views.
    fn page(items: Vec<Self::View>, next_cursor: Option<String>) -> Self::Page;
}

impl Plan for WeeklyPlanDetail {
    type Row = WeeklyPlanRow;
    type View = WeeklyPlanView;
    type Page = WeeklyPlanPage;

    async fn read(
        conn: &mut PgConnection,
        user_id: Uuid,
        row: WeeklyPlanRow,
    ) -> ServiceResult<Self> {
        let days = store::days_of_week(&mut *conn, user_id, row.id).await?;
        Ok(Self {
            plan: row.try_into()?,
            daily_plans: views(days)?,
        })
    }

    fn page(items: Vec<WeeklyPlanView>, next_cursor: Option<String>) -> WeeklyPlanPage {
        WeeklyPlanPage { items, next_cursor }
    }
}

impl Plan for DailyPlanDetail {
    type Row = DailyPlanRow;
    type View = DailyPlanView;
    type Page = DailyPlanPage;

    async fn read(
        conn: &mut PgConnection,
        user_id: Uuid,
        row: DailyPlanRow,
    ) -> ServiceResult<Self> {
        let items = store::items_of(&mut *conn, user_id, row.id).await?;
        Ok(Self {
            plan: row.try_into()?,
            items: views(items)?,
        })
    }

    fn page(items: Vec<DailyPlanView>, next_cursor: Option<String>) -> DailyPlanPage {
        DailyPlanPage { items, next_cursor }
    }
}

/// One of the caller's plans with its children: a week with its days
/// (`get::<WeeklyPlanDetail>`), a day with its items (`get::<DailyPlanDetail>`).
pub async fn get<P: Plan>(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<P> {
    let mut conn = svc.snapshot().await?;
    let row = store::get::<P::Row>(&mut *conn, ctx.user_id, id).await?;
    P::read(&mut conn, ctx.user_id, row).await
}

/// Deletes one of the caller's plans (a week's days stay, unlinked; a day's items go
/// with it) and announces `<kind>.deleted`.
pub async fn delete(svc: &Services, ctx: &Ctx, kind: PlanKind, id: Uuid) -> ServiceResult<()> {
    let mut work = svc.begin().await?;
    store::delete(work.conn(), kind, ctx.user_id, id).await?;
    work.announce(ctx.user_id, event(kind, Change::Deleted), &Deleted { id });
    work.commit(svc).await
}

/// A page of the caller's plans, latest date first, optionally within `range`.
pub(crate) async fn list<P: Plan>(
    svc: &Services,
    ctx: &Ctx,
    range: DateRange,
    page: PageParams,
) -> ServiceResult<P::Page> {
    let limit = pagination::limit(page.limit)?;
    let after = page
        .cursor
        .as_deref()
        .map(pagination::decode::<(NaiveDate, Uuid)>)
        .transpose()?;
    let rows = store::list::<P::Row>(&svc.db, ctx.user_id, range, after, limit + 1).await?;
    let (rows, next_cursor) = paginate(rows, limit, PlanRow::key);
    Ok(P::page(views(rows)?, next_cursor))
}

/// Ends a write that changed a plan: reads it with its children in the same
/// transaction, announces `<kind>.<verb>` with that detail, commits.
pub(crate) async fn finish<P: Plan>(
    svc: &Services,
    ctx: &Ctx,
    mut work: Work,
    row: P::Row,
    change: Change,
) -> ServiceResult<P> {
    let detail = P::read(work.conn(), ctx.user_id, row).await?;
    work.announce(
        ctx.user_id,
        event(<P::Row as PlanRow>::KIND, change),
        &detail,
    );
    work.commit(svc).await?;
    Ok(detail)
}
