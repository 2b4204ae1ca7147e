//! Finds the pod template inside each workload kind.

use super::resource::Resource;
use super::value::Value;

/// Kinds whose objects carry a pod spec.
pub const WORKLOAD_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
    "PodTemplate",
];

/// The pod metadata and pod spec of a workload.
#[derive(Debug, Clone, Copy)]
pub struct PodView<'a> {
    /// Pod metadata (labels, annotations); an empty value when absent.
    pub meta: &'a Value,
    /// The pod spec.
    pub spec: &'a Value,
}

static NULL: Value = Value::Null;

impl<'a> PodView<'a> {
    /// The pod inside a workload resource; `None` for other kinds or a missing spec.
    pub fn of(resource: &'a Resource) -> Option<PodView<'a>> {
        let body = &resource.body;
        let template = match resource.kind.as_str() {
            "Pod" => body,
            "PodTemplate" => body.get("template")?,
            "CronJob" => body.path(&["spec", "jobTemplate", "spec", "template"])?,
            "Deployment"
            | "ReplicaSet"
            | "StatefulSet"
            | "DaemonSet"
            | "Job"
            | "ReplicationController" => body.path(&["spec", "template"])?,
            _ => return None,
        };
        let spec = template.get("spec").filter(|s| s.is_map())?;
        Some(PodView { meta: template.get("metadata").unwrap_or(&NULL), spec })
    }

    /// Every container: init, regular and ephemeral, in that order.
    pub fn containers(&self) -> impl Iterator<Item = Container<'a>> {
        let spec = self.spec;
        ["initContainers", "containers", "ephemeralContainers"]
            .into_iter()
            .flat_map(move |key| spec.get(key).map(Value::items).unwrap_or(&[]).iter())
            .map(|body| Container { body })
    }

    /// Regular (long-running) containers only.
    pub fn app_containers(&self) -> impl Iterator<Item = Container<'a>> {
        self.spec
            .get("containers")
            .map(Value::items)
            .unwrap_or(&[])
            .iter()
            .map(|body| Container { body })
    }

    /// A field of the pod-level security context.
    pub fn security(&self, keys: &[&str]) -> Option<&'a Value> {
        self.spec.get("securityContext")?.path(keys)
    }

    /// `spec.os.name` is `windows`.
    pub fn is_windows(&self) -> bool {
        self.spec.path(&["os", "name"]).and_then(Value::as_str) == Some("windows")
    }

    /// `spec.hostUsers` is `false`: the pod runs in a user namespace.
    pub fn in_user_namespace(&self) -> bool {
        self.spec.get("hostUsers").and_then(Value::as_bool) == Some(false)
    }

    /// A pod annotation.
    pub fn annotation(&self, key: &str) -> Option<&'a str> {
        self.meta.get("annotations")?.get(key)?.as_str()
    }

    /// Pod labels as pairs.
    pub fn labels(&self) -> Vec<(&'a str, &'a str)> {
        let labels = self.meta.get("labels").map(Value::entries).unwrap_or(&[]);
        labels.iter().filter_map(|(k, v)| Some((k.as_str(), v.as_str()?))).collect()
    }
}

/// One container of a pod spec.
#[derive(Debug, Clone, Copy)]
pub struct Container<'a> {
    /// The container object.
    pub body: &'a Value,
}

impl<'a> Container<'a> {
    /// The container name (`""` when absent).
    pub fn name(&self) -> &'a str {
        self.body.get("name").and_then(Value::as_str).unwrap_or("")
    }

    /// A field of the container's security context.
    pub fn security(&self, keys: &[&str]) -> Option<&'a Value> {
        self.body.get("securityContext")?.path(keys)
    }

    /// A field of the container.
    pub fn get(&self, keys: &[&str]) -> Option<&'a Value> {
        self.body.path(keys)
    }
}

/// `"a", "b"` for messages.
pub fn quoted_list<'s>(names: impl IntoIterator<Item = &'s str>) -> String {
    names.into_iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
}

/// `container "a"` or `containers "a", "b"`.
pub fn containers_phrase(names: &[&str]) -> String {
    let noun = if names.len() == 1 { "container" } else { "containers" };
    format!("{noun} {}", quoted_list(names.iter().copied()))
}
