//! Ordered lists: modules in a course, topics in a module. Positions stay dense
//! (`0..n-1`): new items go last, a move shifts the items in between, a delete
//! closes the gap. One algorithm for both lists.

use maigie_domain::courses::{Shift, move_target};
use sqlx::PgConnection;
use uuid::Uuid;

use super::TopicPath;
use super::completion::{lock_course, lock_module};
use crate::StoreError;

/// The result of a move request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveOutcome {
    Moved,
    /// The requested position is past the end of the list (or negative).
    OutOfRange {
        max: i64,
    },
}

/// An item in one of the ordered lists.
#[derive(Debug, Clone, Copy)]
pub enum Slot {
    /// A module in its course.
    Module { course_id: Uuid, module_id: Uuid },
    /// A topic in its module.
    Topic(TopicPath),
}

/// Moves a module or topic to `target` in its list, shifting the items in between;
/// locks the parent first (see the module docs of `courses`).
pub async fn move_item(
    db: &mut PgConnection,
    user_id: Uuid,
    slot: Slot,
    target: i64,
) -> Result<MoveOutcome, StoreError> {
    let (list, parent_id, id) = match slot {
        Slot::Module {
            course_id,
            module_id,
        } => {
            lock_course(&mut *db, user_id, course_id).await?;
            (PositionList::Modules, course_id, module_id)
        }
        Slot::Topic(ids) => {
            lock_module(&mut *db, user_id, ids.course_id, ids.module_id).await?;
            (PositionList::Topics, ids.module_id, ids.topic_id)
        }
    };
    reposition(db, list, parent_id, id, target).await
}

/// Moves one row of a list to `target`, shifting the rows in between. The parent
/// must already be locked.
async fn reposition(
    db: &mut PgConnection,
    list: PositionList,
    parent_id: Uuid,
    id: Uuid,
    target: i64,
) -> Result<MoveOutcome, StoreError> {
    let (current, count): (Option<i32>, i64) = sqlx::query_as(list.current_and_count())
        .bind(parent_id)
        .bind(id)
        .fetch_one(&mut *db)
        .await?;
    let from = current.ok_or(StoreError::NotFound)?;
    let to = match move_target(target, count) {
        Ok(to) => to,
        Err(_) => return Ok(MoveOutcome::OutOfRange { max: count - 1 }),
    };
    if let Some(shift) = Shift::for_move(from, to) {
        sqlx::query(list.shift())
            .bind(parent_id)
            .bind(shift.lo)
            .bind(shift.hi)
            .bind(shift.delta)
            .execute(&mut *db)
            .await?;
        sqlx::query(list.set())
            .bind(id)
            .bind(to)
            .execute(&mut *db)
            .await?;
    }
    Ok(MoveOutcome::Moved)
}

/// Closes the gap a deleted row at `position` left in its list.
pub(super) async fn close_gap(
    db: &mut PgConnection,
    list: PositionList,
    parent_id: Uuid,
    position: i32,
) -> Result<(), StoreError> {
    sqlx::query(list.close_gap())
        .bind(parent_id)
        .bind(position)
        .execute(db)
        .await?;
    Ok(())
}

/// The two ordered lists, each with its `&'static` statements.
#[derive(Debug, Clone, Copy)]
pub(super) enum PositionList {
    Modules,
    Topics,
}

impl PositionList {
    fn current_and_count(self) -> &'static str {
        match self {
            Self::Modules => {
                "SELECT (SELECT position FROM modules WHERE course_id = $1 AND id = $2),
                        (SELECT count(*) FROM modules WHERE course_id = $1)"
            }
            Self::Topics => {
                "SELECT (SELECT position FROM topics WHERE module_id = $1 AND id = $2),
                        (SELECT count(*) FROM topics WHERE module_id = $1)"
            }
        }
    }

    fn shift(self) -> &'static str {
        match self {
            Self::Modules => {
                "UPDATE modules SET position = position + $4
                  WHERE course_id = $1 AND position BETWEEN $2 AND $3"
            }
            Self::Topics => {
                "UPDATE topics SET position = position + $4
                  WHERE module_id = $1 AND position BETWEEN $2 AND $3"
            }
        }
    }

    fn set(self) -> &'static str {
        match self {
            Self::Modules => "UPDATE modules SET position = $2 WHERE id = $1",
            Self::Topics => "UPDATE topics SET position = $2 WHERE id = $1",
        }
    }

    /// Closes the gap a deleted row at `$2` left.
    fn close_gap(self) -> &'static str {
        match self {
            Self::Modules => {
                "UPDATE modules SET position = position - 1 WHERE course_id = $1 AND position > $2"
            }
            Self::Topics => {
                "UPDATE topics SET position = position - 1 WHERE module_id = $1 AND position > $2"
            }
        }
    }
}
