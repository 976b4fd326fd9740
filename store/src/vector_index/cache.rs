//! The vector engines' memory (`VECTOR_CACHE_MB`): each user's vectors of one model,
//! kept in the process so a query does not read and decode them again.
//!
//! Never stale: every query first reads the pair's version (`knowledge_versions`, a
//! primary-key lookup; migration 0021 gives it a new value in every transaction that
//! writes the pair's chunks) and answers from memory only if it is the version the
//! vectors were loaded at. Vectors and version are loaded in one snapshot. So a chunk
//! written or deleted by any process is seen by the next query that starts after the
//! write committed, here and in every other process.
//!
//! Bounded: least recently used pairs are dropped past the byte cap; a pair larger
//! than the cap is answered but not kept. The lock guards the map only (no await under
//! it); loading and ranking run outside it, so users never wait for each other. Two
//! queries missing the same pair at once both load it (the later one's copy is kept).
//!
//! In front of pgvector ([`VectorCache::ready`]) a miss does not wait for the load: the
//! database answers that query, and the pair loads in the background (one load per pair
//! at a time, two pairs at most; none for a pair already found too large at its
//! current version). Only pairs small enough for pgvector's exact ranking are kept, so
//! memory and database rank the same way (exactly).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use sqlx::PgPool;
use uuid::Uuid;

use super::user_vectors::UserVectors;
use super::{Neighbour, Scope};
use crate::StoreError;

/// At most this many pairs load in the background at once (each holds a database
/// connection for a scan of the pair's chunks).
const BACKGROUND_LOADS: usize = 2;

/// A shared, bounded cache of users' vectors (cheap to clone: one per process).
#[derive(Clone)]
pub struct VectorCache {
    inner: Arc<Inner>,
}

struct Inner {
    cap_bytes: usize,
    state: Mutex<State>,
    /// Queries answered from memory.
    hits: AtomicU64,
}

#[derive(Default)]
struct State {
    entries: HashMap<(Uuid, String), Slot>,
    bytes: usize,
    clock: u64,
    /// Pairs being loaded in the background.
    loading: HashSet<(Uuid, String)>,
    /// Pairs too large for the cap, at the version they were measured.
    oversized: HashMap<(Uuid, String), i64>,
}

struct Slot {
    vectors: Arc<UserVectors>,
    last_used: u64,
}

