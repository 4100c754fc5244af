#!/usr/bin/env python3
"""Apply kfix container-escape action records with kubectl.

kfix decides and records; this adapter only talks to the cluster. It reads
`remediation_action` records (JSON lines, from a file or stdin) as
`kfix quarantine apply` writes them, and for each record in status
`in_progress` runs:

  quarantine  kubectl apply -f -                    (the deny-all NetworkPolicy; an upsert)
  pod-kill    kubectl delete pod NAME -n NS --wait=false
  node-drain  kubectl cordon NODE, then for every pod in `evict_pods`:
              kubectl create --raw /api/v1/namespaces/NS/pods/NAME/eviction -f -   (an Eviction)

Records in any other status (plans, skips, finished actions) are ignored.
It exits 0 when every command succeeded and 1 at the first failure (the
failing command and its output go to stderr).

Use it as the executor of a gated apply, so that kfix writes the
`in_progress` audit entry before the cluster is touched and
`success`/`failure` after:

  kfix quarantine apply --findings findings.jsonl --cluster live.yaml \\
      --incident INC-7 --approver alice --cluster-name prod --allowed-clusters prod \\
      --audit audit.jsonl --key kfix.key \\
      --executor 'python3 examples/adapters/kubectl_quarantine.py --context prod'

Options: --kubectl PATH (default: $KUBECTL or "kubectl"), --context NAME,
--dry-run (print the commands instead of running them).
"""
import argparse
import json
import os
import subprocess
import sys


def commands(record):
    """The kubectl invocations for one action record: [(argv, stdin_text)]."""
    mode = record.get("action_mode")
    target = record.get("target") or {}
    ns = target.get("namespace") or ""
    if mode == "quarantine":
        manifest = record.get("manifest")
        if not isinstance(manifest, dict):
            raise ValueError("quarantine record without a manifest")
        return [(["apply", "-f", "-"], json.dumps(manifest, sort_keys=True))]
    if mode == "pod-kill":
        pod = record.get("effective_pod_name") or ""
        if not ns or not pod:
            raise ValueError("pod-kill record without namespace or pod")
        return [(["delete", "pod", pod, "-n", ns, "--wait=false"], None)]
    if mode == "node-drain":
        node = record.get("node_name") or ""
        if not node:
            raise ValueError("node-drain record without node_name")
        out = [(["cordon", node], None)]
        for item in record.get("evict_pods") or []:
            pod_ns, _, pod = str(item).partition("/")
            if not pod_ns or not pod:
                raise ValueError("bad evict_pods entry %r" % item)
            eviction = {
                "apiVersion": "policy/v1",
                "kind": "Eviction",
                "metadata": {"name": pod, "namespace": pod_ns},
            }
            out.append(
                (["create", "--raw", "/api/v1/namespaces/%s/pods/%s/eviction" % (pod_ns, pod), "-f", "-"],
                 json.dumps(eviction, sort_keys=True))
            )
        return out
    raise ValueError("unknown action_mode %r" % mode)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Apply kfix remediation_action records with kubectl.")
    parser.add_argument("records", nargs="?", help="JSON lines of records (default: stdin)")
    parser.add_argument("--kubectl", default=os.environ.get("KUBECTL", "kubectl"))
    parser.add_argument("--context")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)

    stream = open(args.records, encoding="utf-8") if args.records else sys.stdin
    base = [args.kubectl] + (["--context", args.context] if args.context else [])
    for lineno, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            print("kubectl_quarantine: line %d: not JSON: %s" % (lineno, exc), file=sys.stderr)
            return 1
        if not isinstance(record, dict) or record.get("record_type") != "remediation_action":
            continue
        if record.get("status") != "in_progress":
            continue
        try:
            plan = commands(record)
        except ValueError as exc:
            print("kubectl_quarantine: line %d: %s" % (lineno, exc), file=sys.stderr)
            return 1
        for argv_tail, stdin_text in plan:
            cmd = base + argv_tail
            if args.dry_run:
                print(" ".join(cmd))
                continue
            done = subprocess.run(cmd, input=stdin_text, text=True, stdout=sys.stderr, stderr=sys.stderr)
            if done.returncode != 0:
                print("kubectl_quarantine: `%s` exited with %d" % (" ".join(cmd), done.returncode), file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
