//! The catalogue: a user's own private resources and every visible one.

use sqlx::{PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

use super::{
    RankedResource, ResourceChanges, ResourceCursor, ResourceFields, ResourceFilter, ResourceRow,
};
use crate::StoreError;

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
