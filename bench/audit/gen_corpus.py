#!/usr/bin/env python3
"""Generates a corpus of Kubernetes workloads for the audit benchmark.

usage: gen_corpus.py OUT_DIR [COUNT] [PER_FILE]

Writes COUNT workloads (default 10000) as multi-document YAML files of PER_FILE
documents (default 50). Kinds rotate through Deployment, StatefulSet, DaemonSet, Job,
CronJob and Pod; about a third are insecure in one of several ways. Deterministic.
"""
import os
import random
import sys

KINDS = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"]
API = {"Deployment": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1",
       "Job": "batch/v1", "CronJob": "batch/v1", "Pod": "v1"}


def container(i, rnd):
    insecure = rnd.random() < 0.33
    sc = ["allowPrivilegeEscalation: false", "readOnlyRootFilesystem: true",
          "capabilities:\n  drop: [\"ALL\"]"]
    extra = ""
    if insecure:
        choice = rnd.randrange(5)
        if choice == 0:
            sc.append("privileged: true")
        elif choice == 1:
            sc[0] = "allowPrivilegeEscalation: true"
        elif choice == 2:
            sc[2] = "capabilities:\n  add: [\"SYS_ADMIN\"]"
        elif choice == 3:
            sc.append("runAsUser: 0")
        else:
            extra = "env:\n  - name: API_TOKEN\n    value: not-a-real-token\n"
    body = (
        f"name: app-{i}\n"
        f"image: registry.example/team{i % 17}/app:{1 + i % 9}.{i % 13}.0\n"
        "ports:\n  - containerPort: 8080\n"
        "resources:\n  limits: {cpu: 500m, memory: 256Mi}\n"
        "livenessProbe:\n  httpGet: {path: /healthz, port: 8080}\n"
        "readinessProbe:\n  httpGet: {path: /ready, port: 8080}\n"
        + extra
        + "securityContext:\n"
        + "".join("  " + line + "\n" for s in sc for line in s.split("\n"))
    )
    return "".join(("- " if n == 0 else "  ") + line + "\n" for n, line in enumerate(body.rstrip("\n").split("\n")))


def pod_spec(i, rnd, indent):
    spec = "securityContext:\n  runAsNonRoot: true\n  seccompProfile: {type: RuntimeDefault}\n"
    if rnd.random() < 0.1:
        spec += "hostNetwork: true\n"
    spec += "containers:\n" + container(i, rnd)
    return "".join(" " * indent + line + "\n" for line in spec.rstrip("\n").split("\n"))


def workload(i, rnd):
    kind = KINDS[i % len(KINDS)]
    head = f"apiVersion: {API[kind]}\nkind: {kind}\nmetadata:\n  name: w{i}\n  namespace: ns{i % 40}\n"
    labels = f"      labels: {{app: w{i}}}\n"
    if kind == "Pod":
        return head + f"  labels: {{app: w{i}}}\nspec:\n" + pod_spec(i, rnd, 2)
    if kind == "CronJob":
        return (head + "spec:\n  schedule: \"*/5 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n"
                + "        metadata:\n" + "    " + labels + "        spec:\n" + pod_spec(i, rnd, 10))
    selector = f"  selector:\n    matchLabels: {{app: w{i}}}\n" if kind != "Job" else ""
    return (head + "spec:\n" + selector + "  template:\n    metadata:\n" + labels + "    spec:\n"
            + pod_spec(i, rnd, 6))


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    per_file = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    rnd = random.Random(42)
    os.makedirs(out, exist_ok=True)
    for start in range(0, count, per_file):
        docs = [workload(i, rnd) for i in range(start, min(count, start + per_file))]
        with open(os.path.join(out, f"workloads-{start // per_file:04d}.yaml"), "w") as f:
            f.write("---\n".join(docs))


if __name__ == "__main__":
    main()
