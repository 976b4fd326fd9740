//! The next reminder of a block as stored.

#[allow(clippy::wildcard_imports)]
use super::*;

/// The occurrence a block's reminder is for, as the block is stored now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockReminder {
    /// Orders reminder plans: the latest change to the block or its exceptions.
    pub version: DateTime<Utc>,
    pub occurrence_at: DateTime<Utc>,
    pub fire_at: DateTime<Utc>,
    pub title: String,
}

/// The block's next reminder (see [`maigie_domain::schedule::next_reminder`]); `None`
/// when the block is gone, has no reminder, is completed or has no such occurrence.
pub async fn next_reminder(
    db: &mut PgConnection,
    user_id: Uuid,
    block_id: Uuid,
    after: Option<DateTime<Utc>>,
    not_before: DateTime<Utc>,
) -> Result<Option<BlockReminder>, StoreError> {
    let block = match get(&mut *db, user_id, block_id).await {
        Ok(b) => b,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    let Some(minutes) = block.reminder_minutes else {
        return Ok(None);
    };
    if block.recurrence_rule.is_none() && block.completed_at.is_some() {
        return Ok(None);
    }
    let rows = exceptions_of(&mut *db, user_id, &[block_id]).await?;
    let exceptions: Vec<Exception> = rows.iter().map(ExceptionRow::exception).collect();
    let series = block
        .series()
        .map_err(|e| StoreError::InvalidValue(e.to_string()))?;
    let next = maigie_domain::schedule::next_reminder(
        block_id,
        &series,
        &exceptions,
        i64::from(minutes),
        after,
        not_before,
    )
    .map_err(|e| StoreError::InvalidValue(e.to_string()))?;
    let version = rows
        .iter()
        .map(|e| e.updated_at)
        .fold(block.updated_at, DateTime::max);
    Ok(next.map(|o| BlockReminder {
        version,
        occurrence_at: o.start,
        fire_at: o.start - Duration::minutes(i64::from(minutes)),
        title: o.title.unwrap_or_else(|| block.title.clone()),
    }))
}
