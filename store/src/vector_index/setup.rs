//! Start-up: which engine this database allows (`VECTOR_ENGINE`), and the HNSW index of
//! the configured dimension. Nothing here fails on a PostgreSQL without pgvector unless
//! pgvector was asked for explicitly.

use sqlx::PgPool;

use super::{PgVectorPlan, VectorEngine};
use crate::StoreError;

/// `VECTOR_ENGINE`: what the operator asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EngineChoice {
    /// pgvector when the extension is there or can be created, else the array engine.
    #[default]
    Auto,
    /// pgvector or no start.
    PgVector,
    /// The array engine, even where pgvector exists.
    Array,
}

impl std::str::FromStr for EngineChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Self::Auto),
            "pgvector" => Ok(Self::PgVector),
            "array" => Ok(Self::Array),
            other => Err(format!("{other:?} is not one of auto, pgvector, array")),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(
        "VECTOR_ENGINE=pgvector, but {0}; install pgvector on the database server \
         (https://github.com/pgvector/pgvector) or set VECTOR_ENGINE=auto or array"
    )]
    Unavailable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The engine `choice` allows on `db`: for pgvector, creates the extension when the
/// server has it and the role may (`CREATE EXTENSION IF NOT EXISTS vector`).
/// `hnsw_dimension`: the configured model's dimension, whose index
/// [`ensure_hnsw_index`] builds (`None`: every query is ranked exactly).
pub async fn choose(
    db: &PgPool,
    choice: EngineChoice,
    hnsw_dimension: Option<u32>,
) -> Result<VectorEngine, SetupError> {
    if choice == EngineChoice::Array {
        return Ok(VectorEngine::Array);
    }
    match pgvector_version(db).await? {
        Ok(version) => {
            // Without iterative scans (pgvector < 0.8) HNSW filters by user after the
            // graph search: a user with 1 % of a 1M-chunk table got nothing back
            // (bench/vectors). Every scope is ranked exactly there.
            let iterative_scan = at_least(&version, (0, 8));
            Ok(VectorEngine::PgVector(PgVectorPlan {
                exact_up_to: PgVectorPlan::DEFAULT_EXACT_UP_TO,
                hnsw_dimension: hnsw_dimension.filter(|_| iterative_scan),
                iterative_scan,
            }))
        }
        Err(why) if choice == EngineChoice::PgVector => Err(SetupError::Unavailable(why)),
        Err(why) => {
            tracing::info!(reason = %why, "pgvector unavailable: vectors ranked by the array engine");
            Ok(VectorEngine::Array)
        }
    }
}

/// The installed pgvector's version, creating the extension if the server offers it;
/// `Err(reason)` when it cannot be had.
async fn pgvector_version(db: &PgPool) -> Result<Result<String, String>, StoreError> {
    let installed = || {
        sqlx::query_scalar::<_, String>(
            "SELECT extversion FROM pg_extension WHERE extname = 'vector'",
        )
        .fetch_optional(db)
    };
    if let Some(v) = installed().await? {
        return Ok(Ok(v));
    }
    let available: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector')",
    )
    .fetch_one(db)
    .await?;
    if !available {
        return Ok(Err("the database server has no pgvector extension".into()));
    }
    if let Err(e) = sqlx::query("CREATE EXTENSION IF NOT EXISTS vector")
        .execute(db)
        .await
    {
        // Two processes starting together: the other one's CREATE won.
        if let Some(v) = installed().await? {
            return Ok(Ok(v));
        }
        return Ok(Err(format!("CREATE EXTENSION vector failed: {e}")));
    }
    Ok(installed()
        .await?
        .ok_or_else(|| "the vector extension did not appear".to_owned()))
}

fn at_least(version: &str, (major, minor): (u32, u32)) -> bool {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let have = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    have >= (major, minor)
}

/// The name of the HNSW index of vectors of `dimension`.
#[must_use]
pub fn hnsw_index_name(dimension: u32) -> String {
    format!("knowledge_chunks_embedding_{dimension}_hnsw")
}

/// Builds, if missing, the HNSW index (cosine) of the chunks of `dimension`:
/// `CREATE INDEX CONCURRENTLY` (writes go on meanwhile), one process at a time (an
/// advisory lock; a process that finds it taken leaves the build to the other), a
/// build left invalid by a crash dropped and redone. Returns whether this call built it.
/// Needs pgvector (call it when [`choose`] answered [`VectorEngine::PgVector`]).
pub async fn ensure_hnsw_index(db: &PgPool, dimension: u32) -> Result<bool, StoreError> {
    const LOCK: i64 = 0x6d61_6967_6965_7601; // "maigiev\x01"
    let name = hnsw_index_name(dimension);
    let mut conn = db.acquire().await?;
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(LOCK)
        .fetch_one(&mut *conn)
        .await?;
    if !locked {
        return Ok(false);
    }
    let result = async {
        let valid: Option<bool> = sqlx::query_scalar(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
              WHERE c.relname = $1",
        )
        .bind(&name)
        .fetch_optional(&mut *conn)
        .await?;
        match valid {
            Some(true) => return Ok(false),
            Some(false) => {
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "DROP INDEX CONCURRENTLY IF EXISTS {name}"
                )))
                .execute(&mut *conn)
                .await?;
            }
            None => {}
        }
        tracing::info!(index = %name, "building the HNSW index of the knowledge chunks");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON knowledge_chunks
               USING hnsw ((embedding::vector({dimension})) vector_cosine_ops)
               WHERE dimension = {dimension}"
        )))
        .execute(&mut *conn)
        .await?;
        Ok(true)
    }
    .await;
    let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(LOCK)
        .execute(&mut *conn)
        .await;
    result
}
