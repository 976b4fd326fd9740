//! The pgvector engine: cosine distances computed by PostgreSQL on the `real[]` vectors
//! cast to `vector`, exactly for a scope of ordinary size, through the HNSW index of the
//! query's dimension for a larger one.

use std::collections::HashMap;

use sqlx::PgPool;
use uuid::Uuid;

use super::{Neighbour, PgVectorPlan, Scope, rank_best};
use crate::StoreError;

#[derive(sqlx::FromRow)]
struct Scored {
    source_type: String,
    source_id: Uuid,
    score: f32,
}

pub(super) async fn nearest(
    db: &PgPool,
    plan: PgVectorPlan,
    scope: Scope<'_>,
    query: &[f32],
    k: usize,
) -> Result<Vec<Neighbour>, StoreError> {
    let Ok(dimension) = u32::try_from(query.len()) else {
        return Ok(Vec::new());
    };
    if dimension == 0 || k == 0 {
        return Ok(Vec::new());
    }
    if plan.hnsw_dimension == Some(dimension)
        && scope_size(db, scope, plan.exact_up_to).await? > u64::from(plan.exact_up_to)
    {
        return approximate(db, plan, scope, dimension, query, k).await;
    }
    exact(db, scope, dimension, query, k).await
}

/// How many chunks the scope's user has of its model, counted up to `limit + 1`.
async fn scope_size(db: &PgPool, scope: Scope<'_>, limit: u32) -> Result<u64, StoreError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT 1 FROM knowledge_chunks
                                WHERE user_id = $1 AND model = $2 LIMIT $3) s",
    )
    .bind(scope.user_id)
    .bind(scope.model)
    .bind(i64::from(limit) + 1)
    .fetch_one(db)
    .await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Every chunk of the scope (through the user's index), best per source, in SQL.
async fn exact(
    db: &PgPool,
    scope: Scope<'_>,
    dimension: u32,
    query: &[f32],
    k: usize,
) -> Result<Vec<Neighbour>, StoreError> {
    let (ex_type, ex_id) = scope.exclude.unzip();
    let rows: Vec<Scored> = sqlx::query_as(
        "SELECT source_type, source_id,
                max(1 - (embedding::vector <=> $6::real[]::vector))::real AS score
           FROM knowledge_chunks
          WHERE user_id = $1 AND model = $2 AND source_type = ANY($3)
            AND NOT (source_type IS NOT DISTINCT FROM $4 AND source_id IS NOT DISTINCT FROM $5)
            AND dimension = $7
          GROUP BY source_type, source_id
          ORDER BY score DESC, source_type, source_id
          LIMIT $8",
    )
    .bind(scope.user_id)
    .bind(scope.model)
    .bind(scope.types)
    .bind(ex_type)
    .bind(ex_id)
    .bind(query)
    .bind(i32::try_from(dimension).unwrap_or(i32::MAX))
    .bind(i64::try_from(k).unwrap_or(i64::MAX))
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Neighbour {
            source_type: r.source_type,
            source_id: r.source_id,
            score: r.score,
        })
        .collect())
}

/// The nearest chunks through the HNSW index (the expression and the `dimension`
/// predicate are those of the index), then the best per source. Approximate.
async fn approximate(
    db: &PgPool,
    plan: PgVectorPlan,
    scope: Scope<'_>,
    dimension: u32,
    query: &[f32],
    k: usize,
) -> Result<Vec<Neighbour>, StoreError> {
    // A source has a few chunks: 8 per answer leave room for siblings.
    let candidates = k.saturating_mul(8).clamp(40, 1000);
    let (ex_type, ex_id) = scope.exclude.unzip();
    let mut tx = db.begin().await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SET LOCAL hnsw.ef_search = {candidates}"
    )))
    .execute(&mut *tx)
    .await?;
    if plan.iterative_scan {
        sqlx::query("SET LOCAL hnsw.iterative_scan = relaxed_order")
            .execute(&mut *tx)
            .await?;
    }
    // `dimension` is a number: the cast must be spelled as in the index expression.
    let rows: Vec<Scored> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT source_type, source_id, (1 - d)::real AS score FROM (
           SELECT source_type, source_id,
                  embedding::vector({dimension}) <=> $6::real[]::vector({dimension}) AS d
             FROM knowledge_chunks
            WHERE dimension = {dimension} AND user_id = $1 AND model = $2
              AND source_type = ANY($3)
              AND NOT (source_type IS NOT DISTINCT FROM $4 AND source_id IS NOT DISTINCT FROM $5)
            ORDER BY d LIMIT $7) c"
    )))
    .bind(scope.user_id)
    .bind(scope.model)
    .bind(scope.types)
    .bind(ex_type)
    .bind(ex_id)
    .bind(query)
    .bind(i64::try_from(candidates).unwrap_or(1000))
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut best: HashMap<(String, Uuid), f32> = HashMap::new();
    for r in rows {
        let slot = best.entry((r.source_type, r.source_id)).or_insert(f32::MIN);
        *slot = slot.max(r.score);
    }
    Ok(rank_best(best, k))
}
