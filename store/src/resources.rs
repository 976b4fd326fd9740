//! The resource catalogue and users' saved resources.
//!
//! Visibility (see migration 0003): a resource is visible to a user when it is
//! public or they created it. Users create private resources and may change or
//! delete only their own private ones; publishing is an operator's act. Every query
//! here carries that predicate, so another user's private resource is simply absent.

use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::StoreError;

macro_rules! columns {
    () => {
        "r.id, r.title, r.resource_type, r.url, r.source, r.difficulty, r.duration_minutes, \
         r.thumbnail_url, r.description, r.created_by, r.is_public, r.created_at, r.updated_at"
    };
}

macro_rules! saved_columns {
    () => {
        "s.progress, s.rating, s.notes, s.completed_at, s.saved_at, s.updated_at AS saved_updated_at"
    };
}

/// A resource as stored (never the tsvector or embedding).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResourceRow {
    pub id: Uuid,
    pub title: String,
    pub resource_type: String,
    pub url: String,
    pub source: Option<String>,
    pub difficulty: Option<String>,
    pub duration_minutes: Option<i32>,
    pub thumbnail_url: Option<String>,
    pub description: Option<String>,
    pub created_by: Option<Uuid>,
    pub is_public: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A resource with its search rank (0 when the list is not a search).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RankedResource {
    #[sqlx(flatten)]
    pub resource: ResourceRow,
    pub rank: f32,
}

/// A user's saved resource, with the resource.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SavedRow {
    #[sqlx(flatten)]
    pub resource: ResourceRow,
    pub progress: f32,
    pub rating: Option<i32>,
    pub notes: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    pub saved_at: DateTime<Utc>,
    pub saved_updated_at: DateTime<Utc>,
}

/// A resource's fields (values already validated).
#[derive(Debug, Clone, Default)]
pub struct ResourceFields {
    pub title: String,
    pub resource_type: &'static str,
    pub url: String,
    pub source: Option<String>,
    pub difficulty: Option<&'static str>,
    pub duration_minutes: Option<i32>,
    pub thumbnail_url: Option<String>,
    pub description: Option<String>,
}

/// Changes to a resource; `None` keeps a field, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ResourceChanges {
    pub title: Option<String>,
    pub resource_type: Option<&'static str>,
    pub url: Option<String>,
    pub source: Option<Option<String>>,
    pub difficulty: Option<Option<&'static str>>,
    pub duration_minutes: Option<Option<i32>>,
    pub thumbnail_url: Option<Option<String>>,
    pub description: Option<Option<String>>,
}

/// Which visible resources a list covers.
#[derive(Debug, Clone, Default)]
pub struct ResourceFilter {
    pub resource_type: Option<&'static str>,
    pub difficulty: Option<&'static str>,
    /// Only the ones this user created.
    pub mine: bool,
    /// A web-search-syntax query; results are then ordered by rank.
    pub search: Option<String>,
}

/// Where a page starts: after (created_at, id), or after (rank, id) for a search.
#[derive(Debug, Clone, Copy)]
pub enum ResourceCursor {
    Created(DateTime<Utc>, Uuid),
    Rank(f32, Uuid),
}

/// Creates a private resource owned by `user_id`.
pub async fn create(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    new: &ResourceFields,
) -> Result<ResourceRow, StoreError> {
    let sql = concat!(
        "INSERT INTO resources AS r (title, resource_type, url, source, difficulty, duration_minutes,
                                     thumbnail_url, description, created_by, is_public)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, false) RETURNING ",
        columns!()
    );
    Ok(sqlx::query_as(sql)
        .bind(&new.title)
        .bind(new.resource_type)
        .bind(&new.url)
        .bind(&new.source)
        .bind(new.difficulty)
        .bind(new.duration_minutes)
        .bind(&new.thumbnail_url)
        .bind(&new.description)
        .bind(user_id)
        .fetch_one(db)
        .await?)
}

/// A resource the user may see.
pub async fn get_visible(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
) -> Result<ResourceRow, StoreError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM resources r WHERE r.id = $1 AND (r.is_public OR r.created_by = $2)"
    );
    let row = sqlx::query_as(sql)
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await?;
    row.ok_or(StoreError::NotFound)
}

