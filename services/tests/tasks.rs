//! The task rules, below HTTP.

mod common;

use chrono::{Duration, Utc};
use common::World;
use maigie_services::reminders;
use maigie_services::tasks::{self, CreateTask, UpdateTask};
use maigie_store::goals::{self, GoalFields};

fn daily(title: &str) -> CreateTask {
    CreateTask {
        title: title.into(),
        due_at: Some(Utc::now() + Duration::hours(2)),
        recurrence_rule: Some("FREQ=DAILY".into()),
        ..CreateTask::default()
    }
}

#[tokio::test]
async fn eight_concurrent_completions_of_a_recurring_task_create_one_next_occurrence() {
    let w = World::new().await;
    let me = w.user("Europe/Berlin").await;
    let task = tasks::create(&w.svc, &me, daily("Water the plants"), None)
        .await
        .expect("create");

    let answers =
        futures::future::join_all((0..8).map(|_| tasks::complete(&w.svc, &me, task.id))).await;

    let nexts: Vec<_> = answers
        .into_iter()
        .map(|a| a.expect("complete").next_occurrence.expect("a next one").id)
        .collect();
    assert!(nexts.iter().all(|id| *id == nexts[0]), "{nexts:?}");
    let successors: i64 =
        sqlx::query_scalar("SELECT count(*) FROM tasks WHERE recurrence_parent_id = $1")
            .bind(task.id)
            .fetch_one(&w.db)
            .await
            .expect("count");
    assert_eq!(successors, 1);
    let created = w
        .event_kinds()
        .iter()
        .filter(|k| *k == "task.created")
        .count();
    assert_eq!(created, 2, "the task and its one successor are announced");
    w.finish().await;
}

#[tokio::test]
async fn a_goals_progress_follows_its_tasks_in_the_same_transaction() {
    let w = World::new().await;
    let me = w.user("UTC").await;
    let goal = goals::create(
        &w.db,
        me.user_id,
        &GoalFields {
            title: Some("Pass the exam".into()),
            ..GoalFields::default()
        },
    )
    .await
    .expect("goal");
    let under = |title: &str| CreateTask {
        title: title.into(),
        ..CreateTask::default()
    };
    let a = tasks::create(&w.svc, &me, under("Read"), Some(goal.id))
        .await
        .expect("a");
    let b = tasks::create(&w.svc, &me, under("Write"), Some(goal.id))
        .await
        .expect("b");
    let progress = || async {
        goals::get(&w.db, me.user_id, goal.id)
            .await
            .expect("goal")
            .progress
    };

    tasks::complete(&w.svc, &me, a.id).await.expect("complete");
    assert!((progress().await - 0.5).abs() < 1e-6);

    tasks::delete(&w.svc, &me, b.id).await.expect("delete");
    assert!((progress().await - 1.0).abs() < 1e-6);

    tasks::reopen(&w.svc, &me, a.id).await.expect("reopen");
    assert!(progress().await.abs() < 1e-6);
    w.finish().await;
}

#[tokio::test]
async fn another_users_task_is_not_found_and_their_goal_is_a_field_error() {
    let w = World::new().await;
    let (me, other) = (w.user("UTC").await, w.user("UTC").await);
    let theirs = tasks::create(&w.svc, &other, daily("Theirs"), None)
        .await
        .expect("create");
    let goal = goals::create(
        &w.db,
        other.user_id,
        &GoalFields {
            title: Some("Their goal".into()),
            ..GoalFields::default()
        },
    )
    .await
    .expect("goal");

    for result in [
        tasks::get(&w.svc, &me, theirs.id).await.err(),
        tasks::complete(&w.svc, &me, theirs.id).await.err(),
        tasks::update(&w.svc, &me, theirs.id, UpdateTask::default())
            .await
            .err(),
        tasks::delete(&w.svc, &me, theirs.id).await.err(),
    ] {
        assert!(
            matches!(result, Some(maigie_services::ServiceError::NotFound)),
            "{result:?}"
        );
    }
    let linked = CreateTask {
        title: "Mine".into(),
        goal_id: Some(goal.id),
        ..CreateTask::default()
    };
    let err = tasks::create(&w.svc, &me, linked, None)
        .await
        .expect_err("refused");
    assert!(
        matches!(&err, maigie_services::ServiceError::Invalid(f) if f[0].field == "goal_id"),
        "{err:?}"
    );
    w.finish().await;
}

fn with_reminder(title: &str) -> CreateTask {
    CreateTask {
        title: title.into(),
        due_at: Some(Utc::now() + Duration::hours(3)),
        reminder_minutes: Some(30),
        ..CreateTask::default()
    }
}

