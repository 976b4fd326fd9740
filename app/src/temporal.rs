//! Connecting to Temporal: the client (its RPCs counted in the metrics), the search
//! attributes the app sets, the analytics schedule, workflow histories. The worker
//! itself is in [`crate::worker`].

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use maigie_workflows::analytics::{self, AnalyticsDispatchWorkflow, DispatchInput};
use maigie_workflows::visibility::{SEARCH_ATTRIBUTES, Visibility};
use maigie_workflows::voice_retention::{self, RetentionInput, VoiceRetentionWorkflow};
use temporalio_client::schedules::{
    CreateScheduleOptions, ScheduleAction, ScheduleError, ScheduleIntervalSpec,
    ScheduleOverlapPolicy, ScheduleSpec,
};
use temporalio_client::tonic::IntoRequest;
use temporalio_client::{
    Client, ClientOptions, Connection, ConnectionOptions, UntypedWorkflow, WorkflowExecutionInfo,
    WorkflowFetchHistoryOptions, WorkflowHandle,
};
use temporalio_common::protos::temporal::api::common::v1::Payload;
use temporalio_common::protos::temporal::api::enums::v1::IndexedValueType;
use temporalio_common::protos::temporal::api::operatorservice::v1::{
    AddSearchAttributesRequest, ListSearchAttributesRequest,
};
use temporalio_common::protos::temporal::api::schedule::v1::schedule_action::Action;
use temporalio_common::protos::temporal::api::sdk::v1::UserMetadata;
use temporalio_common::protos::temporal::api::workflowservice::v1::{
    DescribeScheduleRequest, UpdateScheduleRequest,
};
use temporalio_common::telemetry::TaskQueueLabelStrategy;
use temporalio_common::telemetry::metrics::TemporalMeter;

use crate::StartupError;
use crate::config::Config;
use crate::temporal_metrics::MetricsBridge;

/// A client bound to the configured namespace; its RPCs are counted in the
/// `temporal_request*` metrics.
pub async fn connect(config: &Config) -> anyhow::Result<Client> {
    let meter = TemporalMeter::new(
        Arc::new(MetricsBridge::prefixed()),
        Default::default(),
        TaskQueueLabelStrategy::UseNormal,
    );
    let options = ConnectionOptions::new(config.temporal_address.clone())
        .identity(format!("maigie@{}", std::process::id()))
        .connect_timeout(Duration::from_secs(10))
        .metrics_meter(meter)
        .build();
    let connection = Connection::connect(options).await.map_err(|e| {
        StartupError(format!(
            "cannot reach Temporal at TEMPORAL_ADDRESS={}: {e}",
            config.temporal_address
        ))
    })?;
    Ok(Client::new(
        connection,
        ClientOptions::new(config.temporal_namespace.clone()).build(),
    )?)
}

fn indexed_type(name: &str) -> IndexedValueType {
    match name {
        "Text" => IndexedValueType::Text,
        "Int" => IndexedValueType::Int,
        "Double" => IndexedValueType::Double,
        "Bool" => IndexedValueType::Bool,
        "Datetime" => IndexedValueType::Datetime,
        "KeywordList" => IndexedValueType::KeywordList,
        _ => IndexedValueType::Keyword,
    }
}

/// Makes sure the namespace knows every search attribute the app sets
/// ([`SEARCH_ATTRIBUTES`]): a start that sets an unknown one is refused. Missing ones
/// are registered (a dev server allows it; elsewhere the error says what to run).
pub async fn ensure_search_attributes(client: &Client, namespace: &str) -> anyhow::Result<()> {
    let mut operator = client.connection().operator_service();
    let known = operator
        .list_search_attributes(
            ListSearchAttributesRequest {
                namespace: namespace.to_owned(),
            }
            .into_request(),
        )
        .await
        .map_err(|e| StartupError(format!("cannot list Temporal search attributes: {e}")))?
        .into_inner();
    let missing: HashMap<String, i32> = SEARCH_ATTRIBUTES
        .iter()
        .filter(|(name, _)| {
            !known.custom_attributes.contains_key(*name)
                && !known.system_attributes.contains_key(*name)
        })
        .map(|(name, kind)| ((*name).to_owned(), indexed_type(kind) as i32))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut names: Vec<&str> = missing.keys().map(String::as_str).collect();
    names.sort_unstable();
    let names = names.join(", ");
    operator
        .add_search_attributes(
            AddSearchAttributesRequest {
                search_attributes: missing.clone(),
                namespace: namespace.to_owned(),
            }
            .into_request(),
        )
        .await
        .map_err(|e| {
            StartupError(format!(
                "Temporal namespace {namespace} lacks the search attributes {names} and \
                 registering them failed ({}): register them with `temporal operator \
                 search-attribute create --name NAME --type TYPE` (temporal/search-attributes.txt)",
                e.message()
            ))
        })?;
    tracing::info!(namespace, attributes = %names, "registered Temporal search attributes");
    Ok(())
}

