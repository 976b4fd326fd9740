//! Course writes, on the caller's transaction.

use sqlx::PgConnection;
use uuid::Uuid;

use super::read::read_course;
use super::rows::{CourseChanges, CourseRow, NewCourse};
use super::split;
use crate::StoreError;

/// Creates a course (with no modules yet).
pub async fn create_course(
    db: &mut PgConnection,
    user_id: Uuid,
    new: NewCourse,
) -> Result<CourseRow, StoreError> {
    let (id,): (Uuid,) = sqlx::query_as(
        "INSERT INTO courses (user_id, title, description, difficulty, estimated_hours, target_date)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(user_id)
    .bind(new.title)
    .bind(new.description)
    .bind(new.difficulty)
    .bind(new.estimated_hours)
    .bind(new.target_date)
    .fetch_one(&mut *db)
    .await?;
    read_course(db, user_id, id).await
}

/// Changes a course's own fields.
pub async fn update_course(
    db: &mut PgConnection,
    user_id: Uuid,
    id: Uuid,
    changes: CourseChanges,
) -> Result<CourseRow, StoreError> {
    let (set_description, description) = split(changes.description);
    let (set_difficulty, difficulty) = split(changes.difficulty);
    let (set_hours, hours) = split(changes.estimated_hours);
    let (set_date, date) = split(changes.target_date);
    let done = sqlx::query(
        "UPDATE courses SET
             title = coalesce($3, title),
             description = CASE WHEN $4 THEN $5 ELSE description END,
             difficulty = CASE WHEN $6 THEN $7 ELSE difficulty END,
             estimated_hours = CASE WHEN $8 THEN $9 ELSE estimated_hours END,
             target_date = CASE WHEN $10 THEN $11 ELSE target_date END
         WHERE id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(user_id)
    .bind(changes.title)
    .bind(set_description)
    .bind(description)
    .bind(set_difficulty)
    .bind(difficulty)
    .bind(set_hours)
    .bind(hours)
    .bind(set_date)
    .bind(date)
    .execute(&mut *db)
    .await?;
    crate::rows::touched(&done)?;
    read_course(db, user_id, id).await
}

/// Archives (keeping the first archive time) or unarchives a course.
pub async fn set_archived(
    db: &mut PgConnection,
    user_id: Uuid,
    id: Uuid,
    archived: bool,
) -> Result<CourseRow, StoreError> {
    let done = sqlx::query(
        "UPDATE courses SET archived_at = CASE WHEN $3 THEN coalesce(archived_at, now()) END
          WHERE id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(user_id)
    .bind(archived)
    .execute(&mut *db)
    .await?;
    crate::rows::touched(&done)?;
    read_course(db, user_id, id).await
}

/// Deletes a course with its modules and topics (the foreign keys cascade).
pub async fn delete_course(
    db: &mut PgConnection,
    user_id: Uuid,
    id: Uuid,
) -> Result<(), StoreError> {
    crate::rows::delete_owned(
        db,
        "DELETE FROM courses WHERE id = $1 AND user_id = $2",
        id,
        user_id,
    )
    .await
}
