//! The Temporal implementation of the use-cases' [`WorkflowStarter`], and the relay
//! that retries starts left in the outbox.
//!
//! Use-cases record starts in `workflow_outbox` inside their transaction and try them
//! right after commit (see `maigie_services::starter`). If that fails (Temporal down,
//! process killed), [`run_relay`] retries until the start succeeds. Workflow ids are
//! deterministic and starts use `RejectDuplicate` (signal-with-start for reminders),
//! so a start repeated after success is a no-op.

use std::time::Duration;

use async_trait::async_trait;
use maigie_services::{StartError, WorkflowStart, WorkflowStarter};
use maigie_workflows::account_mail::{self, AccountMailInput};
use maigie_workflows::ai_action::{self, AiActionInput};
use maigie_workflows::billing::{self, LifecycleInput};
use maigie_workflows::knowledge_index::{self, IndexInput};
use maigie_workflows::onboarding::{self, OnboardingInput};
use maigie_workflows::reminder::{self, ReminderInput};
use maigie_workflows::schedule_generation::{self, DraftInput};
use maigie_workflows::visibility::Visibility;
use maigie_workflows::voice_message::{self, VoiceMessageInput};
use maigie_workflows::voice_retention::{self, RetentionInput};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use temporalio_client::errors::WorkflowStartError;
use temporalio_client::{
    Client, WorkflowIdReusePolicy, WorkflowSignalOptions, WorkflowStartOptions,
};
use temporalio_common::search_attributes::SearchAttributeUpdate;
use temporalio_common::{HasWorkflowDefinition, SignalDefinition, WorkflowDefinition};
use tokio::sync::watch;

use crate::state::AppState;

