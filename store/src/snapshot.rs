//! Row snapshots for the AI action log, and undo.
//!
//! A snapshot is the whole row as `to_jsonb(row)`. Undo restores a row to a snapshot:
//! it deletes a row the action created, re-inserts one it deleted (same id) and writes
//! back one it changed — but only while the row is still exactly as the action left
//! it; anything else is a [`RestoreError::Changed`] and nothing is written.

use serde_json::{Value, json};
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

use crate::StoreError;

/// The tables whose rows AI tools change, by entity type.
#[must_use]
pub fn table_of(entity: &str) -> Option<&'static str> {
    Some(match entity {
        "task" => "tasks",
        "course" => "courses",
        "goal" => "goals",
        "schedule_block" => "schedule_blocks",
        "note" => "notes",
        "daily_plan" => "daily_plans",
        "weekly_plan" => "weekly_plans",
        "plan_item" => "plan_items",
        _ => return None,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("{entity} {id} changed since the action")]
    Changed { entity: String, id: Uuid },
    #[error("unknown entity type {0}")]
    UnknownEntity(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for RestoreError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}

/// The row as it is now (`None`: gone or someone else's).
pub async fn snapshot(
    db: impl sqlx::PgExecutor<'_>,
    entity: &str,
    user_id: Uuid,
    id: Uuid,
) -> Result<Option<Value>, RestoreError> {
    let table = table_of(entity).ok_or_else(|| RestoreError::UnknownEntity(entity.into()))?;
    let sql = format!("SELECT to_jsonb(t) FROM {table} t WHERE id = $1 AND user_id = $2");
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await?)
}

/// The columns a restore writes: all but generated ones.
async fn columns(tx: &mut Transaction<'_, Postgres>, table: &str) -> Result<String, RestoreError> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT attname::text FROM pg_attribute
         WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
         ORDER BY attnum",
    )
    .bind(table)
    .fetch_all(&mut **tx)
    .await?;
    Ok(names
        .iter()
        .map(|n| format!("\"{}\"", n.replace('"', "")))
        .collect::<Vec<_>>()
        .join(", "))
}

/// Bookkeeping the database keeps by itself (timestamps, roll-ups from other rows)
/// does not count as a change by someone else.
fn comparable(mut row: Value) -> Value {
    if let Some(map) = row.as_object_mut() {
        map.remove("updated_at");
        map.remove("progress");
    }
    row
}

fn changed(entity: &str, id: Uuid) -> RestoreError {
    RestoreError::Changed {
        entity: entity.into(),
        id,
    }
}

/// A restore that breaks a rule of the data model (the goal a task belonged to is
/// gone, another plan now exists for that day…): the world changed since the action.
fn refused(entity: &str, id: Uuid, e: sqlx::Error) -> RestoreError {
    match StoreError::from(e) {
        StoreError::Constraint(_) | StoreError::Conflict(_) => changed(entity, id),
        other => RestoreError::Store(other),
    }
}

/// Puts the row back to `before` if it is still `after` (`None` = absent), in `tx`.
pub async fn restore(
    tx: &mut Transaction<'_, Postgres>,
    entity: &str,
    user_id: Uuid,
    id: Uuid,
    before: Option<&Value>,
    after: Option<&Value>,
) -> Result<(), RestoreError> {
    let table = table_of(entity).ok_or_else(|| RestoreError::UnknownEntity(entity.into()))?;
    let lock =
        format!("SELECT to_jsonb(t) FROM {table} t WHERE id = $1 AND user_id = $2 FOR UPDATE");
    let now: Option<Value> = sqlx::query_scalar(sqlx::AssertSqlSafe(lock))
        .bind(id)
        .bind(user_id)
        .fetch_optional(&mut **tx)
        .await?;
    let owner = json!(user_id);
    let foreign = [before, after]
        .into_iter()
        .flatten()
        .any(|row| row.get("user_id") != Some(&owner));
    if now.map(comparable) != after.cloned().map(comparable) || foreign {
        return Err(changed(entity, id));
    }
    let cols = columns(tx, table).await?;
    let sql = match (before, after) {
        (None, _) => format!("DELETE FROM {table} WHERE id = $2 AND user_id = $3 AND $1::jsonb IS NULL"),
        (Some(_), None) => format!(
            "INSERT INTO {table} ({cols}) SELECT {cols} FROM jsonb_populate_record(NULL::{table}, $1)
             WHERE $2::uuid IS NOT NULL AND $3::uuid IS NOT NULL"
        ),
        (Some(_), Some(_)) => format!(
            "UPDATE {table} SET ({cols}) = (SELECT {cols} FROM jsonb_populate_record(NULL::{table}, $1))
             WHERE id = $2 AND user_id = $3"
        ),
    };
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(before)
        .bind(id)
        .bind(user_id)
        .execute(&mut **tx)
        .await
        .map_err(|e| refused(entity, id, e))?;
    Ok(())
}
