//! Title → id: models name things by their title ("the calculus task"); the list
//! use-cases' typed results find the one meant.

use serde_json::json;
use uuid::Uuid;

use super::Args;
use crate::exec::{Caller, Outcome, Step, Stop, take_str};

/// Finds the one item whose id is `args[id_key]` or whose title matches
/// `args[words_key]`, among those `list` answers (as `(id, title)`). A retry of a step
/// gets the target its first try found (and maybe changed or deleted).
pub(super) async fn resolve<F, Fut>(
    caller: &Caller<'_>,
    args: &mut Args,
    (id_key, words_key): (&str, &str),
    noun: &str,
    list: F,
) -> Step<Uuid>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Vec<(Uuid, String)>, maigie_services::ServiceError>>,
{
    let id = take_str(args, id_key);
    let words = take_str(args, words_key);
    let entity = noun.replace(' ', "_");
    if let Some((stashed, _)) = caller.stashed(&entity).await? {
        return Ok(stashed);
    }
    if let Some(id) = id {
        return Uuid::parse_str(&id).map_err(|_| {
            Stop::Answer(Outcome::failed(
                format!("{id_key} is not a valid id."),
                json!({"field": id_key}),
            ))
        });
    }
    let Some(words) = words.filter(|w| !w.trim().is_empty()) else {
        return Err(Stop::Answer(Outcome::failed(
            format!("Which {noun}? Give {id_key} or {words_key}."),
            json!({"field": words_key}),
        )));
    };
    let items = list().await?;
    one_of(&items, words.trim(), noun).map_err(Stop::Answer)
}

/// The items whose title `words` names: the one exact title when there is exactly
/// one, else every title containing the words (all of them, in any order).
pub(crate) fn by_title<'a>(items: &'a [(Uuid, String)], words: &str) -> Vec<&'a (Uuid, String)> {
    let wanted = words.trim().to_lowercase();
    let exact: Vec<&(Uuid, String)> = items
        .iter()
        .filter(|(_, t)| t.to_lowercase() == wanted)
        .collect();
    if exact.len() == 1 {
        return exact;
    }
    items
        .iter()
        .filter(|(_, t)| {
            let t = t.to_lowercase();
            t.contains(&wanted) || wanted.split_whitespace().all(|w| t.contains(w))
        })
        .collect()
}

/// The item `words` names ([`by_title`]); none or several is a question back.
fn one_of(items: &[(Uuid, String)], words: &str, noun: &str) -> Result<Uuid, Outcome> {
    let found = by_title(items, words);
    match found.as_slice() {
        [(id, _)] => Ok(*id),
        [] => Err(Outcome::failed(
            format!("No {noun} matches “{words}”."),
            json!({"matches": []}),
        )),
        many => {
            let first: Vec<&&(Uuid, String)> = many.iter().take(5).collect();
            let names: Vec<&str> = first.iter().map(|(_, t)| t.as_str()).collect();
            Err(Outcome::failed(
                format!(
                    "Several {noun}s match “{words}”: {}. Which one?",
                    names.join(", ")
                ),
                json!({"matches": first.iter().map(|(id, t)| json!({"id": id, "title": t})).collect::<Vec<_>>()}),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items() -> Vec<(Uuid, String)> {
        ["Revise calculus", "Calculus exam", "Buy milk"]
            .iter()
            .map(|t| (Uuid::new_v4(), (*t).to_owned()))
            .collect()
    }

    #[test]
    fn an_exact_title_wins_over_partial_matches() {
        let items = items();
        assert_eq!(
            one_of(&items, "calculus exam", "task").ok(),
            Some(items[1].0)
        );
    }

    #[test]
    fn several_matches_are_a_question() {
        let err = one_of(&items(), "calculus", "task").expect_err("ambiguous");
        assert!(err.summary.starts_with("Several tasks match “calculus”"));
        assert_eq!(err.result["matches"].as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn no_match_says_so() {
        let err = one_of(&items(), "physics", "task").expect_err("none");
        assert_eq!(err.summary, "No task matches “physics”.");
    }
}
