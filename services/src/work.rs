//! One write = one [`Work`]: a transaction, the outbox rows it records, and the live
//! events it announces once it has committed.

use maigie_domain::{EventKind, UserEvent};
use maigie_store::outbox;
use maigie_store::{PgConnection, Postgres, Transaction};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::Services;
use crate::error::{ServiceError, ServiceResult};
use crate::events::{EndedSessions, event};
use crate::starter::WorkflowStart;

/// How a recorded start treats an earlier row for the same workflow id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// A one-off start: a second record for the same id is ignored.
    Never,
    /// A long-lived workflow's latest desired input (e.g. a reminder's plan): the
    /// newer input replaces the older and is sent again.
    Latest,
}

/// A use-case's transaction with what must happen after it commits.
pub struct Work {
    tx: Transaction<'static, Postgres>,
    events: Vec<UserEvent>,
    starts: Vec<WorkflowStart>,
    ended: Vec<EndedSessions>,
}

impl Work {
    pub(crate) async fn begin(svc: &Services) -> ServiceResult<Self> {
        Ok(Self {
            tx: svc.db.begin().await?,
            events: Vec::new(),
            starts: Vec::new(),
            ended: Vec::new(),
        })
    }

    /// The transaction, for store calls that want one.
    pub fn tx(&mut self) -> &mut Transaction<'static, Postgres> {
        &mut self.tx
    }

    /// The transaction's connection, for store calls that take an executor.
    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    /// Announces `{type: kind, data}` to the user once the work commits.
    pub fn announce(&mut self, user_id: Uuid, kind: EventKind, data: &impl Serialize) {
        self.events.extend(event(user_id, kind, data));
    }

    /// Ends every session of the user in this transaction (see
    /// [`maigie_store::sessions::end_all`]: the epoch moves, refresh and MCP tokens are
    /// revoked, the calendar secret withdrawn); every instance is told after commit,
    /// so sockets and streams close. Answers the new epoch.
    pub async fn end_sessions(&mut self, user_id: Uuid) -> ServiceResult<i64> {
        let epoch = maigie_store::sessions::end_all(&mut self.tx, user_id).await?;
        self.ended.push(EndedSessions::Before { user_id, epoch });
        Ok(epoch)
    }

    /// The user is being deleted: once committed, every token of theirs is refused
    /// and their sockets close.
    pub fn account_gone(&mut self, user_id: Uuid) {
        self.ended.push(EndedSessions::Before {
            user_id,
            epoch: maigie_store::session_cache::GONE_EPOCH,
        });
    }

    /// Ends one session (refresh-token family) of the user in this transaction
    /// ([`ServiceError::NotFound`] if it is not theirs or already over).
    pub async fn end_session(&mut self, user_id: Uuid, session_id: Uuid) -> ServiceResult<()> {
        maigie_store::sessions::revoke(&mut *self.tx, user_id, session_id).await?;
        self.ended.push(EndedSessions::One {
            user_id,
            session_id,
        });
        Ok(())
    }

    /// Records a workflow start in this transaction's outbox; it is sent in the
    /// background right after commit (the caller does not wait), and by the relay
    /// until it succeeds.
    pub async fn start_workflow(
        &mut self,
        user_id: Option<Uuid>,
        workflow_type: &str,
        workflow_id: &str,
        input: &impl Serialize,
        replace: Replace,
    ) -> ServiceResult<()> {
        let input: Value = serde_json::to_value(input).map_err(ServiceError::internal)?;
        match replace {
            Replace::Never => {
                outbox::enqueue(
                    &mut *self.tx,
                    user_id,
                    workflow_type,
                    workflow_id,
                    input.clone(),
                )
                .await?;
            }
            Replace::Latest => {
                outbox::upsert(
                    &mut *self.tx,
                    user_id,
                    workflow_type,
                    workflow_id,
                    input.clone(),
                )
                .await?;
            }
        }
        // The latest input for an id wins within one transaction too.
        self.starts.retain(|s| s.workflow_id != workflow_id);
        self.starts.push(WorkflowStart {
            workflow_type: workflow_type.to_owned(),
            workflow_id: workflow_id.to_owned(),
            input,
        });
        Ok(())
    }

    /// Marks every source this work wrote for re-indexing, in its transaction (once
    /// per source, however many events announced it).
    async fn follow_knowledge(&mut self, svc: &Services) -> ServiceResult<()> {
        let mut written: Vec<(Uuid, &'static str, Uuid)> = self
            .events
            .iter()
            .filter_map(|e| {
                let source_type = crate::knowledge::written_source(e.kind)?;
                let id = e.data.get("id")?.as_str()?.parse().ok()?;
                Some((e.user_id, source_type, id))
            })
            .collect();
        written.sort_unstable();
        written.dedup();
        let debounce = svc.settings.knowledge.debounce_ms;
        for (user_id, source_type, id) in written {
            crate::knowledge::mark_changed(self, debounce, user_id, source_type, id).await?;
        }
        Ok(())
    }

    /// Commits, then hands the starts to the background and publishes the events (a
    /// failed start stays in the outbox for the relay; a failed publish is logged).
    pub async fn commit(mut self, svc: &Services) -> ServiceResult<()> {
        self.follow_knowledge(svc).await?;
        self.tx.commit().await?;
        svc.dispatch_soon(std::mem::take(&mut self.starts));
        for ended in &self.ended {
            match *ended {
                EndedSessions::Before { user_id, epoch } => {
                    svc.events.sessions_ended(user_id, epoch).await;
                }
                EndedSessions::One {
                    user_id,
                    session_id,
                } => svc.events.session_ended(user_id, session_id).await,
            }
        }
        for event in &self.events {
            svc.events.publish(event).await;
        }
        Ok(())
    }
}
