//! Per-transaction cache of transformation results: CRS applies the same transformation chains
//! to the same values in many rules, so each (chain, value) is transformed once per phase.
//!
//! Only stable values are cached (borrowed from request data that no rule changes during a
//! phase): such a value is identified by its address and length, so a lookup hashes three
//! integers (chain id, address, length) with a fast hasher and never reads the value. A chain
//! that leaves a value unchanged (the usual case on benign traffic) stores no bytes: the entry
//! says "same as the input". Changed results live in one arena per transaction, capped by
//! [`MAX_CACHED_BYTES`]; past the cap results are computed each time, never dropped.
//!
//! When the chain has a prefilter set, the entry also holds the candidate slots of the
//! transformed value (the set is searched once per entry), in a second arena of bit words.

use std::borrow::Cow;
use std::cell::RefCell;

use rampart_waf_ops::{CandidateBits, PrefilterSet, Transform};

/// Most bytes of transformed values kept per phase; past this, results are computed each time.
const MAX_CACHED_BYTES: usize = 4 * 1024 * 1024;

/// Most entries kept per phase (each also costs a little memory without any bytes).
const MAX_ENTRIES: usize = 256 * 1024;

/// (chain id, address, length) of a stable value.
type Key = (usize, usize, usize);

/// Where a cached result is.
#[derive(Debug, Clone, Copy)]
enum Output {
    /// The chain left the value unchanged.
    Input,
    /// The changed value, at `start..end` of the arena.
    Arena { start: usize, end: usize },
}

/// One cached (chain, value): the result and, with a prefilter, its candidate bits at
/// `words[bits.0..bits.1]`.
#[derive(Debug, Clone, Copy)]
struct Cached {
    output: Output,
    bits: Option<(usize, usize)>,
}

/// The candidate slots of one transformed value, as cached bit words.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidates<'a> {
    words: &'a [u64],
}

impl Candidates<'_> {
    /// Whether `slot` may match the value; false proves that it cannot.
    pub(crate) fn contains(&self, slot: usize) -> bool {
        self.words.get(slot / 64).is_some_and(|w| w & (1 << (slot % 64)) != 0)
    }
}

/// Transformation results of stable values, by (chain id, address, length).
#[derive(Debug, Default)]
pub(crate) struct TransformCache {
    inner: RefCell<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    index: foldhash::HashMap<Key, Cached>,
    arena: Vec<u8>,
    words: Vec<u64>,
    scratch: CandidateBits,
}

/// A transformation chain with its interned id and its prefilter set, if any.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chain<'a> {
    /// The chain's id in the rule set.
    pub id: usize,
    /// The transformations, in order.
    pub transforms: &'a [Transform],
    /// The literal automaton of the chain's prefiltered links.
    pub prefilter: Option<&'a PrefilterSet>,
}

impl TransformCache {
    /// Forgets every result; called at the start of each phase, when request data may change.
    pub(crate) fn clear(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.index.clear();
        inner.arena.clear();
        inner.words.clear();
    }

