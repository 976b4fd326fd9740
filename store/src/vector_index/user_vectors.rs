//! One user's vectors of one model, read in one snapshot and ranked in the process:
//! what [`super::VectorCache`] holds.

use std::collections::HashMap;

use sqlx::PgPool;
use uuid::Uuid;

use super::{Neighbour, Scope, rank};
use crate::StoreError;
use maigie_domain::knowledge::cosine;

/// One user's chunks of one model, as loaded at `version`.
pub(super) struct UserVectors {
    /// `None`: the pair had no version row (not cached).
    pub(super) version: Option<i64>,
    types: Vec<String>,
    /// Each source: its type (an index into `types`) and id.
    sources: Vec<(usize, Uuid)>,
    /// Each chunk: its source (an index into `sources`) and where its vector lies in `data`.
    pub(super) chunks: Vec<(u32, u32, u32)>,
    data: Vec<f32>,
}

#[derive(sqlx::FromRow)]
struct Row {
    source_type: String,
    source_id: Uuid,
    embedding: Vec<f32>,
}

impl UserVectors {
    /// The pair's version and every chunk of it, in one snapshot.
    pub(super) async fn load(db: &PgPool, user_id: Uuid, model: &str) -> Result<Self, StoreError> {
        let mut tx = db.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        let version: Option<i64> = sqlx::query_scalar(
            "SELECT version FROM knowledge_versions WHERE user_id = $1 AND model = $2",
        )
        .bind(user_id)
        .bind(model)
        .fetch_optional(&mut *tx)
        .await?;
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT source_type, source_id, embedding FROM knowledge_chunks
              WHERE user_id = $1 AND model = $2",
        )
        .bind(user_id)
        .bind(model)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let mut loaded = Self {
            version,
            types: Vec::new(),
            sources: Vec::new(),
            chunks: Vec::with_capacity(rows.len()),
            data: Vec::with_capacity(rows.iter().map(|r| r.embedding.len()).sum()),
        };
        let mut source_index: HashMap<(usize, Uuid), u32> = HashMap::new();
        for row in rows {
            let t = match loaded.types.iter().position(|t| *t == row.source_type) {
                Some(t) => t,
                None => {
                    loaded.types.push(row.source_type);
                    loaded.types.len() - 1
                }
            };
            let next = u32::try_from(loaded.sources.len()).unwrap_or(u32::MAX);
            let s = *source_index.entry((t, row.source_id)).or_insert_with(|| {
                loaded.sources.push((t, row.source_id));
                next
            });
            let start = u32::try_from(loaded.data.len()).unwrap_or(u32::MAX);
            let len = u32::try_from(row.embedding.len()).unwrap_or(u32::MAX);
            loaded.data.extend_from_slice(&row.embedding);
            loaded.chunks.push((s, start, len));
        }
        Ok(loaded)
    }

    /// What it costs in memory, roughly.
    pub(super) fn bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.data.capacity() * std::mem::size_of::<f32>()
            + self.chunks.capacity() * std::mem::size_of::<(u32, u32, u32)>()
            + self.sources.capacity() * std::mem::size_of::<(usize, Uuid)>()
            + self.types.iter().map(|t| t.capacity() + 24).sum::<usize>()
    }

    /// What the uncached array engine answers for these chunks: each source's best
    /// chunk by cosine (the same function, the same order of operations), ranked.
    pub(super) fn nearest(&self, scope: Scope<'_>, query: &[f32], k: usize) -> Vec<Neighbour> {
        let wanted: Vec<bool> = self
            .types
            .iter()
            .map(|t| scope.types.iter().any(|w| w == t))
            .collect();
        let excluded = scope.exclude.and_then(|(t, id)| {
            self.sources
                .iter()
                .position(|(st, sid)| *sid == id && self.types[*st] == t)
        });
        let mut best: Vec<Option<f32>> = vec![None; self.sources.len()];
        for &(s, start, len) in &self.chunks {
            let s = s as usize;
            if !wanted[self.sources[s].0] || excluded == Some(s) {
                continue;
            }
            let (start, len) = (start as usize, len as usize);
            let score = cosine(query, &self.data[start..start + len]);
            let slot = best[s].get_or_insert(f32::MIN);
            *slot = slot.max(score);
        }
        let found = best
            .into_iter()
            .zip(&self.sources)
            .filter_map(|(score, &(t, source_id))| {
                Some(Neighbour {
                    source_type: self.types[t].clone(),
                    source_id,
                    score: score?,
                })
            })
            .collect();
        rank(found, k)
    }
}
