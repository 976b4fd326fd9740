//! Reading courses, modules and topics: one row, a whole tree, or a page.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::TopicPath;
use super::rows::{CourseRow, CourseTree, ModuleRow, ModuleTree, TopicRow};
use crate::StoreError;

/// Where a list page starts: after this (created_at, id).
pub type CourseCursor = (DateTime<Utc>, Uuid);

/// A course with its roll-ups, on the caller's connection (e.g. the transaction that
/// just changed it; the triggers have already updated its progress).
pub async fn read_course(
    db: &mut PgConnection,
    user_id: Uuid,
    id: Uuid,
) -> Result<CourseRow, StoreError> {
    let sql = concat!(
        "SELECT ",
        course_columns!(),
        " WHERE c.id = $1 AND c.user_id = $2"
    );
    let row = sqlx::query_as(sql)
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await?;
    row.ok_or(StoreError::NotFound)
}

pub(super) async fn module_row(
    db: &mut PgConnection,
    user_id: Uuid,
    course_id: Uuid,
    id: Uuid,
) -> Result<ModuleRow, StoreError> {
    let sql = concat!(
        "SELECT ",
        module_columns!(),
        " WHERE m.id = $1 AND m.course_id = $2 AND m.user_id = $3"
    );
    let row = sqlx::query_as(sql)
        .bind(id)
        .bind(course_id)
        .bind(user_id)
        .fetch_optional(db)
        .await?;
    row.ok_or(StoreError::NotFound)
}

pub(super) async fn topic_row(
    db: &mut PgConnection,
    user_id: Uuid,
    ids: TopicPath,
) -> Result<TopicRow, StoreError> {
    let sql = concat!(
        "SELECT ",
        topic_columns!(),
        " WHERE t.id = $1 AND t.module_id = $2 AND m.course_id = $3 AND t.user_id = $4"
    );
    let row = sqlx::query_as(sql)
        .bind(ids.topic_id)
        .bind(ids.module_id)
        .bind(ids.course_id)
        .bind(user_id)
        .fetch_optional(db)
        .await?;
    row.ok_or(StoreError::NotFound)
}

pub(super) async fn module_topics(
    db: &mut PgConnection,
    module_id: Uuid,
) -> Result<Vec<TopicRow>, StoreError> {
    let sql = concat!(
        "SELECT ",
        topic_columns!(),
        " WHERE t.module_id = $1 ORDER BY t.position"
    );
    Ok(sqlx::query_as(sql).bind(module_id).fetch_all(db).await?)
}

/// One consistent snapshot for reads that take several statements.
async fn snapshot(db: &PgPool) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, StoreError> {
    let mut tx = db.begin().await?;
    crate::read_snapshot(&mut tx).await?;
    Ok(tx)
}

/// A course with its roll-ups ([`StoreError::NotFound`] if absent or someone else's).
pub async fn find_course(db: &PgPool, user_id: Uuid, id: Uuid) -> Result<CourseRow, StoreError> {
    let mut conn = db.acquire().await?;
    read_course(&mut conn, user_id, id).await
}

/// A course with its modules and topics in order, on the caller's connection (which
/// should be one snapshot: a transaction).
pub async fn read_tree(
    db: &mut PgConnection,
    user_id: Uuid,
    id: Uuid,
) -> Result<CourseTree, StoreError> {
    let course = read_course(&mut *db, user_id, id).await?;
    let sql = concat!(
        "SELECT ",
        module_columns!(),
        " WHERE m.course_id = $1 ORDER BY m.position"
    );
    let modules = sqlx::query_as(sql).bind(id).fetch_all(&mut *db).await?;
    let sql = concat!(
        "SELECT ",
        topic_columns!(),
        " WHERE m.course_id = $1 ORDER BY m.position, t.position"
    );
    let topics = sqlx::query_as(sql).bind(id).fetch_all(&mut *db).await?;
    Ok(CourseTree {
        course,
        modules,
        topics,
    })
}

/// A course with its modules and topics in order, read in one snapshot.
pub async fn course_tree(db: &PgPool, user_id: Uuid, id: Uuid) -> Result<CourseTree, StoreError> {
    let mut tx = snapshot(db).await?;
    let tree = read_tree(&mut tx, user_id, id).await?;
    tx.commit().await?;
    Ok(tree)
}

/// A module (of that course, of that user) with its topics, on the caller's
/// connection (which should be one snapshot: a transaction).
pub async fn read_module(
    db: &mut PgConnection,
    user_id: Uuid,
    course_id: Uuid,
    id: Uuid,
) -> Result<ModuleTree, StoreError> {
    let module = module_row(&mut *db, user_id, course_id, id).await?;
    let topics = module_topics(db, id).await?;
    Ok(ModuleTree { module, topics })
}

/// A module (of that course, of that user) with its topics, read in one snapshot.
pub async fn find_module(
    db: &PgPool,
    user_id: Uuid,
    course_id: Uuid,
    id: Uuid,
) -> Result<ModuleTree, StoreError> {
    let mut tx = snapshot(db).await?;
    let tree = read_module(&mut tx, user_id, course_id, id).await?;
    tx.commit().await?;
    Ok(tree)
}

/// A topic, if the path's ids agree with each other and the owner.
pub async fn find_topic(
    db: &PgPool,
    user_id: Uuid,
    ids: TopicPath,
) -> Result<TopicRow, StoreError> {
    let mut conn = db.acquire().await?;
    topic_row(&mut conn, user_id, ids).await
}

/// A page of the user's courses, newest first; `archived` picks archived or active ones.
pub async fn list_courses(
    db: &PgPool,
    user_id: Uuid,
    archived: bool,
    after: Option<CourseCursor>,
    limit: i64,
) -> Result<Vec<CourseRow>, StoreError> {
    let sql = concat!(
        "SELECT ",
        course_columns!(),
        " WHERE c.user_id = $1 AND (c.archived_at IS NOT NULL) = $2
            AND ($3::timestamptz IS NULL OR (c.created_at, c.id) < ($3, $4))
          ORDER BY c.created_at DESC, c.id DESC LIMIT $5"
    );
    let (at, id) = after.unzip();
    Ok(sqlx::query_as(sql)
        .bind(user_id)
        .bind(archived)
        .bind(at)
        .bind(id)
        .bind(limit)
        .fetch_all(db)
        .await?)
}
