//! One Aho-Corasick automaton over the literal conditions of many rules.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};

use super::{CandidateBits, PrefilterError};

/// The most slots a set may have (a rule set has a few thousand rules at most).
const MAX_SLOTS: usize = 1 << 20;

/// The literal conditions of many rules, searched in one pass over a value.
///
/// Each rule is a slot (a small integer the caller chooses, usually the rule's index); a slot
/// is a candidate for a value when one of its literals occurs in the value, ignoring ASCII
/// case, or when it was added without a usable condition.
#[derive(Debug, Clone)]
pub struct PrefilterSet {
    /// All distinct literals (lower-cased); `None` when no slot has any.
    automaton: Option<AhoCorasick>,
    /// For literal `i`, its slots are `slot_list[slot_ranges[i].0..slot_ranges[i].1]`.
    slot_ranges: Vec<(u32, u32)>,
    slot_list: Vec<u32>,
    /// Slots that are candidates for every value (added without a usable condition).
    always: CandidateBits,
    slots: usize,
}

/// Collects the slots and literals of a [`PrefilterSet`].
#[derive(Debug, Clone, Default)]
pub struct PrefilterSetBuilder {
    /// Distinct lower-cased literal -> its index in `literals`.
    index: HashMap<Vec<u8>, usize>,
    literals: Vec<Vec<u8>>,
    /// The slots of each literal (in `literals` order), possibly repeated.
    literal_slots: Vec<Vec<usize>>,
    always: Vec<usize>,
    /// The largest slot added.
    largest: Option<usize>,
}

impl PrefilterSet {
    /// A builder for a new set.
    pub fn builder() -> PrefilterSetBuilder {
        PrefilterSetBuilder::default()
    }

    /// Sets in `out` the slot of every rule one of whose literals occurs in `input`
    /// (ASCII case-insensitive); `out` is cleared first.
    ///
    /// Occurrences overlap freely (a literal inside another is found too), slots added
    /// without a condition are always set, and the search is one pass over `input` that
    /// allocates nothing unless `out` must grow to [`slots`](Self::slots).
    pub fn candidates(&self, input: &[u8], out: &mut CandidateBits) {
        out.reset(self.slots);
        out.union_with(&self.always);
        let Some(automaton) = &self.automaton else {
            return;
        };
        let Ok(matches) = automaton.try_find_overlapping_iter(input) else {
            // Unreachable with a Standard, unanchored automaton; fail safe: every rule runs.
            out.fill(self.slots);
            return;
        };
        for m in matches {
            let (start, end) = self.slot_ranges[m.pattern().as_usize()];
            for &slot in &self.slot_list[start as usize..end as usize] {
                out.insert(slot as usize);
            }
        }
    }

    /// The number of slots: one more than the largest slot added, or 0.
    pub fn slots(&self) -> usize {
        self.slots
    }

    /// The heap memory the automaton uses, in bytes.
    pub fn memory_usage(&self) -> usize {
        self.automaton.as_ref().map_or(0, AhoCorasick::memory_usage)
    }

    /// The number of distinct literals in the automaton.
    pub fn literals(&self) -> usize {
        self.slot_ranges.len()
    }
}

impl PrefilterSetBuilder {
    /// Adds `slot` with its condition: the slot becomes a candidate for a value that contains
    /// any of `literals` (ignoring ASCII case). With no literals, or with an empty one, the
    /// slot is a candidate for every value (the safe reading of "no condition").
    pub fn add(&mut self, slot: usize, literals: &[Vec<u8>]) {
        self.largest = self.largest.max(Some(slot));
        if literals.is_empty() || literals.iter().any(Vec::is_empty) {
            self.always.push(slot);
            return;
        }
        for literal in literals {
            let key = literal.to_ascii_lowercase();
            let next = self.literals.len();
            let i = *self.index.entry(key.clone()).or_insert(next);
            if i == next {
                self.literals.push(key);
                self.literal_slots.push(Vec::new());
            }
            self.literal_slots[i].push(slot);
        }
    }

    /// Builds the automaton.
    pub fn build(self) -> Result<PrefilterSet, PrefilterError> {
        let slots = match self.largest {
            Some(slot) if slot >= MAX_SLOTS => {
                return Err(PrefilterError::SlotOutOfRange { slot, max: MAX_SLOTS });
            }
            Some(slot) => slot + 1,
            None => 0,
        };
        let automaton = self.automaton()?;

        let mut slot_ranges = Vec::with_capacity(self.literal_slots.len());
        let mut slot_list = Vec::new();
        for mut slots in self.literal_slots {
            slots.sort_unstable();
            slots.dedup();
            let start = slot_list.len() as u32;
            slot_list.extend(slots.into_iter().map(|s| s as u32));
            slot_ranges.push((start, slot_list.len() as u32));
        }

        let mut always = CandidateBits::with_slots(slots);
        for slot in self.always {
            always.insert(slot);
        }
        Ok(PrefilterSet { automaton, slot_ranges, slot_list, always, slots })
    }

    fn automaton(&self) -> Result<Option<AhoCorasick>, PrefilterError> {
        if self.literals.is_empty() {
            return Ok(None);
        }
        AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(true)
            .build(&self.literals)
            .map(Some)
            .map_err(|e| PrefilterError::Automaton {
                literals: self.literals.len(),
                reason: e.to_string(),
            })
    }
}
