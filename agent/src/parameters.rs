//! The tools' parameter schemas. Where a tool's arguments are a REST body, the schema
//! is generated from the same input type (its `utoipa::ToSchema`), so the model is
//! offered exactly what the use-case reads. On top of it, by hand: the arguments that
//! are not REST fields (a title's words that find the target, the target's id), and
//! the allowed values of text fields the input types keep as plain strings (their
//! use-cases check them and answer 422 otherwise; the model does better told first).
//!
//! Still written by hand: the list and search tools (their inputs are query
//! parameters, `IntoParams`, not schemas) and the tools that only name a target.

use maigie_services::goals::{CreateGoal, UpdateGoal};
use maigie_services::notes::CreateNote;
use maigie_services::plans::{
    CreateDailyPlan, CreatePlanItem, CreateWeeklyPlan, UpdateDailyPlan, UpdatePlanItem,
};
use maigie_services::schedule::drafts::GenerateSchedule;
use maigie_services::schedule::{CreateBlock, UpdateBlock};
use maigie_services::tasks::{CreateTask, UpdateTask};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

const PRIORITIES: [&str; 4] = ["low", "medium", "high", "urgent"];
const GOAL_STATUSES: [&str; 4] = ["NOT_STARTED", "IN_PROGRESS", "COMPLETED", "ABANDONED"];
const PLAN_STATUSES: [&str; 3] = ["draft", "active", "completed"];
const ITEM_STATUSES: [&str; 4] = ["todo", "in_progress", "done", "skipped"];
const BLOCK_TYPES: [&str; 8] = [
    "study", "class", "task", "break", "exercise", "personal", "work", "other",
];

/// The schema of the input type `T`, as a closed object, self-contained: the types it
/// names (`Priority`, `BlockType`…) are inlined, since a tool's schema travels alone.
fn generated<T: ToSchema>() -> Value {
    let mut named = Vec::new();
    T::schemas(&mut named);
    let named: Map<String, Value> = named
        .into_iter()
        .filter_map(|(name, schema)| Some((name, serde_json::to_value(schema).ok()?)))
        .collect();
    let mut schema = serde_json::to_value(T::schema()).unwrap_or_else(|_| json!({}));
    inline_refs(&mut schema, &named, 0);
    schema["type"] = json!("object");
    schema["additionalProperties"] = json!(false);
    if schema.get("properties").is_none() {
        schema["properties"] = json!({});
    }
    schema
}

/// Replaces every `{"$ref": "#/components/schemas/X"}` in `value` by X's schema (its
/// other keywords, such as a description, kept).
fn inline_refs(value: &mut Value, named: &Map<String, Value>, depth: usize) {
    if depth > 16 {
        return;
    }
    match value {
        Value::Object(fields) => {
            let target = fields
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .and_then(|name| named.get(name))
                .cloned();
            if let Some(Value::Object(target)) = target {
                fields.remove("$ref");
                for (key, keyword) in target {
                    fields.entry(key).or_insert(keyword);
                }
            }
            for field in fields.values_mut() {
                inline_refs(field, named, depth + 1);
            }
            collapse_nullable(fields);
        }
        Value::Array(items) => {
            for item in items {
                inline_refs(item, named, depth + 1);
            }
        }
        _ => {}
    }
}

/// `{"oneOf": [{"type": "null"}, S]}` (an optional enum, as utoipa writes it) becomes S
/// with null allowed: one schema, so a wrong value gets one message, not two.
fn collapse_nullable(fields: &mut Map<String, Value>) {
    let Some(Value::Array(options)) = fields.get("oneOf") else {
        return;
    };
    let [first, second] = options.as_slice() else {
        return;
    };
    let other = match (first, second) {
        (null, other) | (other, null) if null == &json!({"type": "null"}) => other.clone(),
        _ => return,
    };
    let Value::Object(other) = other else {
        return;
    };
    fields.remove("oneOf");
    for (key, keyword) in other {
        fields.entry(key).or_insert(keyword);
    }
    if let Some(Value::String(kind)) = fields.get("type").cloned() {
        fields.insert("type".into(), json!([kind, "null"]));
    }
    if let Some(Value::Array(values)) = fields.get_mut("enum") {
        values.push(Value::Null);
    }
}

