//! `@verifyCC`: a regex finds candidate card numbers, the Luhn checksum confirms them.

use super::regex::Rx;
use super::{Captures, OperatorError};

/// A compiled `@verifyCC`.
#[derive(Debug, Clone)]
pub(super) struct VerifyCc {
    candidates: Rx,
}

impl VerifyCc {
    /// Compiles the candidate pattern.
    pub(super) fn compile(pattern: &str) -> Result<VerifyCc, OperatorError> {
        Ok(VerifyCc { candidates: Rx::compile(pattern)? })
    }

    /// Whether some candidate passes the Luhn check (it becomes capture group 0). As in
    /// ModSecurity, the search restarts one byte after each rejected candidate's start.
    pub(super) fn matches(&self, input: &[u8], captures: Option<&mut Captures>) -> bool {
        let mut offset = 0;
        while offset < input.len() {
            let Some((start, end)) = self.candidates.find_at(input, offset) else {
                return false;
            };
            if luhn_valid(&input[start..end]) {
                if let Some(c) = captures {
                    c.set(0, &input[start..end]);
                }
                return true;
            }
            offset = start + 1;
        }
        false
    }
}

/// The Luhn checksum over the digits of `candidate` (other bytes are ignored); no digit is
/// not valid.
fn luhn_valid(candidate: &[u8]) -> bool {
    let digits: Vec<u32> =
        candidate.iter().filter(|c| c.is_ascii_digit()).map(|&c| u32::from(c - b'0')).collect();
    if digits.is_empty() {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn() {
        assert!(luhn_valid(b"4111 1111 1111 1111"));
        assert!(luhn_valid(b"79927398713"));
        assert!(!luhn_valid(b"4111111111111112"));
        assert!(!luhn_valid(b"no digits"));
    }

    #[test]
    fn finds_a_valid_card_among_candidates() {
        let op = VerifyCc::compile(r"\d{13,16}").unwrap();
        let mut caps = Captures::new();
        assert!(op.matches(b"order 1234567812345678 card 4111111111111111", Some(&mut caps)));
        assert_eq!(caps.get(0), Some(&b"4111111111111111"[..]));
        assert!(!op.matches(b"order 1234567812345678", None));
        // A valid number inside a longer invalid run is found by restarting one byte later.
        assert!(op.matches(b"94111111111111111", None));
    }
}
