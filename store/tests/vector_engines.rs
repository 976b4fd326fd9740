//! The two vector engines on real databases: the array engine on the local PostgreSQL
//! (no pgvector), pgvector on the PostgreSQL 16 + pgvector that `scripts/test` starts
//! from the PyPI package pgserver (`PGVECTOR_TEST_URL`). The same chunks, embedded by
//! the local MiniLM model (`EMBEDDING_MODEL_DIR`), must give the same answers.
//!
//! pgserver ships no contrib extensions (pgcrypto, citext), so the full migrations
//! cannot run there: its database gets `knowledge_chunks` from the migration file itself,
//! beside a stand-in `users` table.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicU32, Ordering};

use maigie_embed::{Embedder, LocalConfig, LocalEmbedder};
use maigie_store::PgPool;
use maigie_store::knowledge::{self, NewChunk, Source};
use maigie_store::vector_index::setup::{self, EngineChoice, SetupError};
use maigie_store::vector_index::{Neighbour, PgVectorPlan, Scope, VectorEngine};
use sqlx::Connection;
use uuid::Uuid;

static SEQ: AtomicU32 = AtomicU32::new(0);

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run scripts/test"))
}

fn local_admin() -> String {
    std::env::var("TEST_DATABASE_ADMIN_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A fresh database on the server of `admin_url`; its pool and name.
async fn fresh_db(admin_url: &str) -> (PgPool, String) {
    let name = format!(
        "maigie_vec_{}_{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::SeqCst)
    );
    let mut admin = sqlx::PgConnection::connect(admin_url).await.expect("admin");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut admin)
        .await
        .expect("create database");
    let mut url = url::Url::parse(admin_url).expect("URL");
    url.set_path(&name);
    let db = maigie_store::connect(url.as_str(), 4)
        .await
        .expect("connect");
    (db, name)
}

async fn drop_db(admin_url: &str, db: PgPool, name: &str) {
    db.close().await;
    let mut admin = sqlx::PgConnection::connect(admin_url).await.expect("admin");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await
    .expect("drop database");
}

const MODEL: &str = "local/all-MiniLM-L6-v2";

/// Two servers, the same users and chunks in both.
struct Pair {
    local: PgPool,
    local_name: String,
    pg: PgPool,
    pg_name: String,
}

impl Pair {
    async fn new() -> Self {
        let (local, local_name) = fresh_db(&local_admin()).await;
        maigie_store::migrate(&local).await.expect("migrate");
        let (pg, pg_name) = fresh_db(&env("PGVECTOR_TEST_URL")).await;
        sqlx::raw_sql("CREATE TABLE users (id uuid PRIMARY KEY)")
            .execute(&pg)
            .await
            .expect("users");
        sqlx::raw_sql(include_str!("../../migrations/0019_knowledge_chunks.sql"))
            .execute(&pg)
            .await
            .expect("migration 0019 on pgserver");
        Self {
            local,
            local_name,
            pg,
            pg_name,
        }
    }

    async fn user(&self) -> Uuid {
        let email = format!("{}@maigie.test", Uuid::new_v4().simple());
        let id: Uuid = sqlx::query_scalar("INSERT INTO users (email) VALUES ($1) RETURNING id")
            .bind(email)
            .fetch_one(&self.local)
            .await
            .expect("local user");
        sqlx::query("INSERT INTO users (id) VALUES ($1)")
            .bind(id)
            .execute(&self.pg)
            .await
            .expect("pgserver user");
        id
    }

    async fn write(&self, source: Source<'_>, chunks: &[NewChunk]) {
        for db in [&self.local, &self.pg] {
            let mut tx = db.begin().await.expect("begin");
            knowledge::replace(&mut tx, source, MODEL, chunks.len(), chunks)
                .await
                .expect("replace");
            tx.commit().await.expect("commit");
        }
    }

    async fn finish(self) {
        drop_db(&local_admin(), self.local, &self.local_name).await;
        drop_db(&env("PGVECTOR_TEST_URL"), self.pg, &self.pg_name).await;
    }
}

fn embedder() -> LocalEmbedder {
    LocalEmbedder::load(&LocalConfig {
        model_dir: env("EMBEDDING_MODEL_DIR").into(),
        name: "all-MiniLM-L6-v2".into(),
        batch_size: 16,
    })
    .expect("the local model loads")
}

/// Each source's chunks, by type.
const MINE: &[(&str, &[&str])] = &[
    (
        "note",
        &[
            "Chlorophyll in the leaves turns sunlight into sugar.",
            "Plants breathe out oxygen.",
        ],
    ),
    (
        "note",
        &["The French Revolution began in 1789 with the storming of the Bastille."],
    ),
    (
        "note",
        &["Mitochondria are the powerhouse of the cell: they make ATP."],
    ),
    (
        "note",
        &[
            "Integrals measure the area under a curve.",
            "Derivatives measure slopes.",
        ],
    ),
    (
        "task",
        &["Revise the causes of the First World War for Friday's essay."],
    ),
    (
        "task",
        &["Practise Spanish irregular verbs: tener, ir, ser."],
    ),
    (
        "goal",
        &["Run a half marathon in under two hours by spring."],
    ),
    (
        "topic",
        &["Newton's laws of motion: inertia, force equals mass times acceleration."],
    ),
    (
        "note",
        &["Photosynthesis happens in chloroplasts and needs water and carbon dioxide."],
    ),
    (
        "resource",
        &["A video course on linear algebra: vectors, matrices and eigenvalues."],
    ),
];

const QUERIES: &[&str] = &[
    "how do plants make food from light",
    "what started the revolution in France",
    "energy production inside cells",
    "calculus: area under a function",
    "physics of forces and acceleration",
    "learning verbs in Spanish",
];

async fn embed_all(e: &LocalEmbedder, texts: &[&str]) -> Vec<Vec<f32>> {
    let owned: Vec<String> = texts.iter().map(|t| (*t).to_owned()).collect();
    e.embed(&owned).await.expect("embed")
}

/// Writes each source's chunks (embedded) in both databases; their (type, id).
async fn index(
    pair: &Pair,
    e: &LocalEmbedder,
    user: Uuid,
    sources: &[(&str, &[&str])],
) -> Vec<(String, Uuid)> {
    let mut ids = Vec::new();
    for (source_type, texts) in sources {
        let source_id = Uuid::new_v4();
        let vectors = embed_all(e, texts).await;
        let chunks: Vec<NewChunk> = texts
            .iter()
            .zip(vectors)
            .enumerate()
            .map(|(i, (t, v))| NewChunk {
                chunk_index: i32::try_from(i).unwrap(),
                content: (*t).to_owned(),
                content_hash: format!("{i}:{t}"),
                embedding: v,
            })
            .collect();
        let source = Source {
            user_id: user,
            source_type,
            source_id,
        };
        pair.write(source, &chunks).await;
        ids.push(((*source_type).to_owned(), source_id));
    }
    ids
}

fn all_types() -> Vec<String> {
    [
        "note", "resource", "task", "goal", "course", "module", "topic",
    ]
    .map(String::from)
    .to_vec()
}

fn keys(found: &[Neighbour]) -> Vec<(String, Uuid)> {
    found
        .iter()
        .map(|n| (n.source_type.clone(), n.source_id))
        .collect()
}

fn assert_same(what: &str, want: &[Neighbour], got: &[Neighbour]) {
    assert_eq!(keys(want), keys(got), "{what}: other sources or order");
    for (w, g) in want.iter().zip(got) {
        assert!(
            (w.score - g.score).abs() < 1e-4,
            "{what}: score {} vs {}",
            w.score,
            g.score
        );
    }
}

#[tokio::test]
async fn pgvector_and_the_array_engine_rank_the_same_sources_of_one_user_only() {
    let pair = Pair::new().await;
    let e = embedder();
    let me = pair.user().await;
    let other = pair.user().await;
    let mine = index(&pair, &e, me, MINE).await;
    // Another user's note says exactly what the queries ask: it would rank first.
    let theirs = index(&pair, &e, other, &[("note", QUERIES)]).await;

    let engine = setup::choose(&pair.pg, EngineChoice::Auto, Some(384))
        .await
        .expect("choose");
    let VectorEngine::PgVector(plan) = engine else {
        panic!("pgserver has pgvector: {engine:?}")
    };
    assert!(
        setup::ensure_hnsw_index(&pair.pg, 384)
            .await
            .expect("index"),
        "built"
    );
    assert!(
        !setup::ensure_hnsw_index(&pair.pg, 384)
            .await
            .expect("index"),
        "already there"
    );
    // Every scope through the HNSW query as well (any scope is above 0 chunks).
    // (pgserver's pgvector 0.6.2 has no iterative scan: `choose` keeps it exact.)
    let through_hnsw = VectorEngine::PgVector(PgVectorPlan {
        exact_up_to: 0,
        hnsw_dimension: Some(384),
        ..plan
    });

    let types = all_types();
    let scope = Scope {
        user_id: me,
        model: MODEL,
        types: &types,
        exclude: None,
    };
    let queries = embed_all(&e, QUERIES).await;
    for (text, q) in QUERIES.iter().zip(&queries) {
        let want = VectorEngine::Array
            .nearest(&pair.local, scope, q, 5)
            .await
            .expect("array");
        assert_eq!(want.len(), 5, "{text}");
        assert!(
            keys(&want).iter().all(|k| mine.contains(k)),
            "{text}: only mine"
        );
        let exact = engine
            .nearest(&pair.pg, scope, q, 5)
            .await
            .expect("pgvector");
        assert_same(&format!("{text} (pgvector, exact)"), &want, &exact);
        let approx = through_hnsw
            .nearest(&pair.pg, scope, q, 5)
            .await
            .expect("pgvector hnsw");
        assert_same(&format!("{text} (pgvector, HNSW)"), &want, &approx);

        // Left out: the best one; the rest move up.
        let ex = (want[0].source_type.as_str(), want[0].source_id);
        let excluded = Scope {
            exclude: Some(ex),
            ..scope
        };
        let want_ex = VectorEngine::Array
            .nearest(&pair.local, excluded, q, 4)
            .await
            .expect("array");
        assert_eq!(keys(&want_ex), keys(&want[1..]), "{text}: exclude (array)");
        for engine in [&engine, &through_hnsw] {
            let got = engine
                .nearest(&pair.pg, excluded, q, 4)
                .await
                .expect("pgvector");
            assert_same(&format!("{text}: exclude ({engine:?})"), &want_ex, &got);
        }
    }
    // The paraphrase finds its note; one answer per source (its best chunk).
    let plants = engine
        .nearest(&pair.pg, scope, &queries[0], 20)
        .await
        .expect("pgvector");
    assert_eq!(keys(&plants[..1]), vec![mine[0].clone()], "{plants:?}");
    assert_eq!(plants.len(), mine.len(), "each source once");

    // The types filter; the other user's scope holds their note alone.
    let tasks = vec!["task".to_owned()];
    let only_tasks = Scope {
        types: &tasks,
        ..scope
    };
    let theirs_scope = Scope {
        user_id: other,
        ..scope
    };
    for engine in [&engine, &through_hnsw] {
        let got = engine
            .nearest(&pair.pg, only_tasks, &queries[5], 5)
            .await
            .expect("tasks");
        assert_eq!(
            keys(&got),
            vec![mine[5].clone(), mine[4].clone()],
            "{engine:?}"
        );
        let got = engine
            .nearest(&pair.pg, theirs_scope, &queries[1], 5)
            .await
            .expect("theirs");
        assert_eq!(keys(&got), theirs, "{engine:?}");
    }
    pair.finish().await;
}

#[tokio::test]
async fn auto_falls_back_to_arrays_without_pgvector_and_an_explicit_pgvector_refuses_to_start() {
    let (db, name) = fresh_db(&local_admin()).await;
    let has_vector: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector')",
    )
    .fetch_one(&db)
    .await
    .expect("probe");
    assert!(
        !has_vector,
        "the local PostgreSQL is the one without pgvector"
    );
    maigie_store::migrate(&db).await.expect("migrate");
    let auto = setup::choose(&db, EngineChoice::Auto, Some(384))
        .await
        .expect("auto");
    assert_eq!(auto, VectorEngine::Array);
    let err = setup::choose(&db, EngineChoice::PgVector, Some(384))
        .await
        .expect_err("pgvector");
    assert!(matches!(err, SetupError::Unavailable(_)), "{err:?}");
    assert!(err.to_string().contains("VECTOR_ENGINE=pgvector"), "{err}");
    drop_db(&local_admin(), db, &name).await;

    // pgserver: asked for arrays, arrays; auto creates the extension where it is missing.
    let (pg, pg_name) = fresh_db(&env("PGVECTOR_TEST_URL")).await;
    let array = setup::choose(&pg, EngineChoice::Array, Some(384))
        .await
        .expect("array");
    assert_eq!(array, VectorEngine::Array, "asked for arrays");
    let missing: Option<String> =
        sqlx::query_scalar("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
            .fetch_optional(&pg)
            .await
            .expect("probe");
    assert_eq!(missing, None, "a fresh database has no extension yet");
    let auto = setup::choose(&pg, EngineChoice::Auto, Some(384))
        .await
        .expect("auto");
    assert!(
        matches!(
            auto,
            VectorEngine::PgVector(PgVectorPlan {
                hnsw_dimension: None,
                iterative_scan: false,
                ..
            })
        ),
        "{auto:?}"
    );
    let created: Option<String> =
        sqlx::query_scalar("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
            .fetch_optional(&pg)
            .await
            .expect("probe");
    assert!(created.is_some(), "created by choose");
    drop_db(&env("PGVECTOR_TEST_URL"), pg, &pg_name).await;
}
