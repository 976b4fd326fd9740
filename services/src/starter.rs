//! Starting workflows: the [`WorkflowStarter`] port, the outbox behind it, and an
//! in-memory starter for tests.
//!
//! A use-case records each workflow start (or a long-lived workflow's new input,
//! such as a reminder's plan) as an outbox row *inside its transaction*, so a change
//! that commits always has its start recorded, and one that rolls back never does.
//! After commit the start is sent at once, in the background (`dispatch`: the write
//! does not wait for Temporal); if that fails (Temporal down, process killed),
//! [`crate::Services::relay_outbox`] retries until it succeeds. Workflow ids
//! are deterministic and a start repeated after success is a no-op, so a start may
//! be tried more than once.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use serde_json::Value;
use tokio::sync::watch;

/// One workflow start (or signal-with-start) as recorded in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowStart {
    pub workflow_type: String,
    pub workflow_id: String,
    pub input: Value,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("unknown workflow type {0}")]
    UnknownType(String),
    #[error("bad workflow input: {0}")]
    Input(String),
    /// The workflow service refused or could not be reached; retried by the relay.
    #[error("workflow service: {0}")]
    Unavailable(String),
}

/// Starts workflows by type name. An implementation answers `Ok` when the workflow
/// was started, signalled, or was already running (starts are idempotent by id).
#[async_trait]
pub trait WorkflowStarter: Send + Sync {
    async fn start(&self, start: &WorkflowStart) -> Result<(), StartError>;

    /// Sends signal `signal` (no payload) to the running workflow `workflow_id` of
    /// type `workflow_type`.
    async fn signal(
        &self,
        workflow_type: &str,
        workflow_id: &str,
        signal: &str,
    ) -> Result<(), StartError>;

    /// Sends signal `signal` with `payload` to the workflow `start.workflow_id`,
    /// starting it with `start.input` first when it is not running (a long-lived
    /// workflow fed one item at a time, such as a customer's subscription lifecycle).
    async fn signal_with_start(
        &self,
        start: &WorkflowStart,
        signal: &str,
        payload: &Value,
    ) -> Result<(), StartError>;
}

/// A signal sent to a workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentSignal {
    pub workflow_id: String,
    pub signal: String,
}

/// A signal-with-start sent to a workflow.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalWithStart {
    pub start: WorkflowStart,
    pub signal: String,
    pub payload: Value,
}

/// A starter that records what it was asked to start (tests below HTTP); it can be
/// made to fail, like a Temporal outage, or to hold every start until released, like
/// a slow one.
#[derive(Debug)]
pub struct RecordingStarter {
    started: Mutex<Vec<WorkflowStart>>,
    signals: Mutex<Vec<SentSignal>>,
    signalled_starts: Mutex<Vec<SignalWithStart>>,
    down: AtomicBool,
    held: watch::Sender<bool>,
}

impl Default for RecordingStarter {
    fn default() -> Self {
        Self {
            started: Mutex::default(),
            signals: Mutex::default(),
            signalled_starts: Mutex::default(),
            down: AtomicBool::new(false),
            held: watch::Sender::new(false),
        }
    }
}

impl RecordingStarter {
    /// The starts that succeeded, in order.
    #[must_use]
    pub fn started(&self) -> Vec<WorkflowStart> {
        self.started.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// The signals sent, in order.
    #[must_use]
    pub fn signals(&self) -> Vec<SentSignal> {
        self.signals.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// The signal-with-starts that succeeded, in order.
    #[must_use]
    pub fn signalled_starts(&self) -> Vec<SignalWithStart> {
        self.signalled_starts
            .lock()
            .map(|v| v.clone())
            .unwrap_or_default()
    }

    /// Makes every following start fail (`true`) or succeed again (`false`).
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    /// Makes every start wait (`true`) until released (`false`).
    pub fn set_held(&self, held: bool) {
        self.held.send_replace(held);
    }
}

#[async_trait]
impl WorkflowStarter for RecordingStarter {
    async fn start(&self, start: &WorkflowStart) -> Result<(), StartError> {
        // The sender lives as long as `self`: this only ends once released.
        let _ = self.held.subscribe().wait_for(|held| !held).await;
        if self.down.load(Ordering::SeqCst) {
            return Err(StartError::Unavailable("down (test)".into()));
        }
        if let Ok(mut started) = self.started.lock() {
            started.push(start.clone());
        }
        Ok(())
    }

    async fn signal(
        &self,
        _workflow_type: &str,
        workflow_id: &str,
        signal: &str,
    ) -> Result<(), StartError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(StartError::Unavailable("down (test)".into()));
        }
        if let Ok(mut signals) = self.signals.lock() {
            signals.push(SentSignal {
                workflow_id: workflow_id.to_owned(),
                signal: signal.to_owned(),
            });
        }
        Ok(())
    }

    async fn signal_with_start(
        &self,
        start: &WorkflowStart,
        signal: &str,
        payload: &Value,
    ) -> Result<(), StartError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(StartError::Unavailable("down (test)".into()));
        }
        if let Ok(mut sent) = self.signalled_starts.lock() {
            sent.push(SignalWithStart {
                start: start.clone(),
                signal: signal.to_owned(),
                payload: payload.clone(),
            });
        }
        Ok(())
    }
}
