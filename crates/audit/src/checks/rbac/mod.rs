//! RBAC: roles that grant dangerous permissions, and risky bindings.

pub mod anonymous_binding;
pub mod cluster_admin_binding;
pub mod create_workloads;
pub mod default_sa_binding;
pub mod escalate;
pub mod exec_attach;
pub mod nodes_proxy;
pub mod secrets_read;
pub mod wildcard;

use crate::manifest::value::{str_at, Value};
use crate::manifest::Resource;

/// One policy rule of a Role or ClusterRole.
pub(crate) struct PolicyRule<'a> {
    body: &'a Value,
}

fn strings<'a>(rule: &'a Value, key: &str) -> impl Iterator<Item = &'a str> {
    rule.get(key).map(Value::items).unwrap_or(&[]).iter().filter_map(Value::as_str)
}

impl<'a> PolicyRule<'a> {
    /// The rule grants `verb` (directly or by `*`).
    pub(crate) fn verb(&self, verb: &str) -> bool {
        strings(self.body, "verbs").any(|v| v == verb || v == "*")
    }

    /// The rule covers `resource` (e.g. `pods/exec`) in API group `group`.
    pub(crate) fn resource(&self, group: &str, resource: &str) -> bool {
        let group_ok = strings(self.body, "apiGroups").any(|g| g == group || g == "*");
        group_ok && strings(self.body, "resources").any(|r| r == resource || r == "*")
    }

    /// The list at `key` contains `*`.
    pub(crate) fn wildcard(&self, key: &str) -> bool {
        strings(self.body, key).any(|v| v == "*")
    }
}

/// The rules of a Role or ClusterRole; empty for other kinds.
pub(crate) fn rules(resource: &Resource) -> Vec<PolicyRule<'_>> {
    if !matches!(resource.kind.as_str(), "Role" | "ClusterRole") {
        return Vec::new();
    }
    let rules = resource.body.get("rules").map(Value::items).unwrap_or(&[]);
    rules.iter().map(|body| PolicyRule { body }).collect()
}

/// Indexes (1-based) of the rules for which `pred` holds, as a message suffix.
pub(crate) fn matching(resource: &Resource, pred: impl Fn(&PolicyRule<'_>) -> bool) -> Vec<usize> {
    rules(resource).iter().enumerate().filter(|(_, r)| pred(r)).map(|(i, _)| i + 1).collect()
}

/// "rule 1" or "rules 1, 3".
pub(crate) fn rules_phrase(indexes: &[usize]) -> String {
    let list: Vec<String> = indexes.iter().map(usize::to_string).collect();
    let noun = if indexes.len() == 1 { "rule" } else { "rules" };
    format!("{noun} {}", list.join(", "))
}

/// The subjects of a RoleBinding or ClusterRoleBinding as (kind, name, namespace).
pub(crate) fn subjects(resource: &Resource) -> Vec<(&str, &str, &str)> {
    if !matches!(resource.kind.as_str(), "RoleBinding" | "ClusterRoleBinding") {
        return Vec::new();
    }
    let list = resource.body.get("subjects").map(Value::items).unwrap_or(&[]);
    list.iter()
        .map(|s| (str_at(s, &["kind"]), str_at(s, &["name"]), str_at(s, &["namespace"])))
        .collect()
}
