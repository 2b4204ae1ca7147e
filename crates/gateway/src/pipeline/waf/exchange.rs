//! A WAF transaction kept open from the request to the response.
//!
//! The engine's [`Transaction`] borrows its engine, while the request context that carries it
//! from the request stage to the response stage owns its fields; the transaction is therefore
//! stored next to an `Arc` of its engine in one self-referential cell (the `self_cell` crate).

use std::sync::{Arc, Mutex, PoisonError};

use rampart_waf::{Transaction, WafEngine};

self_cell::self_cell!(
    /// A transaction together with the engine it borrows.
    pub(super) struct OpenTransaction {
        owner: Arc<WafEngine>,

        #[covariant]
        dependent: Transaction,
    }
);

impl OpenTransaction {
    /// Starts a transaction on a shared engine.
    pub(super) fn start(engine: Arc<WafEngine>, info: rampart_waf::TransactionInfo) -> Self {
        Self::new(engine, |engine| engine.transaction(info))
    }

    /// Runs `f` on the transaction.
    pub(super) fn with<R>(&mut self, f: impl FnOnce(&mut Transaction<'_>) -> R) -> R {
        self.with_dependent_mut(|_, tx| f(tx))
    }

    /// The transaction, to read.
    pub(super) fn get(&self) -> &Transaction<'_> {
        self.borrow_dependent()
    }
}

/// The state a WAF stage keeps in the request context between the request and the response.
///
/// The transaction is not `Sync` (it caches per request), while the context is shared by
/// reference across awaits; the mutex makes the exchange `Sync` and is never locked: it is
/// only reached through `&mut` ([`Mutex::get_mut`]).
pub struct WafExchange {
    tx: Mutex<OpenTransaction>,
    /// Index in the context's events of the `waf` event the request phases recorded, so the
    /// response phases complete that event instead of adding a second one.
    pub(super) event_index: Option<usize>,
}

impl WafExchange {
    pub(super) fn new(tx: OpenTransaction, event_index: Option<usize>) -> Self {
        Self { tx: Mutex::new(tx), event_index }
    }

    /// The open transaction.
    pub(super) fn tx(&mut self) -> &mut OpenTransaction {
        self.tx.get_mut().unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for WafExchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WafExchange")
            .field("event_index", &self.event_index)
            .finish_non_exhaustive()
    }
}
