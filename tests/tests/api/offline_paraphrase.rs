//! The offline assistant (no model configured) with paraphrases, read through the
//! running app: a request phrased its own way creates the right task; a task named
//! by its topic is found among the user's tasks before the confirmation is asked
//! (and words that fit two tasks are a question back); a request that matches
//! nothing never asks to confirm. Uses the local embedding model (scripts/test sets
//! `EMBEDDING_MODEL_DIR`).

use maigie_tests::TestApp;
use maigie_tests::sse::streamed_text;
use serde_json::{Value, json};

use super::chat::{
    action, action_of, berlin_tomorrow_at, create_task, say, tasks, user_with_conversation,
    wait_status,
};

fn kinds(events: &[maigie_tests::sse::SseEvent]) -> Vec<&str> {
    events.iter().map(|e| e.event.as_str()).collect()
}

#[tokio::test]
async fn a_paraphrase_with_its_priority_after_the_task_creates_the_right_task() {
    let app = TestApp::spawn().await;
    let (t, conv) = user_with_conversation(&app).await;

    let events = say(
        &app,
        &t,
        &conv,
        "make sure I call the dentist tomorrow at 10am, it's urgent",
    )
    .await;

    let id = action_of(&events);
    assert_eq!(events.last().expect("done").data["status"], "completed");
    let text = streamed_text(&events);
    assert!(text.starts_with("Created task"), "{text}");
    let all = tasks(&app, &t).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["title"], "call the dentist");
    assert_eq!(all[0]["priority"], "urgent");
    let due: chrono::DateTime<chrono::Utc> = all[0]["due_at"]
        .as_str()
        .expect("due")
        .parse()
        .expect("instant");
    assert_eq!(due, berlin_tomorrow_at(10));
    assert_eq!(action(&app, &t, &id).await["provider"], "offline");
}

#[tokio::test]
async fn a_task_named_by_its_topic_is_the_real_task_before_the_confirmation() {
    let app = TestApp::spawn().await;
    let (t, conv) = user_with_conversation(&app).await;
    let physics = create_task(&app, &t, "Problem set 3: Newtonian mechanics").await;
    create_task(&app, &t, "Buy groceries for the week").await;

    let events = say(
        &app,
        &t,
        &conv,
        "I don't need the physics homework task anymore",
    )
    .await;
    let id = action_of(&events);
    let last = events.last().expect("event");
    assert_eq!(
        last.event,
        "chat.confirmation_required",
        "{:?}",
        kinds(&events)
    );
    let call = &last.data["calls"][0];
    assert_eq!(call["tool"], "delete_task");
    assert_eq!(call["arguments"]["task_id"], physics["id"]);
    assert_eq!(
        call["arguments"]["task"],
        "Problem set 3: Newtonian mechanics"
    );

    let res = app
        .post_auth(&format!("/api/chat/actions/{id}/confirm"), &t, &json!({}))
        .await;
    assert_eq!(res.status(), 202);
    wait_status(&app, &t, &id, "completed").await;
    let left: Vec<Value> = tasks(&app, &t).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["title"], "Buy groceries for the week");
}

#[tokio::test]
async fn words_that_fit_two_tasks_or_none_get_an_answer_and_no_confirmation() {
    let app = TestApp::spawn().await;
    let (t, conv) = user_with_conversation(&app).await;
    create_task(&app, &t, "Calculus exam revision").await;
    create_task(&app, &t, "Calculus problem sheet").await;

    let events = say(&app, &t, &conv, "get rid of the calculus task").await;
    let id = action_of(&events);
    assert!(
        !kinds(&events).contains(&"chat.confirmation_required"),
        "{:?}",
        kinds(&events)
    );
    assert_eq!(events.last().expect("done").event, "chat.done");
    let text = streamed_text(&events);
    assert!(
        text.contains("Calculus exam revision")
            && text.contains("Calculus problem sheet")
            && text.contains("Which one?"),
        "{text}"
    );
    let a = action(&app, &t, &id).await;
    assert_eq!(a["steps"], json!([]), "{a}");

    for message in [
        "delete the reminder about my boat's tax return",
        "blorf snazzle wimp",
    ] {
        let events = say(&app, &t, &conv, message).await;
        let id = action_of(&events);
        assert!(
            !kinds(&events).contains(&"chat.confirmation_required"),
            "{message}: {:?}",
            kinds(&events)
        );
        assert!(
            !kinds(&events).contains(&"chat.tool_call"),
            "{message}: {:?}",
            kinds(&events)
        );
        assert_eq!(action(&app, &t, &id).await["steps"], json!([]));
        let text = streamed_text(&events);
        assert!(
            text.contains("I couldn't find a task") || text.contains("add a task"),
            "{message}: {text}"
        );
    }
    assert_eq!(tasks(&app, &t).await.len(), 2, "nothing deleted");
}
