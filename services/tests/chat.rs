//! The assistant's rules below HTTP: the monthly allowance and undo.

mod common;

use chrono::{Duration, Utc};
use common::World;
use maigie_services::chat::send::{self, SendMessage};
use maigie_services::chat::{self, CreateConversation, undo};
use maigie_services::settings::{Limits, ServiceSettings, TierLimits};
use maigie_services::tasks::{self, CreateTask, UpdateTask};
use maigie_services::{Ctx, ServiceError, Services};
use maigie_store::agent as log;
use serde_json::json;
use uuid::Uuid;

fn two_messages_a_month(svc: Services) -> Services {
    svc.with_settings(ServiceSettings {
        limits: Limits {
            free: TierLimits {
                ai_messages_per_month: Some(2),
                ..TierLimits::UNLIMITED
            },
        },
        ..ServiceSettings::default()
    })
}

fn message(text: &str) -> SendMessage {
    SendMessage {
        content: text.into(),
    }
}

async fn used(w: &World, ctx: &Ctx) -> i32 {
    log::messages_counted(&w.db, ctx.user_id, send::month_bounds().0)
        .await
        .expect("count")
}

#[tokio::test]
async fn the_allowance_counts_stored_messages_only_and_each_starts_one_workflow() {
    let w = World::new().await;
    let svc = two_messages_a_month(w.svc.clone());
    let (me, other) = (w.user("UTC").await, w.user("UTC").await);
    let mine = chat::create_conversation(&svc, &me, CreateConversation::default())
        .await
        .expect("conversation");
    let theirs = chat::create_conversation(&svc, &other, CreateConversation::default())
        .await
        .expect("conversation");

    // Refused before anything is written: nothing counted.
    let blank = send::send(&svc, &me, mine.id, &message("   ")).await;
    assert!(matches!(blank, Err(ServiceError::Invalid(_))), "{blank:?}");
    let foreign = send::send(&svc, &me, theirs.id, &message("hello")).await;
    assert!(
        matches!(foreign, Err(ServiceError::NotFound)),
        "{foreign:?}"
    );
    assert_eq!(used(&w, &me).await, 0);

    for text in ["add a task to read", "what is due today"] {
        send::send(&svc, &me, mine.id, &message(text))
            .await
            .expect("within the allowance");
    }
    let third = send::send(&svc, &me, mine.id, &message("one more")).await;
    assert!(
        matches!(third, Err(ServiceError::QuotaExceeded { limit: 2, .. })),
        "{third:?}"
    );
    assert_eq!(used(&w, &me).await, 2);
    let starts: Vec<_> = w
        .started()
        .await
        .into_iter()
        .filter(|s| s.workflow_type == "ai_action")
        .collect();
    assert_eq!(starts.len(), 2, "one ai_action per stored message");
    let history = chat::history(&svc, &me, mine.id, chat::PageParams::default())
        .await
        .expect("history");
    assert_eq!(history.items.len(), 2, "the refused message is not stored");
    w.finish().await;
}

#[tokio::test]
async fn a_message_is_stored_and_counted_even_while_temporal_is_down() {
    let w = World::new().await;
    let me = w.user("UTC").await;
    let c = chat::create_conversation(&w.svc, &me, CreateConversation::default())
        .await
        .expect("conversation");
    w.starter.set_down(true);

    let accepted = send::send(&w.svc, &me, c.id, &message("plan my week"))
        .await
        .expect("accepted: the outbox starts it later");

    assert_eq!(used(&w, &me).await, 1);
    let rows = w.outbox(&accepted.workflow_id).await;
    assert_eq!(rows.len(), 1);
    assert!(!rows[0].0, "waiting for the relay");
    w.finish().await;
}

/// A running action of `me` (in `conversation`, if any) with one pending call to
/// `create_task`, as a turn records it.
async fn action_with_call(
    w: &World,
    me: &Ctx,
    conversation: Option<Uuid>,
    call_id: &str,
    arguments: &serde_json::Value,
) -> (Uuid, log::StepRow) {
    let action = Uuid::new_v4();
    log::create_action(&w.db, action, me.user_id, conversation, None, "chat", None)
        .await
        .expect("action");
    let mut conn = w.db.acquire().await.expect("connection");
    let step = log::add_step(
        &mut conn,
        me.user_id,
        action,
        call_id,
        "create_task",
        arguments,
    )
    .await
    .expect("step");
    (action, step)
}

