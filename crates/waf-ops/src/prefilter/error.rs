//! Errors building a prefilter set.

/// Why a [`PrefilterSet`](super::PrefilterSet) could not be built.
#[derive(Debug, thiserror::Error)]
pub enum PrefilterError {
    /// A slot number beyond what a rule set can hold.
    #[error("prefilter slot {slot} is out of range: at most {max} slots are supported")]
    SlotOutOfRange {
        /// The slot passed to `add`.
        slot: usize,
        /// The largest slot number allowed plus one.
        max: usize,
    },
    /// The literal automaton could not be built (too many or too long literals).
    #[error("prefilter automaton over {literals} literals could not be built: {reason}")]
    Automaton {
        /// How many distinct literals the set holds.
        literals: usize,
        /// The automaton builder's reason.
        reason: String,
    },
}
