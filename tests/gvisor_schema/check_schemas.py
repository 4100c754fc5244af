#!/usr/bin/env python3
"""Every `kfix gvisor` document validates against its JSON schema.

usage: check_schemas.py KFIX_CLI SOURCE_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import schema_store  # noqa: E402

KFIX, SRC = sys.argv[1], sys.argv[2]
DATA = os.path.join(SRC, "tests", "data", "gvisor")

store = schema_store.load(SRC, ("gvisor-scan", "gvisor-plan", "gvisor-run", "gvisor-verify"))


def validate(name, doc):
    schema_store.validate(store, name, doc)


def kfix(*args, codes=(0,)):
    return schema_store.run_kfix(KFIX, *args, codes=codes)


with tempfile.TemporaryDirectory() as tmp:
    fixture = os.path.join(DATA, "fixture9.yaml")
    live = os.path.join(DATA, "live.yaml")
    validate("gvisor-scan", kfix("gvisor", "scan", fixture, codes=(2,)))
    plan = os.path.join(tmp, "plan.json")
    kfix("gvisor", "plan", "--include-review", "--add-toleration", fixture)
    subprocess.run([KFIX, "gvisor", "plan", "--out", plan, os.path.join(DATA, "two-step.yaml")], check=True)
    validate("gvisor-plan", json.load(open(plan)))
    validate("gvisor-plan", kfix("gvisor", "plan", "--include-review", "--add-toleration", "--profile", "agentmoat",
                                 fixture))
    validate("gvisor-run", kfix("gvisor", "apply", "--plan", plan, "--live", live))
    validate("gvisor-run", kfix("gvisor", "apply", "--plan", plan, "--live", live, "--execute"))
    validate("gvisor-run", kfix("gvisor", "rollback", "--plan", plan, "--live", live))
    facts = os.path.join(tmp, "facts.yaml")
    open(facts, "w").write("runtimeClass: null\n")
    validate("gvisor-run", kfix("gvisor", "apply", "--plan", plan, "--facts", facts, codes=(5,)))
    validate("gvisor-verify", kfix("gvisor", "verify", "--plan", plan, "--live", live, codes=(4,)))
print("ok")
