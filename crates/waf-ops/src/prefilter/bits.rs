//! A reusable set of rule slots, one bit each.

/// A set of rule slots (one bit per slot), reused across values so that
/// [`PrefilterSet::candidates`](super::PrefilterSet::candidates) allocates nothing once it is
/// large enough.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CandidateBits {
    words: Vec<u64>,
}

impl CandidateBits {
    /// An empty set; it grows to the number of slots on first use.
    pub fn new() -> CandidateBits {
        CandidateBits::default()
    }

    /// An empty set with room for slots `0..slots`, so that no later call allocates.
    pub fn with_slots(slots: usize) -> CandidateBits {
        CandidateBits { words: vec![0; slots.div_ceil(64)] }
    }

    /// Removes every slot, keeping the memory.
    pub fn clear(&mut self) {
        self.words.fill(0);
    }

    /// Whether `slot` is in the set.
    pub fn contains(&self, slot: usize) -> bool {
        self.words.get(slot / 64).is_some_and(|w| w & (1 << (slot % 64)) != 0)
    }

    /// Adds `slot`, growing the set when it is beyond the current room.
    pub fn insert(&mut self, slot: usize) {
        let word = slot / 64;
        if word >= self.words.len() {
            self.words.resize(word + 1, 0);
        }
        self.words[word] |= 1 << (slot % 64);
    }

    /// The number of slots in the set.
    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Whether the set holds no slot.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    /// The slots in the set, in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                Some(i * 64 + bit)
            })
        })
    }

    /// Clears the set and makes room for `slots` slots (allocating only when it grows).
    pub(super) fn reset(&mut self, slots: usize) {
        self.clear();
        let words = slots.div_ceil(64);
        if self.words.len() < words {
            self.words.resize(words, 0);
        }
    }

    /// Adds every slot of `other`.
    pub(super) fn union_with(&mut self, other: &CandidateBits) {
        if self.words.len() < other.words.len() {
            self.words.resize(other.words.len(), 0);
        }
        for (mine, theirs) in self.words.iter_mut().zip(&other.words) {
            *mine |= theirs;
        }
    }

    /// Adds every slot in `0..slots`.
    pub(super) fn fill(&mut self, slots: usize) {
        self.reset(slots);
        for slot in 0..slots {
            self.insert(slot);
        }
    }
}
