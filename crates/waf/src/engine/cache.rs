//! Per-transaction cache of transformation results and prefilter candidates: CRS applies the
//! same transformation chains to the same values in many rules, so each is computed once per
//! phase.
//!
//! Only stable values are cached (borrowed from request data that no rule changes during a
//! phase): such a value is identified by its address and length, so a lookup hashes two or
//! three integers with a fast hasher and never reads the value. Per value the cache learns
//! which transformation kinds leave it unchanged (each kind is tried once); a chain made only
//! of such kinds leaves the value unchanged, needs no copy, and shares the value's one
//! prefilter scan with every other such chain. That is the usual case on benign traffic.
//! Values a chain does change are transformed and scanned once per (chain, value), the bytes
//! kept in one arena per transaction. Everything is capped ([`MAX_CACHED_BYTES`],
//! [`MAX_ENTRIES`]); past the caps results are computed each time and operators run
//! unfiltered, never skipped.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::hash_map::Entry;

use rampart_waf_ops::{CandidateBits, PrefilterSet, Transform};

use super::prefilter::transform_bit;

/// Most bytes of transformed values kept per phase; past this, results are computed each time.
const MAX_CACHED_BYTES: usize = 4 * 1024 * 1024;

/// Most entries kept per phase in each of the two maps (values, changed results): with the
/// byte cap this bounds the cache to about 8 MB per transaction whatever the request holds.
const MAX_ENTRIES: usize = 16 * 1024;

/// (chain id, address, length) of a stable value that a chain changes.
type Key = (usize, usize, usize);

/// (address, length) of a stable value.
type ValueKey = (usize, usize);

/// What the cache learnt about one stable value.
#[derive(Debug, Clone, Copy, Default)]
struct ValueState {
    /// Transformation kinds tried on the value (bits of [`transform_bit`]).
    known: u64,
    /// Of those, the kinds that leave it unchanged.
    identity: u64,
    /// The candidate bits of the value itself, once scanned.
    bits: Option<(usize, usize)>,
}

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
    values: foldhash::HashMap<ValueKey, ValueState>,
    index: foldhash::HashMap<Key, Cached>,
    arena: Vec<u8>,
    words: Vec<u64>,
    scratch: CandidateBits,
}

/// A transformation chain with its interned id, and the prefilter set when the link that
/// applies it is prefiltered.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chain<'a> {
    /// The chain's id in the rule set.
    pub id: usize,
    /// The transformations, in order.
    pub transforms: &'a [Transform],
    /// The kinds in the chain (see [`transform_bit`]); None when one has no bit.
    pub mask: Option<u64>,
    /// The literal automaton, when candidates are wanted.
    pub prefilter: Option<&'a PrefilterSet>,
}

/// What an operator sees of one value: the transformed bytes, whether the chain left the
/// value unchanged, and the prefilter's candidates for those bytes when known.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seen<'a> {
    /// The value after the chain.
    pub bytes: &'a [u8],
    /// No transformation of the chain changed the value.
    pub unchanged: bool,
    /// The candidate slots for `bytes`; None when not computed (then every link runs).
    pub candidates: Option<Candidates<'a>>,
}

impl TransformCache {
    /// Forgets every result; called at the start of each phase, when request data may change.
    pub(crate) fn clear(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.values.clear();
        inner.index.clear();
        inner.arena.clear();
        inner.words.clear();
    }

