//! Hybrid search over the user's knowledge: full-text rank and vector similarity,
//! merged by reciprocal rank fusion, one result per source (its best chunk), with an
//! HTML-safe highlighted snippet. When the embedding provider fails, full-text still
//! answers, and the page says which mode served it.

use maigie_domain::knowledge::fuse;
use maigie_domain::notes::render_snippet;
use maigie_store::knowledge;
use maigie_store::vector_index::Scope;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::SOURCE_TYPES;
use crate::error::{ServiceError, ServiceResult};
use crate::pagination;
use crate::{Ctx, Services};

/// Longest query, in characters.
pub const QUERY_MAX: usize = 500;
/// How many chunks each ranking contributes before fusion.
const CANDIDATES: usize = 100;
/// The usual reciprocal-rank-fusion constant.
const RRF_K: f64 = 60.0;

/// How to rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SearchMode {
    /// Both rankings, fused (default).
    #[default]
    Hybrid,
    /// Meaning only: finds paraphrases that share no word with the query.
    Semantic,
    /// Words only (web-search syntax: `"a phrase"`, `or`, `-word`).
    Fulltext,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// What to look for, 1–500 characters.
    pub q: Option<String>,
    /// Comma-separated source types: `note`, `task`, `goal`, `course`, `module`,
    /// `topic`, `resource` (plural accepted); default: all.
    pub types: Option<String>,
    pub mode: Option<SearchMode>,
    /// 1–50 (default 10).
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// One source that matched (its best passage for the snippet).
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHit {
    /// `note`, `task`, `goal`, `course`, `module`, `topic` or `resource` (one you added).
    pub source_type: String,
    pub source_id: Uuid,
    pub title: String,
    /// A fragment of the best chunk, HTML-escaped, the query's words wrapped in
    /// `<mark>…</mark>`.
    #[schema(example = "Photosynthesis: <mark>chlorophyll</mark> turns light into sugar …")]
    pub snippet: String,
    /// Fused score (higher is better; only comparable within one answer).
    pub score: f64,
}

/// A page of results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchPage {
    pub items: Vec<SearchHit>,
    pub next_cursor: Option<String>,
    /// The mode that served this page: `fulltext` when semantic ranking was asked for
    /// but the embedding provider could not answer.
    pub mode: SearchMode,
}

struct Query {
    text: String,
    types: Vec<String>,
    mode: SearchMode,
    limit: usize,
    offset: usize,
}

fn parse(p: SearchParams) -> ServiceResult<Query> {
    let text = p.q.as_deref().map(str::trim).unwrap_or_default().to_owned();
    if text.is_empty() {
        return Err(ServiceError::invalid_field(
            "q",
            "required",
            "Say what to look for.",
        ));
    }
    if text.chars().count() > QUERY_MAX {
        return Err(ServiceError::invalid_field(
            "q",
            "too_long",
            format!("At most {QUERY_MAX} characters."),
        ));
    }
    let types = parse_types(p.types.as_deref())?;
    let limit = parse_limit(p.limit)?;
    let offset: usize = match p.cursor.as_deref() {
        Some(c) => pagination::decode(c)?,
        None => 0,
    };
    Ok(Query {
        text,
        types,
        mode: p.mode.unwrap_or_default(),
        limit,
        offset,
    })
}

/// The source types of a comma-separated list (`notes,tasks` or `note,task`); all
/// of them when none is given.
pub(crate) fn parse_types(list: Option<&str>) -> ServiceResult<Vec<String>> {
    match list.map(str::trim) {
        None | Some("") => Ok(SOURCE_TYPES.iter().map(|t| (*t).to_owned()).collect()),
        Some(list) => list
            .split(',')
            .map(|t| {
                let t = t.trim().trim_end_matches('s');
                SOURCE_TYPES
                    .iter()
                    .find(|known| **known == t)
                    .map(|known| (*known).to_owned())
                    .ok_or_else(|| {
                        ServiceError::invalid_field(
                            "types",
                            "unknown_type",
                            format!("Unknown type {t:?}; known: {}.", SOURCE_TYPES.join(", ")),
                        )
                    })
            })
            .collect(),
    }
}

