//! The hybrid search benchmark (bench/vectors/run runs it in release):
//!
//!   hybrid_bench URL MODEL_DIR [QUERIES=200]
//!
//! URL: a database this migrates and, when empty, fills with bench/vectors/hybrid.sql
//! (one user with 2,500 notes and their 10,000 chunks, 9 other users' 90,000 chunks,
//! interleaved). Each query runs what `GET /api/knowledge/search` runs for a hybrid
//! search (services/src/knowledge/search.rs), in the same order: the local MiniLM model
//! embeds the query, the vector engine ranks 100 sources, full text ranks 100, reciprocal
//! rank fusion, then titles and highlighted snippets of the first page (10). Timed end
//! to end, one query at a time, with the array engine cached and uncached.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::Instant;

use maigie_domain::knowledge::fuse;
use maigie_embed::{Embedder, LocalConfig, LocalEmbedder};
use maigie_store::knowledge;
use maigie_store::vector_index::{Scope, VectorEngine};
use uuid::Uuid;

const TYPES: &[&str] = &[
    "note", "task", "goal", "course", "module", "topic", "resource",
];
const WORDS: &[&str] = &[
    "photosynthesis",
    "mitochondria",
    "osmosis",
    "calvin cycle",
    "derivative",
    "probability",
    "inflation",
    "electron",
    "momentum",
    "essay",
    "treaty",
    "circuit voltage",
];

fn percentile(sorted: &[f64], p: f64) -> f64 {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

async fn fill(db: &maigie_store::PgPool) {
    maigie_store::migrate(db).await.expect("migrate");
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(db)
        .await
        .expect("users");
    if users > 0 {
        return;
    }
    println!("filling (100,000 chunks, 2,500 notes): a minute or two");
    let sql: String = include_str!("../../bench/vectors/hybrid.sql")
        .lines()
        .filter(|l| !l.starts_with('\\') && !l.starts_with("VACUUM"))
        .collect::<Vec<_>>()
        .join("\n")
        .replace(":per_user", "10000")
        .replace(":users", "10");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(db)
        .await
        .expect("fill");
    for table in ["knowledge_chunks", "notes"] {
        // Not in a transaction block: a statement of its own.
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("VACUUM ANALYZE {table}")))
            .execute(db)
            .await
            .expect("vacuum");
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (url, model_dir) = (&args[1], &args[2]);
    let n: usize = args.get(3).map_or(200, |s| s.parse().expect("QUERIES"));
    let db = maigie_store::connect(url, 4).await.expect("db");
    fill(&db).await;
    let embedder = LocalEmbedder::load(&LocalConfig {
        model_dir: model_dir.into(),
        name: "all-MiniLM-L6-v2".into(),
        batch_size: 16,
    })
    .expect("model");
    let user_id = Uuid::nil();
    let types: Vec<String> = TYPES.iter().map(|t| (*t).to_owned()).collect();
    let queries: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "{} {}",
                WORDS[i % WORDS.len()],
                WORDS[(i * 7 + 3) % WORDS.len()]
            )
        })
        .collect();
    println!("\n{n} hybrid searches, one user's 10,000 chunks (100,000 in the table), page of 10");
    println!("| vector engine | p50 | p99 | max | of which query embedding p50 / p99 |");
    println!("|---|---|---|---|---|");
    for (label, engine) in [
        ("array, cached", VectorEngine::Array.with_cache(256 << 20)),
        ("array, uncached", VectorEngine::Array),
    ] {
        let (mut total, mut embedding) = (Vec::new(), Vec::new());
        for (i, q) in queries.iter().enumerate() {
            let started = Instant::now();
            let vector = embedder
                .embed(std::slice::from_ref(q))
                .await
                .expect("embed")
                .swap_remove(0);
            let embedded = started.elapsed();
            let scope = Scope {
                user_id,
                model: embedder.model(),
                types: &types,
                exclude: None,
            };
            let semantic: Vec<knowledge::Key> = engine
                .nearest(&db, scope, &vector, 100)
                .await
                .expect("nearest")
                .into_iter()
                .map(|n| (n.source_type, n.source_id))
                .collect();
            let words = knowledge::ranking(&db, user_id, &types, q, 100)
                .await
                .expect("full text");
            let fused = fuse(&[semantic, words], 60.0);
            let ids: Vec<Uuid> = fused.iter().take(10).map(|((_, id), _)| *id).collect();
            let views = knowledge::views(&db, user_id, &ids, q)
                .await
                .expect("views");
            assert!(!views.is_empty(), "nothing shown for {q:?}");
            if i >= 5 {
                // The first queries warm the model and (cached) load the vectors.
                total.push(started.elapsed().as_secs_f64() * 1000.0);
                embedding.push(embedded.as_secs_f64() * 1000.0);
            }
        }
        total.sort_by(f64::total_cmp);
        embedding.sort_by(f64::total_cmp);
        println!(
            "| {label} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} / {:.1} ms |",
            percentile(&total, 50.0),
            percentile(&total, 99.0),
            total.last().copied().unwrap_or(0.0),
            percentile(&embedding, 50.0),
            percentile(&embedding, 99.0),
        );
    }
}