impl VectorCache {
    /// A cache holding at most `cap_bytes` of vectors.
    #[must_use]
    pub fn new(cap_bytes: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                cap_bytes,
                state: Mutex::new(State::default()),
                hits: AtomicU64::new(0),
            }),
        }
    }

    /// Its cap, in bytes.
    #[must_use]
    pub fn cap_bytes(&self) -> usize {
        self.inner.cap_bytes
    }

    /// What it holds now: (pairs, bytes).
    #[must_use]
    pub fn usage(&self) -> (usize, usize) {
        let state = self.lock();
        (state.entries.len(), state.bytes)
    }

    /// How many queries it has answered from memory.
    #[must_use]
    pub fn hits(&self) -> u64 {
        self.inner.hits.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic under the lock leaves the map consistent (no await, plain inserts).
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn get(&self, user_id: Uuid, model: &str, version: i64) -> Option<Arc<UserVectors>> {
        let mut state = self.lock();
        state.clock += 1;
        let now = state.clock;
        let slot = state.entries.get_mut(&(user_id, model.to_owned()))?;
        if slot.vectors.version != Some(version) {
            return None;
        }
        slot.last_used = now;
        self.inner.hits.fetch_add(1, Ordering::Relaxed);
        Some(Arc::clone(&slot.vectors))
    }

    /// Keeps the pair's vectors; `false` when they are larger than the cap (not kept).
    fn put(&self, user_id: Uuid, model: &str, vectors: Arc<UserVectors>) -> bool {
        let size = vectors.bytes();
        let mut state = self.lock();
        if let Some(old) = state.entries.remove(&(user_id, model.to_owned())) {
            state.bytes -= old.vectors.bytes();
        }
        if size > self.inner.cap_bytes {
            return false;
        }
        while state.bytes + size > self.inner.cap_bytes {
            let Some(oldest) = state
                .entries
                .iter()
                .min_by_key(|(_, s)| s.last_used)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some(gone) = state.entries.remove(&oldest) {
                state.bytes -= gone.vectors.bytes();
            }
        }
        state.clock += 1;
        let last_used = state.clock;
        state.bytes += size;
        state
            .entries
            .insert((user_id, model.to_owned()), Slot { vectors, last_used });
        true
    }

    /// The pair's current version (`None`: it has no chunks yet).
    async fn version(db: &PgPool, scope: Scope<'_>) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT version FROM knowledge_versions WHERE user_id = $1 AND model = $2",
        )
        .bind(scope.user_id)
        .bind(scope.model)
        .fetch_optional(db)
        .await?)
    }

    /// The answer from memory when the pair is held at its current version. Otherwise
    /// `None` (the caller asks the database), and the pair starts loading in the
    /// background for the queries after this one, if it has at most `max_chunks`
    /// chunks (a larger one is left to the database: see [`Self::load_later`]).
    pub(super) async fn ready(
        &self,
        db: &PgPool,
        scope: Scope<'_>,
        query: &[f32],
        k: usize,
        max_chunks: u32,
    ) -> Result<Option<Vec<Neighbour>>, StoreError> {
        let Some(version) = Self::version(db, scope).await? else {
            return Ok(None);
        };
        if let Some(vectors) = self.get(scope.user_id, scope.model, version) {
            return Ok(Some(vectors.nearest(scope, query, k)));
        }
        self.load_later(db, scope.user_id, scope.model, version, max_chunks);
        Ok(None)
    }

    /// Loads the pair in a task of its own, unless it is loading already, was found
    /// too large at this version, or [`BACKGROUND_LOADS`] other pairs are loading (the
    /// database goes on answering; a later miss tries again). A pair of more than
    /// `max_chunks` chunks (counted before anything is read) or over the byte cap is
    /// not kept, and not tried again until its chunks change.
    fn load_later(&self, db: &PgPool, user_id: Uuid, model: &str, version: i64, max_chunks: u32) {
        let key = (user_id, model.to_owned());
        {
            let mut state = self.lock();
            if state.oversized.get(&key) == Some(&version)
                || state.loading.len() >= BACKGROUND_LOADS
                || !state.loading.insert(key.clone())
            {
                return;
            }
        }
        let loading = Loading {
            cache: self.clone(),
            key,
        };
        let db = db.clone();
        tokio::spawn(async move {
            if let Err(err) = loading.run(&db, version, max_chunks).await {
                tracing::warn!(user_id = %loading.key.0, error = %err,
                    "vectors not cached; the database keeps answering");
            }
        });
    }

    /// The array engine's answer, from memory when the pair's version matches.
    pub(super) async fn nearest(
        &self,
        db: &PgPool,
        scope: Scope<'_>,
        query: &[f32],
        k: usize,
    ) -> Result<Vec<Neighbour>, StoreError> {
        let version = Self::version(db, scope).await?;
        let cached = version.and_then(|v| self.get(scope.user_id, scope.model, v));
        let vectors = match cached {
            Some(v) => v,
            None => {
                let loaded = Arc::new(UserVectors::load(db, scope.user_id, scope.model).await?);
                if loaded.version.is_some() {
                    self.put(scope.user_id, scope.model, Arc::clone(&loaded));
                }
                loaded
            }
        };
        Ok(vectors.nearest(scope, query, k))
    }
}

/// A background load in progress: the pair is marked loading until it ends, however
/// it ends (an error or a panic included), so a later miss can load it again.
struct Loading {
    cache: VectorCache,
    key: (Uuid, String),
}

impl Loading {
    async fn run(&self, db: &PgPool, version: i64, max_chunks: u32) -> Result<(), StoreError> {
        let (user_id, model) = (self.key.0, self.key.1.as_str());
        let chunks: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM knowledge_chunks WHERE user_id = $1 AND model = $2",
        )
        .bind(user_id)
        .bind(model)
        .fetch_one(db)
        .await?;
        if chunks > i64::from(max_chunks) {
            self.cache
                .lock()
                .oversized
                .insert(self.key.clone(), version);
            return Ok(());
        }
        let loaded = UserVectors::load(db, user_id, model).await?;
        let Some(at) = loaded.version else {
            return Ok(());
        };
        let fits = loaded.chunks.len() <= usize::try_from(max_chunks).unwrap_or(usize::MAX);
        let kept = fits && self.cache.put(user_id, model, Arc::new(loaded));
        let mut state = self.cache.lock();
        if kept {
            state.oversized.remove(&self.key);
        } else {
            state.oversized.insert(self.key.clone(), at);
        }
        Ok(())
    }
}

impl Drop for Loading {
    fn drop(&mut self) {
        self.cache.lock().loading.remove(&self.key);
    }
}

impl std::fmt::Debug for VectorCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VectorCache")
            .field("cap_bytes", &self.inner.cap_bytes)
            .finish_non_exhaustive()
    }
}

/// The same cache (engines compare equal when they share it).
impl PartialEq for VectorCache {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Eq for VectorCache {}
