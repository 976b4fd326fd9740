//! The writes that change item positions. Each first locks the day (its daily plan
//! row, `FOR UPDATE`) on the caller's connection, which must be inside a
//! transaction: the lock then holds until the caller commits, so concurrent changes
//! to one day queue up and positions stay `0..n` without gaps.

use maigie_domain::plans::{insert_position, is_permutation, move_position};
use sqlx::PgConnection;
use uuid::Uuid;

use super::items::{NewPlanItem, PlanItemRow, get_item, items_of};
use crate::StoreError;

/// Locks the user's daily plan for a position change and answers its item count.
async fn lock_day(
    conn: &mut PgConnection,
    user_id: Uuid,
    daily_plan_id: Uuid,
) -> Result<i64, StoreError> {
    let locked: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM daily_plans WHERE id = $1 AND user_id = $2 FOR UPDATE")
            .bind(daily_plan_id)
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
    if locked.is_none() {
        return Err(StoreError::NotFound);
    }
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM plan_items WHERE daily_plan_id = $1")
            .bind(daily_plan_id)
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// Locks the day an item belongs to and answers (daily plan id, position, count).
async fn lock_item_day(
    conn: &mut PgConnection,
    user_id: Uuid,
    id: Uuid,
) -> Result<(Uuid, i32, i64), StoreError> {
    let day: Option<Uuid> =
        sqlx::query_scalar("SELECT daily_plan_id FROM plan_items WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
    let day = day.ok_or(StoreError::NotFound)?;
    let len = lock_day(conn, user_id, day).await?;
    // Read again under the lock: the item may have moved or gone meanwhile.
    let position: Option<i32> =
        sqlx::query_scalar("SELECT position FROM plan_items WHERE id = $1 AND daily_plan_id = $2")
            .bind(id)
            .bind(day)
            .fetch_optional(&mut *conn)
            .await?;
    Ok((day, position.ok_or(StoreError::NotFound)?, len))
}

/// Inserts an item at its position, shifting later ones down.
pub async fn create_item(
    conn: &mut PgConnection,
    user_id: Uuid,
    daily_plan_id: Uuid,
    new: &NewPlanItem,
) -> Result<PlanItemRow, StoreError> {
    let len = lock_day(conn, user_id, daily_plan_id).await?;
    let position = insert_position(new.position, len);
    sqlx::query(
        "UPDATE plan_items SET position = position + 1
         WHERE daily_plan_id = $1 AND position >= $2",
    )
    .bind(daily_plan_id)
    .bind(position)
    .execute(&mut *conn)
    .await?;
    let sql = concat!(
        "INSERT INTO plan_items
             (user_id, daily_plan_id, title, notes, status, priority, position, goal_id, task_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ",
        item_columns!()
    );
    Ok(sqlx::query_as(sql)
        .bind(user_id)
        .bind(daily_plan_id)
        .bind(&new.title)
        .bind(&new.notes)
        .bind(new.status)
        .bind(new.priority)
        .bind(position)
        .bind(new.goal_id)
        .bind(new.task_id)
        .fetch_one(&mut *conn)
        .await?)
}

/// Moves an item to `to` (clamped to the list), shifting the ones between.
pub async fn move_item(
    conn: &mut PgConnection,
    user_id: Uuid,
    id: Uuid,
    to: i32,
) -> Result<PlanItemRow, StoreError> {
    let (day, from, len) = lock_item_day(conn, user_id, id).await?;
    let to = move_position(to, len);
    if to != from {
        let (shift, lo, hi) = if to < from {
            (1, to, from - 1)
        } else {
            (-1, from + 1, to)
        };
        sqlx::query(
            "UPDATE plan_items SET position = position + $2
             WHERE daily_plan_id = $1 AND position BETWEEN $3 AND $4",
        )
        .bind(day)
        .bind(shift)
        .bind(lo)
        .bind(hi)
        .execute(&mut *conn)
        .await?;
        sqlx::query("UPDATE plan_items SET position = $2 WHERE id = $1")
            .bind(id)
            .bind(to)
            .execute(&mut *conn)
            .await?;
    }
    get_item(&mut *conn, user_id, id).await
}

/// Deletes an item and closes the gap it leaves.
pub async fn delete_item(
    conn: &mut PgConnection,
    user_id: Uuid,
    id: Uuid,
) -> Result<(), StoreError> {
    let (day, position, _) = lock_item_day(conn, user_id, id).await?;
    sqlx::query("DELETE FROM plan_items WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE plan_items SET position = position - 1
         WHERE daily_plan_id = $1 AND position > $2",
    )
    .bind(day)
    .bind(position)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The outcome of a full reorder.
#[derive(Debug)]
pub enum Reorder {
    /// The items in their new order.
    Done(Vec<PlanItemRow>),
    /// The ids given were not exactly the day's items (stale client, or foreign ids).
    Mismatch,
}

/// Puts a day's items in the order of `ids`, which must name each item once.
pub async fn reorder_items(
    conn: &mut PgConnection,
    user_id: Uuid,
    daily_plan_id: Uuid,
    ids: &[Uuid],
) -> Result<Reorder, StoreError> {
    lock_day(conn, user_id, daily_plan_id).await?;
    let current: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM plan_items WHERE daily_plan_id = $1")
            .bind(daily_plan_id)
            .fetch_all(&mut *conn)
            .await?;
    if !is_permutation(&current, ids) {
        return Ok(Reorder::Mismatch);
    }
    sqlx::query(
        "UPDATE plan_items p SET position = o.ord - 1
         FROM unnest($2::uuid[]) WITH ORDINALITY AS o(id, ord)
         WHERE p.id = o.id AND p.daily_plan_id = $1 AND p.position <> o.ord - 1",
    )
    .bind(daily_plan_id)
    .bind(ids)
    .execute(&mut *conn)
    .await?;
    Ok(Reorder::Done(
        items_of(&mut *conn, user_id, daily_plan_id).await?,
    ))
}
