//! The goal and note tools.

use maigie_services::ServiceResult;
use maigie_services::goals::{self, CreateGoal, GoalListParams, GoalView, UpdateGoal};
use maigie_services::notes::{self, CreateNote, NoteListItem, NoteListParams};
use serde_json::{Value, json};
use uuid::Uuid;

use super::resolve::resolve;
use super::{Args, created, listed, modify, titled};
use crate::exec::{Caller, Outcome, Step, Stop, changed, input, json_of, read, refused, take_str};

/// The user's goals (or notes) as `(id, title)`.
async fn goal_titles(caller: &Caller<'_>) -> ServiceResult<Vec<(Uuid, String)>> {
    let p = GoalListParams {
        limit: Some(200),
        ..GoalListParams::default()
    };
    let page = goals::list(caller.svc, &caller.ctx, p).await?;
    Ok(page.items.into_iter().map(|g| (g.id, g.title)).collect())
}

async fn note_titles(caller: &Caller<'_>) -> ServiceResult<Vec<(Uuid, String)>> {
    let p = NoteListParams {
        limit: Some(200),
        ..NoteListParams::default()
    };
    let page = notes::list(caller.svc, &caller.ctx, p).await?;
    Ok(page
        .items
        .into_iter()
        .map(|n| (n.note.id, n.note.title))
        .collect())
}

pub(super) async fn create_goal(caller: &Caller<'_>, args: Args) -> Step<Outcome> {
    let request = Value::Object(args.clone());
    let body: CreateGoal = input(args)?;
    let view = caller
        .create("goal", &request, || {
            goals::create(caller.svc, &caller.ctx, body)
        })
        .await?;
    let summary = format!("Created goal “{}”.", view["title"].as_str().unwrap_or(""));
    created(caller, "goal", view, summary).await
}

pub(super) async fn update_goal(caller: &Caller<'_>, mut args: Args) -> Step<Outcome> {
    let keys = ("goal_id", "goal");
    let id = resolve(caller, &mut args, keys, "goal", || goal_titles(caller)).await?;
    let body: UpdateGoal = input(args)?;
    let (view, changes) = modify(caller, ("goal", id), || {
        goals::update(caller.svc, &caller.ctx, id, body)
    })
    .await?;
    let summary = format!("Updated goal “{}”.", view.title);
    Ok(changed(json_of(&view)?, summary, changes))
}

pub(super) async fn list_goals(caller: &Caller<'_>, args: Args) -> Step<Outcome> {
    let params: GoalListParams = input(args)?;
    let page = goals::list(caller.svc, &caller.ctx, params).await?;
    let line = |g: &GoalView| titled(&g.title);
    let summary = listed(
        &page.items,
        line,
        |n| format!("{n} goal(s)"),
        "No goals found.",
    );
    Ok(read(json_of(&page)?, summary))
}

pub(super) async fn create_note(caller: &Caller<'_>, args: Args) -> Step<Outcome> {
    let request = Value::Object(args.clone());
    let body: CreateNote = input(args)?;
    let view = caller
        .create("note", &request, || {
            notes::create(caller.svc, &caller.ctx, body)
        })
        .await?;
    let summary = format!("Saved note “{}”.", view["title"].as_str().unwrap_or(""));
    created(caller, "note", view, summary).await
}

pub(super) async fn summarize_note(caller: &Caller<'_>, mut args: Args) -> Step<Outcome> {
    let keys = ("note_id", "note");
    let id = resolve(caller, &mut args, keys, "note", || note_titles(caller)).await?;
    let (before, _) = caller.before("note", id).await?;
    if before.is_none() {
        let error = json!({"code": "not_found", "message": "No such note."});
        return Err(Stop::Answer(refused(404, error)));
    }
    let done = notes::summarize(caller.svc, &caller.ctx, id).await?;
    let changes = vec![caller.change("note", id, before).await?];
    let summary = format!("Summary: {}", done.summary);
    Ok(changed(json_of(&done)?, summary, changes))
}

pub(super) async fn search_notes(caller: &Caller<'_>, mut args: Args) -> Step<Outcome> {
    let params = NoteListParams {
        search: Some(take_str(&mut args, "query").unwrap_or_default()),
        limit: Some(10),
        ..NoteListParams::default()
    };
    let page = notes::list(caller.svc, &caller.ctx, params).await?;
    let line = |n: &NoteListItem| titled(&n.note.title);
    let summary = listed(
        &page.items,
        line,
        |n| format!("{n} note(s)"),
        "No notes found.",
    );
    Ok(read(json_of(&page)?, summary))
}
