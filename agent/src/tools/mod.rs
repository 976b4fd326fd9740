//! What each tool does, as calls of the use-cases (see [`crate::registry`] for their
//! schemas). Arguments become the same input types the REST API reads; answers are
//! the same views, as JSON for the model, with a one-line summary for the user.

mod goals;
mod knowledge;
mod plans;
pub(crate) mod resolve;
mod schedule;
pub mod scopes;
mod tasks;

use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::exec::{Caller, Change, ExecError, Outcome, Step, Stop, changed, id_of};
use crate::registry;

type Args = Map<String, Value>;

/// Runs `tool` with arguments already checked against its schema. A refusal (not
/// found, invalid, conflict, a scope the caller lacks…) is a failed outcome; an error
/// is worth retrying. The caller's scopes are checked here, for chat and MCP alike
/// ([`scopes`]): before the tool runs, and on what a caller without `read` is told.
pub async fn run(caller: &Caller<'_>, tool: &str, args: Args) -> Result<Outcome, ExecError> {
    let Some(def) = registry::find(tool) else {
        return Ok(unknown(tool));
    };
    if let Some(refused) = scopes::refusal(def, caller.scopes) {
        return Ok(refused);
    }
    let step = match tool {
        "create_task" => tasks::create(caller, args).await,
        "list_tasks" => tasks::list(caller, args).await,
        "update_task" => tasks::update(caller, args).await,
        "complete_task" => tasks::complete(caller, args).await,
        "delete_task" => tasks::delete(caller, args).await,
        "create_goal" => goals::create_goal(caller, args).await,
        "update_goal" => goals::update_goal(caller, args).await,
        "list_goals" => goals::list_goals(caller, args).await,
        "create_note" => goals::create_note(caller, args).await,
        "summarize_note" => goals::summarize_note(caller, args).await,
        "search_notes" => goals::search_notes(caller, args).await,
        "search_knowledge" => knowledge::search_knowledge(caller, args).await,
        "create_schedule_block" => schedule::create_block(caller, args).await,
        "move_schedule_block" => schedule::move_block(caller, args).await,
        "list_schedule" => schedule::list(caller, args).await,
        "check_conflicts" => schedule::conflicts(caller, args).await,
        "generate_schedule" => schedule::generate(caller, args).await,
        "create_daily_plan" => plans::create_daily(caller, args).await,
        "update_daily_plan" => plans::update_daily(caller, args).await,
        "add_plan_item" => plans::add_item(caller, args).await,
        "update_plan_item" => plans::update_item(caller, args).await,
        "create_weekly_plan" => plans::create_weekly(caller, args).await,
        other => Ok(unknown(other)),
    };
    let outcome = match step {
        Ok(outcome) | Err(Stop::Answer(outcome)) => outcome,
        Err(Stop::Failed(err)) => return Err(err),
    };
    Ok(if caller.scopes.read {
        outcome
    } else {
        scopes::without_read(def, outcome)
    })
}

fn unknown(tool: &str) -> Outcome {
    Outcome::failed(
        format!("There is no tool called {tool}."),
        json!({"error": "unknown_tool"}),
    )
}

/// A create's answer (`view` as JSON): the created row is the change.
async fn created(caller: &Caller<'_>, entity: &str, view: Value, summary: String) -> Step<Outcome> {
    let mut changes = Vec::new();
    if let Some(id) = id_of(&view) {
        changes.push(caller.change(entity, id, None).await?);
    }
    Ok(changed(view, summary, changes))
}

/// A change to one existing row: snapshot (remembered for a retry), `run`, snapshot.
async fn modify<T, F, Fut>(
    caller: &Caller<'_>,
    (entity, id): (&str, Uuid),
    run: F,
) -> Step<(T, Vec<Change>)>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<T, maigie_services::ServiceError>>,
{
    let (before, _) = caller.before(entity, id).await?;
    let view = run().await?;
    let change = caller.change(entity, id, before).await?;
    Ok((view, vec![change]))
}

/// The id in `args[key]`, or the failed outcome saying it is not one.
fn id_arg(args: &mut Args, key: &str) -> Step<Uuid> {
    crate::exec::take_str(args, key)
        .and_then(|s| Uuid::parse_str(&s).ok())
        .ok_or_else(|| {
            Stop::Answer(Outcome::failed(
                format!("{key} is not a valid id."),
                json!({ "field": key }),
            ))
        })
}

/// What a list says: the first ten items, one `line` each, after `lead(count)`;
/// `none` when there are none.
fn listed<I>(
    items: &[I],
    line: impl Fn(&I) -> String,
    lead: impl Fn(usize) -> String,
    none: &str,
) -> String {
    if items.is_empty() {
        return none.to_owned();
    }
    let lines: Vec<String> = items.iter().take(10).map(line).collect();
    format!("{}: {}.", lead(items.len()), lines.join(", "))
}

fn titled(title: &str) -> String {
    format!("“{title}”")
}
