//! Splits SecLang text into directives: line continuations, comments and quoted arguments.

use super::ParseError;

/// One directive as written: its name, its arguments (quotes removed) and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawDirective {
    /// The directive name as written (`SecRule`).
    pub name: String,
    /// The arguments with surrounding double quotes removed and `\"` unescaped.
    pub args: Vec<String>,
    /// The 1-based line where the directive starts.
    pub line: usize,
}

/// Splits `text` into directives, joining lines that end with a backslash.
pub fn directives(text: &str) -> Result<Vec<RawDirective>, (usize, ParseError)> {
    let mut out = Vec::new();
    let mut pending = String::new();
    let mut start = 0;

    for (index, raw_line) in text.lines().enumerate() {
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        if pending.is_empty() {
            start = index + 1;
            let trimmed = line.trim_start();
            if trimmed.starts_with('#') || trimmed.is_empty() {
                continue;
            }
        }
        if let Some(body) = line.strip_suffix('\\') {
            pending.push_str(body);
            continue;
        }
        pending.push_str(line);
        push_directive(&mut out, &pending, start)?;
        pending.clear();
    }
    if !pending.is_empty() {
        push_directive(&mut out, &pending, start)?;
    }
    Ok(out)
}

fn push_directive(
    out: &mut Vec<RawDirective>,
    text: &str,
    line: usize,
) -> Result<(), (usize, ParseError)> {
    let mut tokens = tokenize(text).map_err(|e| (line, e))?;
    if tokens.is_empty() {
        return Ok(());
    }
    let name = tokens.remove(0);
    out.push(RawDirective { name, args: tokens, line });
    Ok(())
}

/// Splits one logical line into whitespace-separated arguments; a double-quoted argument may hold
/// spaces and `\"`; other backslash sequences are kept for the operator or action parser.
fn tokenize(text: &str) -> Result<Vec<String>, ParseError> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();

    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if c == '"' {
            chars.next();
            tokens.push(quoted(&mut chars)?);
            continue;
        }
        let mut token = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            token.push(c);
            chars.next();
        }
        tokens.push(token);
    }
    Ok(tokens)
}

fn quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<String, ParseError> {
    let mut token = String::new();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('"') => token.push('"'),
                Some(other) => {
                    token.push('\\');
                    token.push(other);
                }
                None => token.push('\\'),
            },
            '"' => return Ok(token),
            other => token.push(other),
        }
    }
    Err(ParseError::UnterminatedQuote)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_continuations_and_skips_comments() {
        let text = concat!(
            "# comment\nSecRule ARGS \"@rx a\\\"b\" \\\n",
            "    \"id:1,\\\n    pass\"\n\nSecMarker END\n"
        );
        let dirs = directives(text).unwrap();
        assert_eq!(dirs.len(), 2);
        assert_eq!(dirs[0].name, "SecRule");
        assert_eq!(dirs[0].args, vec!["ARGS", "@rx a\"b", "id:1,    pass"]);
        assert_eq!(dirs[0].line, 2);
        assert_eq!(dirs[1].line, 6);
    }

    #[test]
    fn keeps_regex_backslashes() {
        let dirs = directives(r#"SecRule ARGS "@rx \d+\.x" "id:1""#).unwrap();
        assert_eq!(dirs[0].args[1], r"@rx \d+\.x");
    }

    #[test]
    fn reports_unterminated_quote() {
        let err = directives("SecRule ARGS \"@rx a").unwrap_err();
        assert_eq!(err.0, 1);
        assert_eq!(err.1, ParseError::UnterminatedQuote);
    }
}
