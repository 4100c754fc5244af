"""End-to-end tests of `kfix escape detect` and `kfix quarantine ...`.

usage: test_escape_cli.py KFIX SOURCE_DIR
"""
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile

KFIX, SRC = sys.argv[1], sys.argv[2]
DATA = os.path.join(SRC, "tests", "data", "escape")
ADAPTER = os.path.join(SRC, "examples", "adapters", "kubectl_quarantine.py")
NOW = "--now=1775800000000"
FAILED = []


SCHEMAS = os.path.join(SRC, "docs", "json-schema")


def validate(value, schema, root, path="$"):
    """A small JSON Schema subset (what docs/json-schema/escape-*.json use); returns a list of problems."""
    if "$ref" in schema:
        node = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        return validate(value, node, root, path)
    if "oneOf" in schema:
        ok = [s for s in schema["oneOf"] if not validate(value, s, root, path)]
        return [] if len(ok) == 1 else ["%s: matches %d of oneOf" % (path, len(ok))]
    errs = []
    types = {"object": dict, "array": list, "string": str, "boolean": bool}
    t = schema.get("type")
    if t == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            return ["%s: not an integer" % path]
    elif t and not isinstance(value, types[t]):
        return ["%s: not %s" % (path, t)]
    if "const" in schema and value != schema["const"]:
        errs.append("%s: %r != const %r" % (path, value, schema["const"]))
    if "enum" in schema and value not in schema["enum"]:
        errs.append("%s: %r not in enum" % (path, value))
    if isinstance(value, str):
        import re
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errs.append("%s: %r does not match %s" % (path, value, schema["pattern"]))
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", 1 << 60):
            errs.append("%s: length" % path)
    if isinstance(value, int) and "minimum" in schema and value < schema["minimum"]:
        errs.append("%s: below minimum" % path)
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", 1 << 60):
            errs.append("%s: item count" % path)
        for i, item in enumerate(value):
            if "items" in schema:
                errs += validate(item, schema["items"], root, "%s[%d]" % (path, i))
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                errs.append("%s: missing %s" % (path, key))
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in props:
                errs += validate(item, props[key], root, path + "." + key)
            elif extra is False:
                errs.append("%s: unexpected member %s" % (path, key))
            elif isinstance(extra, dict):
                errs += validate(item, extra, root, path + "." + key)
    return errs


def conforms(recs, name):
    """Every record conforms to docs/json-schema/<name> (its per-record_type schema for apply output)."""
    schemas = {}
    for rec in recs:
        schema_name = name
        if name == "escape-remediation-record.schema.json" and rec.get("record_type") == "remediation_audit":
            schema_name = "escape-remediation-audit.schema.json"
        if schema_name not in schemas:
            schemas[schema_name] = json.load(open(os.path.join(SCHEMAS, schema_name)))
        problems = validate(rec, schemas[schema_name], schemas[schema_name])
        check(not problems, "%s: %s" % (schema_name, problems[:3]))


