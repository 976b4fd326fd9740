//! Sending committed workflow starts to Temporal off the caller's path.
//!
//! A write records its starts in the outbox inside its transaction (that is what makes
//! them durable, see [`crate::starter`]). Sending them is the relay's job; doing it
//! inside the request would make every write wait for one Temporal round trip per
//! start (a task with a reminder: two, the reminder's plan and the knowledge index).
//! So after commit the starts are handed to a few background lanes, and the write
//! answers at once.
//!
//! - One workflow id always goes to the same lane, and a lane sends in order: two
//!   writes of one task reach its reminder workflow in the order they committed (in
//!   this process), and a lane that finds several inputs for one id queued sends only
//!   the newest (the outbox row holds only that one too).
//! - A start that cannot be queued (a lane full, the runtime gone) or whose process
//!   dies before it is sent is still in the outbox: the relay sends it when its row
//!   falls due (ten seconds after the write).
//! - [`Dispatcher::settled`] waits until everything queued has been tried (tests, and
//!   a graceful shutdown).

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, OnceLock};

use maigie_store::PgPool;
use maigie_store::outbox;
use tokio::sync::{mpsc, watch};

use crate::starter::{WorkflowStart, WorkflowStarter};

/// Lanes sending in parallel (each in order).
const LANES: usize = 4;
/// Starts a lane holds before the relay is left to send the rest.
const LANE_CAPACITY: usize = 1024;
/// Starts a lane takes off its queue at once (to drop superseded inputs).
const BATCH: usize = 64;

/// The background lanes of one [`crate::Services`] (spawned on first use, on the
/// runtime of that use).
pub(crate) struct Dispatcher {
    starter: Arc<dyn WorkflowStarter>,
    db: PgPool,
    lanes: OnceLock<Vec<mpsc::Sender<WorkflowStart>>>,
    /// Starts queued and not yet tried.
    queued: watch::Sender<usize>,
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
        if let Err(err) = lane.try_send(start) {
            self.queued.send_modify(|n| *n = n.saturating_sub(1));
            let start = match err {
                mpsc::error::TrySendError::Full(s) | mpsc::error::TrySendError::Closed(s) => s,
            };
            tracing::warn!(workflow_id = %start.workflow_id,
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

    fn lanes(&self) -> &[mpsc::Sender<WorkflowStart>] {
        self.lanes.get_or_init(|| {
            (0..LANES)
                .map(|_| {
                    let (tx, rx) = mpsc::channel(LANE_CAPACITY);
                    tokio::spawn(run_lane(
                        rx,
                        self.starter.clone(),
                        self.db.clone(),
                        self.queued.clone(),
                    ));
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

async fn run_lane(
    mut rx: mpsc::Receiver<WorkflowStart>,
    starter: Arc<dyn WorkflowStarter>,
    db: PgPool,
    queued: watch::Sender<usize>,
) {
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        let taken = batch.len();
        for start in newest_per_id(&mut batch) {
            send(starter.as_ref(), &db, &start).await;
        }
        queued.send_modify(|n| *n = n.saturating_sub(taken));
    }
}

/// The starts of `batch` (emptied) without those a later one for the same workflow
/// id supersedes, in queue order.
fn newest_per_id(batch: &mut Vec<WorkflowStart>) -> Vec<WorkflowStart> {
    let mut kept: Vec<WorkflowStart> = Vec::with_capacity(batch.len());
    for start in batch.drain(..).rev() {
        if !kept.iter().any(|k| k.workflow_id == start.workflow_id) {
            kept.push(start);
        }
    }
    kept.reverse();
    kept
}

/// Tries one recorded start and records the outcome in the outbox.
async fn send(starter: &dyn WorkflowStarter, db: &PgPool, start: &WorkflowStart) {
    let result = starter.start(start).await;
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

    fn start(id: &str, n: i64) -> WorkflowStart {
        WorkflowStart {
            workflow_type: "t".into(),
            workflow_id: id.into(),
            input: json!(n),
        }
    }

    #[test]
    fn a_later_input_for_an_id_supersedes_the_earlier_and_order_is_kept() {
        let mut batch = vec![start("a", 1), start("b", 2), start("a", 3), start("c", 4)];
        let kept: Vec<(String, i64)> = newest_per_id(&mut batch)
            .into_iter()
            .map(|s| (s.workflow_id, s.input.as_i64().unwrap_or_default()))
            .collect();
        assert_eq!(
            kept,
            [("b".into(), 2), ("a".into(), 3), ("c".into(), 4)],
            "b before a: a's newest input was queued after b"
        );
        assert!(batch.is_empty());
    }
}