    /// Calls `f` with what an operator sees of `value` through `chain` (see [`Seen`]).
    /// `stable` values (see [`Value::stable`]) are transformed and scanned at most once per
    /// phase while room remains; an unchanged value is never copied.
    ///
    /// [`Value::stable`]: super::vars::Value
    pub(crate) fn with<R>(
        &self,
        chain: Chain<'_>,
        value: &[u8],
        stable: bool,
        f: impl FnOnce(Seen<'_>) -> R,
    ) -> R {
        if chain.transforms.is_empty() && chain.prefilter.is_none() {
            return f(Seen { bytes: value, unchanged: true, candidates: None });
        }
        if !stable {
            return uncached(chain.transforms, value, f);
        }
        let mut inner = self.inner.borrow_mut();
        if let Some(bits) = inner.unchanged_bits(chain, value) {
            let candidates =
                bits.map(|(start, end)| Candidates { words: &inner.words[start..end] });
            return f(Seen { bytes: value, unchanged: true, candidates });
        }
        let key = (chain.id, value.as_ptr() as usize, value.len());
        let cached = match inner.index.get(&key) {
            Some(&cached) => cached,
            None => match inner.insert(key, chain, value) {
                Some(cached) => cached,
                None => {
                    drop(inner);
                    return uncached(chain.transforms, value, f);
                }
            },
        };
        let candidates =
            cached.bits.map(|(start, end)| Candidates { words: &inner.words[start..end] });
        match cached.output {
            Output::Input => f(Seen { bytes: value, unchanged: true, candidates }),
            Output::Arena { start, end } => {
                f(Seen { bytes: &inner.arena[start..end], unchanged: false, candidates })
            }
        }
    }
}

/// Calls `f` with the chain applied without the cache, and no candidates.
fn uncached<R>(chain: &[Transform], value: &[u8], f: impl FnOnce(Seen<'_>) -> R) -> R {
    let bytes = transform_all(chain, value);
    let unchanged = matches!(bytes, Cow::Borrowed(_));
    f(Seen { bytes: &bytes, unchanged, candidates: None })
}

impl Inner {
    /// When every transformation of `chain` leaves `value` unchanged (so the chain does):
    /// Some, with the candidate bits of the value when the chain has a prefilter (scanned on
    /// first use; None when the cache is full). None when the chain changes the value or it
    /// is unknown. Each kind is tried on the value at most once per phase.
    fn unchanged_bits(&mut self, chain: Chain<'_>, value: &[u8]) -> Option<Option<(usize, usize)>> {
        let mask = if chain.transforms.is_empty() { 0 } else { chain.mask? };
        let key = (value.as_ptr() as usize, value.len());
        let Inner { values, words, scratch, arena, .. } = self;
        let full = values.len() >= MAX_ENTRIES;
        let state = match values.entry(key) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(_) if full => return None,
            Entry::Vacant(e) => e.insert(ValueState::default()),
        };
        if mask & !state.identity != 0 && !learn_identity(state, chain.transforms, value) {
            return None;
        }
        let Some(set) = chain.prefilter else { return Some(None) };
        if state.bits.is_none() {
            state.bits = scan(set, value, words, scratch, arena.len());
        }
        Some(state.bits)
    }

    /// Transforms, scans and stores the result; None when the cache is full.
    fn insert(&mut self, key: Key, chain: Chain<'_>, value: &[u8]) -> Option<Cached> {
        if self.index.len() >= MAX_ENTRIES {
            return None;
        }
        let transformed = transform_all(chain.transforms, value);
        let bits = match chain.prefilter {
            Some(set) => {
                let used = self.arena.len();
                Some(scan(set, &transformed, &mut self.words, &mut self.scratch, used)?)
            }
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

    fn bytes(&self) -> usize {
        self.arena.len() + self.words.len() * 8
    }
}

/// Tries the kinds of `chain` not yet tried on the value; whether all leave it unchanged.
fn learn_identity(state: &mut ValueState, chain: &[Transform], value: &[u8]) -> bool {
    for &t in chain {
        let Some(bit) = transform_bit(t) else { return false };
        if state.identity & bit != 0 {
            continue;
        }
        if state.known & bit != 0 {
            return false;
        }
        state.known |= bit;
        if !matches!(t.apply(Cow::Borrowed(value)), Cow::Borrowed(_)) {
            return false;
        }
        state.identity |= bit;
    }
    true
}

/// Searches `set` in `input` and appends the candidate bits to `words`; None when that
/// would pass the byte cap (`arena` bytes are already used).
fn scan(
    set: &PrefilterSet,
    input: &[u8],
    words: &mut Vec<u64>,
    scratch: &mut CandidateBits,
    arena: usize,
) -> Option<(usize, usize)> {
    let n = set.slots().div_ceil(64);
    if arena + (words.len() + n) * 8 > MAX_CACHED_BYTES {
        return None;
    }
    set.candidates(input, scratch);
    let start = words.len();
    words.resize(start + n, 0);
    for slot in scratch.iter() {
        if let Some(word) = words.get_mut(start + slot / 64) {
            *word |= 1 << (slot % 64);
        }
    }
    Some((start, start + n))
}

/// Applies the chain; stays borrowed while no transformation changes the value.
pub(crate) fn transform_all<'a>(chain: &[Transform], value: &'a [u8]) -> Cow<'a, [u8]> {
    chain.iter().fold(Cow::Borrowed(value), |current, t| t.apply(current))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(transforms: &[Transform]) -> Chain<'_> {
        Chain { id: 7, transforms, mask: None, prefilter: None }
    }

    #[test]
    fn unchanged_values_are_not_copied_and_changed_ones_are_cached() {
        let cache = TransformCache::default();
        let lower = [Transform::Lowercase];
        let value = b"ABC".to_vec();
        let out = cache.with(chain(&lower), &value, true, |s| s.bytes.to_vec());
        assert_eq!(out, b"abc");
        assert_eq!(cache.inner.borrow().arena.len(), 3);
        let again = cache.with(chain(&lower), &value, true, |s| s.bytes.to_vec());
        assert_eq!(again, b"abc");
        assert_eq!(cache.inner.borrow().arena.len(), 3, "second lookup transformed again");

        let plain = b"abc".to_vec();
        let same = cache.with(chain(&lower), &plain, true, |s| {
            s.unchanged && s.bytes.as_ptr() == plain.as_ptr()
        });
        assert!(same, "an unchanged value must be the input itself");
        assert_eq!(cache.inner.borrow().arena.len(), 3);
    }

    #[test]
    fn unstable_values_and_full_cache_are_computed_each_time() {
        let cache = TransformCache::default();
        let lower = [Transform::Lowercase];
        assert_eq!(cache.with(chain(&lower), b"X", false, |s| s.bytes.to_vec()), b"x");
        assert!(cache.inner.borrow().index.is_empty());

        let big = vec![b'A'; MAX_CACHED_BYTES + 1];
        let out = cache.with(chain(&lower), &big, true, |s| s.bytes.iter().all(|&b| b == b'a'));
        assert!(out);
        assert!(cache.inner.borrow().arena.is_empty(), "the byte cap was exceeded");
        cache.clear();
        assert!(cache.inner.borrow().index.is_empty());
    }
}
