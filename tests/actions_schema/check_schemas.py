#!/usr/bin/env python3
"""Every `kfix intent|action|incidents` document validates against its JSON schema.

usage: check_schemas.py KFIX_CLI SOURCE_DIR
"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import schema_store  # noqa: E402

KFIX, SRC = sys.argv[1], sys.argv[2]
DATA = os.path.join(SRC, "tests", "data", "actions")

store = schema_store.load(SRC, ("intent", "patch", "intent-validate", "intent-consume", "action-validate", "action-step",
             "sre-action", "incidents-triage", "watcher-state", "reconcile-decision"))


def validate(name, doc):
    schema_store.validate(store, name, doc)


def kfix(*args, codes=(0,)):
    return schema_store.run_kfix(KFIX, *args, codes=codes)


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
