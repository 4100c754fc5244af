#!/usr/bin/env python3
"""Every surface prints the same bytes for the same configuration file.

usage: check_same_bytes.py --leg NAME=COMMAND [--leg NAME=COMMAND]... -- CONFIG PATH...

Each COMMAND (split on spaces) gets CONFIG and PATH... appended and must print
the `kfix scan --format json` document without timings. Exit status 0 and 2
(findings) are both fine; the outputs must be byte-identical and non-trivial.
"""
import argparse
import json
import subprocess
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--leg", action="append", required=True)
parser.add_argument("rest", nargs="+")
args = parser.parse_args()

outputs = {}
for leg in args.leg:
    name, _, command = leg.partition("=")
    r = subprocess.run(command.split() + args.rest, capture_output=True)
    if r.returncode not in (0, 2):
        sys.exit("leg %s exited %d: %s" % (name, r.returncode, r.stderr.decode(errors="replace")))
    outputs[name] = r.stdout

first_name, first = next(iter(outputs.items()))
doc = json.loads(first)  # valid JSON (and UTF-8)
if not doc["findings"] or not doc["errors"]:
    sys.exit("the inputs should give findings and a load error; got %d findings, %d errors"
             % (len(doc["findings"]), len(doc["errors"])))
failed = False
for name, out in outputs.items():
    if out != first:
        failed = True
        a, b = first.decode(errors="replace").splitlines(), out.decode(errors="replace").splitlines()
        line = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        print("leg %s differs from leg %s at line %d:\n  %s: %r\n  %s: %r"
              % (name, first_name, line + 1, first_name, a[line] if line < len(a) else None,
                 name, b[line] if line < len(b) else None), file=sys.stderr)
if failed:
    sys.exit(1)
print("%d legs, %d bytes each, %d findings: identical" % (len(outputs), len(first), len(doc["findings"])))
