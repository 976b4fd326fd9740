//! Sending committed workflow starts to Temporal off the caller's path.
//!
//! A write records its starts in the outbox inside its transaction (that is what makes
//! them durable, see [`crate::starter`]). Sending them is the relay's job; doing it
//! inside the request would make every write wait for one Temporal round trip per
//! start (a task with a reminder: two, the reminder's plan and the knowledge index).
//! So after commit the starts are handed to a few background lanes, and the write
//! answers at once.
//!
//! - A lane sends the input the outbox row holds when its turn comes, not the one
//!   queued: a newer write's input replaces the row's, so a start queued before it
//!   sends the newer input, and one whose row was started meanwhile (by the relay, or
//!   an earlier start that already sent that input) sends nothing. One workflow id
//!   always goes to the same lane, and starts for one id queued together are sent once.
//! - A start that cannot be queued (a lane full or gone) or whose process dies before
//!   it is sent is still in the outbox: the relay sends it when its row falls due (ten
//!   seconds after the write). A Temporal that does not answer within
//!   [`SEND_TIMEOUT`] counts as down.
//! - [`Dispatcher::settled`] waits until everything queued has been tried (tests, and
//!   a graceful shutdown).

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use maigie_store::PgPool;
use maigie_store::outbox;
use tokio::sync::{mpsc, watch};

use crate::starter::{StartError, WorkflowStart, WorkflowStarter};

/// Lanes sending in parallel (each in order).
const LANES: usize = 4;
/// Starts a lane holds before the relay is left to send the rest.
const LANE_CAPACITY: usize = 1024;
/// Starts a lane takes off its queue at once (to send each workflow id once).
const BATCH: usize = 64;
/// How long one start may take before it is left to the relay.
pub(crate) const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// The background lanes of one [`crate::Services`] (spawned on first use, on the
/// runtime of that use).
pub(crate) struct Dispatcher {
    starter: Arc<dyn WorkflowStarter>,
    db: PgPool,
    lanes: OnceLock<Vec<mpsc::Sender<Queued>>>,
    /// Starts queued and not yet tried.
    queued: watch::Sender<usize>,
}

/// A queued start. It holds its place in the count of queued starts until it is
/// dropped: tried, superseded, refused by a full lane, or lost with its lane.
struct Queued {
    start: WorkflowStart,
    _ticket: Ticket,
}

struct Ticket(watch::Sender<usize>);

impl Drop for Ticket {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

impl Dispatcher {
    pub(crate) fn new(db: PgPool, starter: Arc<dyn WorkflowStarter>) -> Self {
        Self {
            starter,
            db,
            lanes: OnceLock::new(),
            queued: watch::Sender::new(0),
        }
    }

    /// Queues `start` on its lane; answers at once.
    pub(crate) fn queue(&self, start: WorkflowStart) {
        let lane = &self.lanes()[lane_of(&start.workflow_id)];
        self.queued.send_modify(|n| *n += 1);
        let queued = Queued {
            start,
            _ticket: Ticket(self.queued.clone()),
        };
        if let Err(err) = lane.try_send(queued) {
            tracing::warn!(workflow_id = %err.into_inner().start.workflow_id,
                "workflow start not queued (lane full or stopped); the relay will send it");
        }
    }

    /// Tries `start` now and records the outcome in the outbox (the relay's path).
    pub(crate) async fn send(&self, start: &WorkflowStart) {
        send(self.starter.as_ref(), &self.db, start).await;
    }

    /// Waits until every start queued so far has been tried.
    pub(crate) async fn settled(&self) {
        let mut queued = self.queued.subscribe();
        // The sender lives as long as `self`: this only ends when the count is 0.
        let _ = queued.wait_for(|n| *n == 0).await;
    }