/// A page size of 1–50 (default 10).
pub(crate) fn parse_limit(limit: Option<i64>) -> ServiceResult<usize> {
    match limit {
        None => Ok(10),
        Some(n @ 1..=50) => Ok(usize::try_from(n).unwrap_or(10)),
        Some(_) => Err(ServiceError::invalid_field(
            "limit",
            "out_of_range",
            "Between 1 and 50.",
        )),
    }
}

use maigie_store::knowledge::Key;

/// The user's sources closest in meaning to the query (each by its best chunk), best
/// first; `None` when the provider could not embed the query.
async fn semantic(svc: &Services, ctx: &Ctx, q: &Query) -> ServiceResult<Option<Vec<Key>>> {
    let embedder = svc.embedder();
    let vector = match embedder.embed(std::slice::from_ref(&q.text)).await {
        Ok(mut v) if !v.is_empty() => v.swap_remove(0),
        Ok(_) => return Ok(None),
        Err(err) => {
            tracing::warn!(error = %err, "query not embedded; full-text search only");
            return Ok(None);
        }
    };
    let scope = Scope {
        user_id: ctx.user_id,
        model: embedder.model(),
        types: &q.types,
        exclude: None,
    };
    let ranked = svc
        .settings
        .knowledge
        .vector_engine
        .nearest(&svc.db, scope, &vector, CANDIDATES)
        .await?;
    Ok(Some(
        ranked
            .into_iter()
            .map(|n| (n.source_type, n.source_id))
            .collect(),
    ))
}

/// The user's sources matching the query's words, best first (the sources' own
/// full-text columns: this works while the embedding provider is down).
async fn fulltext(svc: &Services, ctx: &Ctx, q: &Query) -> ServiceResult<Vec<Key>> {
    let limit = i64::try_from(CANDIDATES).unwrap_or(100);
    Ok(knowledge::ranking(&svc.db, ctx.user_id, &q.types, &q.text, limit).await?)
}

/// Searches the caller's knowledge.
pub async fn search(svc: &Services, ctx: &Ctx, params: SearchParams) -> ServiceResult<SearchPage> {
    let q = parse(params)?;
    let mut rankings = Vec::new();
    let mut served = q.mode;
    if q.mode != SearchMode::Fulltext {
        match semantic(svc, ctx, &q).await? {
            Some(keys) => rankings.push(keys),
            None => served = SearchMode::Fulltext,
        }
    }
    if q.mode != SearchMode::Semantic || served == SearchMode::Fulltext {
        rankings.push(fulltext(svc, ctx, &q).await?);
    }
    let fused = fuse(&rankings, RRF_K);
    let end = (q.offset + q.limit).min(fused.len());
    let next_cursor = (end < fused.len()).then(|| pagination::encode(&end));
    let page: Vec<(Key, f64)> = fused.into_iter().skip(q.offset).take(q.limit).collect();
    let items = shown(svc, ctx, page, &q.text).await?;
    Ok(SearchPage {
        items,
        next_cursor,
        mode: served,
    })
}

/// Ranked sources as the caller sees them: title and snippet for `query` (the start
/// of the text for an empty one); a source that is gone meanwhile is left out.
pub(crate) async fn shown(
    svc: &Services,
    ctx: &Ctx,
    ranked: Vec<(Key, f64)>,
    query: &str,
) -> ServiceResult<Vec<SearchHit>> {
    let ids: Vec<Uuid> = ranked.iter().map(|((_, id), _)| *id).collect();
    let views = knowledge::views(&svc.db, ctx.user_id, &ids, query).await?;
    Ok(ranked
        .into_iter()
        .filter_map(|((source_type, source_id), score)| {
            let view = views
                .iter()
                .find(|v| v.source_id == source_id && v.source_type == source_type)?;
            Some(SearchHit {
                source_type,
                source_id,
                title: view.title.clone(),
                snippet: render_snippet(&view.headline),
                score,
            })
        })
        .collect())
}
