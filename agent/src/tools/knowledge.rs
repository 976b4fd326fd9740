//! `search_knowledge`: the user's notes, tasks, goals, courses, modules, topics and
//! resources by meaning and words — the same search as `GET /api/search`.

use maigie_services::knowledge::search::{self, SearchHit, SearchParams};
use serde_json::Value;

use super::{Args, listed, titled};
use crate::exec::{Caller, Outcome, Step, json_of, read, take_str};

pub(super) async fn search_knowledge(caller: &Caller<'_>, mut args: Args) -> Step<Outcome> {
    let types = match args.remove("types") {
        Some(Value::Array(list)) => Some(
            list.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(","),
        ),
        Some(Value::String(list)) => Some(list),
        _ => None,
    };
    let params = SearchParams {
        q: take_str(&mut args, "query"),
        types,
        mode: None,
        limit: args.remove("limit").and_then(|v| v.as_i64()).or(Some(5)),
        cursor: None,
    };
    let page = search::search(caller.svc, &caller.ctx, params).await?;
    let line = |h: &SearchHit| format!("{} ({})", titled(&h.title), h.source_type);
    let summary = listed(
        &page.items,
        line,
        |n| format!("{n} match(es)"),
        "Nothing in your knowledge matches.",
    );
    Ok(read(json_of(&page)?, summary))
}
