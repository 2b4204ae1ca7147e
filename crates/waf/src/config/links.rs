//! Numbers every rule link and interns its transformation chain at load, so that the engine
//! keys per-transaction caches by small integers instead of hashing or comparing chains.

use std::collections::HashMap;

use rampart_waf_ops::Transform;

use crate::rule::Rule;

/// Hands out link ids in load order and one chain id per distinct transformation chain.
#[derive(Debug, Default)]
pub(super) struct LinkNumbering {
    ids: HashMap<Vec<Transform>, usize>,
    chains: Vec<Vec<Transform>>,
    links: usize,
}

impl LinkNumbering {
    /// Numbers `rule` and every link of its chain (their transforms must be final).
    pub(super) fn assign(&mut self, rule: &mut Rule) {
        let mut link = Some(rule);
        while let Some(r) = link {
            r.link_id = self.links;
            self.links += 1;
            r.chain_id = self.intern(&r.transforms);
            link = r.chain.as_deref_mut();
        }
    }

    fn intern(&mut self, chain: &[Transform]) -> usize {
        if let Some(&id) = self.ids.get(chain) {
            return id;
        }
        let id = self.chains.len();
        self.chains.push(chain.to_vec());
        self.ids.insert(chain.to_vec(), id);
        id
    }

    /// The distinct chains by id, and the number of links.
    pub(super) fn finish(self) -> (Vec<Vec<Transform>>, usize) {
        (self.chains, self.links)
    }
}
