//! Locks (course, then module: the order the roll-up triggers use) and the
//! completion flags kept consistent with the triggers' progress.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::StoreError;

/// Locks the course row (see the module docs); `NotFound` if it is not the user's.
pub(super) async fn lock_course(
    db: &mut PgConnection,
    user_id: Uuid,
    id: Uuid,
) -> Result<(), StoreError> {
    sqlx::query("SELECT 1 FROM courses WHERE id = $1 AND user_id = $2 FOR UPDATE")
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await?
        .map(|_| ())
        .ok_or(StoreError::NotFound)
}

/// Locks the course, then the module, which must belong to that course.
pub(super) async fn lock_module(
    db: &mut PgConnection,
    user_id: Uuid,
    course_id: Uuid,
    id: Uuid,
) -> Result<(), StoreError> {
    lock_course(&mut *db, user_id, course_id).await?;
    sqlx::query(
        "SELECT 1 FROM modules WHERE id = $1 AND course_id = $2 AND user_id = $3 FOR UPDATE",
    )
    .bind(id)
    .bind(course_id)
    .bind(user_id)
    .fetch_optional(db)
    .await?
    .map(|_| ())
    .ok_or(StoreError::NotFound)
}

/// A module with topics is completed exactly when all of them are.
pub(super) async fn sync_module(db: &mut PgConnection, module_id: Uuid) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE modules m
            SET completed = s.all_done,
                completed_at = CASE WHEN s.all_done THEN coalesce(m.completed_at, now()) END
           FROM (SELECT bool_and(completed) AS all_done FROM topics WHERE module_id = $1) s
          WHERE m.id = $1 AND s.all_done IS NOT NULL AND m.completed <> s.all_done",
    )
    .bind(module_id)
    .execute(db)
    .await?;
    Ok(())
}

/// A course is completed when it has modules and its progress (kept by the triggers,
/// already current within this transaction) reaches 1.
pub(super) async fn sync_course(db: &mut PgConnection, course_id: Uuid) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE courses c SET completed_at = s.done_at
           FROM (SELECT CASE WHEN x.progress >= 1
                              AND EXISTS (SELECT 1 FROM modules WHERE course_id = x.id)
                             THEN coalesce(x.completed_at, now()) END AS done_at
                   FROM courses x WHERE x.id = $1) s
          WHERE c.id = $1 AND c.completed_at IS DISTINCT FROM s.done_at",
    )
    .bind(course_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Completes or reopens every topic of a module, then the module itself.
pub(super) async fn set_module_done(
    db: &mut PgConnection,
    module_id: Uuid,
    completed: bool,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE topics SET completed = $2,
                completed_at = CASE WHEN $2 THEN coalesce(completed_at, now()) END
          WHERE module_id = $1 AND completed <> $2",
    )
    .bind(module_id)
    .bind(completed)
    .execute(&mut *db)
    .await?;
    sqlx::query(
        "UPDATE modules SET completed = $2,
                completed_at = CASE WHEN $2 THEN coalesce(completed_at, now()) END
          WHERE id = $1 AND completed <> $2",
    )
    .bind(module_id)
    .bind(completed)
    .execute(db)
    .await?;
    Ok(())
}
