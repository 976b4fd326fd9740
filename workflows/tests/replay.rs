//! Recorded histories (`workflows/histories/*.json`, from `temporal workflow show
//! --output json`) replayed against today's workflow code: a change that would break
//! workflows already running in production fails here (nondeterminism, TMPRL1100).
//! Record a new history whenever a workflow changes shape, and keep the old ones.

use std::path::Path;

use maigie_workflows::account_mail::AccountMailWorkflow;
use maigie_workflows::ai_action::AiActionWorkflow;
use maigie_workflows::analytics::{AnalyticsDispatchWorkflow, DailyAnalyticsWorkflow};
use maigie_workflows::billing::SubscriptionLifecycleWorkflow;
use maigie_workflows::knowledge_backfill::KnowledgeBackfillWorkflow;
use maigie_workflows::knowledge_index::KnowledgeIndexWorkflow;
use maigie_workflows::{ReminderWorkflow, UserOnboardingWorkflow};
use temporalio_client::WorkflowHistory;
use temporalio_sdk::workflow_replayer::{WorkflowReplayer, WorkflowReplayerOptions};

#[tokio::test]
async fn recorded_histories_replay_against_the_current_workflow_code() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("histories");
    let mut histories = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("histories folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            let bytes = std::fs::read(&path).expect("read history");
            histories.push((
                path.clone(),
                WorkflowHistory::from_json(&bytes).expect("history JSON"),
            ));
        }
    }
    assert!(
        !histories.is_empty(),
        "no recorded histories in {}",
        dir.display()
    );

    let options = WorkflowReplayerOptions::new()
        .register_workflow::<UserOnboardingWorkflow>()
        .expect("register onboarding")
        .register_workflow::<ReminderWorkflow>()
        .expect("register reminder")
        .register_workflow::<AccountMailWorkflow>()
        .expect("register account mail")
        .register_workflow::<KnowledgeIndexWorkflow>()
        .expect("register knowledge index")
        .register_workflow::<KnowledgeBackfillWorkflow>()
        .expect("register knowledge backfill")
        .register_workflow::<AnalyticsDispatchWorkflow>()
        .expect("register analytics dispatch")
        .register_workflow::<DailyAnalyticsWorkflow>()
        .expect("register daily analytics")
        .register_workflow::<SubscriptionLifecycleWorkflow>()
        .expect("register subscription lifecycle")
        .register_workflow::<AiActionWorkflow>()
        .expect("register ai action")
        .build();
    let replayer = WorkflowReplayer::new(options).expect("replayer");
    for (path, history) in histories {
        if let Err(err) = replayer.replay_workflow(history).await {
            panic!("{} no longer replays: {err}", path.display());
        }
    }
}