/// Creates the hourly schedule of the daily analytics (five past each hour) unless it
/// exists. Each task queue has its own schedule. Its runs carry `WorkflowKind` and a
/// summary (set on an existing schedule too).
pub async fn ensure_analytics_schedule(
    client: &Client,
    namespace: &str,
    task_queue: &str,
) -> anyhow::Result<()> {
    let id = analytics::schedule_id(task_queue);
    let spec = ScheduleSpec::builder()
        .intervals(vec![ScheduleIntervalSpec::new(
            std::time::Duration::from_secs(3600),
            Some(std::time::Duration::from_secs(300)),
        )])
        .build();
    let options = CreateScheduleOptions::builder()
        .action(ScheduleAction::start_workflow(
            AnalyticsDispatchWorkflow::run,
            DispatchInput {
                task_queue: task_queue.to_owned(),
            },
            task_queue,
            format!("analytics-dispatch-{task_queue}"),
        ))
        .spec(spec)
        .overlap_policy(ScheduleOverlapPolicy::Skip)
        .note("Daily analytics: computes each time zone's day after its midnight.".to_owned())
        .build();
    match client.create_schedule(id.as_str(), options).await {
        Ok(_) => tracing::info!(schedule = %id, "analytics schedule created"),
        Err(ScheduleError::Rpc(status)) if format!("{:?}", status.code()) == "AlreadyExists" => {}
        Err(err) => return Err(err.into()),
    }
    if let Err(err) = label_scheduled_runs(client, namespace, &id, task_queue).await {
        tracing::warn!(schedule = %id, error = %err,
            "could not set the search attributes of the schedule's runs");
    }
    Ok(())
}

/// The hourly `voice_retention` run of `task_queue` (created once; an existing schedule
/// is left as it is).
pub async fn ensure_voice_retention_schedule(
    client: &Client,
    task_queue: &str,
) -> anyhow::Result<()> {
    let id = voice_retention::schedule_id(task_queue);
    let spec = ScheduleSpec::builder()
        .intervals(vec![ScheduleIntervalSpec::new(
            Duration::from_secs(3600),
            Some(Duration::from_secs(900)),
        )])
        .build();
    let options = CreateScheduleOptions::builder()
        .action(ScheduleAction::start_workflow(
            VoiceRetentionWorkflow::run,
            RetentionInput::default(),
            task_queue,
            format!("voice-retention-run-{task_queue}"),
        ))
        .spec(spec)
        .overlap_policy(ScheduleOverlapPolicy::Skip)
        .note(
            "Voice retention: deletes voice audio past VOICE_RETENTION_DAYS and audio queued for deletion."
                .to_owned(),
        )
        .build();
    match client.create_schedule(id.as_str(), options).await {
        Ok(_) => tracing::info!(schedule = %id, "voice retention schedule created"),
        Err(ScheduleError::Rpc(status)) if format!("{:?}", status.code()) == "AlreadyExists" => {}
        Err(err) => return Err(err.into()),
    }
    Ok(())
}

/// A `json/plain` payload, as the SDK encodes a string.
fn json_payload(text: &str) -> Payload {
    Payload {
        metadata: HashMap::from([("encoding".to_owned(), b"json/plain".to_vec())]),
        data: serde_json::to_vec(text).unwrap_or_default(),
        ..Default::default()
    }
}

/// The typed schedule API sets only a run's type, queue, id and input: the search
/// attributes and summary of the analytics runs are set on the raw schedule.
async fn label_scheduled_runs(
    client: &Client,
    namespace: &str,
    schedule_id: &str,
    task_queue: &str,
) -> anyhow::Result<()> {
    let mut service = client.connection().workflow_service();
    let described = service
        .describe_schedule(
            DescribeScheduleRequest {
                namespace: namespace.to_owned(),
                schedule_id: schedule_id.to_owned(),
            }
            .into_request(),
        )
        .await?
        .into_inner();
    let Some(mut schedule) = described.schedule else {
        return Ok(());
    };
    let Some(Action::StartWorkflow(start)) =
        schedule.action.as_mut().and_then(|a| a.action.as_mut())
    else {
        return Ok(());
    };
    let visibility = Visibility::analytics_dispatch(task_queue);
    let attributes = visibility.search_attributes().to_proto();
    let metadata = UserMetadata {
        summary: Some(json_payload(&visibility.summary)),
        details: None,
    };
    if start.search_attributes.as_ref() == Some(&attributes)
        && start.user_metadata.as_ref() == Some(&metadata)
    {
        return Ok(());
    }
    start.search_attributes = Some(attributes);
    start.user_metadata = Some(metadata);
    service
        .update_schedule(
            UpdateScheduleRequest {
                namespace: namespace.to_owned(),
                schedule_id: schedule_id.to_owned(),
                schedule: Some(schedule),
                conflict_token: described.conflict_token,
                identity: client.connection().identity().to_owned(),
                request_id: uuid::Uuid::new_v4().to_string(),
                ..Default::default()
            }
            .into_request(),
        )
        .await?;
    tracing::info!(schedule = %schedule_id, "analytics runs labelled (WorkflowKind, summary)");
    Ok(())
}

/// The event history of a workflow (its latest run), as JSON.
pub async fn history_json(
    config: &Config,
    workflow_id: &str,
    run_id: Option<&str>,
) -> anyhow::Result<Vec<u8>> {
    let client = connect(config).await?;
    let info = WorkflowExecutionInfo::builder()
        .namespace(config.temporal_namespace.clone())
        .workflow_id(workflow_id)
        .maybe_run_id(run_id.map(str::to_owned))
        .build();
    let handle = WorkflowHandle::<_, UntypedWorkflow>::new(client, info);
    let history = handle.fetch_history(WorkflowFetchHistoryOptions::default());
    Ok(history.to_json().await?)
}
