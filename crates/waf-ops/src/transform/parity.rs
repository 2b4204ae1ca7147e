//! `t:parityEven7bit`, `t:parityOdd7bit`, `t:parityZero7bit`: set the high bit of each byte
//! as a parity bit (computed, as in ModSecurity, over the whole byte as received).

/// Which parity the high bit encodes.
#[derive(Clone, Copy)]
pub(super) enum Parity {
    Even,
    Odd,
    Zero,
}

/// Rewrites bit 7 of every byte.
pub(super) fn apply(input: &[u8], parity: Parity) -> Option<Vec<u8>> {
    let out = input
        .iter()
        .map(|&x| {
            let odd_ones = x.count_ones() % 2 == 1;
            let high = match parity {
                Parity::Even => odd_ones,
                Parity::Odd => !odd_ones,
                Parity::Zero => false,
            };
            if high {
                x | 0x80
            } else {
                x & 0x7f
            }
        })
        .collect();
    super::changed(input, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parity_bits() {
        // 'a' = 0x61 has three ones; 'c' = 0x63 has four.
        assert_eq!(apply(b"ac", Parity::Even).as_deref(), Some(&b"\xe1c"[..]));
        assert_eq!(apply(b"ac", Parity::Odd).as_deref(), Some(&b"a\xe3"[..]));
        assert_eq!(apply(b"\xe1c", Parity::Zero).as_deref(), Some(&b"ac"[..]));
        assert_eq!(apply(b"ac", Parity::Zero), None);
    }
}
