//! The schedule's rules below HTTP: conflicts, and reminder plans that travel with the
//! block's own transaction.

mod common;

use chrono::{Duration, Utc};
use common::World;
use maigie_services::ServiceError;
use maigie_services::chat::send::month_bounds;
use maigie_services::schedule::drafts::{self, GenerateSchedule};
use maigie_services::schedule::{self, CreateBlock, OverlapParams, UpdateBlock};
use maigie_services::settings::{Limits, ServiceSettings, TierLimits};
use maigie_store::agent as log;

fn block(title: &str, hours_from_now: i64, reminder: Option<i32>) -> CreateBlock {
    let start = Utc::now() + Duration::hours(hours_from_now);
    CreateBlock {
        title: title.into(),
        description: None,
        start_at: start.to_rfc3339(),
        end_at: (start + Duration::hours(1)).to_rfc3339(),
        timezone: Some("Europe/London".into()),
        block_type: None,
        course_id: None,
        goal_id: None,
        task_id: None,
        rrule: None,
        reminder_minutes: reminder,
    }
}

#[tokio::test]
async fn an_overlapping_block_is_refused_with_what_is_in_the_way_and_nothing_is_written() {
    let w = World::new().await;
    let me = w.user("Europe/London").await;
    let first = schedule::create(
        &w.svc,
        &me,
        block("Calculus", 3, None),
        &OverlapParams::default(),
    )
    .await
    .expect("first");
    let events = w.events.taken().len();

    let refused = schedule::create(
        &w.svc,
        &me,
        block("Physics", 3, Some(10)),
        &OverlapParams::default(),
    )
    .await;

    let Err(ServiceError::ConflictWith { code, details, .. }) = refused else {
        panic!("expected a schedule conflict, got {refused:?}");
    };
    assert_eq!(code, "schedule_conflict");
    assert_eq!(details["conflicts"][0]["block_id"], first.id.to_string());
    assert_eq!(w.events.taken().len(), events, "nothing announced");
    let blocks: i64 = sqlx::query_scalar("SELECT count(*) FROM schedule_blocks")
        .fetch_one(&w.db)
        .await
        .expect("count");
    assert_eq!(blocks, 1);
    let outbox: i64 = sqlx::query_scalar("SELECT count(*) FROM workflow_outbox")
        .fetch_one(&w.db)
        .await
        .expect("count");
    assert_eq!(outbox, 0, "the refused block's reminder was never recorded");

    let allowed = OverlapParams {
        allow_overlap: Some(true),
    };
    schedule::create(&w.svc, &me, block("Physics", 3, None), &allowed)
        .await
        .expect("saved anyway when asked");
    w.finish().await;
}

#[tokio::test]
async fn a_blocks_reminder_plan_follows_it_through_the_outbox_and_a_delete_cancels_it() {
    let w = World::new().await;
    let me = w.user("Europe/London").await;
    w.starter.set_down(true);
    let b = schedule::create(
        &w.svc,
        &me,
        block("Revise", 5, Some(30)),
        &OverlapParams::default(),
    )
    .await
    .expect("created while Temporal is down");
    let id = format!("reminder-schedule_block-{}", b.id);
    let rows = w.outbox(&id).await;
    assert_eq!(rows.len(), 1);
    let planned = rows[0].1["plan"]["fire_at_ms"]
        .as_i64()
        .expect("a fire time");
    let expected = (Utc::now() + Duration::hours(5) - Duration::minutes(30)).timestamp_millis();
    assert!(
        (planned - expected).abs() < 60_000,
        "{planned} vs {expected}"
    );

    w.starter.set_down(false);
    let later = UpdateBlock {
        reminder_minutes: Some(Some(60)),
        ..UpdateBlock::default()
    };
    schedule::update(&w.svc, &me, b.id, later, &OverlapParams::default())
        .await
        .expect("update");
    // Sent before the next change (a start still queued when a newer one for the
    // same workflow commits is superseded by it).
    w.svc.starts_settled().await;
    schedule::delete(&w.svc, &me, b.id).await.expect("delete");

    let plans = w.started_for(&id).await;
    assert_eq!(plans.len(), 2, "one plan per committed change: {plans:?}");
    assert!(plans[0].input["plan"]["fire_at_ms"].is_i64());
    assert!(plans[1].input["plan"]["fire_at_ms"].is_null(), "cancelled");
    let kinds = w.event_kinds();
    assert_eq!(
        kinds,
        [
            "schedule_block.created",
            "schedule_block.updated",
            "schedule_block.deleted"
        ]
    );
    w.finish().await;
}

fn three_days() -> GenerateSchedule {
    GenerateSchedule {
        from: Utc::now(),
        to: Utc::now() + Duration::days(3),
        options: None,
    }
}

async fn count(w: &World, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&w.db)
        .await
        .expect("count")
}

#[tokio::test]
async fn a_draft_counts_one_ai_message_and_past_the_allowance_writes_nothing() {
    let w = World::new().await;
    let svc = w.svc.clone().with_settings(ServiceSettings {
        limits: Limits {
            free: TierLimits {
                ai_messages_per_month: Some(1),
                ..TierLimits::UNLIMITED
            },
        },
        ..ServiceSettings::default()
    });
    let me = w.user("Europe/London").await;

    let draft = drafts::generate(&svc, &me, three_days())
        .await
        .expect("within the allowance");
    let refused = drafts::generate(&svc, &me, three_days()).await;

    assert!(
        matches!(refused, Err(ServiceError::QuotaExceeded { limit: 1, .. })),
        "{refused:?}"
    );
    let used = log::messages_counted(&w.db, me.user_id, month_bounds().0)
        .await
        .expect("count");
    assert_eq!(used, 1, "the draft counted, the refusal did not");
    assert_eq!(count(&w, "SELECT count(*) FROM schedule_drafts").await, 1);
    assert_eq!(count(&w, "SELECT count(*) FROM workflow_outbox").await, 1);
    let starts: Vec<String> = w
        .started()
        .await
        .into_iter()
        .map(|s| s.workflow_id)
        .collect();
    assert_eq!(
        starts,
        [draft.workflow_id],
        "one workflow, the counted draft's"
    );
    w.finish().await;
}
