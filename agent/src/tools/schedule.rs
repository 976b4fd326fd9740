//! The schedule tools: add and move blocks, read a window and its conflicts, and
//! draft a schedule.

use maigie_services::schedule::drafts::{self, GenerateSchedule};
use maigie_services::schedule::{
    self, CreateBlock, OccurrenceView, OverlapParams, UpdateBlock, WindowParams,
};
use serde_json::Value;

use super::{Args, created, id_arg, listed, modify, titled};
use crate::exec::{Caller, Outcome, Step, Stop, changed, input, json_of, read};

pub(super) async fn create_block(caller: &Caller<'_>, args: Args) -> Step<Outcome> {
    let request = Value::Object(args.clone());
    let body: CreateBlock = input(args)?;
    let overlap = OverlapParams::default();
    let made = caller
        .create("schedule_block", &request, || {
            schedule::create(caller.svc, &caller.ctx, body, &overlap)
        })
        .await;
    let view = match made {
        Err(Stop::Answer(mut conflict)) if conflict.result["status"] == 409 => {
            conflict.summary = format!("{} Pick another time.", conflict.summary);
            return Err(Stop::Answer(conflict));
        }
        other => other?,
    };
    let summary = format!(
        "Added “{}” to your schedule, {}–{}.",
        view["title"].as_str().unwrap_or(""),
        caller.when_json(&view["start_at"]).unwrap_or_default(),
        caller.when_json(&view["end_at"]).unwrap_or_default()
    );
    created(caller, "schedule_block", view, summary).await
}

pub(super) async fn move_block(caller: &Caller<'_>, mut args: Args) -> Step<Outcome> {
    let id = id_arg(&mut args, "block_id")?;
    let body: UpdateBlock = input(args)?;
    let overlap = OverlapParams::default();
    let (view, changes) = modify(caller, ("schedule_block", id), || {
        schedule::update(caller.svc, &caller.ctx, id, body, &overlap)
    })
    .await?;
    let summary = format!("Moved “{}”.", view.title);
    Ok(changed(json_of(&view)?, summary, changes))
}

pub(super) async fn list(caller: &Caller<'_>, args: Args) -> Step<Outcome> {
    let window: WindowParams = input(args)?;
    let list = schedule::occurrences(caller.svc, &caller.ctx, &window).await?;
    let line = |o: &OccurrenceView| format!("{} {}", caller.when(o.start_at), titled(&o.title));
    let lead = |n| format!("{n} on your schedule");
    let summary = listed(&list.items, line, lead, "Nothing on your schedule then.");
    Ok(read(json_of(&list)?, summary))
}

pub(super) async fn conflicts(caller: &Caller<'_>, args: Args) -> Step<Outcome> {
    let window: WindowParams = input(args)?;
    let list = schedule::conflicts(caller.svc, &caller.ctx, &window).await?;
    let summary = format!("{} overlapping pair(s) in that window.", list.items.len());
    Ok(read(json_of(&list)?, summary))
}

pub(super) async fn generate(caller: &Caller<'_>, args: Args) -> Step<Outcome> {
    let request = Value::Object(args.clone());
    let body: GenerateSchedule = input(args)?;
    let draft = caller
        .create("schedule_draft", &request, || {
            drafts::generate(caller.svc, &caller.ctx, body)
        })
        .await?;
    Ok(read(
        draft,
        "I’m drafting a schedule; you can review and accept it when it’s ready.".into(),
    ))
}
