//! One write = one [`Work`]: a transaction, the outbox rows it records, and the live
//! events it announces once it has committed.

use maigie_domain::UserEvent;
use maigie_store::outbox;
use maigie_store::{PgConnection, Postgres, Transaction};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::Services;
use crate::error::{ServiceError, ServiceResult};
use crate::events::event;
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
}

impl Work {
    pub(crate) async fn begin(svc: &Services) -> ServiceResult<Self> {
        Ok(Self {
            tx: svc.db.begin().await?,
            events: Vec::new(),
            starts: Vec::new(),
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
    pub fn announce(&mut self, user_id: Uuid, kind: &str, data: &impl Serialize) {
        self.events.extend(event(user_id, kind, data));
    }

    /// Records a workflow start in this transaction's outbox; it is tried right after
    /// commit and by the relay until it succeeds.
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

    /// Commits, then publishes the events and tries the starts (a failed start stays
    /// in the outbox for the relay; a failed publish is logged).
    pub async fn commit(self, svc: &Services) -> ServiceResult<()> {
        self.tx.commit().await?;
        for start in &self.starts {
            svc.dispatch(start).await;
        }
        for event in &self.events {
            svc.events.publish(event).await;
        }
        Ok(())
    }
}
