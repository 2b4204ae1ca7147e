//! The rule prefilter of a loaded rule set: one literal automaton over the operators of all
//! rule links, and per transformation chain the set of transformations it is made of.
//!
//! A link whose operator has a necessary literal condition (`@rx` with required literals,
//! `@pm`) gets a slot in the [`PrefilterSet`]. At run time the set is searched once per
//! distinct byte string a link's operator would see: once per raw value, which serves every
//! chain that leaves the value unchanged (the usual case on benign traffic), and once per
//! (chain, value) that the chain changes. A prefiltered link whose slot is not a candidate
//! for the bytes its operator would see is proven not to match them, so the operator is not
//! run. Negated operators and operators compiled per transaction (macros in the parameter)
//! are never prefiltered: they always run. `multiMatch` links are prefiltered only where
//! their chain leaves the value unchanged (then the operator sees only the value itself).

use rampart_waf_ops::{PrefilterSet, PrefilterSetBuilder, Transform};

use crate::config::{Entry, RuleSet};
use crate::rule::Rule;

/// The prefilter set, each link's slot and each chain's transformations as a bit mask.
#[derive(Debug, Default)]
pub(crate) struct Prefilters {
    /// The literal automaton of all prefiltered links; None when none is (or it failed).
    set: Option<PrefilterSet>,
    /// By link id: the link's slot in the set, if it is prefiltered.
    slots: Vec<Option<usize>>,
    /// By chain id: one bit per transformation kind in the chain ([`transform_bit`]); None
    /// when a kind has no bit (the chain is then never known to leave a value unchanged).
    masks: Vec<Option<u64>>,
}

/// The bit of a transformation kind in a chain mask, when it has one.
pub(crate) fn transform_bit(t: Transform) -> Option<u64> {
    let index = t as u32;
    (index < 64).then(|| 1u64 << index)
}

fn chain_mask(chain: &[Transform]) -> Option<u64> {
    chain.iter().try_fold(0u64, |mask, &t| Some(mask | transform_bit(t)?))
}

impl Prefilters {
    /// Builds the set of `rules`. When its automaton cannot be built, every link runs (with
    /// a warning).
    pub(crate) fn build(rules: &RuleSet) -> Prefilters {
        let mut builder = PrefilterSet::builder();
        let mut next_slot = 0;
        let mut slots = vec![None; rules.link_count];
        for entry in rules.phases.iter().flatten() {
            let Entry::Rule(rule) = entry else { continue };
            let mut link = Some(&**rule);
            while let Some(r) = link {
                if let Some(literals) = condition(r) {
                    builder.add(next_slot, &literals);
                    slots[r.link_id] = Some(next_slot);
                    next_slot += 1;
                }
                link = r.chain.as_deref();
            }
        }
        let set = if next_slot == 0 { None } else { build_set(builder) };
        let masks = rules.chains.iter().map(|c| chain_mask(c)).collect();
        Prefilters { set, slots, masks }
    }

    /// The automaton, if any link is prefiltered.
    pub(crate) fn set(&self) -> Option<&PrefilterSet> {
        self.set.as_ref()
    }

    /// The slot of link `link_id` when the link is prefiltered.
    pub(crate) fn slot(&self, link_id: usize) -> Option<usize> {
        *self.slots.get(link_id)?
    }

    /// The transformation mask of chain `chain_id` (see [`transform_bit`]).
    pub(crate) fn mask(&self, chain_id: usize) -> Option<u64> {
        *self.masks.get(chain_id)?
    }

    /// The number of prefiltered links (for load-time logs and tests).
    pub(crate) fn prefiltered_links(&self) -> usize {
        self.slots.iter().flatten().count()
    }
}

/// The literal condition of a link's operator, when the link may be prefiltered.
fn condition(link: &Rule) -> Option<Vec<Vec<u8>>> {
    if link.operator.negated {
        return None;
    }
    link.operator.compiled.as_ref()?.required_literals()
}

fn build_set(builder: PrefilterSetBuilder) -> Option<PrefilterSet> {
    match builder.build() {
        Ok(set) => Some(set),
        Err(error) => {
            tracing::warn!(%error, "waf prefilter not built, every rule runs unfiltered");
            None
        }
    }
}
