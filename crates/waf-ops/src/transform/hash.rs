//! `t:sha1` and `t:md5`: raw binary digests (not hex), as ModSecurity produces them.

use md5::{Digest as _, Md5};
use sha1::Sha1;

/// The 20-byte SHA-1 digest of `input`.
pub(super) fn sha1(input: &[u8]) -> Vec<u8> {
    Sha1::digest(input).to_vec()
}

/// The 16-byte MD5 digest of `input`.
pub(super) fn md5(input: &[u8]) -> Vec<u8> {
    Md5::digest(input).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_raw_bytes() {
        let d = sha1(b"abc");
        assert_eq!(d.len(), 20);
        assert_eq!(&d[..4], &[0xa9, 0x99, 0x3e, 0x36]);
        let m = md5(b"");
        assert_eq!(&m[..4], &[0xd4, 0x1d, 0x8c, 0xd9]);
    }
}