/// A workflow type by its name, with JSON input and output: the API starts and signals
/// workflows without their definitions (those, and the Temporal SDK, are the worker's).
/// The payloads are what the typed definitions read: JSON, the SDK's default encoding.
struct Named(&'static str);

impl WorkflowDefinition for Named {
    type Input = Value;
    type Output = Value;
    fn name(&self) -> &str {
        self.0
    }
}

impl HasWorkflowDefinition for Named {
    type Run = Self;
}

/// A signal of a [`Named`] workflow, by its name, with a JSON payload.
struct Signal(&'static str);

impl SignalDefinition for Signal {
    type Workflow = Named;
    type Input = Value;
    fn name(&self) -> &str {
        self.0
    }
}

/// A signal that carries nothing (`()`, encoded as the typed definitions send it).
struct Bare(&'static str);

impl SignalDefinition for Bare {
    type Workflow = Named;
    type Input = ();
    fn name(&self) -> &str {
        self.0
    }
}

/// Reads an outbox input as the workflow's input type: a row the workflow could not
/// read is refused here, before anything is started.
fn read<T: DeserializeOwned>(input: &Value) -> Result<T, StartError> {
    serde_json::from_value(input.clone()).map_err(|e| StartError::Input(e.to_string()))
}

fn json(value: &impl Serialize) -> Result<Value, StartError> {
    serde_json::to_value(value).map_err(|e| StartError::Input(e.to_string()))
}

/// Starts the outbox's workflows on Temporal.
pub struct TemporalStarter {
    client: Client,
    task_queue: String,
}

impl TemporalStarter {
    #[must_use]
    pub fn new(client: Client, task_queue: String) -> Self {
        Self { client, task_queue }
    }

    /// Start options with the workflow's `UserId`/`WorkflowKind` search attributes and
    /// its summary in the Temporal UI (see [`maigie_workflows::visibility`]).
    fn options(
        &self,
        workflow_id: &str,
        reuse: WorkflowIdReusePolicy,
        visibility: Visibility,
        extra: impl IntoIterator<Item = SearchAttributeUpdate>,
    ) -> WorkflowStartOptions {
        let mut attributes = visibility.search_attributes();
        for update in extra {
            attributes.apply(update);
        }
        WorkflowStartOptions::new(&self.task_queue, workflow_id)
            .id_reuse_policy(reuse)
            .search_attributes(attributes)
            .static_summary(visibility.summary)
            .build()
    }

    /// Signal-with-start of workflow `name`: the signal reaches the running workflow of
    /// the options' id, or a new one started with `input`.
    async fn signal_start(
        &self,
        name: &'static str,
        input: Value,
        signal: Signal,
        payload: Value,
        options: WorkflowStartOptions,
    ) -> Result<(), WorkflowStartError> {
        self.client
            .signal_with_start_workflow(Named(name), input, signal, payload, options)
            .await
            .map(|_| ())
    }

    async fn send(&self, start: &WorkflowStart) -> Result<(), StartError> {
        let id = start.workflow_id.as_str();
        let reject = WorkflowIdReusePolicy::RejectDuplicate;
        // Signal-with-start: a run that ended may be followed by a new one.
        let again = WorkflowIdReusePolicy::AllowDuplicate;
        // A plain start: the input read back from the outbox (and checked against the
        // workflow's input type), then the workflow started with its visibility (a
        // second start of the same id is refused).
        macro_rules! start {
            ($workflow:ident, $input:ty, $visibility:path) => {{
                let input: $input = read(&start.input)?;
                let options = self.options(id, reject, $visibility(&input), []);
                self.client
                    .start_workflow(Named($workflow::WORKFLOW_NAME), json(&input)?, options)
                    .await
                    .map(|_| ())
            }};
        }
        let started = match start.workflow_type.as_str() {
            onboarding::WORKFLOW_NAME => {
                start!(onboarding, OnboardingInput, Visibility::onboarding)
            }
            account_mail::WORKFLOW_NAME => {
                start!(account_mail, AccountMailInput, Visibility::account_mail)
            }
            ai_action::WORKFLOW_NAME => start!(ai_action, AiActionInput, Visibility::ai_action),
            voice_message::WORKFLOW_NAME => {
                start!(voice_message, VoiceMessageInput, Visibility::voice_message)
            }
            voice_retention::WORKFLOW_NAME => {
                start!(voice_retention, RetentionInput, Visibility::voice_retention)
            }
            schedule_generation::WORKFLOW_NAME => start!(
                schedule_generation,
                DraftInput,
                Visibility::schedule_generation
            ),
            knowledge_index::WORKFLOW_NAME => {
                // A running index hears of the change (and debounces); an idle one
                // starts again.
                let input: IndexInput = read(&start.input)?;
                let options = self.options(id, again, Visibility::knowledge_index(&input), []);
                let payload = json(&input)?;
                let signal = Signal(knowledge_index::CHANGED_SIGNAL);
                self.signal_start(
                    knowledge_index::WORKFLOW_NAME,
                    payload.clone(),
                    signal,
                    payload,
                    options,
                )
                .await
            }
            reminder::WORKFLOW_NAME => {
                // Starts the reminder or hands the running one its new plan. A finished
                // reminder may run again for a new plan; its deliveries are keyed by
                // occurrence, so an old one is never sent twice.
                let input: ReminderInput = read(&start.input)?;
                let kind = reminder::REMINDER_KIND.value_set(input.source_type.clone());
                let options = self.options(id, again, Visibility::reminder(&input), [kind]);
                self.signal_start(
                    reminder::WORKFLOW_NAME,
                    json(&input)?,
                    Signal(reminder::RESCHEDULE_SIGNAL),
                    json(&input.plan)?,
                    options,
                )
                .await
            }
            other => return Err(StartError::UnknownType(other.to_owned())),
        };
        match started {
            Ok(()) | Err(WorkflowStartError::AlreadyStarted { .. }) => Ok(()),
            Err(err) => Err(StartError::Unavailable(err.to_string())),
        }
    }
}

#[async_trait]
impl WorkflowStarter for TemporalStarter {
    async fn start(&self, start: &WorkflowStart) -> Result<(), StartError> {
        let result = self.send(start).await;
        if result.is_ok() {
            crate::metrics::workflow_started(&start.workflow_type);
        }
        result
    }

    async fn signal(
        &self,
        workflow_type: &str,
        workflow_id: &str,
        signal: &str,
    ) -> Result<(), StartError> {
        if workflow_type != ai_action::WORKFLOW_NAME {
            return Err(StartError::UnknownType(workflow_type.to_owned()));
        }
        // Confirm and reject carry nothing.
        let name = match signal {
            ai_action::CONFIRM_SIGNAL => ai_action::CONFIRM_SIGNAL,
            ai_action::REJECT_SIGNAL => ai_action::REJECT_SIGNAL,
            other => return Err(StartError::UnknownType(format!("{workflow_type}.{other}"))),
        };
        self.client
            .get_workflow_handle::<Named>(workflow_id.to_owned())
            .signal(Bare(name), (), WorkflowSignalOptions::default())
            .await
            .map_err(|e| StartError::Unavailable(e.to_string()))
    }

    async fn signal_with_start(
        &self,
        start: &WorkflowStart,
        signal: &str,
        payload: &Value,
    ) -> Result<(), StartError> {
        if start.workflow_type != billing::WORKFLOW_NAME || signal != billing::EVENT_SIGNAL {
            return Err(StartError::UnknownType(format!(
                "{}.{signal}",
                start.workflow_type
            )));
        }
        let input: LifecycleInput = read(&start.input)?;
        let event_id: String = read(payload)?;
        // A customer's lifecycle may run again after it ended.
        let options = self.options(
            &start.workflow_id,
            WorkflowIdReusePolicy::AllowDuplicate,
            Visibility::subscription(&input),
            [],
        );
        self.signal_start(
            billing::WORKFLOW_NAME,
            json(&input)?,
            Signal(billing::EVENT_SIGNAL),
            Value::String(event_id),
            options,
        )
        .await
        .map_err(|e| StartError::Unavailable(e.to_string()))
    }
}

/// Retries starts left pending until shutdown; hands billing events on; also
/// forgets expired idempotency keys every ten minutes.
pub async fn run_relay(state: AppState, mut shutdown: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(Duration::from_secs(2));
    let mut ticks: u64 = 0;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        ticks += 1;
        if ticks % 300 == 1
            && let Err(err) = maigie_store::idempotency::purge_expired(&state.db).await
        {
            tracing::warn!(error = %err, "could not purge idempotency keys");
        }
        maigie_services::billing::relay_events(&state.services).await;
        if let Err(err) = state.services.relay_outbox().await {
            tracing::warn!(error = %err, "workflow relay could not read the outbox");
        }
    }
}