/// `schema` with `extra` merged into its properties (a known property gains the
/// keywords given, a new one is added) and `required` added to its required list.
fn with(mut schema: Value, extra: Value, required: &[&str]) -> Value {
    if let (Some(props), Value::Object(extra)) = (schema["properties"].as_object_mut(), extra) {
        for (name, keywords) in extra {
            match (props.get_mut(&name), keywords) {
                (Some(Value::Object(known)), Value::Object(more)) => known.extend(more),
                (_, keywords) => {
                    props.insert(name, keywords);
                }
            }
        }
    }
    let mut all: Vec<Value> = schema["required"].as_array().cloned().unwrap_or_default();
    all.extend(
        required
            .iter()
            .map(|r| json!(r))
            .filter(|r| !all.contains(r))
            .collect::<Vec<_>>(),
    );
    schema["required"] = Value::Array(all);
    schema
}

/// `schema` with only the properties `keep`.
fn pick(mut schema: Value, keep: &[&str]) -> Value {
    if let Some(props) = schema["properties"].as_object_mut() {
        props.retain(|name, _| keep.contains(&name.as_str()));
    }
    if let Some(required) = schema["required"].as_array_mut() {
        required.retain(|r| r.as_str().is_some_and(|r| keep.contains(&r)));
    }
    schema
}

fn one_of(values: &[&str]) -> Value {
    json!({ "enum": values })
}

fn string(description: &str) -> Value {
    json!({"type": "string", "description": description})
}

fn instant(description: &str) -> Value {
    json!({"type": "string", "format": "date-time", "description": description})
}

fn date(description: &str) -> Value {
    json!({"type": "string", "format": "date", "description": description})
}

fn id(description: &str) -> Value {
    json!({"type": "string", "format": "uuid", "description": description})
}

fn minutes() -> Value {
    json!({"minimum": 0, "maximum": 10080})
}

/// A hand-written closed object.
fn object(properties: Value, required: &[&str]) -> Value {
    json!({"type": "object", "properties": properties, "required": required,
           "additionalProperties": false})
}

fn task_ref() -> Value {
    json!({"task_id": id("the task's id"),
           "task": string("words of the task's title, when the id is not known")})
}

pub(crate) fn create_task() -> Value {
    let refine = json!({"priority": one_of(&PRIORITIES), "reminder_minutes": minutes()});
    with(generated::<CreateTask>(), refine, &[])
}

pub(crate) fn list_tasks() -> Value {
    object(
        json!({
            "status": {"type": "string", "enum": ["pending", "completed", "all"]},
            "priority": {"type": "string", "enum": PRIORITIES},
            "tag": string("only tasks with this tag"),
            "due_after": instant("due at or after"),
            "due_before": instant("due strictly before"),
            "overdue": {"type": "boolean"},
            "search": string("full-text search in title, description and tags"),
            "sort": {"type": "string", "enum": ["created", "due", "priority", "title"]},
            "limit": {"type": "integer", "minimum": 1, "maximum": 100},
        }),
        &[],
    )
}

pub(crate) fn update_task() -> Value {
    let mut refine = task_ref();
    refine["priority"] = one_of(&PRIORITIES);
    refine["reminder_minutes"] = minutes();
    with(generated::<UpdateTask>(), refine, &[])
}

pub(crate) fn task_only() -> Value {
    object(task_ref(), &[])
}

pub(crate) fn create_goal() -> Value {
    let refine = json!({"priority": one_of(&PRIORITIES), "status": one_of(&GOAL_STATUSES)});
    with(generated::<CreateGoal>(), refine, &[])
}

