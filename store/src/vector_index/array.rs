//! The engine without extension: a scope's `real[]` vectors ranked in the process.

use std::collections::HashMap;

use sqlx::PgPool;
use uuid::Uuid;

use super::{Neighbour, Scope, rank_best};
use crate::StoreError;
use maigie_domain::knowledge::cosine;

#[derive(sqlx::FromRow)]
struct ChunkVector {
    source_type: String,
    source_id: Uuid,
    embedding: Vec<f32>,
}

pub(super) async fn nearest(
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
    let mut best: HashMap<(String, Uuid), f32> = HashMap::new();
    for c in chunks {
        let score = cosine(query, &c.embedding);
        let slot = best.entry((c.source_type, c.source_id)).or_insert(f32::MIN);
        *slot = slot.max(score);
    }
    Ok(rank_best(best, k))
}
