//! The audit log: who did what to whom, kept after the user is gone.

use serde_json::Value;
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::StoreError;

/// One audit entry to record.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    pub actor_id: Option<Uuid>,
    pub subject_id: Option<Uuid>,
    pub action: &'a str,
    pub details: Value,
    pub request_id: Option<&'a str>,
}

/// Records an entry, usually inside the transaction of the change it describes.
pub async fn record(db: impl PgExecutor<'_>, entry: AuditEntry<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (actor_id, subject_id, action, details, request_id)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(entry.actor_id)
    .bind(entry.subject_id)
    .bind(entry.action)
    .bind(entry.details)
    .bind(entry.request_id)
    .execute(db)
    .await?;
    Ok(())
}