#[tokio::test]
async fn a_committed_reminder_change_is_in_the_outbox_even_when_temporal_is_down() {
    let w = World::new().await;
    let me = w.user("UTC").await;
    w.starter.set_down(true);

    let task = tasks::create(&w.svc, &me, with_reminder("Call the dentist"), None)
        .await
        .expect("the write does not depend on Temporal");

    let id = format!("reminder-task-{}", task.id);
    let rows = w.outbox(&id).await;
    assert_eq!(rows.len(), 1);
    assert!(!rows[0].0, "not started while Temporal is down");
    assert!(w.started().await.is_empty());

    // Temporal is back: the relay sends the plan once it is due.
    w.starter.set_down(false);
    sqlx::query("UPDATE workflow_outbox SET next_attempt_at = now() WHERE workflow_id = $1")
        .bind(&id)
        .execute(&w.db)
        .await
        .expect("due now");
    w.svc.relay_outbox().await.expect("relay");
    let started = w.started().await;
    assert_eq!(started.len(), 1);
    assert_eq!(started[0].workflow_id, id);
    assert!(started[0].input["plan"]["fire_at_ms"].is_i64());
    assert!(w.outbox(&id).await[0].0, "marked started");
    w.finish().await;
}

#[tokio::test]
async fn a_write_answers_without_waiting_for_temporal_and_the_newest_plan_is_sent_last() {
    let w = World::new().await;
    let me = w.user("UTC").await;
    w.starter.set_held(true);

    // Temporal holds every start: the writes still answer.
    let answered = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        let task = tasks::create(&w.svc, &me, with_reminder("Renew passport"), None)
            .await
            .expect("create");
        for minutes in [10, 20] {
            let patch = UpdateTask {
                reminder_minutes: Some(Some(minutes)),
                ..UpdateTask::default()
            };
            tasks::update(&w.svc, &me, task.id, patch)
                .await
                .expect("update");
        }
        task
    })
    .await;
    let task = answered.expect("the writes answered while Temporal held their starts");
    assert!(
        w.starter.started().is_empty(),
        "nothing reached Temporal yet"
    );

    w.starter.set_held(false);
    let id = format!("reminder-task-{}", task.id);
    let plans = w.started_for(&id).await;
    let rows = w.outbox(&id).await;
    assert_eq!(rows.len(), 1);
    assert!(rows[0].0, "the outbox row is marked started");
    let last = plans.last().expect("the plan was sent");
    assert_eq!(
        last.input, rows[0].1,
        "the newest plan is the one sent last"
    );
    let fire_at = last.input["plan"]["fire_at_ms"]
        .as_i64()
        .expect("fire time");
    let due = task.due_at.expect("due").timestamp_millis();
    assert_eq!(due - fire_at, 20 * 60 * 1000, "20 minutes before");
    w.finish().await;
}

#[tokio::test]
async fn a_rolled_back_write_leaves_no_outbox_row_no_start_and_no_event() {
    let w = World::new().await;
    let me = w.user("UTC").await;
    let task = tasks::create(&w.svc, &me, with_reminder("Pay rent"), None)
        .await
        .expect("create");
    let before_starts = w.started().await.len();
    let before_events = w.events.taken().len();
    sqlx::query("DELETE FROM workflow_outbox")
        .execute(&w.db)
        .await
        .expect("clear");

    let mut work = w.svc.begin().await.expect("begin");
    reminders::resync_task(&mut work, me.user_id, task.id)
        .await
        .expect("recorded");
    work.announce(me.user_id, maigie_domain::EventKind::TaskUpdated, &task);
    drop(work); // rolled back, e.g. a later step of the use-case failed

    assert!(
        w.outbox(&format!("reminder-task-{}", task.id))
            .await
            .is_empty()
    );
    assert_eq!(w.started().await.len(), before_starts);
    assert_eq!(w.events.taken().len(), before_events);
    w.finish().await;
}

#[tokio::test]
async fn completing_a_task_cancels_its_reminder_and_deleting_it_records_a_cancel() {
    let w = World::new().await;
    let me = w.user("UTC").await;
    let task = tasks::create(&w.svc, &me, with_reminder("Submit essay"), None)
        .await
        .expect("create");
    tasks::complete(&w.svc, &me, task.id)
        .await
        .expect("complete");
    // Only one workflow's starts are in order (the search index's go another lane).
    let started = w.started_for(&format!("reminder-task-{}", task.id)).await;
    let last = started.last().expect("a plan");
    assert!(last.input["plan"]["fire_at_ms"].is_null(), "{last:?}");

    let plain = tasks::create(&w.svc, &me, daily("No reminder"), None)
        .await
        .expect("create");
    let n = w.started().await.len();
    tasks::delete(&w.svc, &me, plain.id).await.expect("delete");
    assert_eq!(
        w.started().await.len(),
        n,
        "a task without a reminder costs nothing"
    );
    w.finish().await;
}
