//! The array engine's cache on the real PostgreSQL: it answers exactly what the
//! uncached engine answers, sees every write at once (from this process's cache and
//! from another's), never mixes users, and stays under its cap.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicU32, Ordering};

use maigie_store::PgPool;
use maigie_store::knowledge::{self, NewChunk, Source};
use maigie_store::vector_index::{Neighbour, Scope, VectorCache, VectorEngine};
use sqlx::Connection;
use uuid::Uuid;

static SEQ: AtomicU32 = AtomicU32::new(0);
const MODEL: &str = "local/all-MiniLM-L6-v2";
const DIM: usize = 16;
const TYPES: &[&str] = &["note", "task", "goal"];

fn admin_url() -> String {
    std::env::var("TEST_DATABASE_ADMIN_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

struct Db {
    pool: PgPool,
    name: String,
}

impl Db {
    async fn new() -> Self {
        let name = format!(
            "maigie_veccache_{}_{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::SeqCst)
        );
        let mut admin = sqlx::PgConnection::connect(&admin_url())
            .await
            .expect("admin");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut admin)
            .await
            .expect("create database");
        let mut url = url::Url::parse(&admin_url()).expect("URL");
        url.set_path(&name);
        let pool = maigie_store::connect(url.as_str(), 4)
            .await
            .expect("connect");
        maigie_store::migrate(&pool).await.expect("migrate");
        Self { pool, name }
    }

    async fn user(&self) -> Uuid {
        let email = format!("{}@maigie.test", Uuid::new_v4().simple());
        sqlx::query_scalar("INSERT INTO users (email) VALUES ($1) RETURNING id")
            .bind(email)
            .fetch_one(&self.pool)
            .await
            .expect("user")
    }

    /// Writes `chunks` vectors as the source's chunks (what the indexer does).
    async fn write(&self, user_id: Uuid, source_type: &str, source_id: Uuid, vectors: &[Vec<f32>]) {
        let chunks: Vec<NewChunk> = vectors
            .iter()
            .enumerate()
            .map(|(i, v)| NewChunk {
                chunk_index: i32::try_from(i).unwrap(),
                content: format!("chunk {i}"),
                content_hash: format!("{i}-{}", v[0]),
                embedding: v.clone(),
            })
            .collect();
        let source = Source {
            user_id,
            source_type,
            source_id,
        };
        let mut tx = self.pool.begin().await.expect("begin");
        knowledge::replace(&mut tx, source, MODEL, chunks.len(), &chunks)
            .await
            .expect("replace");
        tx.commit().await.expect("commit");
    }

    async fn finish(self) {
        self.pool.close().await;
        let mut admin = sqlx::PgConnection::connect(&admin_url())
            .await
            .expect("admin");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.name
        )))
        .execute(&mut admin)
        .await
        .expect("drop database");
    }
}

/// xorshift: reproducible vectors.
struct Rng(u64);

impl Rng {
    fn vector(&mut self) -> Vec<f32> {
        (0..DIM)
            .map(|_| {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                #[allow(clippy::cast_precision_loss)]
                let x = (self.0 % 2001) as f32 / 1000.0 - 1.0;
                x
            })
            .collect()
    }
}

/// `sources` sources of each type for `user_id`, 1–4 chunks each; their keys.
async fn fill(db: &Db, rng: &mut Rng, user_id: Uuid, sources: usize) -> Vec<(String, Uuid)> {
    let mut keys = Vec::new();
    for (t, source_type) in TYPES.iter().enumerate() {
        for s in 0..sources {
            let id = Uuid::new_v4();
            let vectors: Vec<Vec<f32>> = (0..=(s + t) % 4).map(|_| rng.vector()).collect();
            db.write(user_id, source_type, id, &vectors).await;
            keys.push(((*source_type).to_owned(), id));
        }
    }
    keys
}

fn types(list: &[&str]) -> Vec<String> {
    list.iter().map(|t| (*t).to_owned()).collect()
}

async fn nearest(
    engine: &VectorEngine,
    db: &PgPool,
    user_id: Uuid,
    types: &[String],
    exclude: Option<(&str, Uuid)>,
    query: &[f32],
) -> Vec<Neighbour> {
    let scope = Scope {
        user_id,
        model: MODEL,
        types,
        exclude,
    };
    engine.nearest(db, scope, query, 10).await.expect("nearest")
}

