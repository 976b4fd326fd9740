//! Undoing an AI action: every row it changed is restored from its snapshot, newest
//! change first, in one transaction — refused, changing nothing, when a row was
//! edited since. Goal progress, reminder plans and live events follow the restored
//! rows exactly as the rows' own use-cases would.

use maigie_domain::EventKind;
use maigie_store::agent as log;
use maigie_store::snapshot::{self, RestoreError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::actions::ActionView;
use super::events::{ActionUndone, RestoredRow};
use crate::error::{ServiceError, ServiceResult};
use crate::live::Deleted;
use crate::tasks::TaskView;
use crate::{Ctx, Services, Work, reminders};

/// One row an action changed: `before = None` created it, `after = None` deleted it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub entity: String,
    pub id: Uuid,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Why an undo was refused.
fn undo_error(err: RestoreError) -> ServiceError {
    match err {
        RestoreError::Changed { entity, id } => ServiceError::conflict(
            "undo_conflict",
            format!(
                "The {} {id} changed after the action; nothing was undone.",
                entity.replace('_', " ")
            ),
        ),
        RestoreError::UnknownEntity(e) => ServiceError::internal(RestoreError::UnknownEntity(e)),
        RestoreError::Store(e) => e.into(),
    }
}

/// Each row the action touched once: its first `before` and its last `after` (a row
/// created and then edited by the same action is simply deleted), in first-touch order.
fn per_row(changes: Vec<Change>) -> Vec<Change> {
    let mut rows: Vec<Change> = Vec::new();
    for c in changes {
        match rows
            .iter_mut()
            .find(|r| r.entity == c.entity && r.id == c.id)
        {
            Some(row) => row.after = c.after,
            None => rows.push(c),
        }
    }
    rows
}

/// Restores what the action changed, newest change first, in one transaction.
pub async fn undo(svc: &Services, ctx: &Ctx, action_id: Uuid) -> ServiceResult<ActionView> {
    let user_id = ctx.user_id;
    let mut work = svc.begin().await?;
    // Locked: two undos of one action run one after the other.
    match log::lock_action(work.tx(), user_id, action_id)
        .await?
        .as_str()
    {
        "undone" => {
            return Err(ServiceError::conflict(
                "already_undone",
                "This action was already undone.",
            ));
        }
        "running" | "pending" | "awaiting_confirmation" => {
            return Err(ServiceError::conflict(
                "action_in_progress",
                "The action has not finished yet.",
            ));
        }
        _ => {}
    }
    let steps = log::steps(work.conn(), action_id).await?;
    let mut list: Vec<Change> = Vec::new();
    for step in steps.iter().filter(|s| s.status == "completed") {
        list.extend(
            serde_json::from_value::<Vec<Change>>(step.changes.clone()).unwrap_or_default(),
        );
    }
    let changes = per_row(list);
    if changes.is_empty() {
        return Err(ServiceError::conflict(
            "nothing_to_undo",
            "This action changed nothing.",
        ));
    }
    for c in changes.iter().rev() {
        snapshot::restore(
            work.tx(),
            &c.entity,
            user_id,
            c.id,
            c.before.as_ref(),
            c.after.as_ref(),
        )
        .await
        .map_err(undo_error)?;
    }
    let goals: Vec<Uuid> = changes
        .iter()
        .flat_map(|c| [&c.before, &c.after])
        .filter_map(|v| v.as_ref()?.get("goal_id")?.as_str()?.parse().ok())
        .collect();
    if !goals.is_empty() {
        maigie_store::goals::refresh_progress(work.tx(), &goals).await?;
    }
    log::mark_undone(work.tx(), action_id).await?;
    for c in &changes {
        match c.entity.as_str() {
            "task" => {
                reminders::resync_task(&mut work, user_id, c.id).await?;
                announce_task(&mut work, user_id, c).await?;
            }
            "schedule_block" => reminders::sync_block(&mut work, user_id, c.id, true).await?,
            other => {
                // Undo writes rows back without the use-cases' events: the index is
                // told here.
                if let Some(source_type) =
                    crate::knowledge::SOURCE_TYPES.iter().find(|t| **t == other)
                {
                    let debounce = svc.settings.knowledge.debounce_ms;
                    crate::knowledge::mark_changed(&mut work, debounce, user_id, source_type, c.id)
                        .await?;
                }
            }
        }
    }
    let restored = changes
        .iter()
        .map(|c| RestoredRow {
            entity: c.entity.clone(),
            id: c.id,
        })
        .collect();
    work.announce(
        user_id,
        EventKind::AiActionUndone,
        &ActionUndone {
            action_id,
            restored,
        },
    );
    work.commit(svc).await?;
    super::actions::get(svc, ctx, action_id).await
}

/// Tells the user's clients about a task the undo restored, with the events the
/// task's own use-cases send.
async fn announce_task(work: &mut Work, user_id: Uuid, c: &Change) -> ServiceResult<()> {
    match maigie_store::tasks::get(work.conn(), user_id, c.id).await {
        Ok(row) => {
            let view = TaskView::try_from(row)?;
            let kind = if c.after.is_none() {
                EventKind::TaskCreated
            } else {
                EventKind::TaskUpdated
            };
            work.announce(user_id, kind, &view);
        }
        Err(maigie_store::StoreError::NotFound) => {
            work.announce(user_id, EventKind::TaskDeleted, &Deleted { id: c.id });
        }
        Err(err) => return Err(err.into()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn change(id: Uuid, before: Option<Value>, after: Option<Value>) -> Change {
        Change {
            entity: "task".into(),
            id,
            before,
            after,
        }
    }

    #[test]
    fn a_row_touched_twice_is_restored_from_its_first_before_and_checked_against_its_last_after() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let rows = per_row(vec![
            change(a, None, Some(json!({"v": 1}))),
            change(b, Some(json!({"v": 0})), Some(json!({"v": 5}))),
            change(a, Some(json!({"v": 1})), Some(json!({"v": 2}))),
        ]);
        assert_eq!(
            rows,
            vec![
                change(a, None, Some(json!({"v": 2}))),
                change(b, Some(json!({"v": 0})), Some(json!({"v": 5}))),
            ]
        );
    }
}
