//! The task a request names, found before anything runs or is confirmed: by its
//! title (exact, then all the words), else by meaning ("the physics one" for
//! "Problem set 3 (mechanics)"): the user's task whose title is nearest to the words,
//! when it is clearly nearer than the next. Several close ones are a question back,
//! none an answer that says so; neither makes a call.

use maigie_embed::{EmbedError, Embedder, cosine};
use uuid::Uuid;

/// Least cosine between the words and a title for the title to be meant.
pub const MIN_MEANING: f32 = 0.4;
/// How much nearer the best title must be than the next to be the one meant.
pub const MARGIN: f32 = 0.06;
/// Candidates named in a question back.
const LISTED: usize = 5;

/// What the words name among the user's items.
#[derive(Debug, Clone, PartialEq)]
pub enum Pick {
    One(Uuid, String),
    Several(Vec<(Uuid, String)>),
    None,
}

/// The item of `items` (`(id, title)`) that `words` names.
pub async fn pick(
    embedder: &dyn Embedder,
    words: &str,
    items: &[(Uuid, String)],
) -> Result<Pick, EmbedError> {
    let wanted = words.trim().to_lowercase();
    if wanted.is_empty() || items.is_empty() {
        return Ok(Pick::None);
    }
    match crate::tools::resolve::by_title(items, &wanted).as_slice() {
        [one] => return Ok(Pick::One(one.0, one.1.clone())),
        [] => {}
        many => return Ok(Pick::Several(listed(many.iter().copied()))),
    }
    by_meaning(embedder, &wanted, items).await
}

async fn by_meaning(
    embedder: &dyn Embedder,
    wanted: &str,
    items: &[(Uuid, String)],
) -> Result<Pick, EmbedError> {
    let mut texts = vec![wanted.to_owned()];
    texts.extend(items.iter().map(|(_, t)| t.to_lowercase()));
    let vectors = embedder.embed(&texts).await?;
    let Some((query, titles)) = vectors.split_first() else {
        return Ok(Pick::None);
    };
    let mut scored: Vec<(f32, &(Uuid, String))> = titles
        .iter()
        .map(|v| cosine(query, v))
        .zip(items)
        .filter(|(s, _)| *s >= MIN_MEANING)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    Ok(match scored.as_slice() {
        [] => Pick::None,
        [(_, one)] => Pick::One(one.0, one.1.clone()),
        [(best, one), (next, _), ..] if best - next >= MARGIN => Pick::One(one.0, one.1.clone()),
        [(best, _), ..] => {
            let close = scored.iter().filter(|(s, _)| best - s < MARGIN);
            Pick::Several(listed(close.map(|(_, item)| *item)))
        }
    })
}

fn listed<'a>(items: impl Iterator<Item = &'a (Uuid, String)>) -> Vec<(Uuid, String)> {
    items.take(LISTED).cloned().collect()
}
