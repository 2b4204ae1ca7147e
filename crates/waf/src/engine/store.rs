//! Persistent collections (IP, GLOBAL, SESSION, USER, RESOURCE) kept in memory, bounded.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

/// Most records kept; the oldest-touched record is evicted beyond this.
pub const MAX_RECORDS: usize = 10_000;
/// Most variables kept per record.
pub const MAX_VARS_PER_RECORD: usize = 512;

/// One stored record: its variables and their expiry times (UNIX seconds).
#[derive(Debug, Clone, Default)]
pub struct Record {
    /// Variables by lower-case name.
    pub vars: BTreeMap<String, Vec<u8>>,
    /// Expiry times by variable name.
    pub expiry: BTreeMap<String, u64>,
    /// When the record was last written.
    pub touched: u64,
}

impl Record {
    /// Drops variables whose expiry has passed.
    pub fn expire(&mut self, now: u64) {
        let dead: Vec<String> =
            self.expiry.iter().filter(|(_, &t)| t <= now).map(|(k, _)| k.clone()).collect();
        for key in dead {
            self.vars.remove(&key);
            self.expiry.remove(&key);
        }
    }
}

/// The shared store of persistent collections, keyed by (collection, key).
#[derive(Debug, Default)]
pub struct Store {
    records: Mutex<HashMap<(String, String), Record>>,
}

impl Store {
    /// A copy of the record, with expired variables dropped; empty when unknown.
    pub fn load(&self, collection: &str, key: &str, now: u64) -> Record {
        let Ok(records) = self.records.lock() else { return Record::default() };
        let mut record =
            records.get(&(collection.to_string(), key.to_string())).cloned().unwrap_or_default();
        record.expire(now);
        record
    }

    /// Writes the record back, evicting the least recently written record when full.
    pub fn save(&self, collection: &str, key: &str, mut record: Record, now: u64) {
        let Ok(mut records) = self.records.lock() else { return };
        record.touched = now;
        while record.vars.len() > MAX_VARS_PER_RECORD {
            let Some(first) = record.vars.keys().next().cloned() else { break };
            record.vars.remove(&first);
        }
        let id = (collection.to_string(), key.to_string());
        if !records.contains_key(&id) && records.len() >= MAX_RECORDS {
            let oldest = records.iter().min_by_key(|(_, r)| r.touched).map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                records.remove(&oldest);
            }
        }
        records.insert(id, record);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_loads_and_expires() {
        let store = Store::default();
        let mut r = Record::default();
        r.vars.insert("a".into(), b"1".to_vec());
        r.vars.insert("b".into(), b"2".to_vec());
        r.expiry.insert("b".into(), 100);
        store.save("IP", "1.2.3.4", r, 50);
        let got = store.load("IP", "1.2.3.4", 99);
        assert_eq!(got.vars.len(), 2);
        let got = store.load("IP", "1.2.3.4", 100);
        assert_eq!(got.vars.len(), 1);
        assert!(store.load("IP", "5.6.7.8", 0).vars.is_empty());
    }
}
