//! Module writes, on the caller's transaction (moves: see `positions`).

use sqlx::PgConnection;
use uuid::Uuid;

use super::completion::{lock_course, lock_module, set_module_done, sync_course};
use super::positions::{PositionList, close_gap};
use super::read::{module_row, read_module};
use super::rows::{ModuleChanges, ModuleTree, NewModule};
use super::split;
use crate::StoreError;

/// Appends a module to the course.
pub async fn create_module(
    db: &mut PgConnection,
    user_id: Uuid,
    course_id: Uuid,
    new: NewModule,
) -> Result<ModuleTree, StoreError> {
    lock_course(&mut *db, user_id, course_id).await?;
    let (id,): (Uuid,) = sqlx::query_as(
        "INSERT INTO modules (user_id, course_id, title, description, position)
         VALUES ($1, $2, $3, $4,
                 (SELECT count(*) FROM modules WHERE course_id = $2))
         RETURNING id",
    )
    .bind(user_id)
    .bind(course_id)
    .bind(new.title)
    .bind(new.description)
    .fetch_one(&mut *db)
    .await?;
    sync_course(&mut *db, course_id).await?;
    let module = module_row(db, user_id, course_id, id).await?;
    Ok(ModuleTree {
        module,
        topics: Vec::new(),
    })
}

/// Edits a module; `completed` also completes or reopens its topics.
pub async fn update_module(
    db: &mut PgConnection,
    user_id: Uuid,
    course_id: Uuid,
    id: Uuid,
    changes: ModuleChanges,
) -> Result<ModuleTree, StoreError> {
    lock_module(&mut *db, user_id, course_id, id).await?;
    let (set_description, description) = split(changes.description);
    sqlx::query(
        "UPDATE modules SET
             title = coalesce($2, title),
             description = CASE WHEN $3 THEN $4 ELSE description END
         WHERE id = $1",
    )
    .bind(id)
    .bind(changes.title)
    .bind(set_description)
    .bind(description)
    .execute(&mut *db)
    .await?;
    if let Some(completed) = changes.completed {
        set_module_done(&mut *db, id, completed).await?;
        sync_course(&mut *db, course_id).await?;
    }
    read_module(db, user_id, course_id, id).await
}

/// Deletes a module and its topics, closing the gap in the course.
pub async fn delete_module(
    db: &mut PgConnection,
    user_id: Uuid,
    course_id: Uuid,
    id: Uuid,
) -> Result<(), StoreError> {
    lock_course(&mut *db, user_id, course_id).await?;
    let (position,): (i32,) = sqlx::query_as(
        "DELETE FROM modules WHERE id = $1 AND course_id = $2 AND user_id = $3 RETURNING position",
    )
    .bind(id)
    .bind(course_id)
    .bind(user_id)
    .fetch_optional(&mut *db)
    .await?
    .ok_or(StoreError::NotFound)?;
    close_gap(&mut *db, PositionList::Modules, course_id, position).await?;
    sync_course(db, course_id).await
}
