//! API keys: generation, the keys file of digests, and hot-path lookup.

mod file;
mod index;
mod secret;

pub use file::{parse_expiry, KeyRecord, KeysFile, MAX_FILE_BYTES};
pub use index::{ApiKey, ApiKeyIndex, KeyUsage};
pub use secret::{ApiKeySecret, KEY_PREFIX};
