#!/usr/bin/env python3
"""Every document kfix prints validates against docs/json-schema/, and the
one Status shape and `item` rule hold in all of them.

usage: check_documents.py KFIX_CLI SOURCE_DIR DATA_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

import jsonschema

KFIX, SRC, DATA = sys.argv[1], sys.argv[2], sys.argv[3]
SCHEMAS = os.path.join(SRC, "docs", "json-schema")
MANIFESTS = os.path.join(DATA, "manifests")
CONFIG = os.path.join(DATA, "config.yaml")

store = {}
for name in os.listdir(SCHEMAS):
    if not name.endswith(".json"):
        continue
    with open(os.path.join(SCHEMAS, name)) as f:
        schema = json.load(f)
    if "$id" in schema:
        store[schema["$id"]] = schema
# Relative "$ref": "status.schema.json" resolves against each schema's $id.
status_schema = store["https://kfix.dev/schema/status.schema.json"]


def schema_named(file_name):
    with open(os.path.join(SCHEMAS, file_name)) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def validate(file_name, doc):
    schema = schema_named(file_name)
    resolver = jsonschema.RefResolver.from_schema(schema, store=store)
    jsonschema.Draft202012Validator(schema, resolver=resolver).validate(doc)


def kfix(*args, codes=(0, 1, 2)):
    r = subprocess.run([KFIX] + list(args), capture_output=True)
    if r.returncode not in codes:
        sys.exit("kfix %s exited %d: %s" % (" ".join(args), r.returncode, r.stderr.decode(errors="replace")))
    return json.loads(r.stdout.decode("utf-8"))  # strict UTF-8


def check_items(objects, what):
    """`item` only inside a kind: List (list.yaml), and never -1."""
    for o in objects:
        if o.get("file", "").endswith("list.yaml"):
            assert o.get("item") == 0, (what, o)
        else:
            assert "item" not in o, (what, o)


scan = kfix("scan", "--format", "json", "--config", CONFIG, MANIFESTS)
validate("scan-report.schema.json", scan)
check_items(scan["findings"], "findings")
assert len(scan["errors"]) == 1 and scan["errors"][0]["file"].endswith("broken.yaml"), scan["errors"]

fix = kfix("fix", "--format", "json", "--config", CONFIG, MANIFESTS)
validate("fix-report.schema.json", fix)
check_items(fix["results"], "fix results")

# kfix propose prints the same document, with each result's proposer and attempts.
proposed = kfix("propose", "--mode", "rules", "--config", CONFIG, MANIFESTS)
validate("fix-report.schema.json", proposed)
assert proposed["summary"]["mode"] == "rules" and "rules" in proposed["summary"]["proposers"], proposed["summary"]
assert all(r["proposer"] == "rules" for r in proposed["results"]), proposed["results"]
assert [r["status"] for r in proposed["results"]] == [r["status"] for r in fix["results"]]

risk = kfix("risk", "--format", "json", "--config", CONFIG, MANIFESTS)
validate("risk.schema.json", risk)
check_items(risk["results"], "risk results")

rank = kfix("schedule", "rank", "--config", CONFIG, MANIFESTS)
assert rank["schemaVersion"] == 2 and rank["items"], rank

parse = kfix("parse", "--format", "json", MANIFESTS)
assert parse["schemaVersion"] == 2
check_items(parse["objects"], "parse objects")
for e in parse["errors"]:
    jsonschema.Draft202012Validator(status_schema).validate(e)

with tempfile.TemporaryDirectory() as out:
    kfix("run", "--out", out, "--now", "1000", "--format", "json", "--quiet", "--config", CONFIG, MANIFESTS)
    docs = {}
    for name in ("findings", "fixes", "risk", "schedule", "summary"):
        with open(os.path.join(out, name + ".json"), encoding="utf-8") as f:
            docs[name] = json.load(f)
    validate("scan-report.schema.json", docs["findings"])
    validate("fix-report.schema.json", docs["fixes"])
    validate("risk.schema.json", docs["risk"])
    validate("pipeline-schedule.schema.json", docs["schedule"])
    validate("pipeline-summary.schema.json", docs["summary"])
    check_items(docs["schedule"]["items"], "schedule items")
    # One load error, one shape, in all three documents.
    errors = [docs[n]["errors"] for n in ("findings", "fixes", "risk")]
    assert errors[0] == errors[1] == errors[2] and len(errors[0]) == 1, errors
    assert errors[0][0]["code"] == "parse_error" and "item" not in errors[0][0], errors[0]

# Bytes that are not UTF-8 in an input's name come out as U+FFFD, never raw.
with tempfile.TemporaryDirectory() as d:
    bad = os.path.join(d.encode(), b"bad-\xff.yaml")
    with open(bad, "wb") as f:
        f.write(b"a: [1\n")
    r = subprocess.run([KFIX.encode(), b"scan", b"--format", b"json", bad], capture_output=True)
    doc = json.loads(r.stdout.decode("utf-8"))
    assert doc["errors"][0]["file"].endswith("bad-\ufffd.yaml"), doc["errors"]
    validate("scan-report.schema.json", doc)

print("documents valid: scan, fix, propose, risk, schedule rank, parse, run (5 files); one status shape; item rule")
