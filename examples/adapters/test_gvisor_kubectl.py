#!/usr/bin/env python3
"""The kubectl adapter against a stand-in kubectl that records its arguments.

usage: test_gvisor_kubectl.py KFIX_CLI SOURCE_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

KFIX, SRC = sys.argv[1], sys.argv[2]
DATA = os.path.join(SRC, "tests", "data", "gvisor")
ADAPTER = os.path.join(SRC, "examples", "adapters", "gvisor_kubectl.py")


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def check(cond, msg):
    if not cond:
        print("FAIL:", msg, file=sys.stderr)
        sys.exit(1)


with tempfile.TemporaryDirectory() as tmp:
    log = os.path.join(tmp, "calls.jsonl")
    fake = os.path.join(tmp, "kubectl")
    with open(fake, "w") as f:
        f.write("#!/usr/bin/env python3\nimport json, sys\n"
                "open(%r, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
                "sys.exit(1 if 'fail-me' in sys.argv else 0)\n" % log)
    os.chmod(fake, 0o755)
    plan = os.path.join(tmp, "plan.json")
    r = run([KFIX, "gvisor", "plan", "--now", "2026-01-01T00:00:00Z", "--out", plan, os.path.join(DATA, "two-step.yaml")])
    check(r.returncode == 0, "plan: " + r.stderr)
    live = os.path.join(DATA, "live.yaml")
    env_path = os.path.join(tmp, "apply.json")
    r = run([KFIX, "gvisor", "apply", "--plan", plan, "--live", live, "--execute"])
    check(r.returncode == 0, "apply: " + r.stderr)
    open(env_path, "w").write(r.stdout)
    envelope = json.loads(r.stdout)

    # Dry-run envelope: commands printed, kubectl never called.
    r = run([KFIX, "gvisor", "apply", "--plan", plan, "--live", live])
    d = run([sys.executable, ADAPTER, "--kubectl", fake, "-"], input=r.stdout)
    check(d.returncode == 0, "dry run: " + d.stderr)
    check(not os.path.exists(log), "dry run called kubectl")
    check(d.stdout.count(" patch ") == 4, "dry run prints 2 step + 2 stamp commands: " + d.stdout)

    # Executed envelope: two workload patches in plan order, then the two stamps.
    x = run([sys.executable, ADAPTER, "--kubectl", fake, "--context", "kind-test", env_path])
    check(x.returncode == 0, "execute: " + x.stderr)
    calls = [json.loads(l) for l in open(log)]
    check(len(calls) == 4, "4 calls, got %r" % calls)
    step = envelope["spec"]["steps"][0]
    check(calls[0] == ["--context", "kind-test", "patch", "deployment", "web", "-n", "default", "--type", "json",
                       "-p", step["patch"]], "first call %r" % calls[0])
    check(json.loads(calls[0][-1]) == [{"op": "add", "path": "/spec/template/spec/runtimeClassName", "value": "gvisor"}],
          "patch text")
    check(calls[1][3:7] == ["statefulset", "cache", "-n", "data"], "second call %r" % calls[1])
    check(sorted(c[4] for c in calls[2:]) == ["data", "default"] and all(c[3] == "namespace" for c in calls[2:]),
          "stamps %r" % calls[2:])
    check("agentmoat.io~1plan-hash" in calls[2][-1], "stamp pointer escaped")

    # A failing patch keeps its namespace unstamped and exits 3.
    os.remove(log)
    bad = json.loads(json.dumps(envelope))
    bad["spec"]["steps"][0]["target"]["name"] = "fail-me"
    b = run([sys.executable, ADAPTER, "--kubectl", fake, "-"], input=json.dumps(bad))
    check(b.returncode == 3, "partial exit %d %s" % (b.returncode, b.stderr))
    calls = [json.loads(l) for l in open(log)]
    check([c[2] for c in calls if c[1] == "namespace"] == ["data"], "only data stamped: %r" % calls)

    # Not an envelope: exit 1 naming the input.
    n = run([sys.executable, ADAPTER, "--kubectl", fake, "-"], input='{"kind": "MigrationPlan"}')
    check(n.returncode == 1 and "not an ApplyResult" in n.stderr, "bad envelope: " + n.stderr)
print("ok")
