//! What each tool does, as REST calls (see [`super::registry`] for their schemas).

use axum::http::Method;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::exec::{
    Caller, Change, ExecError, Outcome, changed, id_of, query, read, refused, resolve, take_str,
    when,
};

type Args = Map<String, Value>;
type Run = Result<Outcome, ExecError>;

const TASK: (&str, &str) = ("task_id", "task");
const PENDING_TASKS: &str = "/api/tasks?status=pending&limit=200";

/// Runs `tool` with arguments already checked against its schema.
pub async fn run(caller: &Caller<'_>, tool: &str, args: Args) -> Run {
    match tool {
        "create_task" => {
            create(caller, "/api/tasks", "task", args, |b, c| {
                let due =
                    when(c, &b["due_at"]).or_else(|| b["due_date"].as_str().map(str::to_owned));
                format!(
                    "Created task “{}”{}.",
                    b["title"].as_str().unwrap_or(""),
                    due.map(|d| format!(" due {d}")).unwrap_or_default()
                )
            })
            .await
        }
        "list_tasks" => list_tasks(caller, args).await,
        "update_task" => update_task(caller, args).await,
        "complete_task" => complete_task(caller, args).await,
        "delete_task" => delete_task(caller, args).await,
        "create_goal" => {
            create(caller, "/api/goals", "goal", args, |b, _| {
                format!("Created goal “{}”.", b["title"].as_str().unwrap_or(""))
            })
            .await
        }
        "update_goal" => update_goal(caller, args).await,
        "list_goals" => list(caller, &format!("/api/goals?{}", query(&args)), "goal").await,
        "create_schedule_block" => create_block(caller, args).await,
        "move_schedule_block" => move_block(caller, args).await,
        "list_schedule" => list_schedule(caller, args).await,
        "check_conflicts" => {
            let answer = caller
                .http(
                    Method::GET,
                    &format!("/api/schedule/conflicts?{}", query(&args)),
                    None,
                    "",
                )
                .await?;
            if !answer.status.is_success() {
                return Ok(refused(&answer));
            }
            let n = answer.body["items"].as_array().map_or(0, Vec::len);
            Ok(read(
                answer.body,
                format!("{n} overlapping pair(s) in that window."),
            ))
        }
        "create_daily_plan" => create_daily_plan(caller, args).await,
        "update_daily_plan" => update_daily_plan(caller, args).await,
        "add_plan_item" => add_plan_item(caller, args).await,
        "update_plan_item" => update_plan_item(caller, args).await,
        "create_weekly_plan" => {
            create(caller, "/api/plans/weekly", "weekly_plan", args, |b, _| {
                format!(
                    "Created the plan for the week of {}.",
                    b["week_start"].as_str().unwrap_or("")
                )
            })
            .await
        }
        "create_note" => {
            create(caller, "/api/notes", "note", args, |b, _| {
                format!("Saved note “{}”.", b["title"].as_str().unwrap_or(""))
            })
            .await
        }
        "summarize_note" => summarize_note(caller, args).await,
        "search_notes" => {
            let q = take_str(&mut args.clone(), "query").unwrap_or_default();
            let uri = format!(
                "/api/notes?{}",
                query(&Map::from_iter([
                    ("search".into(), json!(q)),
                    ("limit".into(), json!(10))
                ]))
            );
            list(caller, &uri, "note").await
        }
        "generate_schedule" => generate_schedule(caller, args).await,
        other => Ok(Outcome {
            ok: false,
            result: json!({"error": "unknown_tool"}),
            summary: format!("There is no tool called {other}."),
            changes: Vec::new(),
        }),
    }
}