/// Changes one of the user's own private resources.
pub async fn update_own(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
    c: ResourceChanges,
) -> Result<ResourceRow, StoreError> {
    let sql = concat!(
        "UPDATE resources r SET
             title = COALESCE($3, title),
             resource_type = COALESCE($4, resource_type),
             url = COALESCE($5, url),
             source = CASE WHEN $6 THEN $7 ELSE source END,
             difficulty = CASE WHEN $8 THEN $9 ELSE difficulty END,
             duration_minutes = CASE WHEN $10 THEN $11 ELSE duration_minutes END,
             thumbnail_url = CASE WHEN $12 THEN $13 ELSE thumbnail_url END,
             description = CASE WHEN $14 THEN $15 ELSE description END
         WHERE r.id = $1 AND r.created_by = $2 AND NOT r.is_public RETURNING ",
        columns!()
    );
    let (set_source, source) = c.source.map_or((false, None), |v| (true, v));
    let (set_diff, diff) = c.difficulty.map_or((false, None), |v| (true, v));
    let (set_minutes, minutes) = c.duration_minutes.map_or((false, None), |v| (true, v));
    let (set_thumb, thumb) = c.thumbnail_url.map_or((false, None), |v| (true, v));
    let (set_desc, desc) = c.description.map_or((false, None), |v| (true, v));
    let row = sqlx::query_as(sql)
        .bind(id)
        .bind(user_id)
        .bind(c.title)
        .bind(c.resource_type)
        .bind(c.url)
        .bind(set_source)
        .bind(source)
        .bind(set_diff)
        .bind(diff)
        .bind(set_minutes)
        .bind(minutes)
        .bind(set_thumb)
        .bind(thumb)
        .bind(set_desc)
        .bind(desc)
        .fetch_optional(db)
        .await?;
    row.ok_or(StoreError::NotFound)
}

/// Deletes one of the user's own private resources (and every save of it).
pub async fn delete_own(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    id: Uuid,
) -> Result<(), StoreError> {
    let done =
        sqlx::query("DELETE FROM resources WHERE id = $1 AND created_by = $2 AND NOT is_public")
            .bind(id)
            .bind(user_id)
            .execute(db)
            .await?;
    crate::rows::touched(&done)
}

/// Visible resources: newest first, or best rank first for a search (ties by id).
pub async fn list(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    filter: &ResourceFilter,
    after: Option<ResourceCursor>,
    limit: i64,
) -> Result<Vec<RankedResource>, StoreError> {
    let mut q = QueryBuilder::<Postgres>::new(concat!("SELECT ", columns!()));
    match &filter.search {
        Some(text) => {
            q.push(", ts_rank(r.search, query) AS rank FROM resources r, websearch_to_tsquery('english', ")
                .push_bind(text.clone())
                .push(") AS query WHERE r.search @@ query AND ");
        }
        None => {
            q.push(", 0::real AS rank FROM resources r WHERE ");
        }
    }
    if filter.mine {
        q.push("r.created_by = ").push_bind(user_id);
    } else {
        q.push("(r.is_public OR r.created_by = ")
            .push_bind(user_id)
            .push(")");
    }
    if let Some(kind) = filter.resource_type {
        q.push(" AND r.resource_type = ").push_bind(kind);
    }
    if let Some(difficulty) = filter.difficulty {
        q.push(" AND r.difficulty = ").push_bind(difficulty);
    }
    match after {
        Some(ResourceCursor::Rank(rank, id)) => {
            q.push(" AND (ts_rank(r.search, query), r.id) < (")
                .push_bind(rank)
                .push("::real, ")
                .push_bind(id)
                .push(")");
        }
        Some(ResourceCursor::Created(at, id)) => {
            q.push(" AND (r.created_at, r.id) < (")
                .push_bind(at)
                .push(", ")
                .push_bind(id)
                .push(")");
        }
        None => {}
    }
    q.push(if filter.search.is_some() {
        " ORDER BY rank DESC, r.id DESC LIMIT "
    } else {
        " ORDER BY r.created_at DESC, r.id DESC LIMIT "
    })
    .push_bind(limit);
    Ok(q.build_query_as().fetch_all(db).await?)
}

