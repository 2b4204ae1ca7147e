//! The hot-path view of the keys file: lookup by digest, enable/disable without reload.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::Serialize;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use super::file::KeysFile;
use super::secret::{decode_digest, digest, KEY_PREFIX};
use crate::compile::{CompiledLimits, Plan};
use crate::decision::PolicyUsage;
use crate::error::{ApiKeyError, StoreError};
use crate::key::Attributes;
use crate::limiter::Limiter;

/// Longest presented key considered; longer input is refused before hashing.
const MAX_PRESENTED: usize = 128;

/// One loaded API key.
#[derive(Debug)]
pub struct ApiKey {
    /// Public id.
    pub id: String,
    /// The bound usage plan.
    pub plan: Arc<Plan>,
    /// Creation time.
    pub created: OffsetDateTime,
    /// Expiry, if any.
    pub expires: Option<OffsetDateTime>,
    digest: [u8; 32],
    enabled: AtomicBool,
}

impl ApiKey {
    /// Whether the key is enabled now.
    pub fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Acquire)
    }

    /// Whether the key has expired at `now_nanos`.
    pub fn expired(&self, now_nanos: u64) -> bool {
        let now = i128::from(now_nanos);
        self.expires.is_some_and(|at| at.unix_timestamp_nanos() <= now)
    }

    /// Counters and remaining quota of this key's plan policies.
    pub async fn usage(&self, limiter: &Limiter) -> Result<KeyUsage, StoreError> {
        let attrs = Attributes::for_api_key(&self.id);
        let policies = limiter.usage(&self.plan.policies, &attrs).await?;
        Ok(KeyUsage {
            id: self.id.clone(),
            plan: self.plan.name.to_string(),
            enabled: self.enabled(),
            expires: self.expires,
            policies,
        })
    }
}

/// The body of `GET /keys/{id}/usage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyUsage {
    /// Key id.
    pub id: String,
    /// Plan name.
    pub plan: String,
    /// Whether the key is enabled.
    pub enabled: bool,
    /// Expiry, if any (RFC 3339).
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires: Option<OffsetDateTime>,
    /// One entry per plan policy (throttle, then quotas).
    pub policies: Vec<PolicyUsage>,
}

/// All keys, indexed by the first eight bytes of their digest and by id.
#[derive(Debug, Default)]
pub struct ApiKeyIndex {
    by_prefix: HashMap<u64, Vec<Arc<ApiKey>>>,
    by_id: HashMap<String, Arc<ApiKey>>,
}

impl ApiKeyIndex {
    /// Builds the index; every key's plan must exist in `limits`.
    pub fn build(file: &KeysFile, limits: &CompiledLimits) -> Result<Self, ApiKeyError> {
        let mut index = Self::default();
        for (i, record) in file.keys.iter().enumerate() {
            let plan = limits.plan(&record.plan).ok_or_else(|| ApiKeyError::UnknownPlan {
                path: format!("keys[{i}].plan"),
                plan: record.plan.clone(),
            })?;
            let digest = decode_digest(&record.hash).ok_or_else(|| ApiKeyError::Invalid {
                path: format!("keys[{i}].hash"),
                message: "expected sha256:<64 hex digits>".into(),
            })?;
            let key = Arc::new(ApiKey {
                id: record.id.clone(),
                plan: Arc::clone(plan),
                created: record.created,
                expires: record.expires,
                digest,
                enabled: AtomicBool::new(record.enabled),
            });
            index.by_prefix.entry(prefix(&digest)).or_default().push(Arc::clone(&key));
            index.by_id.insert(record.id.clone(), key);
        }
        Ok(index)
    }

    /// Finds the key a request presented; refuses unknown, disabled and expired keys.
    ///
    /// The map lookup uses the digest's first eight bytes, which reveal nothing about
    /// the key; the full digest is then compared in constant time.
    pub fn authenticate(
        &self,
        presented: &str,
        now_nanos: u64,
    ) -> Result<Arc<ApiKey>, ApiKeyError> {
        if presented.len() > MAX_PRESENTED || !presented.starts_with(KEY_PREFIX) {
            return Err(ApiKeyError::Malformed);
        }
        let digest = digest(presented);
        let candidates = self.by_prefix.get(&prefix(&digest)).ok_or(ApiKeyError::Unknown)?;
        let key = candidates
            .iter()
            .find(|k| bool::from(k.digest.ct_eq(&digest)))
            .ok_or(ApiKeyError::Unknown)?;
        if !key.enabled() {
            return Err(ApiKeyError::Disabled { id: key.id.clone() });
        }
        if key.expired(now_nanos) {
            return Err(ApiKeyError::Expired { id: key.id.clone() });
        }
        Ok(Arc::clone(key))
    }

    /// A key by id (admin API).
    pub fn get(&self, id: &str) -> Option<&Arc<ApiKey>> {
        self.by_id.get(id)
    }

    /// Enables or disables a key at once, without a reload. Persist the change with
    /// [`KeysFile::set_enabled`] and [`KeysFile::save`] so it survives a restart.
    pub fn set_enabled(&self, id: &str, enabled: bool) -> Result<(), ApiKeyError> {
        let key = self.get(id).ok_or_else(|| ApiKeyError::UnknownId { id: id.to_string() })?;
        key.enabled.store(enabled, Ordering::Release);
        Ok(())
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

fn prefix(digest: &[u8; 32]) -> u64 {
    let mut head = [0u8; 8];
    head.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(head)
}
