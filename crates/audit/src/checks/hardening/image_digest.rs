//! HARD-IMAGE-DIGEST: images not pinned by digest.

use super::image_latest::tag;
use crate::checks::{Check, CheckDoc, Family, PodInput, Rule};
use crate::finding::Severity;
use crate::manifest::workload::quoted_list;

/// The check.
pub static CHECK: Check = Check {
    id: "HARD-IMAGE-DIGEST",
    name: "image-not-pinned",
    summary: "Image has a version tag but no digest",
    severity: Severity::Low,
    family: Family::Hardening,
    pss: None,
    doc: CheckDoc {
        what: "Flags images with a version tag but no `@sha256:` digest (images tagged \
               latest or untagged are reported by HARD-IMAGE-LATEST instead).",
        why: "Tags can be moved; only a digest guarantees the bytes that were reviewed are \
              the bytes that run.",
        example: "containers:\n  - name: app\n    image: nginx:1.27",
        fix: "Append the digest: `nginx:1.27@sha256:<digest>`.",
    },
    remediation: "pin the image by digest (image@sha256:...)",
    rule: Rule::Pod(evaluate),
};

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    let images: Vec<&str> = input
        .pod
        .containers()
        .filter_map(|c| c.get(&["image"])?.as_str())
        .filter(|image| !image.contains('@') && !matches!(tag(image), None | Some("latest")))
        .collect();
    (!images.is_empty()).then(|| format!("image not pinned by digest: {}", quoted_list(images)))
}
