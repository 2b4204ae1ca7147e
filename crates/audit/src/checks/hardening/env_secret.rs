//! HARD-ENV-SECRET: secrets written as plain environment values.

use crate::checks::{Check, CheckDoc, Family, PodInput, Rule};
use crate::finding::Severity;
use crate::manifest::value::{str_at, Value};
use crate::manifest::workload::quoted_list;

/// Name fragments that mark an environment variable as a secret.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "CREDENTIAL",
    "ACCESS_KEY",
];

/// The check.
pub static CHECK: Check = Check {
    id: "HARD-ENV-SECRET",
    name: "secret-in-env-value",
    summary: "Secret written as a plain environment value",
    severity: Severity::High,
    family: Family::Hardening,
    pss: None,
    doc: CheckDoc {
        what: "Flags `env` entries whose name looks like a secret (PASSWORD, SECRET, TOKEN, \
               API_KEY, PRIVATE_KEY, CREDENTIAL, ACCESS_KEY ...) and that carry a literal, \
               non-empty `value`. The value itself is never printed.",
        why: "Manifests live in git, CI logs and `kubectl get -o yaml`; a literal secret is \
              readable by everyone who can read those.",
        example: "env:\n  - name: DB_PASSWORD\n    value: hunter2",
        fix: "Store it in a Secret and use `valueFrom.secretKeyRef`.",
    },
    remediation: "move the value into a Secret and reference it with valueFrom.secretKeyRef",
    rule: Rule::Pod(evaluate),
};

fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    SECRET_WORDS.iter().any(|w| upper.contains(w))
}

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    let mut names = Vec::new();
    for c in input.pod.containers() {
        for var in c.get(&["env"]).map(Value::items).unwrap_or(&[]) {
            let literal = var
                .get("value")
                .is_some_and(|v| !matches!(v, Value::Null) && v.as_str() != Some(""));
            let name = str_at(var, &["name"]);
            if literal && looks_secret(name) {
                names.push(format!("{}/{}", c.name(), name));
            }
        }
    }
    (!names.is_empty()).then(|| {
        format!(
            "literal secret values in environment variables {}",
            quoted_list(names.iter().map(String::as_str))
        )
    })
}
