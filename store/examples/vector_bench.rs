//! The vector engines' benchmark (bench/vectors/run fills the databases and runs it in
//! release):
//!
//!   vector_bench ARRAY_URL PGVECTOR_URL [QUERIES=200] [MODEL_DIR]
//!
//! Search: `VectorEngine::nearest` (k = 20) over the 10,000 chunks of one user in a
//! table of 1,000,000 (bench/vectors/fill.sql), random unit query vectors, one query at
//! a time: the array engine on ARRAY_URL, uncached (every query reads the user's rows)
//! and cached (`VECTOR_CACHE_MB`: the version check, then memory), pgvector exact on
//! PGVECTOR_URL and, with `MAIGIE_BENCH_HNSW=1`, through HNSW with its recall against
//! exact. With MODEL_DIR: the local MiniLM model's time to embed a search query, its
//! chunks/s at several batch sizes and the process's RSS with the model loaded.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::Instant;

use maigie_embed::{Embedder, LocalConfig, LocalEmbedder};
use maigie_store::vector_index::{PgVectorPlan, Scope, VectorEngine};
use uuid::Uuid;

const K: usize = 20;
const DIMENSION: usize = 384;

/// xorshift64*: reproducible query vectors without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 40;
        #[allow(clippy::cast_precision_loss)]
        let f = x as f32 / (1u64 << 24) as f32;
        f - 0.5
    }

    fn unit(&mut self) -> Vec<f32> {
        let v: Vec<f32> = (0..DIMENSION).map(|_| self.next()).collect();
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.into_iter().map(|x| x / n).collect()
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn rss_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn search(
    label: &str,
    db: &maigie_store::PgPool,
    engine: &VectorEngine,
    queries: &[Vec<f32>],
) -> Vec<Vec<Uuid>> {
    let types = vec!["note".to_owned()];
    let scope = Scope {
        user_id: Uuid::nil(),
        model: "local/all-MiniLM-L6-v2",
        types: &types,
        exclude: None,
    };
    let started = Instant::now();
    engine
        .nearest(db, scope, &queries[0], K)
        .await
        .expect("first");
    let first = started.elapsed().as_secs_f64() * 1000.0;
    // Behind pgvector the cache loads in the background: wait for the first query it
    // answers from memory (the ones before it are pgvector's).
    if let (VectorEngine::CachedPgVector(..), Some(cache)) = (engine, engine.cache()) {
        while cache.hits() == 0 {
            assert!(started.elapsed().as_secs() < 60, "{label}: never cached");
            engine
                .nearest(db, scope, &queries[0], K)
                .await
                .expect("load");
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        println!(
            "({label}: in memory {:.0} ms after the first query)",
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    for q in queries.iter().take(10) {
        engine.nearest(db, scope, q, K).await.expect("warm-up");
    }
    let mut times = Vec::with_capacity(queries.len());
    let mut answers = Vec::with_capacity(queries.len());
    for q in queries {
        let started = Instant::now();
        let found = engine.nearest(db, scope, q, K).await.expect("nearest");
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        assert!(!found.is_empty(), "{label}: nothing found");
        answers.push(found.into_iter().map(|n| n.source_id).collect());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "| {label} | {first:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms |",
        percentile(&times, 50.0),
        percentile(&times, 99.0),
        times.last().copied().unwrap_or(0.0)
    );
    answers
}

/// Share of the exact top-k found by the approximate answers.
fn recall(exact: &[Vec<Uuid>], approx: &[Vec<Uuid>]) -> f64 {
    let (mut hit, mut all) = (0usize, 0usize);
    for (e, a) in exact.iter().zip(approx) {
        all += e.len();
        hit += e.iter().filter(|id| a.contains(id)).count();
    }
    #[allow(clippy::cast_precision_loss)]
    let r = hit as f64 / all.max(1) as f64;
    r
}

async fn indexing(model_dir: &str) {
    println!(
        "\nrss before loading the model: {:.0} MiB",
        rss_mib("VmRSS:")
    );
    let texts: Vec<String> = (0..256)
        .map(|i| {
            format!(
                "Note {i}: chlorophyll in the leaves turns light into sugar, and the plant \
                 stores it as starch; mitochondria then release the energy as ATP. {}",
                "Revise the light-dependent reactions and the Calvin cycle before Friday. "
                    .repeat(1 + i % 6)
            )
        })
        .collect();
    println!("| batch size | chunks/s | RSS after | peak RSS |");
    println!("|---|---|---|---|");
    for batch_size in [1, 8, 32, 64] {
        let e = LocalEmbedder::load(&LocalConfig {
            model_dir: model_dir.into(),
            name: "all-MiniLM-L6-v2".into(),
            batch_size,
        })
        .expect("model");
        e.embed(&texts[..8]).await.expect("warm-up");
        let started = Instant::now();
        let vectors = e.embed(&texts).await.expect("embed");
        let secs = started.elapsed().as_secs_f64();
        assert_eq!(vectors.len(), texts.len());
        #[allow(clippy::cast_precision_loss)]
        let rate = texts.len() as f64 / secs;
        println!(
            "| {batch_size} | {rate:.0} | {:.0} MiB | {:.0} MiB |",
            rss_mib("VmRSS:"),
            rss_mib("VmHWM:")
        );
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (array_url, pgvector_url) = (&args[1], &args[2]);
    let n: usize = args.get(3).map_or(200, |s| s.parse().expect("QUERIES"));
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let queries: Vec<Vec<f32>> = (0..n).map(|_| rng.unit()).collect();
    let array_db = maigie_store::connect(array_url, 4).await.expect("array db");
    let pg_db = maigie_store::connect(pgvector_url, 4)
        .await
        .expect("pgvector db");
    let chunks: i64 = sqlx::query_scalar("SELECT count(*) FROM knowledge_chunks")
        .fetch_one(&pg_db)
        .await
        .expect("count");
    println!("{n} queries, k = {K}, 10,000 chunks of the user, {chunks} in the table\n");
    println!("| engine | first query | p50 | p99 | max |");
    println!("|---|---|---|---|---|");
    let uncached = search(
        "array, uncached (PostgreSQL 15)",
        &array_db,
        &VectorEngine::Array,
        &queries,
    )
    .await;
    let cached_engine = VectorEngine::Array.with_cache(256 << 20);
    let cached = search(
        "array, cached (PostgreSQL 15)",
        &array_db,
        &cached_engine,
        &queries,
    )
    .await;
    assert_eq!(cached, uncached, "the cache answers what the table answers");
    let plan = PgVectorPlan {
        exact_up_to: PgVectorPlan::DEFAULT_EXACT_UP_TO,
        hnsw_dimension: Some(384),
        iterative_scan: false,
    };
    let exact = search(
        "pgvector, exact per-user scan (PostgreSQL 16)",
        &pg_db,
        &VectorEngine::PgVector(plan),
        &queries,
    )
    .await;
    let behind = search(
        "pgvector behind the cache (PostgreSQL 16)",
        &pg_db,
        &VectorEngine::PgVector(plan).with_cache(256 << 20),
        &queries,
    )
    .await;
    println!(
        "\npgvector behind the cache, recall@{K} against pgvector alone: {:.3}",
        recall(&exact, &behind)
    );
    if std::env::var("MAIGIE_BENCH_HNSW").is_ok_and(|v| v == "1") {
        let hnsw = search(
            "pgvector, HNSW filtered by user (PostgreSQL 16)",
            &pg_db,
            &VectorEngine::PgVector(PgVectorPlan {
                exact_up_to: 0,
                ..plan
            }),
            &queries,
        )
        .await;
        println!(
            "\nHNSW recall@{K} against exact: {:.3}",
            recall(&exact, &hnsw)
        );
    }
    if let Some(dir) = args.get(4) {
        indexing(dir).await;
    }
}
