//! Notes, their archive, and full-text search over the generated `search` column
//! (GIN-indexed; title weighted A, content B, tags C).

use chrono::{DateTime, Utc};
use maigie_domain::notes::{MARK_END, MARK_START, headline_options};
use sqlx::{PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::StoreError;

/// The note's course link points at no course of this user.
pub const COURSE_LINK: &str = "notes_course_fkey";
/// The note's topic link points at no topic of this user.
pub const TOPIC_LINK: &str = "notes_topic_fkey";

/// Never `*`: the tsvector and embedding columns stay in the database.
macro_rules! columns {
    () => {
        "id, title, content, summary, course_id, topic_id, tags, archived_at, created_at, updated_at"
    };
}

/// A note as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoteRow {
    pub id: Uuid,
    pub title: String,
    pub content: String,
    pub summary: Option<String>,
    pub course_id: Option<Uuid>,
    pub topic_id: Option<Uuid>,
    pub tags: Vec<String>,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A search hit: the note, its rank and a raw `ts_headline` fragment whose matches
/// sit between the domain's sentinels (render it with
/// `maigie_domain::notes::render_snippet`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoteHit {
    #[sqlx(flatten)]
    pub note: NoteRow,
    pub rank: f32,
    pub headline: String,
}

/// A note to create (values already validated).
#[derive(Debug, Clone)]
pub struct NewNote {
    pub title: String,
    pub content: String,
    pub course_id: Option<Uuid>,
    pub topic_id: Option<Uuid>,
    pub tags: Vec<String>,
}

/// Changes to a note; `None` keeps a field, `Some(None)` clears a link.
#[derive(Debug, Clone, Default)]
pub struct NoteChanges {
    pub title: Option<String>,
    pub content: Option<String>,
    pub course_id: Option<Option<Uuid>>,
    pub topic_id: Option<Option<Uuid>>,
    pub tags: Option<Vec<String>>,
}

/// Which notes a list or search covers.
#[derive(Debug, Clone, Default)]
pub struct NoteFilter {
    /// Archived notes only (`true`) or active ones only (`false`).
    pub archived: bool,
    pub course_id: Option<Uuid>,
    pub topic_id: Option<Uuid>,
    pub tag: Option<String>,
}

pub async fn create(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    new: &NewNote,
) -> Result<NoteRow, StoreError> {
    let sql = concat!(
        "INSERT INTO notes (user_id, title, content, course_id, topic_id, tags)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
        columns!()
    );
    Ok(sqlx::query_as(sql)
        .bind(user_id)
        .bind(&new.title)
        .bind(&new.content)
        .bind(new.course_id)
        .bind(new.topic_id)
        .bind(&new.tags)
        .fetch_one(db)
        .await?)
}

pub async fn get(db: impl PgExecutor<'_>, user_id: Uuid, id: Uuid) -> Result<NoteRow, StoreError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM notes WHERE id = $1 AND user_id = $2"
    );
    let row = sqlx::query_as(sql)
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await?;
    row.ok_or(StoreError::NotFound)
}

pub async fn update(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
    changes: NoteChanges,
) -> Result<NoteRow, StoreError> {
    let sql = concat!(
        "UPDATE notes SET
             title = COALESCE($3, title),
             content = COALESCE($4, content),
             course_id = CASE WHEN $5 THEN $6 ELSE course_id END,
             topic_id = CASE WHEN $7 THEN $8 ELSE topic_id END,
             tags = COALESCE($9, tags)
         WHERE id = $1 AND user_id = $2 RETURNING ",
        columns!()
    );
    let (set_course, course) = changes.course_id.map_or((false, None), |v| (true, v));
    let (set_topic, topic) = changes.topic_id.map_or((false, None), |v| (true, v));
    let row = sqlx::query_as(sql)
        .bind(id)
        .bind(user_id)
        .bind(changes.title)
        .bind(changes.content)
        .bind(set_course)
        .bind(course)
        .bind(set_topic)
        .bind(topic)
        .bind(changes.tags)
        .fetch_optional(db)
        .await?;
    row.ok_or(StoreError::NotFound)
}

