//! The plan tools: a day's plan (with items), a week's plan, and their changes. Undo
//! runs a change set newest first, so an item goes before the plan made for it.

use chrono::NaiveDate;
use maigie_services::ServiceError;
use maigie_services::plans::{
    self, CreateDailyPlan, CreatePlanItem, CreateWeeklyPlan, UpdateDailyPlan,
};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{Args, created, id_arg, modify};
use crate::exec::{Caller, Outcome, Step, Stop, changed, id_of, input, json_of, take_str};

/// Creates a plan item of `plan` from `args` under the key `what`.
async fn add_to(
    caller: &Caller<'_>,
    plan: Uuid,
    what: &str,
    args: Args,
    summary: impl Fn(&Value) -> String,
) -> Step<Outcome> {
    let request = json!({"plan": plan, "item": args});
    let body: CreatePlanItem = input(args)?;
    let view = caller
        .create(what, &request, || {
            plans::create_item(caller.svc, &caller.ctx, plan, body)
        })
        .await?;
    let text = summary(&view);
    created(caller, "plan_item", view, text).await
}

/// Creates the plan of a day from `args`.
async fn new_day(caller: &Caller<'_>, args: Args) -> Step<Outcome> {
    let request = Value::Object(args.clone());
    let body: CreateDailyPlan = input(args)?;
    let view = caller
        .create("daily_plan", &request, || {
            plans::create_daily(caller.svc, &caller.ctx, body)
        })
        .await?;
    let summary = format!(
        "Created the plan for {}.",
        view["plan_date"].as_str().unwrap_or("")
    );
    created(caller, "daily_plan", view, summary).await
}

pub(super) async fn create_daily(caller: &Caller<'_>, mut args: Args) -> Step<Outcome> {
    let items = args
        .remove("items")
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default();
    let mut outcome = new_day(caller, args).await?;
    let Some(plan) = id_of(&outcome.result) else {
        return Ok(outcome);
    };
    for (i, item) in items.into_iter().enumerate() {
        let Value::Object(item) = item else { continue };
        let what = format!("plan_item:{i}");
        match add_to(caller, plan, &what, item, |_| String::new()).await {
            Ok(added) => outcome.changes.extend(added.changes),
            Err(Stop::Answer(failed)) => {
                outcome.summary = format!(
                    "{} Item {} was refused: {}",
                    outcome.summary,
                    i + 1,
                    failed.summary
                );
            }
            Err(err) => return Err(err),
        }
    }
    Ok(outcome)
}

/// The id of the plan of `date`, if there is one.
async fn plan_of(caller: &Caller<'_>, date: &str) -> Step<Option<Uuid>> {
    let Ok(date) = date.parse::<NaiveDate>() else {
        return Ok(None);
    };
    match plans::daily_by_date(caller.svc, &caller.ctx, date).await {
        Ok(plan) => Ok(Some(plan.plan.id)),
        Err(err @ (ServiceError::Unavailable(_) | ServiceError::Internal(_))) => Err(err.into()),
        Err(_) => Ok(None),
    }
}

fn no_plan(date: &str) -> Outcome {
    Outcome::failed(
        format!("There is no plan for {date}."),
        json!({"error": {"code": "not_found"}}),
    )
}

pub(super) async fn update_daily(caller: &Caller<'_>, mut args: Args) -> Step<Outcome> {
    let date = take_str(&mut args, "plan_date").unwrap_or_default();
    let Some(id) = plan_of(caller, &date).await? else {
        return Ok(no_plan(&date));
    };
    let body: UpdateDailyPlan = input(args)?;
    let (view, changes) = modify(caller, ("daily_plan", id), || {
        plans::update_daily(caller.svc, &caller.ctx, id, body)
    })
    .await?;
    let summary = format!("Updated the plan for {date}.");
    Ok(changed(json_of(&view)?, summary, changes))
}

pub(super) async fn add_item(caller: &Caller<'_>, mut args: Args) -> Step<Outcome> {
    let date = take_str(&mut args, "plan_date").unwrap_or_default();
    let mut changes = Vec::new();
    let plan = match plan_of(caller, &date).await? {
        Some(id) => id,
        None => {
            let day = Map::from_iter([("plan_date".to_owned(), json!(date))]);
            let made = new_day(caller, day).await?;
            let Some(id) = id_of(&made.result) else {
                return Ok(made);
            };
            changes.extend(made.changes);
            id
        }
    };
    let mut outcome = add_to(caller, plan, "plan_item", args, |v| {
        format!(
            "Added “{}” to the plan for {date}.",
            v["title"].as_str().unwrap_or("")
        )
    })
    .await?;
    changes.append(&mut outcome.changes);
    outcome.changes = changes;
    Ok(outcome)
}

pub(super) async fn update_item(caller: &Caller<'_>, mut args: Args) -> Step<Outcome> {
    let id = id_arg(&mut args, "item_id")?;
    let body: plans::UpdatePlanItem = input(args)?;
    let (view, changes) = modify(caller, ("plan_item", id), || {
        plans::update_item(caller.svc, &caller.ctx, id, body)
    })
    .await?;
    let summary = format!("Updated “{}”.", view.title);
    Ok(changed(json_of(&view)?, summary, changes))
}

pub(super) async fn create_weekly(caller: &Caller<'_>, args: Args) -> Step<Outcome> {
    let request = Value::Object(args.clone());
    let body: CreateWeeklyPlan = input(args)?;
    let view = caller
        .create("weekly_plan", &request, || {
            plans::create_weekly(caller.svc, &caller.ctx, body)
        })
        .await?;
    let summary = format!(
        "Created the plan for the week of {}.",
        view["week_start"].as_str().unwrap_or("")
    );
    created(caller, "weekly_plan", view, summary).await
}
