//! What weekly and daily plans share: one statement each for reading, listing and
//! deleting a plan, on the kind's table and date column.

use chrono::NaiveDate;
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::StoreError;
use crate::rows::touched;

/// A kind of plan: a week's or a day's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlanKind {
    Weekly,
    Daily,
}

impl PlanKind {
    /// The entity's name (in live events and change sets): `weekly_plan`, `daily_plan`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Weekly => "weekly_plan",
            Self::Daily => "daily_plan",
        }
    }

    /// The table the plans are stored in.
    #[must_use]
    pub fn table(self) -> &'static str {
        match self {
            Self::Weekly => "weekly_plans",
            Self::Daily => "daily_plans",
        }
    }

    /// The date a plan is for (one plan per user and date), which orders the lists.
    #[must_use]
    pub fn date_column(self) -> &'static str {
        match self {
            Self::Weekly => "week_start",
            Self::Daily => "plan_date",
        }
    }

    /// The columns of the kind's row type.
    fn columns(self) -> &'static str {
        match self {
            Self::Weekly => weekly_columns!(),
            Self::Daily => daily_columns!(),
        }
    }
}

/// An optional `[from, to]` range of plan dates (either end open).
pub type DateRange = (Option<NaiveDate>, Option<NaiveDate>);

/// A stored plan of one kind.
pub trait PlanRow: for<'r> FromRow<'r, PgRow> + Send + Unpin {
    /// The kind this row is of.
    const KIND: PlanKind;

    /// The list order and cursor key: (date, id).
    fn key(&self) -> (NaiveDate, Uuid);
}

/// One of the user's plans; another user's is [`StoreError::NotFound`].
pub async fn get<R: PlanRow>(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
) -> Result<R, StoreError> {
    let kind = R::KIND;
    let sql = format!(
        "SELECT {} FROM {} WHERE id = $1 AND user_id = $2",
        kind.columns(),
        kind.table()
    );
    let row = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await?;
    row.ok_or(StoreError::NotFound)
}

/// The user's plans, latest date first, optionally within `[from, to]`, strictly
/// after `after` (date, id).
pub async fn list<R: PlanRow>(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    range: DateRange,
    after: Option<(NaiveDate, Uuid)>,
    limit: i64,
) -> Result<Vec<R>, StoreError> {
    let kind = R::KIND;
    let date = kind.date_column();
    let mut q = QueryBuilder::<Postgres>::new(format!(
        "SELECT {} FROM {} WHERE user_id = ",
        kind.columns(),
        kind.table()
    ));
    q.push_bind(user_id);
    if let Some(from) = range.0 {
        q.push(format_args!(" AND {date} >= ")).push_bind(from);
    }
    if let Some(to) = range.1 {
        q.push(format_args!(" AND {date} <= ")).push_bind(to);
    }
    if let Some((day, id)) = after {
        q.push(format_args!(" AND ({date}, id) < ("))
            .push_bind(day)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    q.push(format_args!(" ORDER BY {date} DESC, id DESC LIMIT "))
        .push_bind(limit);
    Ok(q.build_query_as().fetch_all(db).await?)
}

/// Deletes one of the user's plans: a week's daily plans stay, unlinked; a day's
/// items go with it.
pub async fn delete(
    db: impl PgExecutor<'_>,
    kind: PlanKind,
    user_id: Uuid,
    id: Uuid,
) -> Result<(), StoreError> {
    let sql = format!(
        "DELETE FROM {} WHERE id = $1 AND user_id = $2",
        kind.table()
    );
    let done = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(user_id)
        .execute(db)
        .await?;
    touched(&done)
}
