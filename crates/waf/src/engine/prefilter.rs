//! The rule prefilter of a loaded rule set: per transformation chain, one literal automaton
//! over the operators of the rule links that use that chain.
//!
//! A link whose operator has a necessary literal condition (`@rx` with required literals,
//! `@pm`) gets a slot in its chain's [`PrefilterSet`]. At run time each (chain, value) is
//! scanned once, and a prefiltered link whose slot is not a candidate for the value is proven
//! not to match it, so its operator is not run. Negated operators, `multiMatch` links
//! (which test intermediate values) and operators compiled per transaction (macros in the
//! parameter) are never prefiltered: they always run.

use rampart_waf_ops::{PrefilterSet, PrefilterSetBuilder};

use crate::config::{Entry, RuleSet};
use crate::rule::Rule;

/// The prefilter sets by chain id, and each link's slot.
#[derive(Debug, Default)]
pub(crate) struct Prefilters {
    /// By chain id: the set of that chain's prefiltered links, if it has any.
    sets: Vec<Option<PrefilterSet>>,
    /// By link id: the link's slot in its chain's set, if it is prefiltered.
    slots: Vec<Option<usize>>,
}

impl Prefilters {
    /// Builds the sets of `rules`. A set whose automaton cannot be built is left out (its
    /// links then always run) with a warning.
    pub(crate) fn build(rules: &RuleSet) -> Prefilters {
        let mut builders: Vec<Option<PrefilterSetBuilder>> = Vec::new();
        builders.resize_with(rules.chains.len(), || None);
        let mut next_slot = vec![0usize; rules.chains.len()];
        let mut slots = vec![None; rules.link_count];
        for entry in rules.phases.iter().flatten() {
            let Entry::Rule(rule) = entry else { continue };
            let mut link = Some(&**rule);
            while let Some(r) = link {
                if let Some(literals) = condition(r) {
                    let slot = next_slot[r.chain_id];
                    next_slot[r.chain_id] += 1;
                    let builder = builders[r.chain_id].get_or_insert_with(PrefilterSet::builder);
                    builder.add(slot, &literals);
                    slots[r.link_id] = Some(slot);
                }
                link = r.chain.as_deref();
            }
        }
        let sets = builders.into_iter().enumerate().map(|(chain, b)| build_set(chain, b?));
        Prefilters { sets: sets.collect(), slots }
    }

    /// The set of chain `chain_id`, if it has one.
    pub(crate) fn set(&self, chain_id: usize) -> Option<&PrefilterSet> {
        self.sets.get(chain_id)?.as_ref()
    }

    /// The slot of link `link_id` when the link is prefiltered. (When its chain's set could
    /// not be built there are no candidates to test, and the link runs.)
    pub(crate) fn slot(&self, link_id: usize) -> Option<usize> {
        *self.slots.get(link_id)?
    }

    /// The number of prefiltered links (for load-time logs and tests).
    pub(crate) fn prefiltered_links(&self) -> usize {
        self.slots.iter().flatten().count()
    }
}

/// The literal condition of a link's operator, when the link may be prefiltered.
fn condition(link: &Rule) -> Option<Vec<Vec<u8>>> {
    if link.operator.negated || link.actions.multi_match {
        return None;
    }
    link.operator.compiled.as_ref()?.required_literals()
}

fn build_set(chain: usize, builder: PrefilterSetBuilder) -> Option<PrefilterSet> {
    match builder.build() {
        Ok(set) => Some(set),
        Err(error) => {
            tracing::warn!(waf.chain = chain, %error, "waf prefilter not built, rules run unfiltered");
            None
        }
    }
}
