//! Starting Temporal workflows from the API, through the outbox.
//!
//! A handler writes the start into `workflow_outbox` inside its transaction, then
//! calls [`start_now`] after commit. If that fails (Temporal down, process killed),
//! [`run_relay`] retries until the start succeeds. Workflow ids are deterministic and
//! starts use `RejectDuplicate`, so a start repeated after success is a no-op.

use std::time::Duration;

use maigie_store::outbox::{self, PendingStart};
use maigie_workflows::onboarding::{self, OnboardingInput, UserOnboardingWorkflow};
use maigie_workflows::reminder::{self, ReminderInput, ReminderWorkflow};
use serde_json::Value;
use temporalio_client::errors::WorkflowStartError;
use temporalio_client::{WorkflowIdReusePolicy, WorkflowStartOptions};
use temporalio_common::search_attributes::SearchAttributes;
use tokio::sync::watch;

use crate::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("unknown workflow type {0}")]
    UnknownType(String),
    #[error("bad workflow input: {0}")]
    Input(#[from] serde_json::Error),
    #[error("temporal: {0}")]
    Temporal(#[from] WorkflowStartError),
}

/// Records the onboarding of a new user in the caller's transaction.
pub async fn enqueue_onboarding(
    tx: &mut maigie_store::Transaction<'_, maigie_store::Postgres>,
    input: &OnboardingInput,
) -> Result<String, maigie_store::StoreError> {
    let workflow_id = onboarding::onboarding_workflow_id(input.user_id);
    let json = serde_json::to_value(input)
        .map_err(|e| maigie_store::StoreError::MalformedEvent(e.to_string()))?;
    outbox::enqueue(
        &mut **tx,
        Some(input.user_id),
        onboarding::WORKFLOW_NAME,
        &workflow_id,
        json,
    )
    .await?;
    Ok(workflow_id)
}

async fn start(
    state: &AppState,
    workflow_type: &str,
    workflow_id: &str,
    input: Value,
) -> Result<(), StartError> {
    let options = WorkflowStartOptions::new(&state.settings.temporal_task_queue, workflow_id)
        .id_reuse_policy(WorkflowIdReusePolicy::RejectDuplicate)
        .build();
    let started = match workflow_type {
        onboarding::WORKFLOW_NAME => {
            let input: OnboardingInput = serde_json::from_value(input)?;
            state
                .temporal
                .start_workflow(UserOnboardingWorkflow::run, input, options)
                .await
                .map(|_| ())
        }
        reminder::WORKFLOW_NAME => {
            // Signal-with-start: starts the reminder or hands the running one its new
            // plan. A finished reminder may run again for a new plan; its deliveries
            // are keyed by occurrence, so an old one is never sent twice.
            let input: ReminderInput = serde_json::from_value(input)?;
            let attributes = SearchAttributes::new([
                reminder::USER_ID.value_set(input.user_id.to_string()),
                reminder::REMINDER_KIND.value_set(input.source_type.clone()),
            ]);
            let options =
                WorkflowStartOptions::new(&state.settings.temporal_task_queue, workflow_id)
                    .id_reuse_policy(WorkflowIdReusePolicy::AllowDuplicate)
                    .search_attributes(attributes)
                    .build();
            let plan = input.plan.clone();
            state
                .temporal
                .signal_with_start_workflow(
                    ReminderWorkflow::run,
                    input,
                    ReminderWorkflow::reschedule,
                    plan,
                    options,
                )
                .await
                .map(|_| ())
        }
        other => return Err(StartError::UnknownType(other.to_owned())),
    };
    match started {
        Ok(()) => {
            metrics::counter!("maigie_workflow_starts_total", "workflow" => workflow_type.to_owned())
                .increment(1);
            Ok(())
        }
        Err(WorkflowStartError::AlreadyStarted { .. }) => Ok(()),
        Err(err) => Err(err.into()),
    }
}

/// Starts an enqueued workflow right away; on failure the relay takes over.
pub async fn start_now(state: &AppState, workflow_type: &str, workflow_id: &str, input: Value) {
    let result = start(state, workflow_type, workflow_id, input.clone()).await;
    settle(state, workflow_id, &input, result).await;
}

/// Records the desired plan of a source's reminder (through the outbox, so it
/// survives a Temporal outage) and sends it.
pub async fn sync_reminder(state: &AppState, input: &ReminderInput) {
    let workflow_id = reminder::reminder_workflow_id(&input.source_type, input.source_id);
    let json = match serde_json::to_value(input) {
        Ok(j) => j,
        Err(err) => return tracing::warn!(error = %err, "unserialisable reminder"),
    };
    if let Err(err) = outbox::upsert(
        &state.db,
        Some(input.user_id),
        reminder::WORKFLOW_NAME,
        &workflow_id,
        json.clone(),
    )
    .await
    {
        tracing::warn!(%workflow_id, error = %err, "could not record a reminder change");
    }
    start_now(state, reminder::WORKFLOW_NAME, &workflow_id, json).await;
}

async fn settle(
    state: &AppState,
    workflow_id: &str,
    input: &Value,
    result: Result<(), StartError>,
) {
    let recorded = match &result {
        Ok(()) => outbox::mark_started(&state.db, workflow_id, input).await,
        Err(err) => {
            tracing::warn!(%workflow_id, error = %err, "workflow start failed; the relay will retry");
            outbox::mark_failed(&state.db, workflow_id, &err.to_string()).await
        }
    };
    if let Err(err) = recorded {
        tracing::warn!(%workflow_id, error = %err, "could not record the workflow start");
    }
}

/// Retries starts left pending until shutdown; also forgets expired idempotency
/// keys every ten minutes.
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
        crate::billing::relay(&state).await;
        match outbox::claim_due(&state.db, 50, 30).await {
            Ok(due) => {
                for PendingStart {
                    workflow_type,
                    workflow_id,
                    input,
                    ..
                } in due
                {
                    let result = start(&state, &workflow_type, &workflow_id, input.clone()).await;
                    settle(&state, &workflow_id, &input, result).await;
                }
            }
            Err(err) => tracing::warn!(error = %err, "workflow relay could not read the outbox"),
        }
    }
}
