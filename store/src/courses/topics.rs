//! Topic writes, on the caller's transaction (moves: see `positions`).

use sqlx::PgConnection;
use uuid::Uuid;

use super::completion::{lock_module, sync_course, sync_module};
use super::positions::{PositionList, close_gap};
use super::read::topic_row;
use super::rows::{NewTopic, TopicChanges, TopicRow};
use super::{TopicPath, split};
use crate::StoreError;

/// Appends a topic to the module (reopening the module if it was completed).
pub async fn create_topic(
    db: &mut PgConnection,
    user_id: Uuid,
    course_id: Uuid,
    module_id: Uuid,
    new: NewTopic,
) -> Result<TopicRow, StoreError> {
    lock_module(&mut *db, user_id, course_id, module_id).await?;
    let (topic_id,): (Uuid,) = sqlx::query_as(
        "INSERT INTO topics (user_id, module_id, title, content, estimated_hours, position)
         VALUES ($1, $2, $3, $4, $5,
                 (SELECT count(*) FROM topics WHERE module_id = $2))
         RETURNING id",
    )
    .bind(user_id)
    .bind(module_id)
    .bind(new.title)
    .bind(new.content)
    .bind(new.estimated_hours)
    .fetch_one(&mut *db)
    .await?;
    sync_module(&mut *db, module_id).await?;
    sync_course(&mut *db, course_id).await?;
    let ids = TopicPath {
        course_id,
        module_id,
        topic_id,
    };
    topic_row(db, user_id, ids).await
}

/// Edits, completes or reopens a topic (its module and course follow).
pub async fn update_topic(
    db: &mut PgConnection,
    user_id: Uuid,
    ids: TopicPath,
    changes: TopicChanges,
) -> Result<TopicRow, StoreError> {
    lock_module(&mut *db, user_id, ids.course_id, ids.module_id).await?;
    let (set_content, content) = split(changes.content);
    let (set_hours, hours) = split(changes.estimated_hours);
    let done = sqlx::query(
        "UPDATE topics SET
             title = coalesce($3, title),
             content = CASE WHEN $4 THEN $5 ELSE content END,
             estimated_hours = CASE WHEN $6 THEN $7 ELSE estimated_hours END,
             completed = coalesce($8, completed),
             completed_at = CASE WHEN $8 IS NULL THEN completed_at
                                 WHEN $8 THEN coalesce(completed_at, now()) END
         WHERE id = $1 AND module_id = $2",
    )
    .bind(ids.topic_id)
    .bind(ids.module_id)
    .bind(changes.title)
    .bind(set_content)
    .bind(content)
    .bind(set_hours)
    .bind(hours)
    .bind(changes.completed)
    .execute(&mut *db)
    .await?;
    crate::rows::touched(&done)?;
    if changes.completed.is_some() {
        sync_module(&mut *db, ids.module_id).await?;
        sync_course(&mut *db, ids.course_id).await?;
    }
    topic_row(db, user_id, ids).await
}

/// Deletes a topic, closing the gap in its module.
pub async fn delete_topic(
    db: &mut PgConnection,
    user_id: Uuid,
    ids: TopicPath,
) -> Result<(), StoreError> {
    lock_module(&mut *db, user_id, ids.course_id, ids.module_id).await?;
    let (position,): (i32,) =
        sqlx::query_as("DELETE FROM topics WHERE id = $1 AND module_id = $2 RETURNING position")
            .bind(ids.topic_id)
            .bind(ids.module_id)
            .fetch_optional(&mut *db)
            .await?
            .ok_or(StoreError::NotFound)?;
    close_gap(&mut *db, PositionList::Topics, ids.module_id, position).await?;
    sync_module(&mut *db, ids.module_id).await?;
    sync_course(db, ids.course_id).await
}
