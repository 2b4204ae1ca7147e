//! How worth searching for a literal is: rarity estimates for ordinary request values.
//!
//! Ordinary bytes weigh 1; bytes that benign values seldom hold (`<`, `$`, `{`, `\`, quotes,
//! `;`, `&`, parentheses, control bytes ...) weigh 3. A literal is worth searching for from
//! weight 3 on, so `select`, `../`, `<`, `'`, `;` and `\n` qualify and `on`, `or` or `/.`
//! (found in most values, they would make the rule a candidate anyway) do not.

/// The least [`weight`] of a literal worth searching for: three ordinary bytes, or one rare.
const MIN_WEIGHT: usize = 3;

/// How much a rare or semi-rare byte weighs (an ordinary byte weighs 1).
const RARE_WEIGHT: usize = 3;

/// Bytes that benign parameter values, paths and headers seldom contain: markup, shell and
/// template punctuation, and control bytes. (`*`, `@`, `#`, `~`, `%`, `&` are common in
/// `Accept` headers, e-mail addresses, URLs and prose; non-ASCII bytes in non-English text.)
fn is_rare(b: u8) -> bool {
    matches!(b, b'<' | b'>' | b'$' | b'{' | b'}' | b'[' | b']' | b'\\' | b'`' | b'^' | b'|')
        || b.is_ascii_control()
}

/// Quotes, `;`, `&` and parentheses: absent from most values, so one alone is worth
/// searching for (injection patterns often require nothing else), but common in prose and
/// headers, so they count as ordinary bytes when conditions are compared ([`cost`]).
fn is_semi_rare(b: u8) -> bool {
    matches!(b, b'\'' | b'"' | b';' | b'&' | b'(' | b')')
}

/// How unlikely a literal is to occur in an ordinary value, in "ordinary bytes".
fn weight(literal: &[u8]) -> usize {
    let byte = |b: u8| if is_rare(b) || is_semi_rare(b) { RARE_WEIGHT } else { 1 };
    literal.iter().map(|&b| byte(b)).sum()
}

/// Whether `literal` is rare enough in ordinary values to be worth searching for.
pub(super) fn worth_searching(literal: &[u8]) -> bool {
    weight(literal) >= MIN_WEIGHT
}

/// An estimate of how often a literal occurs in ordinary text: 4^-bits, where an ordinary
/// or semi-rare byte counts 1 (text carries about two bits per byte) and a rare byte 3, capped
/// at 8. A condition costs the sum over its literals; lower is more selective, and `union`
/// (one literal) beats `union\s` (six, one per space byte) only thanks to the tie-break in
/// `literals::better`.
pub(super) fn cost(literal: &[u8]) -> f64 {
    let byte = |b: u8| if is_rare(b) { RARE_WEIGHT } else { 1 };
    let bits: usize = literal.iter().map(|&b| byte(b)).sum();
    4f64.powi(-i32::try_from(bits.min(8)).unwrap_or(8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rare_bytes_and_quotes_weigh_more() {
        assert!(worth_searching(b"sel") && worth_searching(b"<") && worth_searching(b"'"));
        assert!(worth_searching(b";") && worth_searching(b"&") && worth_searching(b")"));
        assert!(worth_searching(b"\n") && worth_searching(b"\\u"));
        assert!(!worth_searching(b"on") && !worth_searching(b"/.") && !worth_searching(b"@"));
        assert!(!worth_searching(b"\xbc") && !worth_searching(b""));
    }

    #[test]
    fn semi_rare_bytes_cost_like_ordinary_ones() {
        assert_eq!(cost(b"'"), cost(b"a"));
        assert_eq!(cost(b"(;"), cost(b"ab"));
        assert!(cost(b"<") < cost(b"ab"));
        assert!(cost(b"select") < cost(b"sel"));
        assert_eq!(cost(b"information_schema"), cost(b"informat"));
    }
}
