//! HARD-IMAGE-LATEST: images with the `latest` tag or no tag.

use crate::checks::{Check, CheckDoc, Family, PodInput, Rule};
use crate::finding::Severity;
use crate::manifest::workload::quoted_list;

/// The check.
pub static CHECK: Check = Check {
    id: "HARD-IMAGE-LATEST",
    name: "image-tag-latest",
    summary: "Image uses the latest tag or no tag",
    severity: Severity::Medium,
    family: Family::Hardening,
    pss: None,
    doc: CheckDoc {
        what: "Flags container images without a tag or tagged `latest`, unless pinned by a \
               digest (`@sha256:...`).",
        why: "A moving tag means every node may run different code, and a compromised \
              registry push is deployed silently.",
        example: "containers:\n  - name: app\n    image: nginx:latest",
        fix: "Pin a version tag and, better, a digest: `nginx:1.27@sha256:...`.",
    },
    remediation: "pin the image to a version tag or digest",
    rule: Rule::Pod(evaluate),
};

/// The tag of an image reference (after the last `/`), if any.
pub(crate) fn tag(image: &str) -> Option<&str> {
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split_once(':').map(|(_, tag)| tag)
}

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    let images: Vec<&str> = input
        .pod
        .containers()
        .filter_map(|c| c.get(&["image"])?.as_str())
        .filter(|image| !image.contains('@') && matches!(tag(image), None | Some("latest")))
        .collect();
    (!images.is_empty()).then(|| format!("image with latest or no tag: {}", quoted_list(images)))
}
