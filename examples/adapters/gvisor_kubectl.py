#!/usr/bin/env python3
"""Run a `kfix gvisor apply|rollback` envelope against a cluster with kubectl.

kfix decides; this adapter executes. For every step whose status is
`applied` it runs

    kubectl patch <kind> <name> -n <namespace> --type json -p '<patch>'

in the envelope's order (serial, never parallel), then the namespace stamp
patches (`agentmoat.io/plan-hash`) of spec.namespaceStamps, skipping the stamp
of a namespace in which a patch failed here, so a re-run retries it.

An envelope with metadata.dryRun true is only printed (the commands, one per
line) unless --force is given: `kfix gvisor apply --execute` marks the envelope
for execution.

usage: gvisor_kubectl.py [--kubectl PATH] [--context NAME] [--force] [ENVELOPE|-]
exit:  0 every command succeeded (or dry run printed), 1 bad envelope or every
       patch failed, 3 some patches failed (re-running kfix + this adapter is safe)
"""
import argparse
import json
import os
import shlex
import subprocess
import sys

KINDS = {"Deployment": "deployment", "StatefulSet": "statefulset", "DaemonSet": "daemonset",
         "CronJob": "cronjob", "Job": "job", "Pod": "pod"}


def commands(envelope, kubectl, context):
    """(namespace, argv) for every patch to send, steps first, then stamps."""
    base = [kubectl] + (["--context", context] if context else [])
    spec = envelope.get("spec") or {}
    for step in spec.get("steps") or []:
        if step.get("status") != "applied" or not step.get("patch"):
            continue
        t = step["target"]
        kind = KINDS.get(t["kind"])
        if kind is None:
            raise ValueError("step %s: unsupported kind %r" % (step.get("order"), t["kind"]))
        yield t["namespace"], base + ["patch", kind, t["name"], "-n", t["namespace"], "--type", "json",
                                      "-p", step["patch"]]
    for stamp in spec.get("namespaceStamps") or []:
        yield stamp["namespace"], base + ["patch", "namespace", stamp["namespace"], "--type", "json",
                                          "-p", stamp["patch"]]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("envelope", nargs="?", default="-")
    ap.add_argument("--kubectl", default=os.environ.get("KUBECTL", "kubectl"))
    ap.add_argument("--context", default="")
    ap.add_argument("--force", action="store_true", help="execute even a dry-run envelope")
    args = ap.parse_args(argv)
    try:
        text = sys.stdin.read() if args.envelope == "-" else open(args.envelope, encoding="utf-8").read()
        envelope = json.loads(text)
        if envelope.get("kind") not in ("ApplyResult", "RollbackResult"):
            raise ValueError("not an ApplyResult or RollbackResult envelope")
        todo = list(commands(envelope, args.kubectl, args.context))
    except (OSError, ValueError, KeyError, TypeError) as e:
        print("gvisor_kubectl: %s: %s" % (args.envelope, e), file=sys.stderr)
        return 1
    dry = (envelope.get("metadata") or {}).get("dryRun", True)
    if dry and not args.force:
        for _, cmd in todo:
            print(shlex.join(cmd))
        return 0
    failed_ns, sent, failed = set(), 0, 0
    stamps_from = sum(1 for _ in (envelope["spec"].get("steps") or [])
                      if _.get("status") == "applied" and _.get("patch"))
    for i, (ns, cmd) in enumerate(todo):
        if i >= stamps_from and ns in failed_ns:
            print("gvisor_kubectl: not stamping namespace %s: a patch failed there" % ns, file=sys.stderr)
            continue
        r = subprocess.run(cmd, capture_output=True, text=True)
        sent += 1
        if r.returncode != 0:
            failed += 1
            failed_ns.add(ns)
            print("gvisor_kubectl: %s failed: %s" % (shlex.join(cmd[:5]), r.stderr.strip()), file=sys.stderr)
    if failed == 0:
        return 0
    return 1 if failed == sent else 3


if __name__ == "__main__":
    sys.exit(main())
