//! API keys: generation, the keys file of digests, and hot-path lookup.

mod file;
mod index;
mod secret;

pub use file::{
    create_in_file, parse_expiry, set_enabled_in_file, KeyRecord, KeysFile, MAX_FILE_BYTES,
};
pub use index::{ApiKey, ApiKeyIndex, KeyUsage};
pub use secret::{ApiKeySecret, KEY_PREFIX};
