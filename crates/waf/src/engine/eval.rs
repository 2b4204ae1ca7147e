//! Runs a phase: walks its rules, evaluates each rule and chain, applies what matched.

use std::borrow::Cow;

use rampart_waf_ops::{CandidateBits, Captures, CompileContext, Operator};

use super::cache::{Chain, Seen, TransformCache};
use super::transaction::{RemovedTarget, Transaction};
use super::types::{Intervention, InterventionAction, RuleMatch};
use super::vars::Value;
use crate::config::Entry;
use crate::rule::action::{AllowScope, Disruptive};
use crate::rule::{EngineMode, Exclusion, Rule, Variable};

/// One value that satisfied a rule's operator.
struct Hit {
    name: String,
    /// The value after transformations (what MATCHED_VAR holds in ModSecurity v3).
    value: Vec<u8>,
    captures: Option<Captures>,
}

/// What became of one (link, value) pair.
enum Verdict {
    /// The prefilter proved the operator cannot match; it was not run.
    Skipped,
    /// The operator ran (and matched when there is a hit).
    Tested(Option<Box<Hit>>),
}

/// What a matched rule asks of the phase loop.
enum Flow {
    Continue,
    Skip(u32),
    SkipAfter(String),
    StopPhase,
}

impl Transaction<'_> {
    /// Runs the rules of `phase` unless the engine is off or the transaction already ended.
    pub(crate) fn run_phase(&mut self, phase: u8) -> Option<Intervention> {
        let engine = self.engine;
        let index = phase as usize;
        if self.mode == EngineMode::Off || self.intervention.is_some() || self.phases_run[index] {
            return None;
        }
        self.phases_run[index] = true;
        self.transform_cache.clear();
        if self.allow_all || (self.allow_request && phase <= 2) {
            return None;
        }

        let entries = &engine.rules.phases[index];
        let mut skip = 0u32;
        let mut skip_after: Option<String> = None;
        for entry in entries {
            let rule = match entry {
                Entry::Marker(name) => {
                    if skip_after.as_deref() == Some(&**name) {
                        skip_after = None;
                    }
                    continue;
                }
                Entry::Rule(rule) => rule,
            };
            if skip_after.is_some() || self.is_removed(rule) {
                continue;
            }
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let flow = self.eval_rule(rule, phase);
            if self.intervention.is_some() {
                return self.intervention.clone();
            }
            match flow {
                Flow::Continue => {}
                Flow::Skip(n) => skip = n,
                Flow::SkipAfter(marker) => skip_after = Some(marker),
                Flow::StopPhase => break,
            }
        }
        None
    }

    fn is_removed(&self, rule: &Rule) -> bool {
        let id = rule.id();
        self.removed_ids.iter().any(|r| r.contains(id))
            || self.removed_tags.iter().any(|t| rule.has_tag(t))
            || (!self.removed_msgs.is_empty()
                && rule
                    .actions
                    .msg
                    .as_ref()
                    .and_then(|m| m.as_literal())
                    .is_some_and(|m| self.removed_msgs.contains(&m)))
    }

    fn eval_rule(&mut self, head: &Rule, phase: u8) -> Flow {
        self.matched_vars.clear();
        self.current_rule_id = head.id();
        if !self.eval_link(head, head) {
            return Flow::Continue;
        }
        self.record_match(head, phase);
        let flow = self.disrupt(head, phase);
        if !matches!(flow, Flow::Continue) {
            return flow;
        }
        if let Some(marker) = &head.actions.skip_after {
            return Flow::SkipAfter(marker.clone());
        }
        if head.actions.skip > 0 {
            return Flow::Skip(head.actions.skip);
        }
        Flow::Continue
    }

    /// Evaluates one link and, when it matches, the rest of its chain.
    fn eval_link(&mut self, link: &Rule, head: &Rule) -> bool {
        let Some(hits) = self.hits(link, head) else { return false };
        if hits.is_empty() {
            return false;
        }
        for hit in hits {
            self.apply_hit(link, head, hit);
        }
        match &link.chain {
            Some(next) => self.eval_link(next, head),
            None => true,
        }
    }

    fn apply_hit(&mut self, link: &Rule, head: &Rule, hit: Hit) {
        if !hit.name.is_empty() {
            self.matched_vars.push((hit.name.clone(), hit.value.clone()));
            self.matched_var = (hit.name, hit.value);
        }
        if let Some(captures) = hit.captures {
            for (i, value) in captures.iter() {
                self.set_tx(&i.to_string(), value.to_vec());
            }
        }
        self.run_actions(link, head);
    }

    /// The values of `link` that satisfy its operator; None when the operator cannot compile.
    fn hits(&mut self, link: &Rule, head: &Rule) -> Option<Vec<Hit>> {
        let dynamic = self.dynamic_operator(link, head)?;
        let op = match &link.operator.compiled {
            Some(op) => op,
            None => self.operators.get(&dynamic)?,
        };

        let mut values = Vec::new();
        if link.targets.targets.is_empty() {
            values.push(Value {
                prefix: "",
                key: None,
                value: Cow::Borrowed(&b""[..]),
                stable: false,
            });
        } else {
            let exclusions = self.exclusions(link, head);
            let excluded = |v: Variable, key: &str| exclusions.iter().any(|e| e.excludes(v, key));
            for target in &link.targets.targets {
                self.resolve(target, head, &excluded, &mut values);
            }
        }

        let negated = link.operator.negated;
        let capture = link.actions.capture && !negated && op.supports_capture();
        let prefilters = &self.engine.prefilters;
        let slot = prefilters.slot(link.link_id);
        let chain = Chain {
            id: link.chain_id,
            transforms: &link.transforms,
            mask: prefilters.mask(link.chain_id),
            prefilter: slot.and(prefilters.set()),
        };
        let test = Test { op, chain, slot, negated, capture };
        let mut hits = Vec::new();
        let mut stats = self.stats;
        for value in values {
            stats.values_tested += 1;
            let verdict = if link.actions.multi_match {
                test.multi(value, &self.transform_cache)
            } else {
                test.single(value, &self.transform_cache)
            };
            match verdict {
                Verdict::Skipped => stats.prefilter_skips += 1,
                Verdict::Tested(hit) => {
                    stats.operators_run += 1;
                    hits.extend(hit.map(|h| *h));
                }
            }
        }
        self.stats = stats;
        Some(hits)
    }

    /// Compiles (once per transaction) an operator whose parameter holds macros; returns the
    /// cache key, or an empty key for static operators.
    fn dynamic_operator(&mut self, link: &Rule, head: &Rule) -> Option<(usize, String)> {
        if link.operator.compiled.is_some() {
            return Some((0, String::new()));
        }
        let param = self.expand_text(&link.operator.param, head);
        let key = (link as *const Rule as usize, param);
        if !self.operators.contains_key(&key) {
            let base =
                std::path::Path::new(&*link.file).parent().unwrap_or(std::path::Path::new("."));
            let ctx = CompileContext { base_dir: base };
            match Operator::compile(&link.operator.name, &key.1, &ctx) {
                Ok(op) => {
                    self.operators.insert(key.clone(), op);
                }
                Err(e) => {
                    let id = head.id();
                    tracing::warn!(waf.rule_id = id, error = %e, "waf operator did not compile");
                    return None;
                }
            }
        }
        Some(key)
    }

    /// The exclusions that apply to `link`: its own and those ctl removed at run time for
    /// its rule (decided once per evaluation, not per value).
    fn exclusions<'a>(&'a self, link: &'a Rule, head: &Rule) -> Vec<&'a Exclusion> {
        let id = head.id();
        let removed = self.removed_targets.iter().filter_map(|r| match r {
            RemovedTarget::Ids(ids, e) => ids.iter().any(|r| r.contains(id)).then_some(e),
            RemovedTarget::Tag(tag, e) => head.has_tag(tag).then_some(e),
        });
        link.targets.exclusions.iter().chain(removed).collect()
    }

    fn record_match(&mut self, head: &Rule, phase: u8) {
        let a = &head.actions;
        if let Some(s) = a.severity {
            self.highest_severity = Some(self.highest_severity.map_or(s, |h| h.min(s)));
        }
        let msg = a.msg.as_ref().map(|m| self.expand_text(m, head)).unwrap_or_default();
        let logdata = a.logdata.as_ref().map(|m| self.expand_text(m, head)).unwrap_or_default();
        self.matches.push(RuleMatch {
            rule_id: head.id(),
            phase,
            msg,
            logdata,
            severity: a.severity,
            tags: a.tags.clone(),
            variable: self.matched_var.0.clone(),
            value: self.matched_var.1.clone(),
            logged: head.log,
        });
    }

    fn disrupt(&mut self, head: &Rule, phase: u8) -> Flow {
        let default = self.engine.rules.default_actions[phase as usize].as_ref();
        let mut action = head.actions.disruptive.clone().unwrap_or(Disruptive::Pass);
        let mut status = head.actions.status;
        if action == Disruptive::Block {
            action = default.and_then(|d| d.disruptive.clone()).unwrap_or(Disruptive::Pass);
            status = status.or(default.and_then(|d| d.status));
            if action == Disruptive::Block {
                action = Disruptive::Pass;
            }
        }
        let kind = match action {
            Disruptive::Pass | Disruptive::Block => return Flow::Continue,
            Disruptive::Allow(scope) => return self.allow(scope),
            Disruptive::Deny => InterventionAction::Deny,
            Disruptive::Drop => InterventionAction::Drop,
            Disruptive::Redirect(url) => InterventionAction::Redirect(self.expand_text(&url, head)),
        };
        if self.mode != EngineMode::On {
            return Flow::Continue;
        }
        let fallback = if matches!(kind, InterventionAction::Redirect(_)) { 302 } else { 403 };
        let status = status.unwrap_or(fallback);
        tracing::info!(waf.rule_id = head.id(), waf.status = status, "waf rule denied the request");
        self.intervention = Some(Intervention { status, action: kind, rule_id: head.id() });
        Flow::StopPhase
    }

    fn allow(&mut self, scope: AllowScope) -> Flow {
        match scope {
            AllowScope::All => self.allow_all = true,
            AllowScope::Request => self.allow_request = true,
            AllowScope::Phase => {}
        }
        Flow::StopPhase
    }
}

