//! Nearest chunks by meaning, behind one interface with interchangeable engines.
//!
//! Every engine answers the same question — the sources of a scope whose chunks are
//! closest to a query vector (cosine), one answer per source (its best chunk), best
//! first — so search, related items and the assistant never know which one runs.
//!
//! - [`VectorEngine::Array`]: the chunks' `real[]` vectors of the scope are read and
//!   ranked in the process. Needs no extension; fine to ~100k chunks a scope.

use sqlx::PgPool;
use uuid::Uuid;

use crate::StoreError;
use maigie_domain::knowledge::cosine;

/// Which engine ranks vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VectorEngine {
    /// `real[]` vectors scanned per scope in the process.
    #[default]
    Array,
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

#[derive(sqlx::FromRow)]
struct ChunkVector {
    source_type: String,
    source_id: Uuid,
    embedding: Vec<f32>,
}

impl VectorEngine {
    /// The `k` sources of `scope` closest to `query`, best first (ties by type, id).
    pub async fn nearest(
        self,
        db: &PgPool,
        scope: Scope<'_>,
        query: &[f32],
        k: usize,
    ) -> Result<Vec<Neighbour>, StoreError> {
        match self {
            Self::Array => array_nearest(db, scope, query, k).await,
        }
    }
}

async fn array_nearest(
    db: &PgPool,
    scope: Scope<'_>,
    query: &[f32],
    k: usize,
) -> Result<Vec<Neighbour>, StoreError> {
    let (ex_type, ex_id) = scope.exclude.unzip();
    let chunks: Vec<ChunkVector> = sqlx::query_as(
        "SELECT source_type, source_id, embedding FROM knowledge_chunks
          WHERE user_id = $1 AND model = $2 AND source_type = ANY($3)
            AND NOT (source_type IS NOT DISTINCT FROM $4 AND source_id IS NOT DISTINCT FROM $5)",
    )
    .bind(scope.user_id)
    .bind(scope.model)
    .bind(scope.types)
    .bind(ex_type)
    .bind(ex_id)
    .fetch_all(db)
    .await?;
    let mut best: std::collections::HashMap<(String, Uuid), f32> = std::collections::HashMap::new();
    for c in chunks {
        let score = cosine(query, &c.embedding);
        let slot = best.entry((c.source_type, c.source_id)).or_insert(f32::MIN);
        *slot = slot.max(score);
    }
    let mut ranked: Vec<Neighbour> = best
        .into_iter()
        .map(|((source_type, source_id), score)| Neighbour {
            source_type,
            source_id,
            score,
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.source_type.cmp(&b.source_type))
            .then_with(|| a.source_id.cmp(&b.source_id))
    });
    ranked.truncate(k);
    Ok(ranked)
}