    /// Calls `f` with the result of applying `chain` to `value` and, when the chain has a
    /// prefilter and the value is cached, its candidate slots. `stable` values (see
    /// [`Value::stable`]) are transformed and scanned at most once per phase while room
    /// remains; an empty chain never copies.
    ///
    /// [`Value::stable`]: super::vars::Value
    pub(crate) fn with<R>(
        &self,
        chain: Chain<'_>,
        value: &[u8],
        stable: bool,
        f: impl FnOnce(&[u8], Option<Candidates<'_>>) -> R,
    ) -> R {
        if chain.transforms.is_empty() && chain.prefilter.is_none() {
            return f(value, None);
        }
        if !stable {
            return f(&transform_all(chain.transforms, value), None);
        }
        let key = (chain.id, value.as_ptr() as usize, value.len());
        let mut inner = self.inner.borrow_mut();
        let cached = match inner.index.get(&key) {
            Some(&cached) => cached,
            None => match inner.insert(key, chain, value) {
                Some(cached) => cached,
                None => {
                    drop(inner);
                    return f(&transform_all(chain.transforms, value), None);
                }
            },
        };
        let candidates = cached.bits.map(|(start, end)| Candidates { words: &inner.words[start..end] });
        match cached.output {
            Output::Input => f(value, candidates),
            Output::Arena { start, end } => f(&inner.arena[start..end], candidates),
        }
    }
}

impl Inner {
    /// Transforms, scans and stores the result; None when the cache is full.
    fn insert(&mut self, key: Key, chain: Chain<'_>, value: &[u8]) -> Option<Cached> {
        if self.index.len() >= MAX_ENTRIES {
            return None;
        }
        let transformed = transform_all(chain.transforms, value);
        let bits = match chain.prefilter {
            Some(set) => Some(self.scan(set, &transformed)?),
            None => None,
        };
        let output = match transformed {
            Cow::Borrowed(_) => Output::Input,
            Cow::Owned(bytes) => {
                if self.bytes() + bytes.len() > MAX_CACHED_BYTES {
                    return None;
                }
                let start = self.arena.len();
                self.arena.extend_from_slice(&bytes);
                Output::Arena { start, end: self.arena.len() }
            }
        };
        let cached = Cached { output, bits };
        self.index.insert(key, cached);
        Some(cached)
    }

    /// Searches `set` in `input` and appends the candidate bits; None when the cache is full.
    fn scan(&mut self, set: &PrefilterSet, input: &[u8]) -> Option<(usize, usize)> {
        let n = set.slots().div_ceil(64);
        if self.bytes() + n * 8 > MAX_CACHED_BYTES {
            return None;
        }
        set.candidates(input, &mut self.scratch);
        let start = self.words.len();
        self.words.resize(start + n, 0);
        for slot in self.scratch.iter() {
            if let Some(word) = self.words.get_mut(start + slot / 64) {
                *word |= 1 << (slot % 64);
            }
        }
        Some((start, start + n))
    }

    fn bytes(&self) -> usize {
        self.arena.len() + self.words.len() * 8
    }
}

/// Applies the chain; stays borrowed while no transformation changes the value.
pub(crate) fn transform_all<'a>(chain: &[Transform], value: &'a [u8]) -> Cow<'a, [u8]> {
    chain.iter().fold(Cow::Borrowed(value), |current, t| t.apply(current))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(transforms: &[Transform]) -> Chain<'_> {
        Chain { id: 7, transforms, prefilter: None }
    }

    #[test]
    fn unchanged_values_are_not_copied_and_changed_ones_are_cached() {
        let cache = TransformCache::default();
        let lower = [Transform::Lowercase];
        let value = b"ABC".to_vec();
        let out = cache.with(chain(&lower), &value, true, |v, _| v.to_vec());
        assert_eq!(out, b"abc");
        assert_eq!(cache.inner.borrow().arena.len(), 3);
        let again = cache.with(chain(&lower), &value, true, |v, _| v.to_vec());
        assert_eq!(again, b"abc");
        assert_eq!(cache.inner.borrow().arena.len(), 3, "second lookup transformed again");

        let plain = b"abc".to_vec();
        let same = cache.with(chain(&lower), &plain, true, |v, _| v.as_ptr() == plain.as_ptr());
        assert!(same, "an unchanged value must be the input itself");
        assert_eq!(cache.inner.borrow().arena.len(), 3);
    }

    #[test]
    fn unstable_values_and_full_cache_are_computed_each_time() {
        let cache = TransformCache::default();
        let lower = [Transform::Lowercase];
        assert_eq!(cache.with(chain(&lower), b"X", false, |v, _| v.to_vec()), b"x");
        assert!(cache.inner.borrow().index.is_empty());

        let big = vec![b'A'; MAX_CACHED_BYTES + 1];
        let out = cache.with(chain(&lower), &big, true, |v, _| v.iter().all(|&b| b == b'a'));
        assert!(out);
        assert!(cache.inner.borrow().arena.is_empty(), "the byte cap was exceeded");
        cache.clear();
        assert!(cache.inner.borrow().index.is_empty());
    }
}
