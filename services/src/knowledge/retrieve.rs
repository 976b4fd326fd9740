//! Retrieval for the assistant: the passages of the user's knowledge closest in
//! meaning to what they just asked, bounded in tokens, each with the source it cites.
//!
//! Only passages close enough to matter ([`MIN_SCORE`]) are given: a question about
//! the weather brings no notes along. Without an embedding model nothing is retrieved
//! (the conversation goes on without it).

use maigie_domain::knowledge::cosine;
use maigie_store::knowledge;
use maigie_store::vector_index::Scope;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::SOURCE_TYPES;
use crate::error::ServiceResult;
use crate::{Ctx, Services};

/// Cosine similarity below which a passage is not worth the model's attention
/// (all-MiniLM-L6-v2: unrelated texts score ~0–0.2, a passage answering the question
/// ~0.4–0.8).
pub const MIN_SCORE: f32 = 0.3;
/// Sources considered before the token budget.
const SOURCES: usize = 6;

/// A passage of the user's knowledge.
#[derive(Debug, Clone, PartialEq)]
pub struct Passage {
    pub source: Citation,
    /// The chunk's text (it starts with its source's title).
    pub text: String,
    pub score: f32,
}

/// A source an answer drew on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Citation {
    /// `note`, `task`, `goal`, `course`, `module`, `topic` or `resource`.
    #[schema(example = "note")]
    pub source_type: String,
    pub source_id: Uuid,
    pub title: String,
}

/// The passages closest to `question`, best first, at most `max_tokens` of text.
pub async fn passages(
    svc: &Services,
    ctx: &Ctx,
    question: &str,
    max_tokens: usize,
) -> ServiceResult<Vec<Passage>> {
    let embedder = svc.embedder();
    let question: String = question.chars().take(2000).collect();
    if question.trim().is_empty() {
        return Ok(Vec::new());
    }
    let query = match embedder.embed(&[question]).await {
        Ok(mut v) if !v.is_empty() => v.swap_remove(0),
        Ok(_) => return Ok(Vec::new()),
        Err(err) => {
            tracing::warn!(error = %err, "question not embedded; no retrieval");
            return Ok(Vec::new());
        }
    };
    let types: Vec<String> = SOURCE_TYPES.iter().map(|t| (*t).to_owned()).collect();
    let scope = Scope {
        user_id: ctx.user_id,
        model: embedder.model(),
        types: &types,
        exclude: None,
    };
    let near = svc
        .settings
        .knowledge
        .vector_engine
        .nearest(&svc.db, scope, &query, SOURCES)
        .await?;
    let near: Vec<_> = near.into_iter().filter(|n| n.score >= MIN_SCORE).collect();
    if near.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = near.iter().map(|n| n.source_id).collect();
    let chunks = knowledge::chunk_texts(&svc.db, ctx.user_id, embedder.model(), &ids).await?;
    let mut out = Vec::new();
    let mut budget = max_tokens;
    for n in &near {
        let best = chunks
            .iter()
            .filter(|c| c.source_id == n.source_id && c.source_type == n.source_type)
            .map(|c| (cosine(&query, &c.embedding), c))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let Some((score, chunk)) = best else { continue };
        let cost = embedder.count_tokens(&chunk.content);
        if cost > budget {
            break;
        }
        budget -= cost;
        let title = chunk.content.lines().next().unwrap_or_default().to_owned();
        out.push(Passage {
            source: Citation {
                source_type: chunk.source_type.clone(),
                source_id: chunk.source_id,
                title,
            },
            text: chunk.content.clone(),
            score,
        });
    }
    Ok(out)
}

/// The sources an answer cites: those whose marker (`[1]`, `[2]`…, numbered as
/// `passages` were given) it contains; all of them when it uses no marker.
#[must_use]
pub fn cited(answer: &str, passages: &[Passage]) -> Vec<Citation> {
    let marked: Vec<Citation> = passages
        .iter()
        .enumerate()
        .filter(|(i, _)| answer.contains(&format!("[{}]", i + 1)))
        .map(|(_, p)| p.source.clone())
        .collect();
    if marked.is_empty() {
        passages.iter().map(|p| p.source.clone()).collect()
    } else {
        marked
    }
}
