//! Nearest chunks by meaning, behind one interface with interchangeable engines.
//!
//! Every engine answers the same question — the sources of a scope whose chunks are
//! closest to a query vector (cosine), one answer per source (its best chunk), best
//! first — so search, related items and the assistant never know which one runs.
//!
//! - [`VectorEngine::Array`]: the chunks' `real[]` vectors of the scope are read and
//!   ranked in the process. Needs no extension; fine to ~100k chunks a scope.
//! - [`VectorEngine::CachedArray`]: the same ranking, from each user's vectors kept in
//!   the process ([`VectorCache`], `VECTOR_CACHE_MB`) and checked against the user's
//!   version in `knowledge_versions` before every query, so never stale.
//! - [`VectorEngine::PgVector`]: PostgreSQL ranks with pgvector. `real[]` stays the one
//!   storage (no second column, no write path that depends on the engine): the queries
//!   cast (`embedding::vector`), and the HNSW index is a partial expression index per
//!   dimension, `((embedding::vector(384)) vector_cosine_ops) WHERE dimension = 384`,
//!   so vectors of several models and sizes coexist in `knowledge_chunks`. A scope up
//!   to [`PgVectorPlan::exact_up_to`] chunks is ranked exactly by a scan of its chunks
//!   (the user's index, distances computed by the server: full recall); a larger one
//!   goes through the HNSW index (approximate; with
//!   `hnsw.iterative_scan`, so only where pgvector ≥ 0.8: before, HNSW filters by user
//!   after the graph search and a small user's answer comes back empty).
//!
//! - [`VectorEngine::CachedPgVector`]: pgvector behind the same cache. A user held in
//!   memory at their current version is ranked there (no vectors read); any other
//!   query is ranked by pgvector while that user's vectors load in the background, so
//!   a first query never waits for a load. Only users whose chunks pgvector would rank
//!   exactly (at most [`PgVectorPlan::exact_up_to`]) are kept: larger ones stay with
//!   the HNSW index, and memory never answers differently from the database.
//!
//! [`setup::choose`] picks the engine at start-up (`VECTOR_ENGINE`), and
//! [`setup::ensure_hnsw_index`] builds the index of the configured dimension.

mod array;
mod cache;
mod pgvector;
pub mod setup;
mod user_vectors;

pub use cache::VectorCache;

use sqlx::PgPool;
use uuid::Uuid;

use crate::StoreError;

/// Which engine ranks vectors.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum VectorEngine {
    /// `real[]` vectors read per scope and ranked in the process.
    #[default]
    Array,
    /// The array engine's ranking from vectors cached in the process.
    CachedArray(VectorCache),
    /// pgvector ranks in the database.
    PgVector(PgVectorPlan),
    /// pgvector, with users' vectors also cached in the process.
    CachedPgVector(PgVectorPlan, VectorCache),
}

/// How the pgvector engine ranks a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PgVectorPlan {
    /// A scope of at most this many chunks is ranked exactly (a scan of the scope);
    /// a larger one through the HNSW index of [`Self::hnsw_dimension`].
    pub exact_up_to: u32,
    /// The dimension whose HNSW index exists (queries of another size scan exactly).
    pub hnsw_dimension: Option<u32>,
    /// The server's pgvector has `hnsw.iterative_scan` (0.8+).
    pub iterative_scan: bool,
}

impl PgVectorPlan {
    /// Exact up to 50,000 chunks a scope: HNSW filtered by user loses recall (without
    /// iterative scans it found nothing for a user with 1 % of 1M chunks, bench/vectors),
    /// and the exact scan's cost is reading the user's rows, which HNSW does not avoid.
    pub const DEFAULT_EXACT_UP_TO: u32 = 50_000;
}

/// Whose chunks, of what, made by which model.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub user_id: Uuid,
    pub model: &'a str,
    /// Source types to consider (`note`, `task`, …).
    pub types: &'a [String],
    /// A source left out of the answer (the one related items are related to).
    pub exclude: Option<(&'a str, Uuid)>,
}

/// A source near the query.
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbour {
    pub source_type: String,
    pub source_id: Uuid,
    /// Cosine similarity of its best chunk (higher is closer).
    pub score: f32,
}

impl VectorEngine {
    /// The `k` sources of `scope` closest to `query`, best first (ties by type, id).
    pub async fn nearest(
        &self,
        db: &PgPool,
        scope: Scope<'_>,
        query: &[f32],
        k: usize,
    ) -> Result<Vec<Neighbour>, StoreError> {
        match self {
            Self::Array => array::nearest(db, scope, query, k).await,
            Self::CachedArray(cache) => cache.nearest(db, scope, query, k).await,
            Self::PgVector(plan) => pgvector::nearest(db, *plan, scope, query, k).await,
            Self::CachedPgVector(plan, cache) => {
                match cache.ready(db, scope, query, k, plan.exact_up_to).await? {
                    Some(found) => Ok(found),
                    None => pgvector::nearest(db, *plan, scope, query, k).await,
                }
            }
        }
    }

    /// The engine with a cache of `cap_bytes` in front (0: none).
    #[must_use]
    pub fn with_cache(self, cap_bytes: usize) -> Self {
        if cap_bytes == 0 {
            return self;
        }
        match self {
            Self::Array => Self::CachedArray(VectorCache::new(cap_bytes)),
            Self::PgVector(plan) => Self::CachedPgVector(plan, VectorCache::new(cap_bytes)),
            cached => cached,
        }
    }

    /// Its name in `VECTOR_ENGINE` and in logs.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Array | Self::CachedArray(_) => "array",
            Self::PgVector(_) | Self::CachedPgVector(..) => "pgvector",
        }
    }

    /// Its cache, if it has one.
    #[must_use]
    pub fn cache(&self) -> Option<&VectorCache> {
        match self {
            Self::CachedArray(cache) | Self::CachedPgVector(_, cache) => Some(cache),
            Self::Array | Self::PgVector(_) => None,
        }
    }

    /// How pgvector ranks, when pgvector is the engine.
    #[must_use]
    pub fn pgvector_plan(&self) -> Option<PgVectorPlan> {
        match self {
            Self::PgVector(plan) | Self::CachedPgVector(plan, _) => Some(*plan),
            Self::Array | Self::CachedArray(_) => None,
        }
    }
}

/// Best first, ties by type then id; the first `k`.
fn rank(mut ranked: Vec<Neighbour>, k: usize) -> Vec<Neighbour> {
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.source_type.cmp(&b.source_type))
            .then_with(|| a.source_id.cmp(&b.source_id))
    });
    ranked.truncate(k);
    ranked
}

/// Each source's best score, ranked.
fn rank_best(best: std::collections::HashMap<(String, Uuid), f32>, k: usize) -> Vec<Neighbour> {
    rank(
        best.into_iter()
            .map(|((source_type, source_id), score)| Neighbour {
                source_type,
                source_id,
                score,
            })
            .collect(),
        k,
    )
}
