//! The block memory argon2 works in: at most one 19 MiB buffer per permit of the
//! hashing cap, reused while a burst lasts and given back to the system after it.
//!
//! Why not argon2's own allocation: it allocates and frees 19 MiB per call. Under
//! glibc the first such free raises the dynamic mmap threshold to that size, so later
//! blocks come from the heap arenas of the blocking pool's threads and stay resident
//! after they are freed (measured: 880 MiB after 100 registrations, never shrinking).
//! Here a buffer's capacity is above glibc's ceiling for that threshold
//! (`DEFAULT_MMAP_THRESHOLD_MAX`, 32 MiB on 64-bit; see mallopt(3)), so it is always
//! mapped on its own and unmapped when dropped; only the pages argon2 uses (19 MiB)
//! are ever touched. A finished run hands its buffer to a waiting request, or, when
//! nobody waits, drops it together with every idle buffer: resident hashing memory is
//! at most `cap × 19 MiB` during a burst and none after it. No `unsafe`, no allocator
//! tuning (`bench/passwords` measures it).

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use argon2::Block;

/// Blocks (1 KiB each) a buffer reserves: above 32 MiB, so glibc maps it directly.
const MAPPED_CAPACITY_BLOCKS: usize = 33 * 1024;

/// Buffers between runs, and how many requests wait for a permit.
#[derive(Debug, Default)]
pub(super) struct Memory {
    free: Mutex<Vec<Vec<Block>>>,
    waiting: AtomicUsize,
}

/// Counts its holder as waiting for a permit until dropped (also when the request
/// is abandoned while it waits).
pub(super) struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Memory {
    pub(super) fn waiting(&self) -> Waiting<'_> {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        Waiting(&self.waiting)
    }

    /// A buffer left by an earlier run, or an empty one (sized by [`blocks`]).
    pub(super) fn take(&self) -> Vec<Block> {
        self.free
            .lock()
            .map(|mut free| free.pop().unwrap_or_default())
            .unwrap_or_default()
    }

    /// Keeps `memory` for a request that waits for a permit; with none waiting, drops
    /// it and every idle buffer, so the memory goes back to the system.
    pub(super) fn give_back(&self, memory: Vec<Block>) {
        let Ok(mut free) = self.free.lock() else {
            return;
        };
        if self.waiting.load(Ordering::SeqCst) > 0 {
            free.push(memory);
        } else {
            free.clear();
        }
    }

    /// Buffers kept between runs (tests).
    #[cfg(test)]
    pub(super) fn idle_buffers(&self) -> usize {
        self.free.lock().map(|free| free.len()).unwrap_or(0)
    }
}

/// The first `needed` blocks of `memory`, allocating it (mapped, see the module doc)
/// when it is too small.
pub(super) fn blocks(memory: &mut Vec<Block>, needed: usize) -> &mut [Block] {
    if memory.len() < needed {
        if memory.capacity() < needed {
            *memory = Vec::with_capacity(needed.max(MAPPED_CAPACITY_BLOCKS));
        }
        memory.resize(needed, Block::new());
    }
    &mut memory[..needed]
}
