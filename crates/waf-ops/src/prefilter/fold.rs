//! ASCII case folding of a syntax tree, so literals are extracted once, in lower case.
//!
//! `(?i)select` is, to the literal extractor, 64 spellings of `select`; a longer word exceeds
//! its limits and is cut short. The prefilter's automaton ignores ASCII case anyway, so the
//! tree is folded first: every literal byte and every class is mapped to ASCII lower case.
//!
//! Why this keeps the condition sound: if the original tree matches `m` somewhere in an
//! input, the folded tree matches `lower(m)` at the same place in `lower(input)` (a byte in
//! a class has its lower case in the folded class; word boundaries and line anchors do not
//! change under ASCII lower-casing). So a literal every folded match contains occurs in
//! `lower(input)`, that is, in `input` ignoring ASCII case, which is what the automaton
//! searches for.

use regex_syntax::hir::{Capture, Class, ClassBytes, ClassBytesRange, Hir, HirKind, Repetition};

/// The ASCII-lower-cased tree, or `None` when it holds a Unicode class (only reachable with
/// an explicit `(?u)`; not worth a condition).
pub(super) fn fold(hir: &Hir) -> Option<Hir> {
    Some(match hir.kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Look(look) => Hir::look(*look),
        HirKind::Literal(lit) => Hir::literal(lit.0.to_ascii_lowercase()),
        HirKind::Class(Class::Bytes(class)) => Hir::class(Class::Bytes(fold_class(class))),
        HirKind::Class(Class::Unicode(_)) => return None,
        HirKind::Repetition(rep) => Hir::repetition(Repetition {
            min: rep.min,
            max: rep.max,
            greedy: rep.greedy,
            sub: Box::new(fold(&rep.sub)?),
        }),
        HirKind::Capture(cap) => Hir::capture(Capture {
            index: cap.index,
            name: cap.name.clone(),
            sub: Box::new(fold(&cap.sub)?),
        }),
        HirKind::Concat(subs) => Hir::concat(fold_all(subs)?),
        HirKind::Alternation(subs) => Hir::alternation(fold_all(subs)?),
    })
}

fn fold_all(subs: &[Hir]) -> Option<Vec<Hir>> {
    subs.iter().map(fold).collect()
}

/// The class of the ASCII lower cases of the bytes of `class`: its upper-case letters are
/// replaced by their lower cases.
fn fold_class(class: &ClassBytes) -> ClassBytes {
    let upper = ClassBytes::new([ClassBytesRange::new(b'A', b'Z')]);
    let mut letters = class.clone();
    letters.intersect(&upper);
    let lowered = letters.iter().map(|r| ClassBytesRange::new(r.start() + 32, r.end() + 32));

    let mut folded = class.clone();
    folded.difference(&upper);
    folded.union(&ClassBytes::new(lowered));
    folded
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex_syntax::ParserBuilder;

    fn parse(p: &str) -> Hir {
        ParserBuilder::new().unicode(false).utf8(false).build().parse(p).unwrap()
    }

    #[test]
    fn folds_literals_and_classes() {
        assert_eq!(fold(&parse("(?i)SeLeCt")).unwrap(), parse("select"));
        assert_eq!(fold(&parse("[A-C]x")).unwrap(), parse("[a-c]x"));
        assert_eq!(fold(&parse(r"\bA+\xC3")).unwrap(), parse(r"\ba+\xC3"));
        assert_eq!(fold(&parse("[^a-z]")).unwrap(), parse("[^A-Z]"));
    }

    #[test]
    fn unicode_class_gives_up() {
        let hir = ParserBuilder::new().build().parse(r"(?u)\w").unwrap();
        assert!(fold(&hir).is_none());
    }
}
