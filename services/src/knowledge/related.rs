//! Items related to one of the user's sources by meaning: the sources whose chunks
//! are closest to its own (their mean vector), the source itself left out.
//!
//! A source not indexed yet (just written) is embedded on the spot; when the provider
//! cannot do that either, its title's words rank by full text, and the answer says so.

use maigie_store::knowledge::{self, Source};
use maigie_store::vector_index::Scope;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::search::{SearchHit, SearchMode, parse_limit, parse_types, shown};
use crate::error::{ServiceError, ServiceResult};
use crate::{Ctx, Services};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RelatedParams {
    /// Comma-separated source types to suggest (`note`, `task`, `goal`, `course`,
    /// `module`, `topic`, `resource`); default: all.
    pub types: Option<String>,
    /// 1–50 (default 10).
    pub limit: Option<i64>,
}

/// Related items, closest first.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RelatedPage {
    pub items: Vec<SearchHit>,
    /// `semantic`, or `fulltext` when meaning could not be used.
    pub mode: SearchMode,
}

/// The mean of a source's chunk vectors (its overall meaning).
fn mean(vectors: &[Vec<f32>]) -> Option<Vec<f32>> {
    let first = vectors.first()?;
    let dimension = first.len();
    let mut sum = vec![0.0_f32; dimension];
    for v in vectors.iter().filter(|v| v.len() == dimension) {
        for (s, x) in sum.iter_mut().zip(v) {
            *s += x;
        }
    }
    Some(sum)
}

/// The caller's items related to their source `source_type`/`id` (404 when it is not
/// theirs).
pub async fn related(
    svc: &Services,
    ctx: &Ctx,
    source_type: &'static str,
    id: Uuid,
    p: RelatedParams,
) -> ServiceResult<RelatedPage> {
    let types = parse_types(p.types.as_deref())?;
    let limit = parse_limit(p.limit)?;
    let source = Source {
        user_id: ctx.user_id,
        source_type,
        source_id: id,
    };
    let (title, body) = knowledge::document(&svc.db, source)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let embedder = svc.embedder();
    let model = embedder.model();
    let mut vector = mean(&knowledge::source_vectors(&svc.db, source, model).await?);
    if vector.is_none() {
        let text: String = format!("{title}\n{body}").chars().take(2000).collect();
        match embedder.embed(&[text]).await {
            Ok(mut v) if !v.is_empty() => vector = Some(v.swap_remove(0)),
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "source not embedded; related by words"),
        }
    }
    let (keys, mode) = match vector {
        Some(vector) => {
            let scope = Scope {
                user_id: ctx.user_id,
                model,
                types: &types,
                exclude: Some((source_type, id)),
            };
            let near = svc
                .settings
                .knowledge
                .vector_engine
                .nearest(&svc.db, scope, &vector, limit)
                .await?;
            let keys: Vec<_> = near
                .into_iter()
                .map(|n| ((n.source_type, n.source_id), f64::from(n.score)))
                .collect();
            (keys, SearchMode::Semantic)
        }
        None => {
            let words: Vec<&str> = title
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().count() > 1)
                .collect();
            let query = words.join(" or ");
            let limit_plus_self = i64::try_from(limit + 1).unwrap_or(51);
            let ranked =
                knowledge::ranking(&svc.db, ctx.user_id, &types, &query, limit_plus_self).await?;
            let keys: Vec<_> = ranked
                .into_iter()
                .filter(|(t, i)| !(t == source_type && *i == id))
                .take(limit)
                .enumerate()
                .map(|(rank, key)| (key, 1.0 / (rank as f64 + 1.0)))
                .collect();
            (keys, SearchMode::Fulltext)
        }
    };
    let items = shown(svc, ctx, keys, "").await?;
    Ok(RelatedPage { items, mode })
}