    fn lanes(&self) -> &[mpsc::Sender<Queued>] {
        self.lanes.get_or_init(|| {
            (0..LANES)
                .map(|_| {
                    let (tx, rx) = mpsc::channel(LANE_CAPACITY);
                    tokio::spawn(run_lane(rx, self.starter.clone(), self.db.clone()));
                    tx
                })
                .collect()
        })
    }
}

fn lane_of(workflow_id: &str) -> usize {
    let mut hasher = DefaultHasher::new();
    workflow_id.hash(&mut hasher);
    usize::try_from(hasher.finish() % LANES as u64).unwrap_or(0)
}

async fn run_lane(mut rx: mpsc::Receiver<Queued>, starter: Arc<dyn WorkflowStarter>, db: PgPool) {
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        for queued in once_per_id(&mut batch) {
            send_pending(starter.as_ref(), &db, &queued.start).await;
        }
    }
}

/// The starts of `batch` (emptied), one per workflow id (the last queued), in queue
/// order.
fn once_per_id(batch: &mut Vec<Queued>) -> Vec<Queued> {
    let mut kept: Vec<Queued> = Vec::with_capacity(batch.len());
    for queued in batch.drain(..).rev() {
        if !kept
            .iter()
            .any(|k| k.start.workflow_id == queued.start.workflow_id)
        {
            kept.push(queued);
        }
    }
    kept.reverse();
    kept
}

/// Sends what the outbox holds for `queued`'s workflow now, if it was not sent yet.
async fn send_pending(starter: &dyn WorkflowStarter, db: &PgPool, queued: &WorkflowStart) {
    match outbox::pending_input(db, &queued.workflow_id).await {
        Ok(Some(input)) => {
            let start = WorkflowStart {
                workflow_type: queued.workflow_type.clone(),
                workflow_id: queued.workflow_id.clone(),
                input,
            };
            send(starter, db, &start).await;
        }
        Ok(None) => {}
        Err(err) => tracing::warn!(workflow_id = %queued.workflow_id, error = %err,
            "could not read a workflow start; the relay will send it"),
    }
}

/// Tries one recorded start and records the outcome in the outbox.
async fn send(starter: &dyn WorkflowStarter, db: &PgPool, start: &WorkflowStart) {
    let result = tokio::time::timeout(SEND_TIMEOUT, starter.start(start))
        .await
        .unwrap_or_else(|_| {
            Err(StartError::Unavailable(format!(
                "no answer within {} s",
                SEND_TIMEOUT.as_secs()
            )))
        });
    let recorded = match &result {
        Ok(()) => outbox::mark_started(db, &start.workflow_id, &start.input).await,
        Err(err) => {
            tracing::warn!(workflow_id = %start.workflow_id, error = %err,
                "workflow start failed; the relay will retry");
            outbox::mark_failed(db, &start.workflow_id, &err.to_string()).await
        }
    };
    if let Err(err) = recorded {
        tracing::warn!(workflow_id = %start.workflow_id, error = %err,
            "could not record a workflow start");
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn queued(id: &str, n: i64, count: &watch::Sender<usize>) -> Queued {
        count.send_modify(|c| *c += 1);
        Queued {
            start: WorkflowStart {
                workflow_type: "t".into(),
                workflow_id: id.into(),
                input: json!(n),
            },
            _ticket: Ticket(count.clone()),
        }
    }

    #[test]
    fn one_start_per_id_is_kept_in_queue_order_and_the_rest_are_counted_out() {
        let count = watch::Sender::new(0);
        let mut batch = vec![
            queued("a", 1, &count),
            queued("b", 2, &count),
            queued("a", 3, &count),
            queued("c", 4, &count),
        ];
        let kept = once_per_id(&mut batch);
        let seen: Vec<(String, i64)> = kept
            .iter()
            .map(|q| {
                let n = q.start.input.as_i64().unwrap_or_default();
                (q.start.workflow_id.clone(), n)
            })
            .collect();
        assert_eq!(
            seen,
            [("b".into(), 2), ("a".into(), 3), ("c".into(), 4)],
            "b before a: a's last start was queued after b"
        );
        assert!(batch.is_empty());
        assert_eq!(*count.borrow(), 3, "the superseded start no longer counts");
        drop(kept);
        assert_eq!(*count.borrow(), 0, "tried starts no longer count");
    }
}
