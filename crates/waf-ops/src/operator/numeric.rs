//! Numeric comparisons `@eq @ne @gt @ge @lt @le` with ModSecurity's integer parsing.
//!
//! ModSecurity parses both sides per call: `@eq` (and `@ne`) with `std::stoi` (a value that
//! is not a number or overflows `int` counts as 0), the others with `atoll` (leading
//! whitespace and sign, digits up to the first non-digit, saturating at the `long long`
//! limits). rampart parses the parameter once at compile time with the same rules.

/// Which comparison to run.
#[derive(Debug, Clone, Copy)]
enum Cmp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

/// A compiled numeric comparison.
#[derive(Debug, Clone)]
pub(super) struct Numeric {
    cmp: Cmp,
    param: i64,
}

impl Numeric {
    /// Builds the comparison `name` (canonical) against `param`.
    pub(super) fn new(name: &str, param: &str) -> Numeric {
        let cmp = match name {
            "eq" => Cmp::Eq,
            "ne" => Cmp::Ne,
            "gt" => Cmp::Gt,
            "ge" => Cmp::Ge,
            "lt" => Cmp::Lt,
            _ => Cmp::Le,
        };
        let param = match cmp {
            Cmp::Eq | Cmp::Ne => stoi(param.as_bytes()),
            _ => atoll(param.as_bytes()),
        };
        Numeric { cmp, param }
    }

    /// Compares `input` (parsed like the parameter) with the parameter.
    pub(super) fn matches(&self, input: &[u8]) -> bool {
        let p = self.param;
        match self.cmp {
            Cmp::Eq => stoi(input) == p,
            Cmp::Ne => stoi(input) != p,
            Cmp::Gt => atoll(input) > p,
            Cmp::Ge => atoll(input) >= p,
            Cmp::Lt => atoll(input) < p,
            Cmp::Le => atoll(input) <= p,
        }
    }
}

/// Sign and digits after C whitespace; `None` when there is no digit.
fn leading_integer(s: &[u8]) -> Option<(bool, &[u8])> {
    let start = s.iter().position(|&c| !crate::transform::is_c_space(c))?;
    let s = &s[start..];
    let (negative, rest) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    (digits > 0).then(|| (negative, &rest[..digits]))
}

/// Accumulates digits; `None` on `i64` overflow.
fn digits_value(negative: bool, digits: &[u8]) -> Option<i64> {
    digits.iter().try_fold(0i64, |acc, &d| {
        let d = i64::from(d - b'0');
        let acc = acc.checked_mul(10)?;
        if negative {
            acc.checked_sub(d)
        } else {
            acc.checked_add(d)
        }
    })
}

/// C's `atoll` (glibc: saturating on overflow); 0 when there is no number.
pub(crate) fn atoll(s: &[u8]) -> i64 {
    let Some((negative, digits)) = leading_integer(s) else {
        return 0;
    };
    digits_value(negative, digits).unwrap_or(if negative { i64::MIN } else { i64::MAX })
}

/// C++'s `std::stoi` with ModSecurity's `catch (...) { 0 }`: 0 when there is no number or it
/// does not fit in a 32-bit `int`.
pub(crate) fn stoi(s: &[u8]) -> i64 {
    leading_integer(s)
        .and_then(|(negative, digits)| digits_value(negative, digits))
        .filter(|v| i32::try_from(*v).is_ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(name: &str, param: &str, input: &str) -> bool {
        Numeric::new(name, param).matches(input.as_bytes())
    }

    #[test]
    fn parsing_rules() {
        assert_eq!(atoll(b"  -12abc"), -12);
        assert_eq!(atoll(b"abc"), 0);
        assert_eq!(atoll(b"99999999999999999999"), i64::MAX);
        assert_eq!(stoi(b"\t+7 "), 7);
        assert_eq!(stoi(b"3000000000"), 0);
        assert_eq!(stoi(b"x1"), 0);
    }

    #[test]
    fn comparisons() {
        assert!(m("eq", "0", "abc"));
        assert!(m("eq", "5", " 5 apples"));
        assert!(m("ne", "0", "1"));
        assert!(m("gt", "5", "6"));
        assert!(!m("gt", "5", "5"));
        assert!(m("ge", "5", "5"));
        assert!(m("lt", "5", "-1"));
        assert!(m("le", "5", "5x"));
        assert!(m("lt", "1", ""));
    }
}
