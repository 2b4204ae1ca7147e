//! Parsing of the short duration strings used in the config (`250ms`, `6h`, `1d12h`).

use std::time::Duration;

/// Longest accepted duration text; anything longer is refused before parsing.
const MAX_LEN: usize = 32;

/// Parses `<number><unit>` groups (units `ms`, `s`, `m`, `h`, `d`, `w`), e.g. `1d12h`.
///
/// Returns a short reason on failure, for the caller to wrap with the config path.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text.is_empty() || text.len() > MAX_LEN {
        return Err("expected something like 250ms, 30s, 5m, 6h, 2d or 1w".into());
    }
    let mut total: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(format!("expected a number at {rest:?}"));
        }
        let number: u64 = rest[..digits].parse().map_err(|_| "number too large".to_string())?;
        rest = &rest[digits..];
        let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let millis = unit_millis(&rest[..unit_len])?;
        rest = &rest[unit_len..];
        let part = number.checked_mul(millis).ok_or_else(|| "duration too large".to_string())?;
        total = total.checked_add(part).ok_or_else(|| "duration too large".to_string())?;
    }
    Ok(Duration::from_millis(total))
}

/// Milliseconds in one of the accepted units.
fn unit_millis(unit: &str) -> Result<u64, String> {
    match unit {
        "ms" => Ok(1),
        "s" => Ok(1_000),
        "m" => Ok(60_000),
        "h" => Ok(3_600_000),
        "d" => Ok(86_400_000),
        "w" => Ok(604_800_000),
        "" => Err("missing unit (ms, s, m, h, d or w)".into()),
        other => Err(format!("unknown unit {other:?} (use ms, s, m, h, d or w)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_single_and_compound_units() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("6h"), Ok(Duration::from_secs(6 * 3600)));
        assert_eq!(parse_duration("1d12h"), Ok(Duration::from_secs(36 * 3600)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
    }

    #[test]
    fn refuses_malformed_text() {
        assert!(parse_duration("").is_err());
        assert!(parse_duration("12").is_err());
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("3y").is_err());
        assert!(parse_duration("99999999999999999999d").is_err());
    }
}
