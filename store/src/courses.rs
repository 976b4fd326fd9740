//! SQL for courses → modules → topics.
//!
//! Locking rule: every write inside a course's tree first locks the course row
//! (`FOR UPDATE`), then the module row when a topic changes. Writes to one course are
//! therefore serial, which keeps positions dense (`0..n-1`) under concurrent creates,
//! moves and deletes, and the order course → module → topic is the same one the
//! progress roll-up triggers (migration 0002) lock in, so no two writers deadlock.
//!
//! Progress (`modules.progress`, `courses.progress`) is maintained by those triggers;
//! this module keeps the completion flags consistent with it (see
//! `maigie_domain::courses`).

use chrono::{DateTime, NaiveDate, Utc};
use maigie_domain::courses::{Shift, move_target};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::StoreError;

/// Course columns plus the roll-ups computed from its modules and topics.
macro_rules! course_columns {
    () => {
        "c.id, c.title, c.description, c.difficulty, c.estimated_hours, c.target_date, \
         c.progress, c.is_ai_generated, c.completed_at, c.archived_at, c.created_at, \
         c.updated_at, \
         (SELECT count(*) FROM modules m WHERE m.course_id = c.id) AS module_count, \
         h.topic_count, h.completed_topic_count, h.total_hours, h.remaining_hours \
         FROM courses c CROSS JOIN LATERAL ( \
             SELECT count(t.id) AS topic_count, \
                    count(t.id) FILTER (WHERE t.completed) AS completed_topic_count, \
                    coalesce(sum(t.estimated_hours), 0)::real AS total_hours, \
                    coalesce(sum(t.estimated_hours) FILTER (WHERE NOT t.completed), 0)::real \
                        AS remaining_hours \
               FROM modules m JOIN topics t ON t.module_id = m.id \
              WHERE m.course_id = c.id) h"
    };
}

macro_rules! module_columns {
    () => {
        "m.id, m.course_id, m.title, m.description, m.position, m.completed, m.completed_at, \
         m.progress, m.is_ai_generated, m.created_at, m.updated_at, \
         coalesce((SELECT sum(t.estimated_hours) FROM topics t WHERE t.module_id = m.id), 0)::real \
             AS total_hours, \
         coalesce((SELECT sum(t.estimated_hours) FROM topics t \
                    WHERE t.module_id = m.id AND NOT t.completed), 0)::real AS remaining_hours \
         FROM modules m"
    };
}

macro_rules! topic_columns {
    () => {
        "t.id, t.module_id, m.course_id, t.title, t.content, t.estimated_hours, t.position, \
         t.completed, t.completed_at, t.is_ai_generated, t.created_at, t.updated_at \
         FROM topics t JOIN modules m ON m.id = t.module_id"
    };
}

/// A course with its roll-ups.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CourseRow {
    pub id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub difficulty: Option<String>,
    pub estimated_hours: Option<f32>,
    pub target_date: Option<NaiveDate>,
    pub progress: f32,
    pub is_ai_generated: bool,
    pub completed_at: Option<DateTime<Utc>>,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub module_count: i64,
    pub topic_count: i64,
    pub completed_topic_count: i64,
    /// Sum of the topics' estimates.
    pub total_hours: f32,
    /// Sum of the open topics' estimates.
    pub remaining_hours: f32,
}

