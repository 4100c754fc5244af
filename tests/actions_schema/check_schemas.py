#!/usr/bin/env python3
"""Every `kfix intent|action|incidents` document validates against its JSON schema.

usage: check_schemas.py KFIX_CLI SOURCE_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

import jsonschema

KFIX, SRC = sys.argv[1], sys.argv[2]
DATA = os.path.join(SRC, "tests", "data", "actions")
SCHEMAS = os.path.join(SRC, "docs", "json-schema")

store = {}
for name in ("intent", "patch", "intent-validate", "intent-consume", "action-validate", "action-step",
             "sre-action", "incidents-triage", "watcher-state", "reconcile-decision"):
    with open(os.path.join(SCHEMAS, name + ".schema.json")) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    store[schema["$id"]] = schema


def validate(name, doc):
    schema = store["https://kfix.dev/schema/%s.schema.json" % name]
    resolver = jsonschema.RefResolver.from_schema(schema, store=store)
    jsonschema.Draft202012Validator(schema, resolver=resolver).validate(doc)


def kfix(*args, codes=(0,)):
    r = subprocess.run([KFIX] + list(args), capture_output=True, text=True)
    if r.returncode not in codes:
        sys.exit("kfix %s exited %d: %s" % (" ".join(args), r.returncode, r.stderr))
    return json.loads(r.stdout)


def data(name):
    return os.path.join(DATA, name)


validate("intent", json.load(open(data("intent-valid.json"))))
validate("intent-validate", kfix("intent", "validate", data("intent-valid.json")))
validate("intent-validate", kfix("intent", "validate", data("intent-set-image.json"), codes=(2,)))
validate("intent-consume", kfix("intent", "consume", "--object", data("claw-statefulset.yaml"),
                                "--now", "2026-04-20T10:00:00Z"))
validate("action-validate", kfix("action", "validate", data("action-scale.yaml")))
validate("action-validate", kfix("action", "validate", data("action-scale-100.yaml"), codes=(2,)))
step = kfix("action", "step", "--action", data("action-scale.yaml"), "--now", "2026-04-20T10:00:30Z")
validate("action-step", step)
assert step["effects"][-1]["kind"] == "requeue"
with tempfile.TemporaryDirectory() as tmp:
    manifest = {
        "apiVersion": "kars.azure.com/v1alpha1", "kind": "KarsSREAction",
        "metadata": {"name": "sre-action-abc123", "namespace": "kars-sre",
                     "uid": "abc123-0000-4000-8000-000000000001", "creationTimestamp": "2026-04-20T10:00:00Z"},
        "spec": {"action": {"type": "ScaleDeployment",
                            "params": {"namespace": "kars-research", "name": "research", "replicas": 2}},
                 "approval": {"state": "Approved"}},
        "status": step["status"],
    }
    applied = os.path.join(tmp, "applied.json")
    with open(applied, "w") as f:
        json.dump(manifest, f)
    for now in ("2026-04-20T10:05:00Z", "2026-04-20T10:10:30Z", "2026-04-20T11:00:01Z"):
        validate("action-step", kfix("action", "step", "--action", applied, "--now", now,
                                     "--snapshot", data("snapshot-recovered.yaml")))
    first = kfix("incidents", "triage", "--events", data("events-burst.yaml"), "--now", "2026-04-20T10:00:05Z")
    validate("incidents-triage", first)
    second = kfix("incidents", "triage", "--events", data("events-burst.yaml"), "--now", "2026-04-20T10:00:05Z",
                  "--state", data("watcher-state-primed.json"))
    validate("incidents-triage", second)
    assert second["new_actions"], "the primed poll proposes actions"
    state = os.path.join(tmp, "state.json")
    with open(state, "w") as f:
        json.dump(second["next_state"], f)
    validate("incidents-triage", kfix("incidents", "triage", "--events", data("events-burst.yaml"),
                                      "--now", "2026-04-20T10:00:15Z", "--state", state))
print("actions schemas: ok")
