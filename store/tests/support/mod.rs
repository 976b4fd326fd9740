//! What the vector engines' tests share: a fresh database on the local PostgreSQL
//! (no pgvector) and one on the PostgreSQL 16 + pgvector that `scripts/test` starts
//! from the PyPI package pgserver (`PGVECTOR_TEST_URL`), the same users and chunks
//! written to both, and real MiniLM vectors (`EMBEDDING_MODEL_DIR`).
//!
//! pgserver ships no contrib extensions (pgcrypto, citext), so the full migrations
//! cannot run there: its database gets `knowledge_chunks` and `knowledge_versions`
//! from the migration files themselves, beside a stand-in `users` table.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicU32, Ordering};

use maigie_embed::{Embedder, LocalConfig, LocalEmbedder};
use maigie_store::PgPool;
use maigie_store::knowledge::{self, NewChunk, Source};
use maigie_store::vector_index::Neighbour;
use sqlx::Connection;
use uuid::Uuid;

pub static SEQ: AtomicU32 = AtomicU32::new(0);

pub fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run scripts/test"))
}

pub fn local_admin() -> String {
    std::env::var("TEST_DATABASE_ADMIN_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A fresh database on the server of `admin_url`; its pool and name.
pub async fn fresh_db(admin_url: &str) -> (PgPool, String) {
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

pub async fn drop_db(admin_url: &str, db: PgPool, name: &str) {
    db.close().await;
    let mut admin = sqlx::PgConnection::connect(admin_url).await.expect("admin");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await
    .expect("drop database");
}

pub const MODEL: &str = "local/all-MiniLM-L6-v2";

/// Two servers, the same users and chunks in both.
pub struct Pair {
    pub local: PgPool,
    local_name: String,
    pub pg: PgPool,
    pg_name: String,
}

impl Pair {
    pub async fn new() -> Self {
        let (local, local_name) = fresh_db(&local_admin()).await;
        maigie_store::migrate(&local).await.expect("migrate");
        let (pg, pg_name) = fresh_db(&env("PGVECTOR_TEST_URL")).await;
        sqlx::raw_sql("CREATE TABLE users (id uuid PRIMARY KEY)")
            .execute(&pg)
            .await
            .expect("users");
        sqlx::raw_sql(include_str!(
            "../../../migrations/0019_knowledge_chunks.sql"
        ))
        .execute(&pg)
        .await
        .expect("migration 0019 on pgserver");
        sqlx::raw_sql(include_str!(
            "../../../migrations/0021_knowledge_versions.sql"
        ))
        .execute(&pg)
        .await
        .expect("migration 0021 on pgserver");
        Self {
            local,
            local_name,
            pg,
            pg_name,
        }
    }

    pub async fn user(&self) -> Uuid {
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

    pub async fn write(&self, source: Source<'_>, chunks: &[NewChunk]) {
        for db in [&self.local, &self.pg] {
            let mut tx = db.begin().await.expect("begin");
            knowledge::replace(&mut tx, source, MODEL, chunks.len(), chunks)
                .await
                .expect("replace");
            tx.commit().await.expect("commit");
        }
    }

    pub async fn finish(self) {
        drop_db(&local_admin(), self.local, &self.local_name).await;
        drop_db(&env("PGVECTOR_TEST_URL"), self.pg, &self.pg_name).await;
    }
}

pub fn embedder() -> LocalEmbedder {
    LocalEmbedder::load(&LocalConfig {
        model_dir: env("EMBEDDING_MODEL_DIR").into(),
        name: "all-MiniLM-L6-v2".into(),
        batch_size: 16,
    })
    .expect("the local model loads")
}

/// Each source's chunks, by type.
pub const MINE: &[(&str, &[&str])] = &[
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

pub const QUERIES: &[&str] = &[
    "how do plants make food from light",
    "what started the revolution in France",
    "energy production inside cells",
    "calculus: area under a function",
    "physics of forces and acceleration",
    "learning verbs in Spanish",
];

pub async fn embed_all(e: &LocalEmbedder, texts: &[&str]) -> Vec<Vec<f32>> {
    let owned: Vec<String> = texts.iter().map(|t| (*t).to_owned()).collect();
    e.embed(&owned).await.expect("embed")
}

/// Writes each source's chunks (embedded) in both databases; their (type, id).
pub async fn index(
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

pub fn all_types() -> Vec<String> {
    [
        "note", "resource", "task", "goal", "course", "module", "topic",
    ]
    .map(String::from)
    .to_vec()
}

pub fn keys(found: &[Neighbour]) -> Vec<(String, Uuid)> {
    found
        .iter()
        .map(|n| (n.source_type.clone(), n.source_id))
        .collect()
}

pub fn assert_same(what: &str, want: &[Neighbour], got: &[Neighbour]) {
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