/// A module with the hour roll-ups of its topics.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ModuleRow {
    pub id: Uuid,
    pub course_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub position: i32,
    pub completed: bool,
    pub completed_at: Option<DateTime<Utc>>,
    pub progress: f32,
    pub is_ai_generated: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub total_hours: f32,
    pub remaining_hours: f32,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TopicRow {
    pub id: Uuid,
    pub module_id: Uuid,
    pub course_id: Uuid,
    pub title: String,
    pub content: Option<String>,
    pub estimated_hours: Option<f32>,
    pub position: i32,
    pub completed: bool,
    pub completed_at: Option<DateTime<Utc>>,
    pub is_ai_generated: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A course with its modules and topics, each list in position order (topics grouped
/// by module, modules in order).
#[derive(Debug, Clone)]
pub struct CourseTree {
    pub course: CourseRow,
    pub modules: Vec<ModuleRow>,
    pub topics: Vec<TopicRow>,
}

/// A module with its topics in order.
#[derive(Debug, Clone)]
pub struct ModuleTree {
    pub module: ModuleRow,
    pub topics: Vec<TopicRow>,
}

/// Fields of a new course (already validated).
#[derive(Debug, Clone, Default)]
pub struct NewCourse {
    pub title: String,
    pub description: Option<String>,
    pub difficulty: Option<&'static str>,
    pub estimated_hours: Option<f32>,
    pub target_date: Option<NaiveDate>,
}

/// Changes to a course; `None` keeps a field, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct CourseChanges {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub difficulty: Option<Option<&'static str>>,
    pub estimated_hours: Option<Option<f32>>,
    pub target_date: Option<Option<NaiveDate>>,
}

#[derive(Debug, Clone, Default)]
pub struct NewModule {
    pub title: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ModuleChanges {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub completed: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct NewTopic {
    pub title: String,
    pub content: Option<String>,
    pub estimated_hours: Option<f32>,
}

#[derive(Debug, Clone, Default)]
pub struct TopicChanges {
    pub title: Option<String>,
    pub content: Option<Option<String>>,
    pub estimated_hours: Option<Option<f32>>,
    pub completed: Option<bool>,
}

/// The result of a move request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveOutcome {
    Moved,
    /// The requested position is past the end of the list (or negative).
    OutOfRange {
        max: i64,
    },
}

/// Where a list page starts: after this (created_at, id).
pub type CourseCursor = (DateTime<Utc>, Uuid);

/// `Some(v)` → (true, v); `None` → (false, default): the "set this field?" flag pair.
fn split<T: Default>(change: Option<T>) -> (bool, T) {
    change.map_or_else(|| (false, T::default()), |v| (true, v))
}

// ------------------------------------------------------------------------------------
// Reads
// ------------------------------------------------------------------------------------

async fn course_row(
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

async fn module_row(
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

async fn topic_row(
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

async fn module_topics(
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

/// Where a topic lives: the path ids must agree with each other and the owner.
#[derive(Debug, Clone, Copy)]
pub struct TopicPath {
    pub course_id: Uuid,
    pub module_id: Uuid,
    pub topic_id: Uuid,
}

/// One consistent snapshot for reads that take several statements.
async fn snapshot(db: &PgPool) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, StoreError> {
    let mut tx = db.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// A course with its roll-ups ([`StoreError::NotFound`] if absent or someone else's).
pub async fn find_course(db: &PgPool, user_id: Uuid, id: Uuid) -> Result<CourseRow, StoreError> {
    let mut conn = db.acquire().await?;
    course_row(&mut conn, user_id, id).await
}

/// A course with its modules and topics in order.
pub async fn course_tree(db: &PgPool, user_id: Uuid, id: Uuid) -> Result<CourseTree, StoreError> {
    let mut tx = snapshot(db).await?;
    let course = course_row(&mut tx, user_id, id).await?;
    let sql = concat!(
        "SELECT ",
        module_columns!(),
        " WHERE m.course_id = $1 ORDER BY m.position"
    );
    let modules = sqlx::query_as(sql).bind(id).fetch_all(&mut *tx).await?;
    let sql = concat!(
        "SELECT ",
        topic_columns!(),
        " WHERE m.course_id = $1 ORDER BY m.position, t.position"
    );
    let topics = sqlx::query_as(sql).bind(id).fetch_all(&mut *tx).await?;
    tx.commit().await?;
    Ok(CourseTree {
        course,
        modules,
        topics,
    })
}

/// A module (of that course, of that user) with its topics.
pub async fn find_module(
    db: &PgPool,
    user_id: Uuid,
    course_id: Uuid,
    id: Uuid,
) -> Result<ModuleTree, StoreError> {
    let mut tx = snapshot(db).await?;
    let module = module_row(&mut tx, user_id, course_id, id).await?;
    let topics = module_topics(&mut tx, id).await?;
    tx.commit().await?;
    Ok(ModuleTree { module, topics })
}

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

// ------------------------------------------------------------------------------------
// Locks and consistency
// ------------------------------------------------------------------------------------

/// Locks the course row (see the module docs); `NotFound` if it is not the user's.
async fn lock_course(db: &mut PgConnection, user_id: Uuid, id: Uuid) -> Result<(), StoreError> {
    sqlx::query("SELECT 1 FROM courses WHERE id = $1 AND user_id = $2 FOR UPDATE")
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await?
        .map(|_| ())
        .ok_or(StoreError::NotFound)
}

/// Locks the course, then the module, which must belong to that course.
async fn lock_module(
    db: &mut PgConnection,
    user_id: Uuid,
    course_id: Uuid,
    id: Uuid,
) -> Result<(), StoreError> {
    lock_course(db, user_id, course_id).await?;
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
async fn sync_module_completion(db: &mut PgConnection, module_id: Uuid) -> Result<(), StoreError> {
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
async fn sync_course_completion(db: &mut PgConnection, course_id: Uuid) -> Result<(), StoreError> {
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

/// Moves one row of `table` (modules in a course, topics in a module) to `target`,
/// shifting the rows in between. The parent must already be locked.
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

/// The two ordered lists, each with its `&'static` statements.
#[derive(Debug, Clone, Copy)]
enum PositionList {
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

// ------------------------------------------------------------------------------------
// Courses
// ------------------------------------------------------------------------------------

pub async fn create_course(
    db: &PgPool,
    user_id: Uuid,
    new: NewCourse,
) -> Result<CourseRow, StoreError> {
    let mut tx = db.begin().await?;
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
    .fetch_one(&mut *tx)
    .await?;
    let row = course_row(&mut tx, user_id, id).await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn update_course(
    db: &PgPool,
    user_id: Uuid,
    id: Uuid,
    changes: CourseChanges,
) -> Result<CourseRow, StoreError> {
    let mut tx = db.begin().await?;
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
    .execute(&mut *tx)
    .await?;
    crate::rows::touched(&done)?;
    let row = course_row(&mut tx, user_id, id).await?;
    tx.commit().await?;
    Ok(row)
}

/// Archives (keeping the first archive time) or unarchives a course.
pub async fn set_archived(
    db: &PgPool,
    user_id: Uuid,
    id: Uuid,
    archived: bool,
) -> Result<CourseRow, StoreError> {
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE courses SET archived_at = CASE WHEN $3 THEN coalesce(archived_at, now()) END
          WHERE id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(user_id)
    .bind(archived)
    .execute(&mut *tx)
    .await?;
    crate::rows::touched(&done)?;
    let row = course_row(&mut tx, user_id, id).await?;
    tx.commit().await?;
    Ok(row)
}

/// Deletes a course with its modules and topics (the foreign keys cascade).
pub async fn delete_course(db: &PgPool, user_id: Uuid, id: Uuid) -> Result<(), StoreError> {
    crate::rows::delete_owned(
        db,
        "DELETE FROM courses WHERE id = $1 AND user_id = $2",
        id,
        user_id,
    )
    .await
}

// ------------------------------------------------------------------------------------
// Modules
// ------------------------------------------------------------------------------------

/// Appends a module to the course.
pub async fn create_module(
    db: &PgPool,
    user_id: Uuid,
    course_id: Uuid,
    new: NewModule,
) -> Result<ModuleTree, StoreError> {
    let mut tx = db.begin().await?;
    lock_course(&mut tx, user_id, course_id).await?;
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
    .fetch_one(&mut *tx)
    .await?;
    sync_course_completion(&mut tx, course_id).await?;
    let module = module_row(&mut tx, user_id, course_id, id).await?;
    tx.commit().await?;
    Ok(ModuleTree {
        module,
        topics: Vec::new(),
    })
}

/// Edits a module; `completed` also completes or reopens its topics.
pub async fn update_module(
    db: &PgPool,
    user_id: Uuid,
    course_id: Uuid,
    id: Uuid,
    changes: ModuleChanges,
) -> Result<ModuleTree, StoreError> {
    let mut tx = db.begin().await?;
    lock_module(&mut tx, user_id, course_id, id).await?;
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
    .execute(&mut *tx)
    .await?;
    if let Some(completed) = changes.completed {
        sqlx::query(
            "UPDATE topics SET completed = $2,
                    completed_at = CASE WHEN $2 THEN coalesce(completed_at, now()) END
              WHERE module_id = $1 AND completed <> $2",
        )
        .bind(id)
        .bind(completed)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE modules SET completed = $2,
                    completed_at = CASE WHEN $2 THEN coalesce(completed_at, now()) END
              WHERE id = $1 AND completed <> $2",
        )
        .bind(id)
        .bind(completed)
        .execute(&mut *tx)
        .await?;
        sync_course_completion(&mut tx, course_id).await?;
    }
    let module = module_row(&mut tx, user_id, course_id, id).await?;
    let topics = module_topics(&mut tx, id).await?;
    tx.commit().await?;
    Ok(ModuleTree { module, topics })
}

/// Moves a module to `target` inside its course.
pub async fn move_module(
    db: &PgPool,
    user_id: Uuid,
    course_id: Uuid,
    id: Uuid,
    target: i64,
) -> Result<MoveOutcome, StoreError> {
    let mut tx = db.begin().await?;
    lock_course(&mut tx, user_id, course_id).await?;
    let outcome = reposition(&mut tx, PositionList::Modules, course_id, id, target).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Deletes a module and its topics, closing the gap in the course.
pub async fn delete_module(
    db: &PgPool,
    user_id: Uuid,
    course_id: Uuid,
    id: Uuid,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    lock_course(&mut tx, user_id, course_id).await?;
    let (position,): (i32,) = sqlx::query_as(
        "DELETE FROM modules WHERE id = $1 AND course_id = $2 AND user_id = $3 RETURNING position",
    )
    .bind(id)
    .bind(course_id)
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    sqlx::query(PositionList::Modules.close_gap())
        .bind(course_id)
        .bind(position)
        .execute(&mut *tx)
        .await?;
    sync_course_completion(&mut tx, course_id).await?;
    tx.commit().await?;
    Ok(())
}

// ------------------------------------------------------------------------------------
// Topics
// ------------------------------------------------------------------------------------

/// Appends a topic to the module (reopening the module if it was completed).
pub async fn create_topic(
    db: &PgPool,
    user_id: Uuid,
    course_id: Uuid,
    module_id: Uuid,
    new: NewTopic,
) -> Result<TopicRow, StoreError> {
    let mut tx = db.begin().await?;
    lock_module(&mut tx, user_id, course_id, module_id).await?;
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
    .fetch_one(&mut *tx)
    .await?;
    sync_module_completion(&mut tx, module_id).await?;
    sync_course_completion(&mut tx, course_id).await?;
    let ids = TopicPath {
        course_id,
        module_id,
        topic_id,
    };
    let row = topic_row(&mut tx, user_id, ids).await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn update_topic(
    db: &PgPool,
    user_id: Uuid,
    ids: TopicPath,
    changes: TopicChanges,
) -> Result<TopicRow, StoreError> {
    let mut tx = db.begin().await?;
    lock_module(&mut tx, user_id, ids.course_id, ids.module_id).await?;
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
    .execute(&mut *tx)
    .await?;
    crate::rows::touched(&done)?;
    if changes.completed.is_some() {
        sync_module_completion(&mut tx, ids.module_id).await?;
        sync_course_completion(&mut tx, ids.course_id).await?;
    }
    let row = topic_row(&mut tx, user_id, ids).await?;
    tx.commit().await?;
    Ok(row)
}

/// Moves a topic to `target` inside its module.
pub async fn move_topic(
    db: &PgPool,
    user_id: Uuid,
    ids: TopicPath,
    target: i64,
) -> Result<MoveOutcome, StoreError> {
    let mut tx = db.begin().await?;
    lock_module(&mut tx, user_id, ids.course_id, ids.module_id).await?;
    let outcome = reposition(
        &mut tx,
        PositionList::Topics,
        ids.module_id,
        ids.topic_id,
        target,
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Deletes a topic, closing the gap in its module.
pub async fn delete_topic(db: &PgPool, user_id: Uuid, ids: TopicPath) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    lock_module(&mut tx, user_id, ids.course_id, ids.module_id).await?;
    let (position,): (i32,) =
        sqlx::query_as("DELETE FROM topics WHERE id = $1 AND module_id = $2 RETURNING position")
            .bind(ids.topic_id)
            .bind(ids.module_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
    sqlx::query(PositionList::Topics.close_gap())
        .bind(ids.module_id)
        .bind(position)
        .execute(&mut *tx)
        .await?;
    sync_module_completion(&mut tx, ids.module_id).await?;
    sync_course_completion(&mut tx, ids.course_id).await?;
    tx.commit().await?;
    Ok(())
}
