#!/usr/bin/env python3
"""Every `kfix gvisor` document validates against its JSON schema.

usage: check_schemas.py KFIX_CLI SOURCE_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

import jsonschema

KFIX, SRC = sys.argv[1], sys.argv[2]
DATA = os.path.join(SRC, "tests", "data", "gvisor")
SCHEMAS = os.path.join(SRC, "docs", "json-schema")

store = {}
for name in ("gvisor-scan", "gvisor-plan", "gvisor-run", "gvisor-verify"):
    with open(os.path.join(SCHEMAS, name + ".schema.json")) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    store[schema["$id"]] = schema


def validate(name, doc):
    # RefResolver (python3-jsonschema 4.10 on Debian bookworm) resolves the
    # cross-file $refs from the local store; nothing is fetched.
    schema = store["https://kfix.dev/schema/%s.schema.json" % name]
    resolver = jsonschema.RefResolver.from_schema(schema, store=store)
    jsonschema.Draft202012Validator(schema, resolver=resolver).validate(doc)


def kfix(*args, codes=(0,)):
    r = subprocess.run([KFIX] + list(args), capture_output=True, text=True)
    if r.returncode not in codes:
        sys.exit("kfix %s exited %d: %s" % (" ".join(args), r.returncode, r.stderr))
    return json.loads(r.stdout)


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
