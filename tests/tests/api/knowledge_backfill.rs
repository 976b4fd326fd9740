//! The backfill is durable (issue 14): a worker killed in the middle of it leaves a
//! workflow that a new worker finishes, every item indexed exactly once.

use std::time::{Duration, Instant};

use maigie_tests::{TestApp, WorkerProcess, db};
use maigie_workflows::knowledge_backfill::{BackfillInput, KnowledgeBackfillWorkflow};
use temporalio_client::{WorkflowGetResultOptions, WorkflowQueryOptions, WorkflowStartOptions};

const NOTES: i64 = 120;

#[tokio::test]
async fn a_backfill_whose_worker_is_killed_resumes_elsewhere_and_indexes_every_item_once() {
    let app = TestApp::spawn_api_only().await;
    let worker = WorkerProcess::start(&app);
    let (_, _, s) = app.register().await;
    let user: uuid::Uuid = s["user"]["id"].as_str().expect("id").parse().expect("uuid");
    // Notes written before search existed: straight into the table, no index pending.
    sqlx::query(
        "INSERT INTO notes (user_id, title, content)
         SELECT $1, 'Cell biology ' || i, 'Mitochondria make energy for the cell, part ' || i
           FROM generate_series(1, $2) AS i",
    )
    .bind(user)
    .bind(NOTES)
    .execute(&db().await)
    .await
    .expect("notes");

    let temporal = crate::visibility::client(&app).await;
    let id = format!("knowledge-backfill-kill-{user}");
    let options = WorkflowStartOptions::new(&app.task_queue, &id).build();
    let input = BackfillInput {
        page_size: 3,
        user_id: Some(user),
        after: None,
        indexed: 0,
    };
    let handle = temporal
        .start_workflow(KnowledgeBackfillWorkflow::run, input, options)
        .await
        .expect("backfill started");
    // Kill the worker once a few pages are done, well before the last one.
    let start = Instant::now();
    loop {
        let progress = handle
            .query(
                KnowledgeBackfillWorkflow::progress,
                (),
                WorkflowQueryOptions::default(),
            )
            .await
            .expect("progress");
        assert!(
            !progress.finished,
            "the backfill ended before the kill: {progress:?}"
        );
        if progress.pages >= 3 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "no progress");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    worker.kill_hard();
    let _replacement = WorkerProcess::start(&app);

    let done = tokio::time::timeout(
        Duration::from_secs(120),
        handle.get_result(WorkflowGetResultOptions::default()),
    )
    .await
    .expect("backfill finished in time")
    .expect("backfill result");
    assert!(done.finished, "{done:?}");
    // Every note indexed, each exactly once (a retried page skips what the killed one
    // had finished).
    let rounds: Vec<Option<i32>> = sqlx::query_scalar(
        "SELECT k.rounds FROM notes n
           LEFT JOIN knowledge_sources k ON k.source_type = 'note' AND k.source_id = n.id
                                        AND k.status = 'indexed'
          WHERE n.user_id = $1",
    )
    .bind(user)
    .fetch_all(&db().await)
    .await
    .expect("rounds");
    assert_eq!(rounds.len(), usize::try_from(NOTES).expect("count"));
    assert!(rounds.iter().all(|r| *r == Some(1)), "{rounds:?}");
    app.shutdown().await;
}
