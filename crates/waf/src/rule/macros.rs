//! Macro strings: text with `%{COLLECTION.key}` references, parsed once at load.

use super::variable::Variable;
use crate::parser::ParseError;

/// A piece of a macro string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Text taken as is.
    Literal(String),
    /// A variable reference, with its key lower-cased when the variable is a collection.
    Var(Variable, Option<String>),
}

/// A string that may reference variables, expanded per transaction.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MacroString {
    /// The pieces in order.
    pub pieces: Vec<Piece>,
}

impl MacroString {
    /// Parses `text`; an unknown variable inside `%{...}` is an error.
    pub fn parse(text: &str) -> Result<MacroString, ParseError> {
        let mut pieces = Vec::new();
        let mut rest = text;

        while let Some(start) = rest.find("%{") {
            let Some(len) = rest[start..].find('}') else { break };
            if start > 0 {
                pieces.push(Piece::Literal(rest[..start].to_string()));
            }
            pieces.push(reference(&rest[start + 2..start + len])?);
            rest = &rest[start + len + 1..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Literal(rest.to_string()));
        }
        Ok(MacroString { pieces })
    }

    /// The text when there is no reference in it.
    pub fn as_literal(&self) -> Option<String> {
        match self.pieces.as_slice() {
            [] => Some(String::new()),
            [Piece::Literal(s)] => Some(s.clone()),
            _ => None,
        }
    }

    /// Whether the string references any variable.
    pub fn is_dynamic(&self) -> bool {
        self.pieces.iter().any(|p| matches!(p, Piece::Var(..)))
    }
}

fn reference(inner: &str) -> Result<Piece, ParseError> {
    let (name, key) = match inner.split_once(['.', ':']) {
        Some((name, key)) => (name, Some(key.to_ascii_lowercase())),
        None => (inner, None),
    };
    let variable = Variable::from_name(&name.trim().to_ascii_uppercase())
        .ok_or_else(|| ParseError::UnknownVariable(format!("%{{{inner}}}")))?;
    Ok(Piece::Var(variable, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references_and_literals() {
        let m = MacroString::parse("a %{tx.Score} b %{MATCHED_VAR}").unwrap();
        assert_eq!(
            m.pieces,
            vec![
                Piece::Literal("a ".into()),
                Piece::Var(Variable::Tx, Some("score".into())),
                Piece::Literal(" b ".into()),
                Piece::Var(Variable::MatchedVar, None),
            ]
        );
        assert!(m.is_dynamic());
    }

    #[test]
    fn rejects_unknown_variable() {
        let err = MacroString::parse("%{nope.x}").unwrap_err();
        assert_eq!(err.to_string(), "unknown variable `%{nope.x}`");
    }
}
