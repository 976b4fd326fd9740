//! Data portability: everything the user has stored, as one JSON document.

use chrono::{DateTime, Utc};
use maigie_store::StoreError;
use serde_json::{Map, Value};

use super::{AccountError, AccountResult};
use crate::{Ctx, Services};

/// The document's format, for readers of older exports.
pub const EXPORT_FORMAT: &str = "maigie-export/1";

/// The user's data read in one snapshot: profile, courses, goals, tasks, schedule,
/// plans, notes, saved resources, conversations, notifications, analytics — never a
/// secret (password hash, tokens). Stamped with its `format` and `exported_at`.
pub async fn export(
    svc: &Services,
    ctx: &Ctx,
    now: DateTime<Utc>,
) -> AccountResult<Map<String, Value>> {
    let mut doc = match maigie_store::export::export(&svc.db, ctx.user_id).await {
        Ok(doc) => doc,
        Err(StoreError::NotFound) => return Err(AccountError::Gone),
        Err(other) => return Err(other.into()),
    };
    doc.insert("format".into(), Value::from(EXPORT_FORMAT));
    doc.insert("exported_at".into(), Value::from(now.to_rfc3339()));
    Ok(doc)
}
