//! The compiled, immutable set of authorization policies and Istio's evaluation order.

use std::collections::HashMap;
use std::sync::Arc;

use crate::attrs::RequestAttributes;
use crate::decision::{CustomMatch, Decision, PolicyMatch, Reason};
use crate::rule::Rule;
use crate::spec::Action;

/// One compiled policy.
#[derive(Debug, Clone)]
pub(crate) struct CompiledPolicy {
    /// Unique name (`namespace/name` for Istio policies).
    pub(crate) name: Arc<str>,
    /// The action.
    pub(crate) action: Action,
    /// The provider of a CUSTOM policy.
    pub(crate) provider: Option<Arc<str>>,
    /// Evaluate and report only.
    pub(crate) dry_run: bool,
    /// Where it applies.
    pub(crate) scope: Scope,
    /// The rules; none means the policy never matches.
    pub(crate) rules: Vec<Rule>,
}

impl CompiledPolicy {
    /// The index of the first rule the request matches.
    fn first_match(&self, attrs: &RequestAttributes<'_>) -> Option<usize> {
        self.rules.iter().position(|rule| rule.matches(attrs))
    }
}

/// The targets a policy applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Every target.
    All,
    /// Only these targets (possibly none: an Istio policy that selects no mapped workload).
    Targets(Vec<String>),
}

/// Indices of the policies of one target, by action, in configuration order.
#[derive(Debug, Clone, Default)]
struct Buckets {
    custom: Vec<usize>,
    deny: Vec<usize>,
    allow: Vec<usize>,
    audit: Vec<usize>,
    dry_run: Vec<usize>,
}

impl Buckets {
    /// Files a policy under its action.
    fn add(&mut self, index: usize, policy: &CompiledPolicy) {
        let bucket = match (policy.dry_run, policy.action) {
            (true, _) => &mut self.dry_run,
            (false, Action::Custom) => &mut self.custom,
            (false, Action::Deny) => &mut self.deny,
            (false, Action::Allow) => &mut self.allow,
            (false, Action::Audit) => &mut self.audit,
        };
        bucket.push(index);
    }
}

/// All authorization policies, compiled and indexed by target. Immutable; build a new one to
/// reload.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    policies: Vec<CompiledPolicy>,
    by_target: HashMap<String, Buckets>,
    everywhere: Buckets,
}

impl PolicySet {
    /// Indexes compiled policies by target.
    pub(crate) fn new(policies: Vec<CompiledPolicy>) -> Self {
        let mut everywhere = Buckets::default();
        let mut by_target: HashMap<String, Buckets> = HashMap::new();
        for policy in &policies {
            if let Scope::Targets(targets) = &policy.scope {
                for target in targets {
                    by_target.entry(target.clone()).or_default();
                }
            }
        }

        for (index, policy) in policies.iter().enumerate() {
            match &policy.scope {
                Scope::All => {
                    everywhere.add(index, policy);
                    by_target.values_mut().for_each(|b| b.add(index, policy));
                }
                Scope::Targets(targets) => targets.iter().for_each(|target| {
                    if let Some(buckets) = by_target.get_mut(target) {
                        buckets.add(index, policy);
                    }
                }),
            }
        }
        Self { policies, by_target, everywhere }
    }

    /// Evaluates the policies that apply to `target` in Istio's order: CUSTOM policies are
    /// collected (the gateway calls their providers first), then any matching DENY policy
    /// denies, then, if ALLOW policies apply, one of them must match; AUDIT and dry-run
    /// policies are only recorded.
    pub fn evaluate(&self, target: &str, attrs: &RequestAttributes<'_>) -> Decision {
        let buckets = self.by_target.get(target).unwrap_or(&self.everywhere);
        let mut decision = self.decide(buckets, attrs);
        decision.custom = self.custom_matches(&buckets.custom, attrs);
        decision.audit = self.matches(&buckets.audit, attrs);
        decision.dry_run = self.matches(&buckets.dry_run, attrs);
        decision
    }

