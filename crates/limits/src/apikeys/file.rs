//! The keys file: one record per key, holding its digest, never the key.
//!
//! YAML by default, JSON when the file name ends in `.json`:
//!
//! ```yaml
//! keys:
//!   - id: key_5f0c2a9e41d7b3c8
//!     hash: sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
//!     plan: gold
//!     created: 2026-12-03T13:00:00Z
//!     expires: 2027-12-03T13:00:00Z   # optional
//!     enabled: true                   # default true
//! ```

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::secret::{decode_digest, digest, encode_digest, generate, ApiKeySecret};
use crate::duration::parse_duration;
use crate::error::ApiKeyError;

/// Largest keys file accepted (about 50,000 keys).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// One API key's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRecord {
    /// Public identifier, shown in events, logs and the admin API.
    pub id: String,
    /// `sha256:<hex>` digest of the key.
    pub hash: String,
    /// The usage plan the key is bound to.
    pub plan: String,
    /// When the key was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    /// When the key stops working. Default: never.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expires: Option<OffsetDateTime>,
    /// Whether the key may be used. Default: true.
    #[serde(default = "enabled_default")]
    pub enabled: bool,
}

fn enabled_default() -> bool {
    true
}

/// The whole keys file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeysFile {
    /// Every key, in creation order.
    #[serde(default)]
    pub keys: Vec<KeyRecord>,
}

impl KeysFile {
    /// Reads and validates a keys file; a missing file is an empty one (first `keys create`).
    pub fn load(path: &Path) -> Result<Self, ApiKeyError> {
        let shown = path.display().to_string();
        let io = |source| ApiKeyError::Io { path: shown.clone(), source };
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(err) => return Err(io(err)),
        };
        if metadata.len() > MAX_FILE_BYTES {
            return Err(ApiKeyError::TooLarge { path: shown, max: MAX_FILE_BYTES });
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        let file = Self::parse(&text, is_json(path))
            .map_err(|message| ApiKeyError::Invalid { path: shown.clone(), message })?;
        file.validate().map_err(|message| ApiKeyError::Invalid { path: shown, message })?;
        Ok(file)
    }

    /// Writes the file atomically (temporary file in the same directory, then rename),
    /// readable by the owner only.
    pub fn save(&self, path: &Path) -> Result<(), ApiKeyError> {
        let shown = path.display().to_string();
        let io = |source| ApiKeyError::Io { path: shown.clone(), source };
        let text = self
            .render(is_json(path))
            .map_err(|message| ApiKeyError::Invalid { path: shown.clone(), message })?;
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let temp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let mut file = open_private(&temp).map_err(io)?;
        file.write_all(text.as_bytes()).and_then(|()| file.sync_all()).map_err(io)?;
        std::fs::rename(&temp, path).map_err(io)
    }

    /// Creates a key on `plan`, appends its record, and returns the plaintext (show it
    /// once; it cannot be recovered) with the record. Callers check the plan exists first
    /// ([`crate::CompiledLimits::require_plan`]).
    pub fn create_key(
        &mut self,
        plan: &str,
        expires: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Result<(ApiKeySecret, KeyRecord), ApiKeyError> {
        let (secret, id) = generate()?;
        let record = KeyRecord {
            id,
            hash: encode_digest(&digest(secret.expose())),
            plan: plan.to_string(),
            created: now,
            expires,
            enabled: true,
        };
        self.keys.push(record.clone());
        Ok((secret, record))
    }

    /// Enables or disables a key by id.
    pub fn set_enabled(&mut self, id: &str, enabled: bool) -> Result<(), ApiKeyError> {
        let record = self
            .keys
            .iter_mut()
            .find(|r| r.id == id)
            .ok_or_else(|| ApiKeyError::UnknownId { id: id.to_string() })?;
        record.enabled = enabled;
        Ok(())
    }

    /// Removes a key by id (revocation that survives re-enabling mistakes).
    pub fn remove(&mut self, id: &str) -> Result<KeyRecord, ApiKeyError> {
        let index = self
            .keys
            .iter()
            .position(|r| r.id == id)
            .ok_or_else(|| ApiKeyError::UnknownId { id: id.to_string() })?;
        Ok(self.keys.remove(index))
    }

    fn parse(text: &str, json: bool) -> Result<Self, String> {
        if json {
            let mut de = serde_json::Deserializer::from_str(text);
            return serde_path_to_error::deserialize(&mut de)
                .map_err(|err| format!("{}: {}", err.path(), err.inner()));
        }
        let de = serde_yaml_ng::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de)
            .map_err(|err| format!("{}: {}", err.path(), err.inner()))
    }

    fn render(&self, json: bool) -> Result<String, String> {
        if json {
            return serde_json::to_string_pretty(self).map_err(|err| err.to_string());
        }
        serde_yaml_ng::to_string(self).map_err(|err| err.to_string())
    }

    fn validate(&self) -> Result<(), String> {
        let mut ids = HashSet::new();
        for (i, record) in self.keys.iter().enumerate() {
            if !ids.insert(record.id.as_str()) {
                return Err(format!("keys[{i}].id: duplicate id {:?}", record.id));
            }
            if decode_digest(&record.hash).is_none() {
                return Err(format!("keys[{i}].hash: expected sha256:<64 hex digits>"));
            }
        }
        Ok(())
    }
}

/// `rampart keys create --plan PLAN [--expires WHEN]` in one call: checks the plan exists in
/// `limits`, parses the expiry, appends the record and saves the file. Print the returned
/// secret once; only its digest is stored.
pub fn create_in_file(
    path: &Path,
    plan: &str,
    expires: Option<&str>,
    limits: &crate::CompiledLimits,
    now: OffsetDateTime,
) -> Result<(ApiKeySecret, KeyRecord), ApiKeyError> {
    if limits.plan(plan).is_none() {
        return Err(ApiKeyError::UnknownPlan { path: "--plan".into(), plan: plan.to_string() });
    }
    let expires = expires.map(|value| parse_expiry(value, now)).transpose()?;
    let mut file = KeysFile::load(path)?;
    let created = file.create_key(plan, expires, now)?;
    file.save(path)?;
    Ok(created)
}

/// Enables or disables a key in the file and saves it (the admin API also flips the
/// loaded [`crate::ApiKeyIndex`] so the change applies at once).
pub fn set_enabled_in_file(path: &Path, id: &str, enabled: bool) -> Result<(), ApiKeyError> {
    let mut file = KeysFile::load(path)?;
    file.set_enabled(id, enabled)?;
    file.save(path)
}

/// Parses `--expires`: a duration from `now` (`30d`, `12h`) or an RFC 3339 time.
pub fn parse_expiry(value: &str, now: OffsetDateTime) -> Result<OffsetDateTime, ApiKeyError> {
    let bad = || ApiKeyError::BadExpiry { value: value.to_string() };
    if let Ok(at) = OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339) {
        return Ok(at);
    }
    let after = parse_duration(value).map_err(|_| bad())?;
    let after = time::Duration::try_from(after).map_err(|_| bad())?;
    now.checked_add(after).ok_or_else(bad)
}

fn is_json(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("json"))
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::create(path)
}
