//! Runs a matched rule's non-disruptive actions: setvar, expirevar, ctl, initcol, setenv.

use super::transaction::Transaction;
use crate::rule::action::{RuntimeAction, SetVar, SetVarOp};
use crate::rule::{Rule, Variable};

/// Most TX variables one transaction may hold (rules can name variables after input).
const MAX_TX_VARS: usize = 4096;

impl Transaction<'_> {
    pub(crate) fn run_actions(&mut self, link: &Rule, head: &Rule) {
        for action in &link.actions.runtime {
            match action {
                RuntimeAction::SetVar(sv) => self.setvar(sv, head),
                RuntimeAction::Ctl(ctl) => self.apply_ctl(ctl),
                RuntimeAction::ExpireVar(collection, key, seconds) => {
                    let key = lower(self.expand_text(key, head));
                    let at = self.started_micros / 1_000_000 + seconds;
                    if let Some((_, record)) = self.persistent.get_mut(collection) {
                        record.expiry.insert(key, at);
                    }
                }
                RuntimeAction::InitCol(collection, key) => {
                    let key = self.expand_text(key, head);
                    self.init_collection(*collection, key);
                }
                RuntimeAction::SetUid(key) => {
                    let key = self.expand_text(key, head);
                    self.init_collection(Variable::User, key);
                }
                RuntimeAction::SetSid(key) => {
                    let key = self.expand_text(key, head);
                    self.init_collection(Variable::Session, key);
                }
                RuntimeAction::SetEnv(name, value) => {
                    let name = self.expand_text(name, head);
                    let value = self.expand(value, head);
                    if self.env.len() < MAX_TX_VARS {
                        self.env.insert(lower(name), value);
                    }
                }
            }
        }
    }

    fn setvar(&mut self, sv: &SetVar, head: &Rule) {
        let key = lower(self.expand_text(&sv.key, head));
        let value = match sv.op {
            SetVarOp::Delete => Vec::new(),
            _ => self.expand(&sv.value, head),
        };
        let Some(map) = self.collection_mut(sv.collection) else {
            tracing::debug!(
                waf.rule_id = head.id(),
                "waf setvar on a collection never initialised"
            );
            return;
        };
        match sv.op {
            SetVarOp::Delete => {
                map.remove(&key);
            }
            SetVarOp::Set => insert_bounded(map, key, value),
            SetVarOp::Add | SetVarOp::Sub => {
                let current = map.get(&key).map_or(0, |v| number(v));
                let delta = number(&value);
                let next = if sv.op == SetVarOp::Add {
                    current.saturating_add(delta)
                } else {
                    current.saturating_sub(delta)
                };
                insert_bounded(map, key, next.to_string().into_bytes());
            }
        }
    }

    pub(crate) fn set_tx(&mut self, key: &str, value: Vec<u8>) {
        insert_bounded(&mut self.tx, key.to_ascii_lowercase(), value);
    }

    fn collection_mut(
        &mut self,
        v: Variable,
    ) -> Option<&mut std::collections::BTreeMap<String, Vec<u8>>> {
        if v == Variable::Tx {
            return Some(&mut self.tx);
        }
        self.persistent.get_mut(&v).map(|(_, record)| &mut record.vars)
    }

    fn init_collection(&mut self, v: Variable, key: String) {
        if self.persistent.contains_key(&v) {
            return;
        }
        let now = self.started_micros / 1_000_000;
        let record = self.engine.store.load(v.name(), &key, now);
        self.persistent.insert(v, (key, record));
    }

    pub(crate) fn save_persistent(&mut self) {
        let now = self.started_micros / 1_000_000;
        for (v, (key, record)) in std::mem::take(&mut self.persistent) {
            self.engine.store.save(v.name(), &key, record, now);
        }
    }
}

fn lower(s: String) -> String {
    s.to_ascii_lowercase()
}

/// Parses a setvar operand as ModSecurity does: leading integer, anything else is 0.
fn number(v: &[u8]) -> i64 {
    let text = String::from_utf8_lossy(v);
    let text = text.trim();
    text.parse().unwrap_or_else(|_| {
        let end = text
            .char_indices()
            .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
            .map_or(text.len(), |(i, _)| i);
        text[..end].parse().unwrap_or(0)
    })
}

fn insert_bounded(
    map: &mut std::collections::BTreeMap<String, Vec<u8>>,
    key: String,
    value: Vec<u8>,
) {
    if map.len() >= MAX_TX_VARS && !map.contains_key(&key) {
        return;
    }
    map.insert(key, value);
}
