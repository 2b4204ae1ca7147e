//! The in-process store: sharded maps of cells with idle expiry and a hard entry cap.
//!
//! Each shard is a mutex over an insertion-ordered map, so random sampling is O(1): new
//! keys sample a few entries to drop expired ones (active expiry), and a full shard evicts
//! the sampled entry that expires soonest. Memory is therefore bounded by `max_entries`
//! whatever the number of distinct clients; evicting a live entry forgets that client's
//! count (it is treated leniently, never another client's), and is counted in
//! [`MemoryStore::evictions`] so operators can raise the cap.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use indexmap::IndexMap;

use crate::algorithm::{Algorithm, Cell, Verdict};
use crate::compile::MemorySettings;

/// Entries sampled when a full shard must evict one.
const EVICTION_SAMPLES: usize = 5;

/// Entries sampled for expiry on each insert of a new key.
const EXPIRY_SAMPLES: usize = 2;

/// One policy of one request, addressed to the memory store.
#[derive(Debug, Clone)]
pub struct MemoryProbe<'a> {
    /// Store key: policy name and identity.
    pub key: String,
    /// The policy's algorithm.
    pub algorithm: &'a Algorithm,
}

impl<'a> MemoryProbe<'a> {
    /// The probe for `identity` under policy `policy`.
    pub fn new(policy: &str, identity: &str, algorithm: &'a Algorithm) -> Self {
        Self { key: format!("{policy}\u{1f}{identity}"), algorithm }
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    cell: Cell,
    expires_at: u64,
}

#[derive(Debug)]
struct Shard {
    map: IndexMap<Box<str>, Entry>,
    rng: u64,
}

/// Sharded, bounded in-memory cells.
#[derive(Debug)]
pub struct MemoryStore {
    shards: Box<[Mutex<Shard>]>,
    per_shard: usize,
    hasher: RandomState,
    evictions: AtomicU64,
}

impl MemoryStore {
    /// An empty store with the given bounds.
    pub fn new(settings: MemorySettings) -> Self {
        let shards = settings.shards.max(1);
        let hasher = RandomState::new();
        let shards_vec = (0..shards)
            .map(|i| {
                let seed = hasher.hash_one(i) | 1;
                Mutex::new(Shard { map: IndexMap::new(), rng: seed })
            })
            .collect();
        let per_shard = settings.max_entries.div_ceil(shards).max(1);
        Self { shards: shards_vec, per_shard, hasher, evictions: AtomicU64::new(0) }
    }

