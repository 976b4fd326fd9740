//! The task tools: create, list, change, complete, delete.

use maigie_services::tasks::{self, CreateTask, TaskListParams, TaskView, UpdateTask};
use maigie_services::{ServiceError, ServiceResult};
use serde_json::{Value, json};
use uuid::Uuid;

use super::resolve::resolve;
use super::{Args, created, listed, modify, titled};
use crate::exec::{Caller, Change, Outcome, Step, Stop, changed, input, json_of, read, refusal};

const TASK: (&str, &str) = ("task_id", "task");

/// The user's tasks with `status` (pending or all) as `(id, title)`.
async fn titles(caller: &Caller<'_>, status: &str) -> ServiceResult<Vec<(Uuid, String)>> {
    let p = TaskListParams {
        status: Some(status.to_owned()),
        limit: Some(200),
        ..TaskListParams::default()
    };
    let page = tasks::list(caller.svc, &caller.ctx, p, None).await?;
    Ok(page.items.into_iter().map(|t| (t.id, t.title)).collect())
}

fn due(caller: &Caller<'_>, t: &TaskView) -> Option<String> {
    t.due_at
        .map(|d| caller.when(d))
        .or_else(|| t.due_date.map(|d| d.to_string()))
}

pub(super) async fn create(caller: &Caller<'_>, args: Args) -> Step<Outcome> {
    let request = Value::Object(args.clone());
    let body: CreateTask = input(args)?;
    let view = caller
        .create("task", &request, || {
            tasks::create(caller.svc, &caller.ctx, body, None)
        })
        .await?;
    // From the JSON: a replayed create answers the stored view.
    let due = caller
        .when_json(&view["due_at"])
        .or_else(|| view["due_date"].as_str().map(str::to_owned));
    let summary = format!(
        "Created task “{}”{}.",
        view["title"].as_str().unwrap_or(""),
        due.map(|d| format!(" due {d}")).unwrap_or_default()
    );
    created(caller, "task", view, summary).await
}

pub(super) async fn list(caller: &Caller<'_>, mut args: Args) -> Step<Outcome> {
    args.entry("limit").or_insert(json!(20));
    let params: TaskListParams = input(args)?;
    let page = tasks::list(caller.svc, &caller.ctx, params, None).await?;
    let line = |t: &TaskView| {
        let due = due(caller, t).map(|d| format!(" (due {d})"));
        format!("{}{}", titled(&t.title), due.unwrap_or_default())
    };
    let summary = listed(
        &page.items,
        line,
        |n| format!("{n} task(s)"),
        "No tasks found.",
    );
    Ok(read(json_of(&page)?, summary))
}

pub(super) async fn update(caller: &Caller<'_>, mut args: Args) -> Step<Outcome> {
    let id = resolve(caller, &mut args, TASK, "task", || {
        titles(caller, "pending")
    })
    .await?;
    let body: UpdateTask = input(args)?;
    let (view, changes) = modify(caller, ("task", id), || {
        tasks::update(caller.svc, &caller.ctx, id, body)
    })
    .await?;
    let summary = format!("Updated task “{}”.", view.title);
    Ok(changed(json_of(&view)?, summary, changes))
}

pub(super) async fn complete(caller: &Caller<'_>, mut args: Args) -> Step<Outcome> {
    let id = resolve(caller, &mut args, TASK, "task", || {
        titles(caller, "pending")
    })
    .await?;
    let (done, mut changes) = modify(caller, ("task", id), || {
        tasks::complete(caller.svc, &caller.ctx, id)
    })
    .await?;
    // Completing a recurring task creates its next occurrence: undo removes it too.
    if let Some(next) = &done.next_occurrence {
        changes.push(caller.change("task", next.id, None).await?);
    }
    let summary = format!("Marked “{}” as done.", done.task.title);
    Ok(changed(json_of(&done)?, summary, changes))
}

pub(super) async fn delete(caller: &Caller<'_>, mut args: Args) -> Step<Outcome> {
    let id = resolve(caller, &mut args, TASK, "task", || titles(caller, "all")).await?;
    let (before, retry) = caller.before("task", id).await?;
    let title = before
        .as_ref()
        .and_then(|b| b["title"].as_str())
        .unwrap_or("")
        .to_owned();
    match tasks::delete(caller.svc, &caller.ctx, id).await {
        Ok(()) => {}
        // A retry that finds the task gone: the first try deleted it.
        Err(ServiceError::NotFound) if retry && before.is_some() => {}
        Err(err) => return Err(refusal(err).map_or_else(Stop::Failed, Stop::Answer)),
    }
    let changes = vec![Change {
        entity: "task".into(),
        id,
        before,
        after: None,
    }];
    Ok(changed(
        json!({"deleted": id}),
        format!("Deleted task “{title}”."),
        changes,
    ))
}
