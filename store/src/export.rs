//! Everything a user owns, as one JSON document (data portability).
//!
//! Each section is `json_agg` over one table, filtered by the user, without internal
//! columns (search vectors, embeddings, hashes, the owner id repeated on every row).
//! Secrets are never exported: password hashes, refresh tokens, idempotency records.

use serde_json::{Map, Value};
use sqlx::PgPool;
use uuid::Uuid;

use crate::StoreError;

/// Builds one section's query: rows of `$table` owned by `$1`, oldest first.
macro_rules! section {
    ($table:literal, $filter:literal) => {
        (
            $table,
            concat!(
                "SELECT COALESCE(json_agg(to_jsonb(t) - 'user_id' - 'search' - 'embedding' \
                 - 'embedding_model' - 'embedding_hash' - 'content_hash' - 'request_hash' \
                 ORDER BY t.created_at, t.id), '[]'::json) FROM ",
                $table,
                " t WHERE ",
                $filter
            ),
        )
    };
}

const SECTIONS: [(&str, &str); 21] = [
    section!("courses", "user_id = $1"),
    section!("modules", "user_id = $1"),
    section!("topics", "user_id = $1"),
    section!("goals", "user_id = $1"),
    section!("tasks", "user_id = $1"),
    section!("schedule_blocks", "user_id = $1"),
    section!("schedule_block_exceptions", "user_id = $1"),
    section!("weekly_plans", "user_id = $1"),
    section!("daily_plans", "user_id = $1"),
    section!("plan_items", "user_id = $1"),
    section!("notes", "user_id = $1"),
    section!("resources", "created_by = $1"),
    section!("user_resources", "user_id = $1"),
    section!("conversations", "user_id = $1"),
    section!("chat_messages", "user_id = $1"),
    section!("ai_actions", "user_id = $1"),
    section!("ai_action_steps", "user_id = $1"),
    section!("notifications", "user_id = $1"),
    section!("subscriptions", "user_id = $1"),
    section!("daily_analytics", "user_id = $1"),
    section!("oauth_identities", "user_id = $1"),
];

/// The profile and every section, read in one repeatable-read transaction so the
/// document is a consistent snapshot.
pub async fn export(db: &PgPool, user_id: Uuid) -> Result<Map<String, Value>, StoreError> {
    let mut tx = db.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .execute(&mut *tx)
        .await?;
    let profile: Option<Value> = sqlx::query_scalar(
        "SELECT to_jsonb(u) - 'password_hash' - 'calendar_token' FROM users u WHERE id = $1",
    )
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?;
    let mut doc = Map::new();
    doc.insert("user".into(), profile.ok_or(StoreError::NotFound)?);
    for (name, sql) in SECTIONS {
        let rows: Value = sqlx::query_scalar(sql)
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
        doc.insert(name.into(), rows);
    }
    tx.commit().await?;
    Ok(doc)
}