def run(*args, stdin=None):
    p = subprocess.run([KFIX] + list(args), input=stdin, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def records(out):
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def check(cond, what):
    if not cond:
        FAILED.append(what)
        print("FAIL:", what, file=sys.stderr)


def data(name):
    return os.path.join(DATA, name)


def test_detect_goldens(tmp):
    rc, out, err = run("escape", "detect", data("audit_events.ocsf.jsonl"))
    check(rc == 0 and err == "", "detect exits 0 quietly: %d %s" % (rc, err))
    check(out == open(data("findings.ocsf.jsonl")).read(), "detect output equals the golden findings")
    conforms(records(out), "escape-finding.schema.json")
    rc, out, _ = run("escape", "detect", "--format", "native", data("followup_events.jsonl"))
    uids = [r["finding_uid"] for r in records(out)]
    check(uids == ["det-k8s-r4-unexpected-exec-6a6ebfaa-7cc7e7fd", "det-k8s-r5-runtime-fusion-d92c6a81-a0f934d5"],
          "native follow-up uids: %s" % uids)
    check(all(r["record_type"] == "detection_finding" for r in records(out)), "native record_type")
    conforms(records(out), "escape-finding.schema.json")
    # stdin, and the operator flag suppresses r4
    events = open(data("followup_events.jsonl")).read()
    rc, out, _ = run("escape", "detect", "--known-operator", "system:serviceaccount:payments:debugger", "-",
                     stdin=events)
    check([r["finding_info"]["uid"][:27] for r in records(out)] == ["det-k8s-r5-runtime-fusion-d"],
          "known operator suppresses r4")
    rc, _, err = run("escape", "detect", "--format", "xml", data("followup_events.jsonl"))
    check(rc == 1 and "xml" in err, "bad --format is a usage error")
    rc, _, err = run("escape", "detect", os.path.join(tmp, "missing.jsonl"))
    check(rc == 1 and "missing.jsonl" in err, "unreadable events file names the path")


def test_plan_golden_and_help(tmp):
    rc, out, err = run("quarantine", "plan", "--findings", data("findings.ocsf.jsonl"), "--cluster",
                       data("cluster.yaml"), NOW)
    check(rc == 0 and err == "", "plan exits 0: %d %s" % (rc, err))
    check(out == open(data("plan.golden.jsonl")).read(), "plan output equals the golden plans")
    conforms(records(out), "escape-remediation-record.schema.json")
    conforms(records(open(data("followup_plans.golden.jsonl")).read()), "escape-remediation-record.schema.json")
    for r in records(out):
        check(set(["finding_uid", "status", "dry_run", "policy_name", "selector", "actions", "manifest"]) <= set(r),
              "plan record members")
    for cmd in (["escape", "--help"], ["escape", "detect", "--help"], ["quarantine", "--help"],
                ["quarantine", "plan", "--help"]):
        rc, out, _ = run(*cmd)
        check(rc == 0 and "usage:" in out, "help for %s" % cmd)


def test_hostile_findings(tmp):
    good = open(data("findings.ocsf.jsonl")).read().splitlines()
    big = "A" * (1 << 20)
    lines = [
        good[0],                                                                  # 1 ok
        good[1][: len(good[1]) // 2],                                             # 2 truncated JSON
        '{"class_uid":2004,"observables":{"name":"namespace"}}',                  # 3 wrong type
        '{"class_uid":4001,"metadata":{}}',                                       # 4 unknown class
        '{"class_uid":2004,"metadata":{"product":{"feature":{"name":"' + big + '"}}},'
        '"finding_info":{"uid":"' + big + '"}}',                                  # 5 1 MB strings: wrong producer
        "[]",                                                                     # 6 not an object
        '{"class_uid":2004,"metadata":{"product":{"feature":{"name":"detect-container-escape-k8s"}}},'
        '"observables":[{"name":"namespace","value":"payments"},{"name":"resource.name","value":"' + big + '"},'
        '{"name":"resource.type","value":"deployments"}]}',                        # 7 1 MB name: unsupported target
        good[2],                                                                  # 8 ok
        '{"class_uid":"2004"}',                                                   # 9 class as a string
        "{\"class_uid\":2004,\"bad\":\"\xff\"}".encode("latin-1").decode("latin-1"),  # 10 invalid UTF-8
    ]
    path = os.path.join(tmp, "hostile.jsonl")
    with open(path, "w", encoding="latin-1") as f:
        f.write("\n".join(lines) + "\n")
    rc, out, err = run("quarantine", "plan", "--findings", path, "--cluster", data("cluster.yaml"), NOW)
    check(rc == 0, "hostile plan exits 0 (got %d)" % rc)
    err_lines = [l for l in err.splitlines() if l]
    for n in (2, 3, 4, 5, 6, 9, 10):
        check(any(("hostile.jsonl:%d:" % n) in l for l in err_lines), "error names hostile.jsonl:%d" % n)
    check(not any("hostile.jsonl:1:" in l or "hostile.jsonl:8:" in l for l in err_lines), "good lines are quiet")
    check(len(err) < 10000, "the 1 MB strings are not echoed into the errors")
    recs = records(out)
    conforms(recs, "escape-remediation-record.schema.json")
    check([r["status"] for r in recs] == ["planned", "skipped_unsupported_target", "planned"],
          "hostile plan records: %s" % [r["status"] for r in recs])
    sys.stdout.write("hostile findings, stderr:\n" + "\n".join(l[:160] for l in err_lines) + "\n")
    # The same for detect over hostile events.
    events = os.path.join(tmp, "hostile-events.jsonl")
    with open(events, "w") as f:
        f.write('{"class_uid":6003,"actor":[1]}\n{"class_uid":1001}\n{"time":\n' + open(data("audit_events.ocsf.jsonl")).read())
    rc, out, err = run("escape", "detect", events)
    check(rc == 0 and len(records(out)) == 3, "detect skips hostile lines and keeps going")
    for n in (1, 2, 3):
        check("hostile-events.jsonl:%d:" % n in err, "detect error names line %d" % n)


def test_gate(tmp):
    base = ["quarantine", "apply", "--findings", data("findings.ocsf.jsonl"), "--cluster", data("cluster.yaml")]
    full = {"--incident": "INC-7", "--approver": "alice", "--cluster-name": "prod", "--allowed-clusters": "dev,prod"}
    audit = os.path.join(tmp, "gate-audit.jsonl")
    for missing in ("--incident", "--approver", "--cluster-name", "--allowed-clusters"):
        args = list(base)
        for k, v in full.items():
            if k != missing:
                args += [k, v]
        rc, out, err = run(*args, "--audit", audit, "--key", os.path.join(tmp, "none.key"))
        check(rc == 2 and out == "" and "refused" in err, "missing %s exits 2 with nothing out" % missing)
    args = list(base)
    for k, v in full.items():
        args += [k, v if k != "--cluster-name" else "staging"]
    rc, out, _ = run(*args)
    check(rc == 2 and out == "", "a cluster outside the allow-list exits 2")
    args = list(base) + sum(([k, v] for k, v in full.items()), [])
    rc, out, err = run(*(args + ["--mode", "node-drain"]))
    check(rc == 2 and "second approver" in err, "node-drain without a second approver exits 2")
    rc, out, err = run(*(args + ["--mode", "node-drain", "--second-approver", "alice"]))
    check(rc == 2 and "differ" in err, "node-drain with the same second approver exits 2")
    check(not os.path.exists(audit), "nothing was recorded when the gate refused")


def write_stand_in(tmp, name, exit_code):
    log = os.path.join(tmp, name + ".log")
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n{ printf '%%s\\n' \"ARGS $*\"; cat; printf '\\n'; } >> '%s'\nexit %d\n" % (log, exit_code))
    os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)
    return path, log


def test_apply_with_adapter(tmp):
    rc, _, err = run("keygen", "--out", tmp)
    check(rc == 0, "keygen: %s" % err)
    key = next(os.path.join(tmp, f) for f in os.listdir(tmp) if f.endswith(".key"))
    pub = next(os.path.join(tmp, f) for f in os.listdir(tmp) if f.endswith(".pub"))
    kubectl, log = write_stand_in(tmp, "kubectl", 0)
    audit = os.path.join(tmp, "audit.jsonl")
    executor = "%s %s --kubectl %s --context prod" % (sys.executable, ADAPTER, kubectl)
    rc, out, err = run("quarantine", "apply", "--findings", data("findings.ocsf.jsonl"), "--cluster",
                       data("cluster.yaml"), "--incident", "INC-7", "--approver", "alice", "--cluster-name", "prod",
                       "--allowed-clusters", "prod", "--audit", audit, "--key", key, "--executor", executor, NOW)
    check(rc == 0, "apply exits 0: %s" % err)
    recs = records(out)
    conforms(recs, "escape-remediation-record.schema.json")
    check([r["record_type"] for r in recs] == ["remediation_audit", "remediation_audit", "remediation_action"] * 3,
          "apply output order")
    actions = [r for r in recs if r["record_type"] == "remediation_action"]
    check(all(a["status"] == "success" and a["incident_id"] == "INC-7" for a in actions), "three successes")
    calls = open(log).read()
    check(calls.count("ARGS --context prod apply -f -") == 3, "kubectl apply ran once per finding")
    check('"name": "ce-quarantine-api-bad1b42434"' in calls, "the manifest reached kubectl on stdin")
    rc, out, err = run("audit", "verify", audit, "--pubkey", pub)
    check(rc == 0, "the signed audit log verifies: %s %s" % (out, err))
    lines = [json.loads(l) for l in open(audit)]
    check([l["phase"] for l in lines] == ["in_progress", "succeeded"] * 3, "two-phase entries")

    # pod-kill through the adapter, and a failing kubectl.
    rc, out, _ = run("quarantine", "apply", "--findings", data("followup_findings.ocsf.jsonl"), "--cluster",
                     data("cluster.yaml"), "--mode", "pod-kill", "--incident", "INC-7", "--approver", "alice",
                     "--cluster-name", "prod", "--allowed-clusters", "prod", "--executor", executor, NOW)
    check(rc == 0 and "ARGS --context prod delete pod api-7d9b -n payments --wait=false" in open(log).read(),
          "pod-kill runs kubectl delete")
    bad, _ = write_stand_in(tmp, "kubectl-broken", 1)
    rc, out, _ = run("quarantine", "apply", "--findings", data("findings.ocsf.jsonl"), "--cluster",
                     data("cluster.yaml"), "--incident", "INC-7", "--approver", "alice", "--cluster-name", "prod",
                     "--allowed-clusters", "prod", "--executor",
                     "%s %s --kubectl %s" % (sys.executable, ADAPTER, bad), NOW)
    actions = [r for r in records(out) if r["record_type"] == "remediation_action"]
    check(rc == 0 and [a["status"] for a in actions] == ["failure"] * 3, "failing kubectl -> failure records")

    # node-drain: cordon + one eviction per pod on the node, with dual approval.
    cluster = os.path.join(tmp, "cluster-drain.yaml")
    with open(cluster, "w") as f:
        f.write(open(data("cluster.yaml")).read() +
                "---\napiVersion: v1\nkind: Pod\nmetadata: {name: web-1, namespace: shop}\nspec: {nodeName: node-a}\n")
    open(log, "w").close()
    one = os.path.join(tmp, "r4.jsonl")
    with open(one, "w") as f:
        f.write(open(data("followup_findings.ocsf.jsonl")).readline())
    rc, out, err = run("quarantine", "apply", "--findings", one, "--cluster", cluster, "--mode", "node-drain",
                       "--incident", "INC-7", "--approver", "alice", "--second-approver", "bob", "--cluster-name",
                       "prod", "--allowed-clusters", "prod", "--executor", executor, NOW)
    calls = open(log).read()
    check(rc == 0 and "ARGS --context prod cordon node-a" in calls, "drain cordons: %s" % err)
    check("eviction -f -" in calls and "/api/v1/namespaces/shop/pods/web-1/eviction" in calls, "drain evicts")
    conforms(records(out), "escape-remediation-record.schema.json")
    action = [r for r in records(out) if r["record_type"] == "remediation_action"][0]
    check(action["drained_pods"] == ["payments/api-7d9b", "shop/web-1"], "drained_pods")

    # Without --executor: handed off in_progress; the adapter applies the record itself.
    rc, out, _ = run("quarantine", "apply", "--findings", data("findings.ocsf.jsonl"), "--cluster",
                     data("cluster.yaml"), "--incident", "INC-7", "--approver", "alice", "--cluster-name", "prod",
                     "--allowed-clusters", "prod", NOW)
    handed = os.path.join(tmp, "handed.jsonl")
    with open(handed, "w") as f:
        f.write(out)
    conforms(records(out), "escape-remediation-record.schema.json")
    check([r["status"] for r in records(out) if r["record_type"] == "remediation_action"] == ["in_progress"] * 3,
          "hand-off records stay in_progress")
    open(log, "w").close()
    p = subprocess.run([sys.executable, ADAPTER, handed, "--kubectl", kubectl], capture_output=True, text=True)
    check(p.returncode == 0 and open(log).read().count("ARGS apply -f -") == 3, "the adapter applies hand-offs")


def test_reverify(tmp):
    r2 = os.path.join(tmp, "r2.jsonl")
    with open(r2, "w") as f:
        f.write(open(data("findings.ocsf.jsonl")).read().splitlines()[1] + "\n")
    rc, out, _ = run("quarantine", "reverify", "--findings", r2, "--cluster", data("cluster.yaml"), NOW)
    check(rc == 0 and out == open(data("reverify_r2.golden.jsonl")).read(), "reverify drift pair golden")
    conforms(records(out), "escape-verification.schema.json")
    rc, out, _ = run("quarantine", "reverify", "--findings", r2, "--cluster", os.path.join(tmp, "gone.yaml"), NOW)
    recs = records(out)
    check(rc == 0 and len(recs) == 1 and recs[0]["status"] == "unreachable", "unreadable cluster -> unreachable")
    conforms(recs, "escape-verification.schema.json")
    # A schema violation is caught (the validator is not vacuous).
    bad = dict(recs[0], status="passed")
    check(validate(bad, json.load(open(os.path.join(SCHEMAS, "escape-verification.schema.json"))),
                   json.load(open(os.path.join(SCHEMAS, "escape-verification.schema.json")))) != [],
          "the schema check rejects an unknown status")


def main():
    tmp = tempfile.mkdtemp(prefix="kfix-escape-cli-")
    try:
        for name, fn in sorted(globals().items()):
            if name.startswith("test_") and callable(fn):
                sub = os.path.join(tmp, name)
                os.mkdir(sub)
                fn(sub)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if FAILED:
        print("%d check(s) failed" % len(FAILED), file=sys.stderr)
        return 1
    print("all escape CLI checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