/// An action that created `task` (as the assistant's tool would record it).
async fn action_that_created(w: &World, me: &Ctx, task: Uuid) -> Uuid {
    let (action, step) = action_with_call(w, me, None, "call-1", &json!({})).await;
    let after = maigie_store::snapshot::snapshot(&w.db, "task", me.user_id, task)
        .await
        .expect("snapshot");
    let changes = json!([{"entity": "task", "id": task, "before": null, "after": after}]);
    log::finish_step(&w.db, step.id, "completed", None, None, &changes)
        .await
        .expect("finish");
    log::set_status(&w.db, action, "completed", None, None, None)
        .await
        .expect("completed");
    action
}

fn reminded(title: &str) -> CreateTask {
    CreateTask {
        title: title.into(),
        due_at: Some(Utc::now() + Duration::hours(5)),
        reminder_minutes: Some(15),
        ..CreateTask::default()
    }
}

#[tokio::test]
async fn undo_removes_what_the_action_created_cancels_its_reminder_and_says_so() {
    let w = World::new().await;
    let me = w.user("UTC").await;
    let task = tasks::create(&w.svc, &me, reminded("Book flights"), None)
        .await
        .expect("task");
    let action = action_that_created(&w, &me, task.id).await;

    let view = undo::undo(&w.svc, &me, action).await.expect("undone");

    assert_eq!(view.status, "undone");
    let gone = tasks::get(&w.svc, &me, task.id).await;
    assert!(matches!(gone, Err(ServiceError::NotFound)), "{gone:?}");
    // The task's search-index start goes through another lane: only the reminder's
    // own starts are in order.
    let reminder = format!("reminder-task-{}", task.id);
    let last = w
        .started_for(&reminder)
        .await
        .last()
        .cloned()
        .expect("a plan");
    assert_eq!(last.workflow_id, reminder);
    assert!(last.input["plan"]["fire_at_ms"].is_null(), "cancelled");
    let kinds = w.event_kinds();
    assert!(
        kinds.ends_with(&["task.deleted".into(), "ai_action.undone".into()]),
        "{kinds:?}"
    );
    let again = undo::undo(&w.svc, &me, action).await;
    assert!(
        matches!(
            &again,
            Err(ServiceError::Conflict {
                code: "already_undone",
                ..
            })
        ),
        "{again:?}"
    );
    w.finish().await;
}

#[tokio::test]
async fn undo_after_the_user_edited_the_row_changes_nothing() {
    let w = World::new().await;
    let me = w.user("UTC").await;
    let task = tasks::create(&w.svc, &me, reminded("Email the tutor"), None)
        .await
        .expect("task");
    let action = action_that_created(&w, &me, task.id).await;
    let edit = UpdateTask {
        title: Some("Email the tutor about the essay".into()),
        ..UpdateTask::default()
    };
    tasks::update(&w.svc, &me, task.id, edit)
        .await
        .expect("edit");
    let events_before = w.events.taken().len();

    let refused = undo::undo(&w.svc, &me, action).await;

    assert!(
        matches!(
            &refused,
            Err(ServiceError::Conflict {
                code: "undo_conflict",
                ..
            })
        ),
        "{refused:?}"
    );
    let kept = tasks::get(&w.svc, &me, task.id).await.expect("still there");
    assert_eq!(kept.title, "Email the tutor about the essay");
    assert_eq!(w.events.taken().len(), events_before, "nothing announced");
    let other = w.user("UTC").await;
    let foreign = undo::undo(&w.svc, &other, action).await;
    assert!(
        matches!(foreign, Err(ServiceError::NotFound)),
        "{foreign:?}"
    );
    w.finish().await;
}

#[tokio::test]
async fn a_tool_call_is_read_with_its_conversation_and_caller_for_its_user_only() {
    let w = World::new().await;
    let (me, other) = (w.user("Europe/Berlin").await, w.user("UTC").await);
    let conversation = chat::create_conversation(&w.svc, &me, CreateConversation::default())
        .await
        .expect("conversation");
    let (action, step) = action_with_call(
        &w,
        &me,
        Some(conversation.id),
        "call-7",
        &json!({"title": "Read"}),
    )
    .await;

    let call = log::call(&w.db, me.user_id, action, "call-7")
        .await
        .expect("the call");
    assert_eq!(call.step.id, step.id);
    assert_eq!(call.step.arguments, json!({"title": "Read"}));
    assert_eq!(call.conversation_id, Some(conversation.id));
    assert_eq!(
        (call.caller.tier.as_str(), call.caller.timezone.as_str()),
        ("FREE", "Europe/Berlin")
    );

    for (user, call_id) in [(other.user_id, "call-7"), (me.user_id, "call-8")] {
        let missing = log::call(&w.db, user, action, call_id).await;
        assert!(
            matches!(missing, Err(maigie_store::StoreError::NotFound)),
            "{missing:?}"
        );
    }
}
