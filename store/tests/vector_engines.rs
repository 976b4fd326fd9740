//! The two vector engines on real databases: the array engine on the local PostgreSQL
//! (no pgvector), pgvector on the PostgreSQL 16 + pgvector that `scripts/test` starts
//! from the PyPI package pgserver (`PGVECTOR_TEST_URL`). The same chunks, embedded by
//! the local MiniLM model (`EMBEDDING_MODEL_DIR`), must give the same answers, and
//! pgvector behind the process's cache too.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use maigie_store::knowledge::{NewChunk, Source};
use maigie_store::vector_index::setup::{self, EngineChoice, SetupError};
use maigie_store::vector_index::{PgVectorPlan, Scope, VectorEngine};
use support::{
    MINE, MODEL, Pair, QUERIES, all_types, assert_same, drop_db, embed_all, embedder, env,
    fresh_db, index, keys, local_admin,
};

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

/// Queries `scope` until one is answered from memory (the background load is done);
/// that answer.
async fn once_cached(
    engine: &VectorEngine,
    pair: &Pair,
    scope: Scope<'_>,
    query: &[f32],
    k: usize,
) -> Vec<maigie_store::vector_index::Neighbour> {
    let cache = engine.cache().expect("a cache");
    let start = Instant::now();
    loop {
        let hits = cache.hits();
        let found = engine
            .nearest(&pair.pg, scope, query, k)
            .await
            .expect("query");
        if cache.hits() > hits {
            return found;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the user's vectors never reached the cache"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn pgvector_behind_the_cache_answers_a_miss_itself_then_from_memory_never_stale() {
    let pair = Pair::new().await;
    let e = embedder();
    let me = pair.user().await;
    let other = pair.user().await;
    index(&pair, &e, me, MINE).await;
    let theirs = index(&pair, &e, other, &[("note", QUERIES)]).await;
    let engine = setup::choose(&pair.pg, EngineChoice::Auto, Some(384))
        .await
        .expect("choose")
        .with_cache(64 << 20);
    assert!(
        matches!(engine, VectorEngine::CachedPgVector(..)),
        "{engine:?}"
    );
    assert_eq!(engine.name(), "pgvector");
    let cache = engine.cache().expect("cache");
    let types = all_types();
    let scope = Scope {
        user_id: me,
        model: MODEL,
        types: &types,
        exclude: None,
    };
    let queries = embed_all(&e, QUERIES).await;

    // A miss does not wait for the load: pgvector answers it, nothing from memory.
    let want = VectorEngine::Array
        .nearest(&pair.local, scope, &queries[0], 5)
        .await
        .expect("array");
    let first = engine
        .nearest(&pair.pg, scope, &queries[0], 5)
        .await
        .expect("first");
    assert_same("first query (pgvector)", &want, &first);
    assert_eq!(cache.hits(), 0);
    let cached = once_cached(&engine, &pair, scope, &queries[0], 5).await;
    assert_same("first query (cached)", &want, &cached);
    // From memory, the same answers as the array engine for every query.
    for (text, q) in QUERIES.iter().zip(&queries) {
        let want = VectorEngine::Array
            .nearest(&pair.local, scope, q, 5)
            .await
            .expect("array");
        let hits = cache.hits();
        let got = engine.nearest(&pair.pg, scope, q, 5).await.expect("cached");
        assert_eq!(cache.hits(), hits + 1, "{text}: from memory");
        assert_same(&format!("{text} (cached)"), &want, &got);
    }
    // Holding my vectors answers nothing about someone else's.
    let theirs_scope = Scope {
        user_id: other,
        ..scope
    };
    let got = once_cached(&engine, &pair, theirs_scope, &queries[1], 5).await;
    assert_eq!(keys(&got), theirs);

    // A write is seen by the very next query (the memory is stale: pgvector answers),
    // and by those after the reload.
    let fresh_text: &[&str] = &["Leaves make food for the plant out of light."];
    let fresh = index(&pair, &e, me, &[("note", fresh_text)]).await;
    let hits = cache.hits();
    let got = engine
        .nearest(&pair.pg, scope, &queries[0], 1)
        .await
        .expect("after the write");
    assert_eq!(cache.hits(), hits, "stale memory is not used");
    assert_eq!(keys(&got), fresh, "the new note, at once");
    let got = once_cached(&engine, &pair, scope, &queries[0], 1).await;
    assert_eq!(keys(&got), fresh, "the new note, from memory");

    // A deleted source leaves the answers at once too.
    for db in [&pair.local, &pair.pg] {
        let mut tx = db.begin().await.expect("begin");
        maigie_store::knowledge::replace(
            &mut tx,
            Source {
                user_id: me,
                source_type: "note",
                source_id: fresh[0].1,
            },
            MODEL,
            0,
            &[] as &[NewChunk],
        )
        .await
        .expect("delete chunks");
        tx.commit().await.expect("commit");
    }
    let got = engine
        .nearest(&pair.pg, scope, &queries[0], 5)
        .await
        .expect("after the delete");
    assert!(
        !keys(&got).contains(&fresh[0]),
        "a deleted source is not answered: {got:?}"
    );
    pair.finish().await;
}