pub(crate) fn update_goal() -> Value {
    let refine = json!({
        "goal_id": id("the goal's id"),
        "goal": string("words of the goal's title, when the id is not known"),
        "priority": one_of(&PRIORITIES),
        "status": one_of(&GOAL_STATUSES),
    });
    with(generated::<UpdateGoal>(), refine, &[])
}

pub(crate) fn list_goals() -> Value {
    object(
        json!({"status": {"type": "string", "enum": GOAL_STATUSES}}),
        &[],
    )
}

pub(crate) fn create_block() -> Value {
    let refine = json!({
        "start_at": {"format": "date-time"},
        "end_at": {"format": "date-time"},
        "block_type": one_of(&BLOCK_TYPES),
        "reminder_minutes": minutes(),
    });
    with(generated::<CreateBlock>(), refine, &[])
}

/// Moving is the start and end of a block change (the other fields stay).
pub(crate) fn move_block() -> Value {
    let refine = json!({
        "block_id": id("the block's id"),
        "start_at": {"format": "date-time", "description": "new start"},
        "end_at": {"format": "date-time", "description": "new end"},
    });
    let moved = pick(generated::<UpdateBlock>(), &["start_at", "end_at"]);
    with(moved, refine, &["block_id", "start_at", "end_at"])
}

pub(crate) fn window() -> Value {
    object(
        json!({"from": instant("window start"), "to": instant("window end (at most 366 days later)")}),
        &["from", "to"],
    )
}

pub(crate) fn generate_schedule() -> Value {
    generated::<GenerateSchedule>()
}

fn plan_item_refine() -> Value {
    json!({"priority": one_of(&PRIORITIES), "status": one_of(&ITEM_STATUSES)})
}

pub(crate) fn daily_plan() -> Value {
    let item = with(generated::<CreatePlanItem>(), plan_item_refine(), &[]);
    let refine = json!({
        "status": one_of(&PLAN_STATUSES),
        "items": {"type": "array", "description": "items to add, in order (at most 20)",
                  "maxItems": 20, "items": item},
    });
    with(generated::<CreateDailyPlan>(), refine, &[])
}

pub(crate) fn weekly_plan() -> Value {
    let refine = json!({"status": one_of(&PLAN_STATUSES)});
    with(generated::<CreateWeeklyPlan>(), refine, &[])
}

pub(crate) fn update_daily_plan() -> Value {
    let refine = json!({
        "plan_date": date("the day whose plan to change"),
        "status": one_of(&PLAN_STATUSES),
    });
    with(generated::<UpdateDailyPlan>(), refine, &["plan_date"])
}

pub(crate) fn plan_item() -> Value {
    let mut refine = plan_item_refine();
    refine["plan_date"] = date("the day (its plan is created if missing)");
    with(generated::<CreatePlanItem>(), refine, &["plan_date"])
}

pub(crate) fn update_plan_item() -> Value {
    let mut refine = plan_item_refine();
    refine["item_id"] = id("the item's id");
    with(generated::<UpdatePlanItem>(), refine, &["item_id"])
}

pub(crate) fn create_note() -> Value {
    generated::<CreateNote>()
}

pub(crate) fn note_ref() -> Value {
    object(
        json!({"note_id": id("the note's id"),
               "note": string("words of the note's title, when the id is not known")}),
        &[],
    )
}

pub(crate) fn search_notes() -> Value {
    object(json!({"query": string("words to look for")}), &["query"])
}

pub(crate) fn search_knowledge() -> Value {
    let types = json!({"type": "array", "items": one_of(&maigie_services::knowledge::SOURCE_TYPES),
                       "description": "only these kinds (default: all)"});
    let limit = json!({"type": "integer", "minimum": 1, "maximum": 20,
                       "description": "how many results (default 5)"});
    object(
        json!({"query": string("what to look for, in the user's words or a paraphrase"),
               "types": types, "limit": limit}),
        &["query"],
    )
}
