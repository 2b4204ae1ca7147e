//! Splits an action list (`id:1,phase:2,msg:'a, b',t:none`) into names and values.

use super::ParseError;

/// One action as written: the name and the value with single quotes removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAction {
    /// The action name, as written.
    pub name: String,
    /// The value after the colon, if any.
    pub value: Option<String>,
}

/// Splits a comma-separated action list; a value in single quotes may hold commas and `\'`.
pub fn parse_actions(text: &str) -> Result<Vec<RawAction>, ParseError> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();

    loop {
        skip_separators(&mut chars);
        if chars.peek().is_none() {
            return Ok(out);
        }
        let name = take_until(&mut chars, |c| c == ':' || c == ',');
        let name = name.trim().to_string();
        let value = if chars.peek() == Some(&':') {
            chars.next();
            Some(value(&mut chars, &name)?)
        } else {
            None
        };
        out.push(RawAction { name, value });
    }
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn skip_separators(chars: &mut Chars<'_>) {
    while let Some(&c) = chars.peek() {
        if c != ',' && !c.is_whitespace() {
            break;
        }
        chars.next();
    }
}

fn take_until(chars: &mut Chars<'_>, stop: impl Fn(char) -> bool) -> String {
    let mut s = String::new();
    while let Some(&c) = chars.peek() {
        if stop(c) {
            break;
        }
        s.push(c);
        chars.next();
    }
    s
}

fn value(chars: &mut Chars<'_>, name: &str) -> Result<String, ParseError> {
    while chars.peek().is_some_and(|c| c.is_whitespace()) {
        chars.next();
    }
    if chars.peek() != Some(&'\'') {
        return Ok(take_until(chars, |c| c == ',').trim_end().to_string());
    }
    chars.next();
    let mut s = String::new();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'\'') => {
                chars.next();
                s.push('\'');
            }
            '\'' => {
                // Anything between the closing quote and the next comma is ignored.
                take_until(chars, |c| c == ',');
                return Ok(s);
            }
            other => s.push(other),
        }
    }
    Err(ParseError::UnterminatedActionQuote(name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(name: &str, value: Option<&str>) -> RawAction {
        RawAction { name: name.into(), value: value.map(Into::into) }
    }

    #[test]
    fn splits_quoted_and_plain_values() {
        let got = parse_actions("id:1, phase:2,msg:'a, b \\'c\\'',t:none ,chain").unwrap();
        assert_eq!(
            got,
            vec![
                pair("id", Some("1")),
                pair("phase", Some("2")),
                pair("msg", Some("a, b 'c'")),
                pair("t", Some("none")),
                pair("chain", None),
            ]
        );
    }

    #[test]
    fn keeps_setvar_expressions() {
        let got = parse_actions("setvar:'tx.score=+%{tx.critical_anomaly_score}'").unwrap();
        assert_eq!(got, vec![pair("setvar", Some("tx.score=+%{tx.critical_anomaly_score}"))]);
    }

    #[test]
    fn reports_unterminated_quote() {
        let err = parse_actions("msg:'abc").unwrap_err();
        assert_eq!(err.to_string(), "unterminated single quote in action `msg`");
    }
}
