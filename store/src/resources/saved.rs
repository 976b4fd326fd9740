//! A user's saved resources: progress, rating, notes and completion.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

use super::SavedRow;
use crate::StoreError;

/// Saves a visible resource for the user. Answers the save and whether it is new;
/// saving twice returns the existing save unchanged. [`StoreError::NotFound`] when
/// the resource is not visible to the user.
pub async fn save(
    db: &mut PgConnection,
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
    .fetch_optional(&mut *db)
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

/// Changes a save (progress, rating, notes, completion).
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
