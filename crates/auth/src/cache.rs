//! A bounded cache of verified tokens, keyed by the SHA-256 of the token (never the token).
//!
//! Entries expire at the token's `exp` (no leeway) and are dropped when the provider's keys
//! change, so a cached token never outlives its expiry nor a key rotation. Eviction is
//! oldest-first per shard, which keeps inserts O(1) when an attacker floods distinct tokens.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use sha2::{Digest, Sha256};

use crate::verified::VerifiedToken;

const SHARDS: usize = 16;

/// The cache key: a SHA-256 digest of the compact token.
pub(crate) type TokenHash = [u8; 32];

/// Hashes a token for the cache.
pub(crate) fn token_hash(token: &str) -> TokenHash {
    Sha256::digest(token.as_bytes()).into()
}

/// A cached verification result.
#[derive(Debug, Clone)]
pub(crate) struct CachedToken {
    pub token: Arc<VerifiedToken>,
    /// Index of the provider that verified it.
    pub provider: usize,
    /// The provider's key epoch at verification time.
    pub epoch: u64,
}

#[derive(Debug)]
struct Entry {
    cached: CachedToken,
    seq: u64,
}

#[derive(Debug, Default)]
struct Shard {
    map: HashMap<TokenHash, Entry>,
    order: VecDeque<(TokenHash, u64)>,
    next_seq: u64,
}

/// The sharded, bounded cache.
#[derive(Debug)]
pub(crate) struct TokenCache {
    shards: Vec<Mutex<Shard>>,
    per_shard: usize,
}

impl TokenCache {
    /// A cache holding at most about `max_entries` tokens; 0 disables it.
    pub fn new(max_entries: usize) -> Self {
        let per_shard = max_entries.div_ceil(SHARDS);
        let shards = (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect();
        Self { shards, per_shard }
    }

    /// The cached result for `hash`, unless it expired at or before `now`.
    pub fn get(&self, hash: &TokenHash, now: i64) -> Option<CachedToken> {
        if self.per_shard == 0 {
            return None;
        }
        let mut shard = self.shard(hash);
        let entry = shard.map.get(hash)?;
        if now < entry.cached.token.expires_at() {
            return Some(entry.cached.clone());
        }
        shard.map.remove(hash);
        None
    }

    /// Forgets one entry (used when its provider's keys changed).
    pub fn remove(&self, hash: &TokenHash) {
        self.shard(hash).map.remove(hash);
    }

    /// Stores a result, evicting the oldest entries of the shard when it is full.
    pub fn insert(&self, hash: TokenHash, cached: CachedToken) {
        if self.per_shard == 0 {
            return;
        }
        let mut shard = self.shard(&hash);
        while shard.map.len() >= self.per_shard {
            if !shard.evict_oldest() {
                break;
            }
        }

        let seq = shard.next_seq;
        shard.next_seq += 1;
        shard.order.push_back((hash, seq));
        shard.map.insert(hash, Entry { cached, seq });
        shard.compact(self.per_shard);
    }

    /// Number of entries held (expired ones included until they are looked up or evicted).
    pub fn len(&self) -> usize {
        self.shards.iter().map(|shard| lock(shard).map.len()).sum()
    }

    fn shard(&self, hash: &TokenHash) -> MutexGuard<'_, Shard> {
        let index = usize::from(hash[0]) % SHARDS;
        lock(&self.shards[index])
    }
}

impl Shard {
    /// Removes the oldest live entry; false when there is none.
    fn evict_oldest(&mut self) -> bool {
        while let Some((hash, seq)) = self.order.pop_front() {
            if self.map.get(&hash).is_some_and(|entry| entry.seq == seq) {
                self.map.remove(&hash);
                return true;
            }
        }
        false
    }

    /// Drops queue records of entries that were replaced or removed, bounding the queue.
    fn compact(&mut self, per_shard: usize) {
        if self.order.len() <= per_shard.saturating_mul(2) + 16 {
            return;
        }
        let map = &self.map;
        self.order.retain(|(hash, seq)| map.get(hash).is_some_and(|entry| entry.seq == *seq));
    }
}

/// Locks a shard; a poisoned lock still holds consistent data (no invariant spans a panic).
fn lock(shard: &Mutex<Shard>) -> MutexGuard<'_, Shard> {
    shard.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{token_hash, CachedToken, TokenCache};
    use crate::algorithm::JwtAlgorithm;
    use crate::verified::VerifiedToken;

    fn entry(expires_at: i64) -> CachedToken {
        let token = VerifiedToken {
            provider: Arc::from("p"),
            issuer: "i".into(),
            subject: None,
            scopes: Vec::new(),
            expires_at,
            algorithm: JwtAlgorithm::HS256,
            key_id: None,
            claims: serde_json::Map::new(),
        };
        CachedToken { token: Arc::new(token), provider: 0, epoch: 0 }
    }

    /// Hashes that all land in shard 0, so one shard's bound is exercised.
    fn same_shard_hashes(count: usize) -> Vec<[u8; 32]> {
        (0..)
            .map(|n: u32| token_hash(&n.to_string()))
            .filter(|hash| usize::from(hash[0]) % super::SHARDS == 0)
            .take(count)
            .collect()
    }

    #[test]
    fn the_oldest_entry_of_a_full_shard_is_evicted() {
        let cache = TokenCache::new(super::SHARDS * 2);
        let hashes = same_shard_hashes(3);

        for hash in &hashes {
            cache.insert(*hash, entry(100));
        }

        assert!(cache.get(&hashes[0], 0).is_none());
        assert!(cache.get(&hashes[1], 0).is_some());
        assert!(cache.get(&hashes[2], 0).is_some());
    }

    #[test]
    fn reinserting_one_token_keeps_the_queue_bounded() {
        let cache = TokenCache::new(super::SHARDS);
        let hash = same_shard_hashes(1)[0];

        for _ in 0..1000 {
            cache.insert(hash, entry(100));
        }

        let shard = super::lock(&cache.shards[0]);
        assert_eq!(shard.map.len(), 1);
        assert!(shard.order.len() <= 2 + 16, "{} queued", shard.order.len());
    }

    #[test]
    fn an_expired_entry_is_removed_on_lookup() {
        let cache = TokenCache::new(64);
        let hash = token_hash("t");
        cache.insert(hash, entry(100));

        assert!(cache.get(&hash, 99).is_some());
        assert!(cache.get(&hash, 100).is_none());
        assert_eq!(cache.len(), 0);
    }
}
