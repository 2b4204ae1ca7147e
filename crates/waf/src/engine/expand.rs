//! Macro expansion (`%{tx.score}`) and the TIME variables.

use std::borrow::Cow;

use super::transaction::Transaction;
use crate::rule::macros::Piece;
use crate::rule::{MacroString, Rule, Selector, Target, Variable};

impl Transaction<'_> {
    /// Expands a macro string; a reference to something unset expands to nothing.
    pub(crate) fn expand(&self, text: &MacroString, rule: &Rule) -> Vec<u8> {
        let mut out = Vec::new();
        for piece in &text.pieces {
            match piece {
                Piece::Literal(s) => out.extend_from_slice(s.as_bytes()),
                Piece::Var(v, key) => {
                    if let Some(value) = self.first_value(*v, key.as_deref(), rule) {
                        out.extend_from_slice(&value);
                    }
                }
            }
        }
        out
    }

    /// Expands to text, replacing invalid UTF-8.
    pub(crate) fn expand_text(&self, text: &MacroString, rule: &Rule) -> String {
        match text.as_literal() {
            Some(s) => s,
            None => String::from_utf8_lossy(&self.expand(text, rule)).into_owned(),
        }
    }

    fn first_value(&self, v: Variable, key: Option<&str>, rule: &Rule) -> Option<Vec<u8>> {
        if !v.is_collection() {
            return self.scalar(v).map(Cow::into_owned);
        }
        let selector = match key {
            Some(k) => Selector::Key(k.to_string()),
            None => Selector::All,
        };
        let target = Target { variable: v, selector, count: false };
        let mut out = Vec::new();
        self.resolve(&target, rule, &|_, _| false, &mut out);
        out.into_iter().next().map(|value| value.value.into_owned())
    }
}

/// A TIME variable's value for a UNIX time in microseconds, in UTC.
pub(crate) fn time_var(v: Variable, micros: u64) -> String {
    let secs = micros / 1_000_000;
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    let (hour, min, sec) = (rem / 3600, rem % 3600 / 60, rem % 60);
    match v {
        Variable::TimeEpoch => secs.to_string(),
        Variable::TimeYear => year.to_string(),
        Variable::TimeMon => format!("{month:02}"),
        Variable::TimeDay => format!("{day:02}"),
        Variable::TimeHour => format!("{hour:02}"),
        Variable::TimeMin => format!("{min:02}"),
        Variable::TimeSec => format!("{sec:02}"),
        Variable::TimeWday => (((secs / 86_400) + 4) % 7).to_string(),
        _ => format!("{year}{month:02}{day:02}{hour:02}{min:02}{sec:02}"),
    }
}

/// Converts days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_variables_from_a_fixed_clock() {
        // 2026-12-03 13:45:07 UTC, a Thursday.
        let micros = 1_796_305_507 * 1_000_000;
        assert_eq!(time_var(Variable::TimeYear, micros), "2026");
        assert_eq!(time_var(Variable::TimeMon, micros), "12");
        assert_eq!(time_var(Variable::TimeDay, micros), "03");
        assert_eq!(time_var(Variable::TimeHour, micros), "13");
        assert_eq!(time_var(Variable::TimeWday, micros), "4");
    }
}
