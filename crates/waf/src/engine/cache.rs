//! Per-transaction cache of transformation results: CRS applies the same transformation chains
//! to the same values in many rules, so each (chain, value) is transformed once.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::Arc;

use rampart_waf_ops::Transform;

/// Most bytes of cached results per transaction; past this, results are computed each time.
const MAX_CACHED_BYTES: usize = 4 * 1024 * 1024;

/// (chain hash, address, length) of a stable value.
type AddressKey = (u64, usize, usize);

/// One cached result with the input it came from (compared on lookup: hashes may collide).
#[derive(Debug)]
struct Cached {
    chain: Vec<Transform>,
    input: Vec<u8>,
    output: Arc<[u8]>,
}

/// Transformation results keyed by a hash of the chain and the input value.
#[derive(Debug, Default)]
pub(crate) struct TransformCache {
    inner: RefCell<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    map: HashMap<u64, Cached, BuildHasherDefault<PassThrough>>,
    /// Results for stable values, keyed by (chain hash, address, length) without hashing the
    /// content: such values neither move nor change during a phase.
    by_address: HashMap<AddressKey, (Vec<Transform>, Arc<[u8]>)>,
    bytes: usize,
}

impl TransformCache {
    /// Forgets every result; called at the start of each phase, when request data may change.
    pub(crate) fn clear(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.map.clear();
        inner.by_address.clear();
        inner.bytes = 0;
    }

    /// The result of applying `chain` to `value`, computed at most once while room remains.
    /// `stable` values are looked up by address (see [`Value::stable`]).
    ///
    /// [`Value::stable`]: super::vars::Value
    pub(crate) fn apply(&self, chain: &[Transform], value: &[u8], stable: bool) -> Arc<[u8]> {
        if chain.is_empty() {
            return Arc::from(value);
        }
        if stable {
            return self.apply_stable(chain, value);
        }
        let key = fingerprint(chain, value);
        if let Some(hit) = self.inner.borrow().map.get(&key) {
            if hit.chain == chain && hit.input == value {
                return hit.output.clone();
            }
        }
        let output: Arc<[u8]> = Arc::from(transform_all(chain, value).as_slice());
        let mut inner = self.inner.borrow_mut();
        let size = value.len() + output.len();
        if inner.bytes + size <= MAX_CACHED_BYTES && !inner.map.contains_key(&key) {
            inner.bytes += size;
            let cached =
                Cached { chain: chain.to_vec(), input: value.to_vec(), output: output.clone() };
            inner.map.insert(key, cached);
        }
        output
    }
}

impl TransformCache {
    fn apply_stable(&self, chain: &[Transform], value: &[u8]) -> Arc<[u8]> {
        let key = (fingerprint(chain, &[]), value.as_ptr() as usize, value.len());
        if let Some((cached_chain, output)) = self.inner.borrow().by_address.get(&key) {
            if cached_chain == chain {
                return output.clone();
            }
        }
        let output: Arc<[u8]> = Arc::from(transform_all(chain, value).as_slice());
        let mut inner = self.inner.borrow_mut();
        if inner.bytes + output.len() <= MAX_CACHED_BYTES && !inner.by_address.contains_key(&key) {
            inner.bytes += output.len();
            inner.by_address.insert(key, (chain.to_vec(), output.clone()));
        }
        output
    }
}

fn transform_all(chain: &[Transform], value: &[u8]) -> Vec<u8> {
    let mut current = std::borrow::Cow::Borrowed(value);
    for t in chain {
        current = std::borrow::Cow::Owned(t.apply(current).into_owned());
    }
    current.into_owned()
}

/// A fast non-cryptographic hash of the chain and the value (collisions are checked).
fn fingerprint(chain: &[Transform], value: &[u8]) -> u64 {
    let mut h = Mix(value.len() as u64);
    chain.hash(&mut h);
    let mut words = value.chunks_exact(8);
    for w in &mut words {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        h.add(u64::from_le_bytes(b));
    }
    for &byte in words.remainder() {
        h.add(u64::from(byte));
    }
    h.0
}

/// A multiply-rotate mixer (the FxHash scheme).
struct Mix(u64);

impl Mix {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for Mix {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.add(u64::from(b));
        }
    }
}

/// A hasher for keys that already are hashes.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}