/// Saves a visible resource for the user. Answers the save and whether it is new;
/// saving twice returns the existing save unchanged. [`StoreError::NotFound`] when
/// the resource is not visible to the user.
pub async fn save(
    db: &sqlx::PgPool,
    user_id: Uuid,
    resource_id: Uuid,
) -> Result<(SavedRow, bool), StoreError> {
    let inserted: Option<Uuid> = sqlx::query_scalar(
        "INSERT INTO user_resources (user_id, resource_id)
         SELECT $1, r.id FROM resources r
          WHERE r.id = $2 AND (r.is_public OR r.created_by = $1)
         ON CONFLICT (user_id, resource_id) DO NOTHING
         RETURNING id",
    )
    .bind(user_id)
    .bind(resource_id)
    .fetch_optional(db)
    .await?;
    let row = get_saved(db, user_id, resource_id).await?;
    Ok((row, inserted.is_some()))
}

/// One of the user's saves, by resource id.
pub async fn get_saved(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    resource_id: Uuid,
) -> Result<SavedRow, StoreError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        ", ",
        saved_columns!(),
        " FROM user_resources s JOIN resources r ON r.id = s.resource_id
          WHERE s.user_id = $1 AND s.resource_id = $2"
    );
    let row = sqlx::query_as(sql)
        .bind(user_id)
        .bind(resource_id)
        .fetch_optional(db)
        .await?;
    row.ok_or(StoreError::NotFound)
}

/// The user's saves, most recently saved first, strictly after (saved_at, resource id).
pub async fn list_saved(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    completed: Option<bool>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<SavedRow>, StoreError> {
    let mut q = QueryBuilder::<Postgres>::new(concat!(
        "SELECT ",
        columns!(),
        ", ",
        saved_columns!(),
        " FROM user_resources s JOIN resources r ON r.id = s.resource_id WHERE s.user_id = "
    ));
    q.push_bind(user_id);
    match completed {
        Some(true) => {
            q.push(" AND s.completed_at IS NOT NULL");
        }
        Some(false) => {
            q.push(" AND s.completed_at IS NULL");
        }
        None => {}
    }
    if let Some((at, id)) = after {
        q.push(" AND (s.saved_at, s.resource_id) < (")
            .push_bind(at)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    q.push(" ORDER BY s.saved_at DESC, s.resource_id DESC LIMIT ")
        .push_bind(limit);
    Ok(q.build_query_as().fetch_all(db).await?)
}

/// Changes to a save. Invariant: a completed save has progress 1.
#[derive(Debug, Clone, Default)]
pub struct SavedChanges {
    pub progress: Option<f32>,
    pub rating: Option<Option<i32>>,
    pub notes: Option<Option<String>>,
    /// `true` completes (progress 1, `completed_at` kept if already set); `false`
    /// reopens. A progress below 1 also reopens.
    pub completed: Option<bool>,
}

pub async fn update_saved(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    resource_id: Uuid,
    c: SavedChanges,
) -> Result<SavedRow, StoreError> {
    let sql = concat!(
        "WITH s AS (
             UPDATE user_resources SET
                 progress = CASE WHEN $3 IS TRUE THEN 1 ELSE COALESCE($4, progress) END,
                 completed_at = CASE
                     WHEN $3 IS TRUE THEN COALESCE(completed_at, now())
                     WHEN $3 IS FALSE OR $4 < 1 THEN NULL
                     ELSE completed_at END,
                 rating = CASE WHEN $5 THEN $6 ELSE rating END,
                 notes = CASE WHEN $7 THEN $8 ELSE notes END
             WHERE user_id = $1 AND resource_id = $2 RETURNING *)
         SELECT ",
        columns!(),
        ", ",
        saved_columns!(),
        " FROM s JOIN resources r ON r.id = s.resource_id"
    );
    let row = sqlx::query_as(sql)
        .bind(user_id)
        .bind(resource_id)
        .bind(c.completed)
        .bind(c.progress)
        .bind(c.rating.is_some())
        .bind(c.rating.flatten())
        .bind(c.notes.is_some())
        .bind(c.notes.flatten())
        .fetch_optional(db)
        .await?;
    row.ok_or(StoreError::NotFound)
}

/// Removes a save.
pub async fn unsave(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    resource_id: Uuid,
) -> Result<(), StoreError> {
    let done = sqlx::query("DELETE FROM user_resources WHERE user_id = $1 AND resource_id = $2")
        .bind(user_id)
        .bind(resource_id)
        .execute(db)
        .await?;
    crate::rows::touched(&done)
}
