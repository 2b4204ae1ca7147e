//! Per-transaction cache of transformation results: CRS applies the same transformation chains
//! to the same values in many rules, so each (chain, value) is transformed once.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use rampart_waf_ops::Transform;

/// Most bytes of cached results per transaction; past this, results are computed each time.
const MAX_CACHED_BYTES: usize = 4 * 1024 * 1024;

/// Transformation results keyed by the chain and the input value.
#[derive(Debug, Default)]
pub(crate) struct TransformCache {
    inner: RefCell<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    map: HashMap<(Vec<Transform>, Vec<u8>), Arc<[u8]>>,
    bytes: usize,
}

impl TransformCache {
    /// The result of applying `chain` to `value`, computed at most once while room remains.
    pub(crate) fn apply(&self, chain: &[Transform], value: &[u8]) -> Arc<[u8]> {
        if chain.is_empty() {
            return Arc::from(value);
        }
        let key = (chain.to_vec(), value.to_vec());
        if let Some(hit) = self.inner.borrow().map.get(&key) {
            return hit.clone();
        }
        let result: Arc<[u8]> = Arc::from(transform_all(chain, value).as_slice());
        let mut inner = self.inner.borrow_mut();
        let size = key.1.len() + result.len();
        if inner.bytes + size <= MAX_CACHED_BYTES {
            inner.bytes += size;
            inner.map.insert(key, result.clone());
        }
        result
    }
}

fn transform_all(chain: &[Transform], value: &[u8]) -> Vec<u8> {
    let mut current = std::borrow::Cow::Borrowed(value);
    for t in chain {
        current = std::borrow::Cow::Owned(t.apply(current).into_owned());
    }
    current.into_owned()
}
