//! Resources recommended for what the user is working on: each resource they may see
//! and have not saved, scored by its closeness in meaning to their active courses and
//! open goals (the best-matching one is named as the reason).
//!
//! Resources are embedded on first use (title and description) and the vector kept
//! with the hash of that text, so an edit re-embeds it; the newest [`CANDIDATES`] are
//! considered. Without the embedding model, the interests' title words rank by full
//! text instead, and the answer says so.

use maigie_domain::knowledge::cosine;
use maigie_store::resources::recommend::{self, Candidate, Interest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ResourceView;
use crate::error::ServiceResult;
use crate::knowledge::retrieve::Citation;
use crate::knowledge::search::{SearchMode, parse_limit};
use crate::{Ctx, Services};

/// Resources considered per request (the most recently changed).
pub const CANDIDATES: i64 = 2_000;
/// Courses and goals that count as interests (the most recently changed).
const INTERESTS: i64 = 20;
/// Closeness below which a resource is not recommended.
const MIN_SCORE: f32 = 0.25;
/// Resources embedded in one call.
const BATCH: usize = 64;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecommendParams {
    /// 1–50 (default 10).
    pub limit: Option<i64>,
}

/// A recommended resource and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct Recommendation {
    pub resource: ResourceView,
    /// Closeness to `because` (higher is closer; comparable within one answer).
    pub score: f64,
    /// The course or goal it helps with.
    pub because: Citation,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecommendedPage {
    pub items: Vec<Recommendation>,
    /// `semantic`, or `fulltext` when meaning could not be used.
    pub mode: SearchMode,
}

fn citation(i: &Interest) -> Citation {
    Citation {
        source_type: i.source_type.clone(),
        source_id: i.source_id,
        title: i.title.clone(),
    }
}

fn text_of(i: &Interest) -> String {
    format!("{}\n{}", i.title, i.body)
        .chars()
        .take(2000)
        .collect()
}

/// Fills in the embeddings of candidates that have none current (and stores them).
async fn embed_missing(
    svc: &Services,
    candidates: &mut [Candidate],
) -> Result<(), maigie_embed::EmbedError> {
    let embedder = svc.embedder();
    let missing: Vec<usize> = (0..candidates.len())
        .filter(|i| candidates[*i].embedding.is_none())
        .collect();
    for batch in missing.chunks(BATCH) {
        let texts: Vec<String> = batch
            .iter()
            .map(|i| {
                let r = &candidates[*i].resource;
                format!("{}\n{}", r.title, r.description.as_deref().unwrap_or(""))
            })
            .collect();
        let vectors = embedder.embed(&texts).await?;
        for (i, vector) in batch.iter().zip(vectors) {
            let c = &mut candidates[*i];
            let stored = recommend::set_embedding(
                &svc.db,
                c.resource.id,
                embedder.model(),
                &c.content_hash,
                &vector,
            )
            .await;
            if let Err(err) = stored {
                tracing::warn!(error = %err, "resource embedding not stored");
            }
            c.embedding = Some(vector);
        }
    }
    Ok(())
}

/// Resources for the caller's active courses and goals, best first.
pub async fn recommended(
    svc: &Services,
    ctx: &Ctx,
    p: RecommendParams,
) -> ServiceResult<RecommendedPage> {
    let limit = parse_limit(p.limit)?;
    let interests = recommend::interests(&svc.db, ctx.user_id, INTERESTS).await?;
    if interests.is_empty() {
        return Ok(RecommendedPage {
            items: Vec::new(),
            mode: SearchMode::Semantic,
        });
    }
    let embedder = svc.embedder();
    let texts: Vec<String> = interests.iter().map(text_of).collect();
    let mut candidates =
        recommend::candidates(&svc.db, ctx.user_id, embedder.model(), CANDIDATES).await?;
    let semantic = match embedder.embed(&texts).await {
        Ok(vectors) => embed_missing(svc, &mut candidates).await.map(|()| vectors),
        Err(err) => Err(err),
    };
    let semantic = semantic
        .map_err(|err| tracing::warn!(error = %err, "not embedded; recommending by words"))
        .ok();
    let Some(wanted) = semantic else {
        return by_words(svc, ctx, &interests, limit).await;
    };
    let mut scored: Vec<(f32, usize, Candidate)> = candidates
        .into_iter()
        .filter_map(|c| {
            let v = c.embedding.as_deref()?;
            let (best, score) = wanted
                .iter()
                .enumerate()
                .map(|(i, w)| (i, cosine(v, w)))
                .max_by(|a, b| a.1.total_cmp(&b.1))?;
            (score >= MIN_SCORE).then_some((score, best, c))
        })
        .collect();
    scored.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| a.2.resource.id.cmp(&b.2.resource.id))
    });
    let items = scored
        .into_iter()
        .take(limit)
        .map(|(score, best, c)| {
            Ok(Recommendation {
                resource: ResourceView::new(c.resource, ctx.user_id)?,
                score: f64::from(score),
                because: citation(&interests[best]),
            })
        })
        .collect::<ServiceResult<_>>()?;
    Ok(RecommendedPage {
        items,
        mode: SearchMode::Semantic,
    })
}

/// Without the model: each interest's title words, by full text, interleaved.
async fn by_words(
    svc: &Services,
    ctx: &Ctx,
    interests: &[Interest],
    limit: usize,
) -> ServiceResult<RecommendedPage> {
    let mut items: Vec<Recommendation> = Vec::new();
    let per = i64::try_from(limit).unwrap_or(10);
    for interest in interests {
        let words: Vec<&str> = interest
            .title
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() > 2)
            .collect();
        if words.is_empty() {
            continue;
        }
        let rows = recommend::by_words(&svc.db, ctx.user_id, &words.join(" or "), per).await?;
        for (rank, row) in rows.into_iter().enumerate() {
            if items.iter().any(|r| r.resource.id == row.id) {
                continue;
            }
            items.push(Recommendation {
                resource: ResourceView::new(row, ctx.user_id)?,
                score: 1.0 / (rank as f64 + 1.0),
                because: citation(interest),
            });
        }
    }
    items.sort_by(|a, b| b.score.total_cmp(&a.score));
    items.truncate(limit);
    Ok(RecommendedPage {
        items,
        mode: SearchMode::Fulltext,
    })
}
