//! Random strings built from a pattern's syntax tree, so most of them match it: the inputs a
//! soundness test needs (random text almost never matches a CRS pattern).

use regex_syntax::hir::{Class, Hir, HirKind};

/// A small deterministic generator (xorshift64*).
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n > 0`).
    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Bytes often found around an attack: letters of both cases, digits, punctuation, spaces.
const CONTEXT: &[u8] = b"aZ9 _-'\"();=<>/\\.,:!\n\t%&+*|@$";

/// A string that the tree would match if every look-around held, with random context before
/// and after, and with the case of some letters flipped.
pub(super) fn sample(hir: &Hir, rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    context(&mut out, rng);
    walk(hir, rng, &mut out, 0);
    context(&mut out, rng);
    if rng.below(4) == 0 {
        for b in &mut out {
            if rng.below(3) == 0 {
                *b = if b.is_ascii_lowercase() {
                    b.to_ascii_uppercase()
                } else {
                    b.to_ascii_lowercase()
                };
            }
        }
    }
    out
}

fn context(out: &mut Vec<u8>, rng: &mut Rng) {
    for _ in 0..rng.below(4) {
        out.push(CONTEXT[rng.below(CONTEXT.len())]);
    }
}

fn walk(hir: &Hir, rng: &mut Rng, out: &mut Vec<u8>, depth: usize) {
    if out.len() > 4096 || depth > 200 {
        return;
    }
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => out.extend_from_slice(&lit.0),
        HirKind::Class(Class::Bytes(class)) => {
            let ranges = class.ranges();
            if !ranges.is_empty() {
                let r = ranges[rng.below(ranges.len())];
                let span = usize::from(r.end() - r.start()) + 1;
                out.push(r.start() + rng.below(span) as u8);
            }
        }
        HirKind::Class(Class::Unicode(class)) => {
            if let Some(r) = class.ranges().first() {
                let mut buf = [0; 4];
                out.extend_from_slice(r.start().encode_utf8(&mut buf).as_bytes());
            }
        }
        HirKind::Repetition(rep) => {
            let extra = rep.max.map_or(3, |max| (max - rep.min).min(3)) as usize;
            let count = rep.min.min(8) as usize + rng.below(extra + 1);
            for _ in 0..count {
                walk(&rep.sub, rng, out, depth + 1);
            }
        }
        HirKind::Capture(cap) => walk(&cap.sub, rng, out, depth + 1),
        HirKind::Concat(parts) => parts.iter().for_each(|p| walk(p, rng, out, depth + 1)),
        HirKind::Alternation(branches) => {
            walk(&branches[rng.below(branches.len())], rng, out, depth + 1)
        }
    }
}