#[tokio::test]
async fn the_cache_answers_what_the_table_answers_and_sees_every_write_at_once() {
    let db = Db::new().await;
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let (me, other) = (db.user().await, db.user().await);
    let mine = fill(&db, &mut rng, me, 12).await;
    let theirs = fill(&db, &mut rng, other, 12).await;
    let cached = VectorEngine::Array.with_cache(64 << 20);
    // Another API instance: its own cache of the same database.
    let elsewhere = VectorEngine::Array.with_cache(64 << 20);
    let all = types(TYPES);
    let some = types(&["task", "goal"]);
    let check = |label: &'static str| {
        let (engine, elsewhere, db) = (&cached, &elsewhere, &db.pool);
        let (all, some) = (&all, &some);
        let excluded = (mine[3].0.as_str(), mine[3].1);
        let query = Rng(7 + label.len() as u64).vector();
        async move {
            for (types, exclude) in [(all, None), (some, None), (all, Some(excluded))] {
                let want = nearest(&VectorEngine::Array, db, me, types, exclude, &query).await;
                assert!(!want.is_empty(), "{label}");
                for e in [engine, elsewhere] {
                    // Twice: the first may load, the second is served from memory.
                    for _ in 0..2 {
                        let got = nearest(e, db, me, types, exclude, &query).await;
                        assert_eq!(got, want, "{label}: cached = uncached");
                    }
                }
                if let Some((t, id)) = exclude {
                    assert!(!want.iter().any(|n| n.source_id == id && n.source_type == t));
                }
            }
        }
    };
    check("first").await;
    let VectorEngine::CachedArray(cache) = &cached else {
        panic!("cached engine expected")
    };
    assert_eq!(cache.usage().0, 1, "one user cached");

    // A new source that matches the query exactly comes first at once, in both caches.
    let query = rng.vector();
    let new_id = Uuid::new_v4();
    db.write(me, "note", new_id, std::slice::from_ref(&query))
        .await;
    for e in [&cached, &elsewhere] {
        let got = nearest(e, &db.pool, me, &all, None, &query).await;
        assert_eq!(got[0].source_id, new_id, "insert seen");
        assert!((got[0].score - 1.0).abs() < 1e-5);
    }
    check("after insert").await;

    // Updated: its vector now points the other way; it is no longer first.
    let opposite: Vec<f32> = query.iter().map(|x| -x).collect();
    sqlx::query("UPDATE knowledge_chunks SET embedding = $1 WHERE source_id = $2")
        .bind(&opposite)
        .bind(new_id)
        .execute(&db.pool)
        .await
        .expect("update");
    for e in [&cached, &elsewhere] {
        let got = nearest(e, &db.pool, me, &all, None, &query).await;
        assert_ne!(got[0].source_id, new_id, "update seen");
    }
    check("after update").await;

    // Deleted (the indexer's forget): gone from both caches' answers.
    let gone = mine[0].clone();
    let mut tx = db.pool.begin().await.expect("begin");
    knowledge::forget(&mut tx, &gone.0, gone.1)
        .await
        .expect("forget");
    tx.commit().await.expect("commit");
    for e in [&cached, &elsewhere] {
        let got = nearest(e, &db.pool, me, &all, None, &query).await;
        let wide = Scope {
            user_id: me,
            model: MODEL,
            types: &all,
            exclude: None,
        };
        let every = e.nearest(&db.pool, wide, &query, 1000).await.expect("all");
        assert!(
            !got.iter().chain(&every).any(|n| n.source_id == gone.1),
            "delete seen"
        );
        assert_eq!(every.len(), mine.len(), "every other source still there");
    }
    check("after delete").await;

    // Never another user's sources, cached or not.
    for e in [&cached, &elsewhere, &VectorEngine::Array] {
        let scope = Scope {
            user_id: me,
            model: MODEL,
            types: &all,
            exclude: None,
        };
        let every = e.nearest(&db.pool, scope, &query, 1000).await.expect("all");
        assert!(
            every
                .iter()
                .all(|n| !theirs.iter().any(|(_, id)| *id == n.source_id))
        );
    }

    // The account goes: its chunks and version go with it, the next answer is empty.
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(me)
        .execute(&db.pool)
        .await
        .expect("delete user");
    assert!(
        nearest(&cached, &db.pool, me, &all, None, &query)
            .await
            .is_empty()
    );
    assert!(
        !nearest(&cached, &db.pool, other, &all, None, &query)
            .await
            .is_empty()
    );
    db.finish().await;
}

#[tokio::test]
async fn the_cache_stays_under_its_cap_dropping_the_least_recently_used() {
    let db = Db::new().await;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let users = [db.user().await, db.user().await, db.user().await];
    for u in users {
        fill(&db, &mut rng, u, 20).await;
    }
    let all = types(TYPES);
    let query = rng.vector();
    // Measure one user's size, then allow two users but not three.
    let probe = VectorCache::new(usize::MAX);
    let probe_engine = VectorEngine::CachedArray(probe.clone());
    nearest(&probe_engine, &db.pool, users[0], &all, None, &query).await;
    let one = probe.usage().1;
    assert!(one > 0);
    let cache = VectorCache::new(one * 5 / 2);
    let engine = VectorEngine::CachedArray(cache.clone());
    for (i, u) in users.iter().enumerate() {
        let want = nearest(&VectorEngine::Array, &db.pool, *u, &all, None, &query).await;
        assert_eq!(
            nearest(&engine, &db.pool, *u, &all, None, &query).await,
            want
        );
        let (pairs, bytes) = cache.usage();
        assert!(bytes <= cache.cap_bytes(), "{bytes} > cap");
        assert_eq!(pairs, (i + 1).min(2));
    }
    // Too small for any user: answers still right, nothing kept.
    let tiny = VectorCache::new(one / 2);
    let tiny_engine = VectorEngine::CachedArray(tiny.clone());
    let want = nearest(&VectorEngine::Array, &db.pool, users[1], &all, None, &query).await;
    assert_eq!(
        nearest(&tiny_engine, &db.pool, users[1], &all, None, &query).await,
        want
    );
    assert_eq!(tiny.usage(), (0, 0));
    // 0 MB: no cache at all.
    assert_eq!(VectorEngine::Array.with_cache(0), VectorEngine::Array);
    db.finish().await;
}
