//! Capture groups an operator hands back for `capture` (`TX:0` .. `TX:9`).

/// The most groups ModSecurity keeps: `TX:0` (the whole match) through `TX:9`.
pub const MAX_CAPTURES: usize = 10;

/// Captured groups of one match, reused across calls to avoid allocation.
///
/// Group 0 is the whole match; a group that did not take part in the match is unset (the
/// engine then leaves that `TX` variable as it was, as ModSecurity does).
#[derive(Debug, Clone, Default)]
pub struct Captures {
    groups: [Vec<u8>; MAX_CAPTURES],
    set: u16,
}

impl Captures {
    /// An empty set of captures.
    pub fn new() -> Captures {
        Captures::default()
    }

    /// Unsets every group, keeping the buffers for reuse.
    pub fn clear(&mut self) {
        self.set = 0;
    }

    /// Sets group `index` to `value`; indexes past 9 are ignored.
    pub fn set(&mut self, index: usize, value: &[u8]) {
        let Some(slot) = self.groups.get_mut(index) else {
            return;
        };
        slot.clear();
        slot.extend_from_slice(value);
        self.set |= 1 << index;
    }

    /// Group `index`, when it is set.
    pub fn get(&self, index: usize) -> Option<&[u8]> {
        let slot = self.groups.get(index)?;
        (self.set & (1 << index) != 0).then_some(slot.as_slice())
    }

    /// How many groups are set.
    pub fn len(&self) -> usize {
        self.set.count_ones() as usize
    }

    /// Whether no group is set.
    pub fn is_empty(&self) -> bool {
        self.set == 0
    }

    /// The set groups in index order, as `(index, bytes)`.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &[u8])> {
        (0..MAX_CAPTURES).filter_map(|i| self.get(i).map(|g| (i, g)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_get_clear() {
        let mut c = Captures::new();
        c.set(0, b"abc");
        c.set(2, b"x");
        c.set(10, b"ignored");
        assert_eq!(c.get(0), Some(&b"abc"[..]));
        assert_eq!(c.get(1), None);
        assert_eq!(c.len(), 2);
        assert_eq!(c.iter().map(|(i, _)| i).collect::<Vec<_>>(), vec![0, 2]);
        c.clear();
        assert!(c.is_empty());
        assert_eq!(c.get(0), None);
    }
}