/// POST `uri` with the arguments; the created row is the change.
async fn create(
    caller: &Caller<'_>,
    uri: &str,
    entity: &str,
    args: Args,
    summary: impl Fn(&Value, &Caller<'_>) -> String,
) -> Run {
    let answer = caller
        .http(Method::POST, uri, Some(Value::Object(args)), entity)
        .await?;
    if !answer.status.is_success() {
        return Ok(refused(&answer));
    }
    let mut changes = Vec::new();
    if let Some(id) = id_of(&answer.body) {
        let after = caller.snapshot(entity, id).await?;
        changes.push(Change {
            entity: entity.into(),
            id,
            before: None,
            after,
        });
    }
    let text = summary(&answer.body, caller);
    Ok(changed(answer.body, text, changes))
}

/// GET `uri` and say what came back: the first ten items, one `line` each, after
/// `lead(count)`; `none` when there are none.
async fn read_list(
    caller: &Caller<'_>,
    uri: &str,
    line: impl Fn(&Value) -> String,
    lead: impl Fn(usize) -> String,
    none: &str,
) -> Run {
    let answer = caller.http(Method::GET, uri, None, "").await?;
    if !answer.status.is_success() {
        return Ok(refused(&answer));
    }
    let items = answer.body["items"].as_array().cloned().unwrap_or_default();
    let lines: Vec<String> = items.iter().take(10).map(&line).collect();
    let summary = if items.is_empty() {
        none.to_owned()
    } else {
        format!("{}: {}.", lead(items.len()), lines.join(", "))
    };
    Ok(read(answer.body, summary))
}

fn titled(item: &Value) -> String {
    format!("“{}”", item["title"].as_str().unwrap_or("untitled"))
}

async fn list(caller: &Caller<'_>, uri: &str, noun: &str) -> Run {
    let none = format!("No {noun}s found.");
    read_list(caller, uri, titled, |n| format!("{n} {noun}(s)"), &none).await
}

async fn list_tasks(caller: &Caller<'_>, mut args: Args) -> Run {
    args.entry("limit").or_insert(json!(20));
    let uri = format!("/api/tasks?{}", query(&args));
    let line = |t: &Value| {
        let due = when(caller, &t["due_at"]).or_else(|| t["due_date"].as_str().map(str::to_owned));
        format!(
            "{}{}",
            titled(t),
            due.map(|d| format!(" (due {d})")).unwrap_or_default()
        )
    };
    read_list(
        caller,
        &uri,
        line,
        |n| format!("{n} task(s)"),
        "No tasks found.",
    )
    .await
}

/// A change to one existing row: snapshot, call, snapshot.
async fn modify(
    caller: &Caller<'_>,
    (entity, id): (&str, Uuid),
    (method, uri, body): (Method, String, Option<Value>),
    summary: impl Fn(&Value) -> String,
) -> Run {
    let (before, _) = caller.before(entity, id).await?;
    let answer = caller
        .http(method.clone(), &uri, body, &format!("{entity}:{id}"))
        .await?;
    if !answer.status.is_success() {
        return Ok(refused(&answer));
    }
    let after = caller.snapshot(entity, id).await?;
    let text = summary(&answer.body);
    let mut changes = vec![Change {
        entity: entity.into(),
        id,
        before,
        after,
    }];
    // Completing a recurring task creates its next occurrence: undo removes it too.
    if let Some(next) = id_of(&answer.body["next_occurrence"]) {
        let after = caller.snapshot(entity, next).await?;
        changes.push(Change {
            entity: entity.into(),
            id: next,
            before: None,
            after,
        });
    }
    Ok(changed(answer.body, text, changes))
}

async fn update_task(caller: &Caller<'_>, mut args: Args) -> Run {
    let id = match resolve(caller, &mut args, TASK, PENDING_TASKS, "task").await? {
        Ok(id) => id,
        Err(outcome) => return Ok(outcome),
    };
    let req = (
        Method::PATCH,
        format!("/api/tasks/{id}"),
        Some(Value::Object(args)),
    );
    modify(caller, ("task", id), req, |b| {
        format!("Updated task “{}”.", b["title"].as_str().unwrap_or(""))
    })
    .await
}

async fn complete_task(caller: &Caller<'_>, mut args: Args) -> Run {
    let id = match resolve(caller, &mut args, TASK, PENDING_TASKS, "task").await? {
        Ok(id) => id,
        Err(outcome) => return Ok(outcome),
    };
    let req = (Method::POST, format!("/api/tasks/{id}/complete"), None);
    modify(caller, ("task", id), req, |b| {
        format!(
            "Marked “{}” as done.",
            b["task"]["title"].as_str().unwrap_or("")
        )
    })
    .await
}

async fn delete_task(caller: &Caller<'_>, mut args: Args) -> Run {
    let id = match resolve(
        caller,
        &mut args,
        TASK,
        "/api/tasks?status=all&limit=200",
        "task",
    )
    .await?
    {
        Ok(id) => id,
        Err(outcome) => return Ok(outcome),
    };
    let (before, retry) = caller.before("task", id).await?;
    let title = before
        .as_ref()
        .and_then(|b| b["title"].as_str())
        .unwrap_or("")
        .to_owned();
    let answer = caller
        .http(Method::DELETE, &format!("/api/tasks/{id}"), None, "")
        .await?;
    // A retry that finds the task gone: the first try deleted it.
    let gone = retry && before.is_some() && answer.status.as_u16() == 404;
    if !answer.status.is_success() && !gone {
        return Ok(refused(&answer));
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

async fn update_goal(caller: &Caller<'_>, mut args: Args) -> Run {
    let id = match resolve(
        caller,
        &mut args,
        ("goal_id", "goal"),
        "/api/goals?limit=200",
        "goal",
    )
    .await?
    {
        Ok(id) => id,
        Err(outcome) => return Ok(outcome),
    };
    let req = (
        Method::PATCH,
        format!("/api/goals/{id}"),
        Some(Value::Object(args)),
    );
    modify(caller, ("goal", id), req, |b| {
        format!("Updated goal “{}”.", b["title"].as_str().unwrap_or(""))
    })
    .await
}

async fn create_block(caller: &Caller<'_>, args: Args) -> Run {
    let answer = caller
        .http(
            Method::POST,
            "/api/schedule",
            Some(Value::Object(args)),
            "schedule_block",
        )
        .await?;
    if answer.status.as_u16() == 409 {
        let mut outcome = refused(&answer);
        outcome.summary = format!("{} Pick another time.", outcome.summary);
        return Ok(outcome);
    }
    if !answer.status.is_success() {
        return Ok(refused(&answer));
    }
    let mut changes = Vec::new();
    if let Some(id) = id_of(&answer.body) {
        let after = caller.snapshot("schedule_block", id).await?;
        changes.push(Change {
            entity: "schedule_block".into(),
            id,
            before: None,
            after,
        });
    }
    let summary = format!(
        "Added “{}” to your schedule, {}–{}.",
        answer.body["title"].as_str().unwrap_or(""),
        when(caller, &answer.body["start_at"]).unwrap_or_default(),
        when(caller, &answer.body["end_at"]).unwrap_or_default()
    );
    Ok(changed(answer.body, summary, changes))
}

/// PATCH `<base>/<id>` with the other arguments, the id taken from `key`.
async fn patch_by_id(
    caller: &Caller<'_>,
    mut args: Args,
    key: &str,
    (entity, base): (&str, &str),
    verb: &str,
) -> Run {
    let Some(id) = take_str(&mut args, key).and_then(|s| Uuid::parse_str(&s).ok()) else {
        return Ok(Outcome {
            ok: false,
            result: json!({ "field": key }),
            summary: format!("{key} is not a valid id."),
            changes: Vec::new(),
        });
    };
    let req = (
        Method::PATCH,
        format!("{base}/{id}"),
        Some(Value::Object(args)),
    );
    modify(caller, (entity, id), req, |b| {
        format!("{verb} “{}”.", b["title"].as_str().unwrap_or(""))
    })
    .await
}

async fn move_block(caller: &Caller<'_>, args: Args) -> Run {
    patch_by_id(
        caller,
        args,
        "block_id",
        ("schedule_block", "/api/schedule"),
        "Moved",
    )
    .await
}

async fn list_schedule(caller: &Caller<'_>, args: Args) -> Run {
    let uri = format!("/api/schedule?{}", query(&args));
    let line = |o: &Value| {
        format!(
            "{} {}",
            when(caller, &o["start_at"]).unwrap_or_default(),
            titled(o)
        )
    };
    let lead = |n| format!("{n} on your schedule");
    read_list(caller, &uri, line, lead, "Nothing on your schedule then.").await
}

async fn create_daily_plan(caller: &Caller<'_>, mut args: Args) -> Run {
    let items = args
        .remove("items")
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default();
    let mut outcome = create(caller, "/api/plans/daily", "daily_plan", args, |b, _| {
        format!(
            "Created the plan for {}.",
            b["plan_date"].as_str().unwrap_or("")
        )
    })
    .await?;
    let Some(plan) = id_of(&outcome.result) else {
        return Ok(outcome);
    };
    for (i, item) in items.into_iter().enumerate() {
        let uri = format!("/api/plans/daily/{plan}/items");
        let answer = caller
            .http(Method::POST, &uri, Some(item), &format!("plan_item:{i}"))
            .await?;
        if !answer.status.is_success() {
            let failed = refused(&answer);
            outcome.summary = format!(
                "{} Item {} was refused: {}",
                outcome.summary,
                i + 1,
                failed.summary
            );
            continue;
        }
        if let Some(id) = id_of(&answer.body) {
            let after = caller.snapshot("plan_item", id).await?;
            outcome.changes.push(Change {
                entity: "plan_item".into(),
                id,
                before: None,
                after,
            });
        }
    }
    // Items are removed before their plan on undo (changes are undone in reverse).
    Ok(outcome)
}

/// The id of the plan of `date`, if there is one.
async fn plan_of(caller: &Caller<'_>, date: &str) -> Result<Option<Uuid>, ExecError> {
    let answer = caller
        .http(
            Method::GET,
            &format!("/api/plans/daily/by-date/{date}"),
            None,
            "",
        )
        .await?;
    Ok(if answer.status.is_success() {
        id_of(&answer.body)
    } else {
        None
    })
}

fn no_plan(date: &str) -> Outcome {
    Outcome {
        ok: false,
        result: json!({"error": {"code": "not_found"}}),
        summary: format!("There is no plan for {date}."),
        changes: Vec::new(),
    }
}

async fn update_daily_plan(caller: &Caller<'_>, mut args: Args) -> Run {
    let date = take_str(&mut args, "plan_date").unwrap_or_default();
    let Some(id) = plan_of(caller, &date).await? else {
        return Ok(no_plan(&date));
    };
    let req = (
        Method::PATCH,
        format!("/api/plans/daily/{id}"),
        Some(Value::Object(args)),
    );
    modify(caller, ("daily_plan", id), req, |_| {
        format!("Updated the plan for {date}.")
    })
    .await
}

async fn add_plan_item(caller: &Caller<'_>, mut args: Args) -> Run {
    let date = take_str(&mut args, "plan_date").unwrap_or_default();
    let mut changes = Vec::new();
    let plan = match plan_of(caller, &date).await? {
        Some(id) => id,
        None => {
            let made = create(
                caller,
                "/api/plans/daily",
                "daily_plan",
                Map::from_iter([("plan_date".into(), json!(date))]),
                |_, _| String::new(),
            )
            .await?;
            let Some(id) = made.ok.then(|| id_of(&made.result)).flatten() else {
                return Ok(made);
            };
            changes.extend(made.changes);
            id
        }
    };
    let mut outcome = create(
        caller,
        &format!("/api/plans/daily/{plan}/items"),
        "plan_item",
        args,
        |b, _| {
            format!(
                "Added “{}” to the plan for {date}.",
                b["title"].as_str().unwrap_or("")
            )
        },
    )
    .await?;
    // Undo runs newest first: the item goes before the plan made for it.
    changes.append(&mut outcome.changes);
    outcome.changes = changes;
    Ok(outcome)
}

async fn update_plan_item(caller: &Caller<'_>, args: Args) -> Run {
    patch_by_id(
        caller,
        args,
        "item_id",
        ("plan_item", "/api/plans/items"),
        "Updated",
    )
    .await
}

async fn summarize_note(caller: &Caller<'_>, mut args: Args) -> Run {
    let id = match resolve(
        caller,
        &mut args,
        ("note_id", "note"),
        "/api/notes?limit=200",
        "note",
    )
    .await?
    {
        Ok(id) => id,
        Err(outcome) => return Ok(outcome),
    };
    let (before, _) = caller.before("note", id).await?;
    let Some(content) = before.as_ref().and_then(|b| b["content"].as_str()) else {
        return Ok(refused(&super::exec::Answer {
            status: axum::http::StatusCode::NOT_FOUND,
            body: json!({"error": {"code": "not_found", "message": "No such note."}}),
        }));
    };
    let summary = maigie_domain::notes::extract_summary(content, 400);
    maigie_store::notes::set_summary(caller.db, caller.user_id, id, &summary)
        .await
        .map_err(|e| ExecError::Transient(e.to_string()))?;
    let after = caller.snapshot("note", id).await?;
    let changes = vec![Change {
        entity: "note".into(),
        id,
        before,
        after,
    }];
    Ok(changed(
        json!({"id": id, "summary": summary}),
        format!("Summary: {summary}"),
        changes,
    ))
}

async fn generate_schedule(caller: &Caller<'_>, args: Args) -> Run {
    let answer = caller
        .http(
            Method::POST,
            "/api/schedule/generate",
            Some(Value::Object(args)),
            "schedule_draft",
        )
        .await?;
    if !answer.status.is_success() {
        return Ok(refused(&answer));
    }
    Ok(read(
        answer.body,
        "I’m drafting a schedule; you can review and accept it when it’s ready.".into(),
    ))
}