/// Archives (`true`) or restores (`false`) a note. Archiving an archived note keeps
/// its first `archived_at`.
pub async fn set_archived(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
    archived: bool,
) -> Result<NoteRow, StoreError> {
    let sql = concat!(
        "UPDATE notes SET archived_at = CASE WHEN $3 THEN COALESCE(archived_at, now()) END
         WHERE id = $1 AND user_id = $2 RETURNING ",
        columns!()
    );
    let row = sqlx::query_as(sql)
        .bind(id)
        .bind(user_id)
        .bind(archived)
        .fetch_optional(db)
        .await?;
    row.ok_or(StoreError::NotFound)
}

/// Sets the note's summary (written by the assistant).
pub async fn set_summary(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
    summary: &str,
) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE notes SET summary = $3 WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .bind(summary)
        .execute(db)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn delete(db: impl PgExecutor<'_>, user_id: Uuid, id: Uuid) -> Result<(), StoreError> {
    crate::rows::delete_owned(
        db,
        "DELETE FROM notes WHERE id = $1 AND user_id = $2",
        id,
        user_id,
    )
    .await
}

fn push_filter(q: &mut QueryBuilder<Postgres>, user_id: Uuid, filter: &NoteFilter) {
    q.push(" WHERE n.user_id = ").push_bind(user_id);
    q.push(if filter.archived {
        " AND n.archived_at IS NOT NULL"
    } else {
        " AND n.archived_at IS NULL"
    });
    if let Some(course) = filter.course_id {
        q.push(" AND n.course_id = ").push_bind(course);
    }
    if let Some(topic) = filter.topic_id {
        q.push(" AND n.topic_id = ").push_bind(topic);
    }
    if let Some(tag) = &filter.tag {
        q.push(" AND n.tags @> ARRAY[")
            .push_bind(tag.clone())
            .push("]::text[]");
    }
}

/// Notes, most recently updated first, strictly after `after` (updated_at, id).
pub async fn list(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    filter: &NoteFilter,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<NoteRow>, StoreError> {
    let mut q = QueryBuilder::<Postgres>::new(concat!("SELECT ", columns!(), " FROM notes n"));
    push_filter(&mut q, user_id, filter);
    if let Some((at, id)) = after {
        q.push(" AND (n.updated_at, n.id) < (")
            .push_bind(at)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    q.push(" ORDER BY n.updated_at DESC, n.id DESC LIMIT ")
        .push_bind(limit);
    Ok(q.build_query_as().fetch_all(db).await?)
}

/// Notes matching a web-search-syntax query, best rank first (ties by id), strictly
/// after `after` (rank, id). Headlines are computed for the page's rows only.
pub async fn search(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    query: &str,
    filter: &NoteFilter,
    after: Option<(f32, Uuid)>,
    limit: i64,
) -> Result<Vec<NoteHit>, StoreError> {
    let mut q = QueryBuilder::<Postgres>::new(concat!(
        "SELECT ",
        columns!(),
        ", rank, ts_headline('english', translate(content, "
    ));
    // The sentinels are stripped from the note first, so only ts_headline emits them.
    q.push_bind(format!("{MARK_START}{MARK_END}"))
        .push(", ''), query, ")
        .push_bind(headline_options())
        .push(concat!(
            ") AS headline FROM (SELECT ",
            columns!(),
            ", ts_rank(n.search, query) AS rank, query",
            " FROM notes n, websearch_to_tsquery('english', "
        ))
        .push_bind(query.to_owned())
        .push(") AS query");
    push_filter(&mut q, user_id, filter);
    q.push(" AND n.search @@ query");
    if let Some((rank, id)) = after {
        q.push(" AND (ts_rank(n.search, query), n.id) < (")
            .push_bind(rank)
            .push("::real, ")
            .push_bind(id)
            .push(")");
    }
    q.push(" ORDER BY rank DESC, n.id DESC LIMIT ")
        .push_bind(limit)
        .push(") hits ORDER BY rank DESC, id DESC");
    Ok(q.build_query_as().fetch_all(db).await?)
}