/// An operator with its transformations, applied to one value at a time.
struct Test<'a> {
    op: &'a Operator,
    chain: Chain<'a>,
    /// The link's slot in its chain's prefilter set, when it is prefiltered.
    slot: Option<usize>,
    negated: bool,
    capture: bool,
}

impl Test<'_> {
    fn check(&self, input: &[u8]) -> (bool, Option<Captures>) {
        if !self.capture {
            return (self.op.matches(input, None) != self.negated, None);
        }
        let mut captures = Captures::new();
        let matched = self.op.matches(input, Some(&mut captures)) != self.negated;
        (matched, Some(captures))
    }

    /// Whether the prefilter proves the operator cannot match what it sees.
    fn ruled_out(&self, seen: &Seen<'_>) -> bool {
        match (self.slot, seen.candidates) {
            (Some(slot), Some(candidates)) => !candidates.contains(slot),
            _ => false,
        }
    }

    /// Transforms the value (through the transaction's cache) and applies the operator once,
    /// unless the prefilter proves it cannot match; the hit's name and value are built only
    /// on a match.
    fn single(&self, value: Value<'_>, cache: &TransformCache) -> Verdict {
        cache.with(self.chain, &value.value, value.stable, |seen| {
            if self.ruled_out(&seen) {
                return Verdict::Skipped;
            }
            Verdict::Tested(self.hit(&value, seen.bytes))
        })
    }

    /// The hit when the operator matches `bytes` (the value as transformed).
    fn hit(&self, value: &Value<'_>, bytes: &[u8]) -> Option<Box<Hit>> {
        let (matched, captures) = self.check(bytes);
        matched.then(|| Box::new(Hit { name: value.name(), value: bytes.to_vec(), captures }))
    }

    /// multiMatch: applies the operator to the value and after every transformation that
    /// changes it. When no transformation changes it, that is one test of the value, which
    /// the prefilter may rule out.
    fn multi(&self, value: Value<'_>, cache: &TransformCache) -> Verdict {
        let unchanged = cache.with(self.chain, &value.value, value.stable, |seen| {
            if !seen.unchanged {
                return None;
            }
            if self.ruled_out(&seen) {
                return Some(Verdict::Skipped);
            }
            Some(Verdict::Tested(self.hit(&value, seen.bytes)))
        });
        match unchanged {
            Some(verdict) => verdict,
            None => self.each_step(&value, cache),
        }
    }

    /// multiMatch on a value the chain changes: the value, then every changed step, each
    /// unless the prefilter rules it out.
    fn each_step(&self, value: &Value<'_>, cache: &TransformCache) -> Verdict {
        let raw = Chain { transforms: &[], mask: Some(0), ..self.chain };
        let skip_raw = cache.with(raw, &value.value, value.stable, |seen| self.ruled_out(&seen));
        let mut ran = !skip_raw;
        if !skip_raw {
            if let Some(hit) = self.hit(value, &value.value) {
                return Verdict::Tested(Some(hit));
            }
        }
        let mut current: Cow<'_, [u8]> = Cow::Borrowed(&value.value);
        let mut scratch = CandidateBits::new();
        for t in self.chain.transforms {
            let next = t.apply(current.clone()).into_owned();
            if next.as_slice() == current.as_ref() {
                continue;
            }
            current = Cow::Owned(next);
            if self.step_ruled_out(&current, &mut scratch) {
                continue;
            }
            ran = true;
            if let Some(hit) = self.hit(value, &current) {
                return Verdict::Tested(Some(hit));
            }
        }
        if ran {
            Verdict::Tested(None)
        } else {
            Verdict::Skipped
        }
    }

    /// Whether the prefilter proves the operator cannot match an intermediate value.
    fn step_ruled_out(&self, bytes: &[u8], scratch: &mut CandidateBits) -> bool {
        let (Some(slot), Some(set)) = (self.slot, self.chain.prefilter) else { return false };
        set.candidates(bytes, scratch);
        !scratch.contains(slot)
    }
}
