"""Shared by the schema-check scripts: docs/json-schema/ loaded into one store
(each schema checked against the draft), documents validated by schema name,
and the kfix CLI run for its JSON output.

RefResolver (python3-jsonschema 4.10 on Debian bookworm) resolves the
cross-file $refs from the local store; nothing is fetched.
"""
import json
import os
import subprocess
import sys

import jsonschema


def load(src_dir, names):
    """The schemas docs/json-schema/NAME.schema.json of `names`, by $id."""
    store = {}
    for name in names:
        with open(os.path.join(src_dir, "docs", "json-schema", name + ".schema.json")) as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        store[schema["$id"]] = schema
    return store


def validate(store, name, doc):
    """Raises jsonschema.ValidationError unless `doc` fits NAME.schema.json."""
    schema = store["https://kfix.dev/schema/%s.schema.json" % name]
    resolver = jsonschema.RefResolver.from_schema(schema, store=store)
    jsonschema.Draft202012Validator(schema, resolver=resolver).validate(doc)


def run_kfix(kfix, *args, codes=(0,)):
    """`kfix ARGS` parsed as JSON; exits the script on another exit code."""
    r = subprocess.run([kfix] + list(args), capture_output=True, text=True)
    if r.returncode not in codes:
        sys.exit("kfix %s exited %d: %s" % (" ".join(args), r.returncode, r.stderr))
    return json.loads(r.stdout)
