//! The iCalendar feed of the user's schedule blocks and due tasks, for calendar apps,
//! which cannot send a bearer token: an unguessable secret in the feed's URL is the
//! credential. Only its SHA-256 is stored, so a leaked database leaks no working
//! feed URL. Rotating replaces it (old URLs answer 404); removing disables the feed.
//! The format choices are documented in [`maigie_domain::schedule::ical`].

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use maigie_domain::schedule::ical::{self, Due, FeedBlock, FeedTask};
use maigie_store::schedule;
use sha2::{Digest, Sha256};

use super::{exception_of, series_of};
use crate::error::{ServiceError, ServiceResult};
use crate::{Ctx, Services};

/// The longest secret looked up (ours are 43 characters).
const SECRET_MAX: usize = 128;

fn hash(secret: &str) -> String {
    maigie_domain::hex::hex(&Sha256::digest(secret.as_bytes()))
}

/// Makes a new feed secret for the user (the previous one stops working) and answers
/// it; shown once: only its hash is kept.
pub async fn rotate_secret(svc: &Services, ctx: &Ctx) -> ServiceResult<String> {
    let secret = crate::secret::random_token();
    schedule::set_calendar_token(&svc.db, ctx.user_id, Some(&hash(&secret))).await?;
    Ok(secret)
}

/// Disables the user's feed.
pub async fn remove_secret(svc: &Services, ctx: &Ctx) -> ServiceResult<()> {
    schedule::set_calendar_token(&svc.db, ctx.user_id, None).await?;
    Ok(())
}

/// The feed (RFC 5545) of the user whose secret this is; `NotFound` for an unknown,
/// rotated or removed one. Blocks, their exceptions and tasks are read in one
/// snapshot, so an edit committing meanwhile is in the feed whole or not at all.
pub async fn feed(svc: &Services, secret: &str, now: DateTime<Utc>) -> ServiceResult<String> {
    if secret.is_empty() || secret.len() > SECRET_MAX {
        return Err(ServiceError::NotFound);
    }
    let mut tx = svc.snapshot().await?;
    let user_id = schedule::user_by_calendar_token(&mut *tx, &hash(secret))
        .await?
        .ok_or(ServiceError::NotFound)?;
    let rows = schedule::all_blocks(&mut *tx, user_id).await?;
    let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
    let mut exceptions: HashMap<_, Vec<_>> = HashMap::new();
    for e in schedule::exceptions_of(&mut *tx, user_id, &ids).await? {
        exceptions
            .entry(e.block_id)
            .or_default()
            .push(exception_of(&e));
    }
    let due = schedule::due_tasks(&mut *tx, user_id).await?;
    tx.commit().await.map_err(maigie_store::StoreError::from)?;
    let mut blocks = Vec::with_capacity(rows.len());
    for row in &rows {
        blocks.push(FeedBlock {
            id: row.id,
            title: row.title.clone(),
            description: row.description.clone(),
            series: series_of(row)?,
            exceptions: exceptions.remove(&row.id).unwrap_or_default(),
            updated_at: row.updated_at,
        });
    }
    let tasks: Vec<FeedTask> = due
        .into_iter()
        .filter_map(|t| {
            let due = t.due_at.map(Due::At).or(t.due_date.map(Due::Day))?;
            Some(FeedTask {
                id: t.id,
                title: t.title,
                due,
                updated_at: t.updated_at,
            })
        })
        .collect();
    Ok(ical::render(&blocks, &tasks, now))
}