    /// Evaluates every probe atomically; when `commit` is set and all admit, records the
    /// request in every cell. Returns the verdicts and whether the request was recorded.
    pub fn apply(
        &self,
        probes: &[MemoryProbe<'_>],
        now: u64,
        commit: bool,
    ) -> (Vec<Verdict>, bool) {
        let indices: Vec<usize> = probes.iter().map(|p| self.shard_of(&p.key)).collect();
        let mut order = indices.clone();
        order.sort_unstable();
        order.dedup();
        let mut guards: Vec<MutexGuard<'_, Shard>> = order.iter().map(|&i| self.lock(i)).collect();
        let slot = |shard: usize| order.binary_search(&shard).unwrap_or(0);

        let steps: Vec<_> = probes
            .iter()
            .zip(&indices)
            .map(|(probe, &shard)| {
                let cell = guards[slot(shard)].map.get(probe.key.as_str()).map(|e| e.cell);
                probe.algorithm.step(cell, now)
            })
            .collect();
        let verdicts: Vec<Verdict> = steps.iter().map(|s| s.verdict).collect();
        let admit = verdicts.iter().all(|v| v.allowed);
        if !(commit && admit) {
            return (verdicts, false);
        }

        for ((probe, &shard), step) in probes.iter().zip(&indices).zip(&steps) {
            let entry = Entry { cell: step.next, expires_at: step.expires_at };
            let per_shard = self.per_shard;
            let evicted = guards[slot(shard)].put(&probe.key, entry, now, per_shard);
            if evicted {
                self.evictions.fetch_add(1, Ordering::Relaxed);
            }
        }
        (verdicts, true)
    }

    /// Takes back one recorded request from each probe's cell (used when a later store
    /// denied the request after this one recorded it).
    pub fn refund(&self, probes: &[MemoryProbe<'_>], now: u64) {
        for probe in probes {
            let mut shard = self.lock(self.shard_of(&probe.key));
            if let Some(entry) = shard.map.get_mut(probe.key.as_str()) {
                entry.cell = refunded(probe.algorithm, entry.cell, now);
            }
        }
    }

    /// Number of tracked keys.
    pub fn len(&self) -> usize {
        (0..self.shards.len()).map(|i| self.lock(i).map.len()).sum()
    }

    /// Whether no key is tracked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every entry whose state has returned to "never seen"; returns how many.
    /// Optional: sampling on insert already bounds memory; a periodic sweep returns it.
    pub fn sweep(&self, now: u64) -> usize {
        let mut removed = 0;
        for i in 0..self.shards.len() {
            let mut shard = self.lock(i);
            let before = shard.map.len();
            shard.map.retain(|_, e| e.expires_at > now);
            removed += before - shard.map.len();
        }
        removed
    }

    /// Live entries evicted because a shard was full (a sign `max_entries` is too small).
    pub fn evictions(&self) -> u64 {
        self.evictions.load(Ordering::Relaxed)
    }

    fn shard_of(&self, key: &str) -> usize {
        let len = self.shards.len() as u64;
        usize::try_from(self.hasher.hash_one(key) % len).unwrap_or(0)
    }

    fn lock(&self, index: usize) -> MutexGuard<'_, Shard> {
        // A panic while holding a shard cannot leave a cell half-written (cells are Copy),
        // so a poisoned lock is still consistent.
        self.shards[index].lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Shard {
    /// Stores `entry`; returns true when a live entry had to be evicted for room.
    fn put(&mut self, key: &str, entry: Entry, now: u64, cap: usize) -> bool {
        if let Some(existing) = self.map.get_mut(key) {
            *existing = entry;
            return false;
        }
        self.expire_some(now);
        let mut evicted = false;
        if self.map.len() >= cap {
            evicted = self.evict_one(now);
        }
        self.map.insert(Box::from(key), entry);
        evicted
    }

    fn expire_some(&mut self, now: u64) {
        for _ in 0..EXPIRY_SAMPLES {
            let Some(index) = self.random_index() else { return };
            if self.map.get_index(index).is_some_and(|(_, e)| e.expires_at <= now) {
                self.map.swap_remove_index(index);
            }
        }
    }

    /// Removes the sampled entry expiring soonest; true if it was still live.
    fn evict_one(&mut self, now: u64) -> bool {
        let mut victim: Option<(usize, u64)> = None;
        for _ in 0..EVICTION_SAMPLES {
            let Some(index) = self.random_index() else { return false };
            let Some((_, entry)) = self.map.get_index(index) else { continue };
            if victim.is_none_or(|(_, at)| entry.expires_at < at) {
                victim = Some((index, entry.expires_at));
            }
        }
        match victim {
            Some((index, at)) => {
                self.map.swap_remove_index(index);
                at > now
            }
            None => false,
        }
    }

    fn random_index(&mut self) -> Option<usize> {
        if self.map.is_empty() {
            return None;
        }
        // xorshift64: cheap and good enough to pick sample positions.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        usize::try_from(self.rng % self.map.len() as u64).ok()
    }
}

/// The cell with one request taken back.
fn refunded(algorithm: &Algorithm, cell: Cell, now: u64) -> Cell {
    match (algorithm, cell) {
        (Algorithm::Gcra(gcra), Cell::Tat(tat)) => {
            Cell::Tat(tat.saturating_sub(gcra.interval).max(now.min(tat)))
        }
        (Algorithm::Quota(_), Cell::Count { window, count }) => {
            Cell::Count { window, count: count.saturating_sub(1) }
        }
        (_, other) => other,
    }
}