    /// Applies DENY, then ALLOW.
    fn decide(&self, buckets: &Buckets, attrs: &RequestAttributes<'_>) -> Decision {
        if let Some((policy, rule)) = self.first_match(&buckets.deny, attrs) {
            return verdict(false, Some((policy, rule)), Reason::DenyPolicyMatched);
        }
        if buckets.allow.is_empty() {
            return verdict(true, None, Reason::NoAllowPolicies);
        }
        match self.first_match(&buckets.allow, attrs) {
            Some(found) => verdict(true, Some(found), Reason::AllowPolicyMatched),
            None => verdict(false, None, Reason::NoAllowPolicyMatched),
        }
    }

    /// The first policy among `indices` with a matching rule.
    fn first_match(
        &self,
        indices: &[usize],
        attrs: &RequestAttributes<'_>,
    ) -> Option<(&CompiledPolicy, usize)> {
        self.policies_at(indices).find_map(|p| p.first_match(attrs).map(|rule| (p, rule)))
    }

    /// Every policy among `indices` with a matching rule.
    fn matches(&self, indices: &[usize], attrs: &RequestAttributes<'_>) -> Vec<PolicyMatch> {
        self.policies_at(indices)
            .filter_map(|p| {
                let rule = p.first_match(attrs)?;
                Some(PolicyMatch { policy: p.name.clone(), rule, action: p.action })
            })
            .collect()
    }

    /// Every CUSTOM policy among `indices` with a matching rule.
    fn custom_matches(&self, indices: &[usize], attrs: &RequestAttributes<'_>) -> Vec<CustomMatch> {
        self.policies_at(indices)
            .filter_map(|p| {
                let rule = p.first_match(attrs)?;
                let provider = p.provider.clone()?;
                Some(CustomMatch { policy: p.name.clone(), rule, provider })
            })
            .collect()
    }

    /// The policies at `indices`.
    fn policies_at<'s, 'i>(
        &'s self,
        indices: &'i [usize],
    ) -> impl Iterator<Item = &'s CompiledPolicy> + use<'s, 'i> {
        indices.iter().filter_map(|&index| self.policies.get(index))
    }

    /// The distinct providers of the enforced CUSTOM policies that apply to `target`, in
    /// order: the external authorizers its requests may be sent to.
    pub fn custom_providers(&self, target: &str) -> Vec<Arc<str>> {
        let buckets = self.by_target.get(target).unwrap_or(&self.everywhere);
        let mut providers: Vec<Arc<str>> = Vec::new();
        for policy in self.policies_at(&buckets.custom) {
            if let Some(name) = &policy.provider {
                if !providers.contains(name) {
                    providers.push(name.clone());
                }
            }
        }
        providers
    }

    /// True when at least one enforced ALLOW policy applies to `target`: requests to it are
    /// then denied unless an ALLOW rule matches.
    pub fn has_allow_policies(&self, target: &str) -> bool {
        !self.by_target.get(target).unwrap_or(&self.everywhere).allow.is_empty()
    }

    /// Names of policies that apply to no target (Istio policies whose selector matched no
    /// mapped workload), so the gateway can warn about them.
    pub fn unmapped(&self) -> impl Iterator<Item = &str> {
        self.policies.iter().filter_map(|p| match &p.scope {
            Scope::Targets(targets) if targets.is_empty() => Some(&*p.name),
            _ => None,
        })
    }

    /// The number of policies.
    pub fn len(&self) -> usize {
        self.policies.len()
    }

    /// True when there are no policies: every request is allowed.
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }
}

/// A decision without custom, audit or dry-run matches.
fn verdict(allowed: bool, found: Option<(&CompiledPolicy, usize)>, reason: Reason) -> Decision {
    Decision {
        allowed,
        policy: found.map(|(policy, _)| policy.name.clone()),
        rule: found.map(|(_, rule)| rule),
        reason,
        custom: Vec::new(),
        audit: Vec::new(),
        dry_run: Vec::new(),
    }
}
