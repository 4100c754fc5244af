#!/usr/bin/env python3
"""Validates every SARIF shape kfix writes with Microsoft's SARIF validator.

Installs npm @microsoft/sarif-multitool (pinned) into a cache folder outside
the source tree on first use: $KFIX_TOOL_CACHE, else $XDG_CACHE_HOME/kfix, else
~/.cache/kfix. Exit 0 when every file validates with zero errors, 1 otherwise
(or when the tool cannot be installed), 77 (skipped) only when npm is missing.
"""
import argparse
import json
import os
import shutil
import stat
import subprocess
import sys

TOOL = "@microsoft/sarif-multitool"
VERSION = "5.7.0"


def cache_dir():
    base = os.environ.get("KFIX_TOOL_CACHE")
    if not base:
        base = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "kfix")
    return os.path.join(base, f"sarif-multitool-{VERSION}")


def install():
    npm = shutil.which("npm")
    if not npm:
        print("SKIPPED: npm is not installed on this machine, so Microsoft's SARIF validator "
              f"({TOOL}) cannot be installed; install npm to run this test")
        sys.exit(77)
    prefix = cache_dir()
    binary = os.path.join(prefix, "node_modules", "@microsoft", "sarif-multitool-linux", "Sarif.Multitool")
    if not os.path.exists(binary):
        os.makedirs(prefix, exist_ok=True)
        cmd = [npm, "install", "--no-audit", "--no-fund", "--prefix", prefix, f"{TOOL}@{VERSION}"]
        print("installing:", " ".join(cmd), flush=True)
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0 or not os.path.exists(binary):
            print(r.stdout)
            print(f"FAILED: cannot install {TOOL}@{VERSION} with npm into {prefix}")
            sys.exit(1)
    # npm may not run the package's postinstall (chmod); do it here.
    mode = os.stat(binary).st_mode
    if not mode & stat.S_IXUSR:
        os.chmod(binary, mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return binary


def kfix_sarif(kfix, args, cwd, out, stdin=None):
    with open(out, "w", encoding="utf-8") as f:
        r = subprocess.run([kfix, "scan", "--format", "sarif", *args], cwd=cwd, stdout=f, stderr=subprocess.PIPE,
                           input=stdin, text=True)
    if r.returncode not in (0, 1, 2):
        print(f"kfix scan {' '.join(args)} failed ({r.returncode}): {r.stderr}")
        sys.exit(1)
    with open(out, encoding="utf-8") as f:
        doc = json.load(f)
    return doc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kfix", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    args.kfix = os.path.abspath(args.kfix)
    tool = install()
    work = os.path.abspath(args.work)
    shutil.rmtree(work, ignore_errors=True)
    odd = os.path.join(work, "in put", "dir #1")
    os.makedirs(odd)
    example = os.path.join(args.source, "examples", "manifests", "web.yaml")
    shutil.copy(example, os.path.join(odd, "w\u00e9b 100%.yaml"))
    with open(os.path.join(work, "in put", "broken.yaml"), "w", encoding="utf-8") as f:
        f.write("apiVersion: v1\nkind: [\n")
    with open(os.path.join(work, "in put", "clean.yaml"), "w", encoding="utf-8") as f:
        f.write("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: n\ndata: {a: b}\n")
    with open(example, encoding="utf-8") as f:
        web = f.read()
    shapes = {
        "relative": (["examples/manifests"], args.source, None),
        "absolute": ([os.path.join(os.path.abspath(args.source), "examples", "manifests")], work, None),
        "stdin": (["-"], work, web),
        "odd-names-relative": (["in put"], work, None),
        "odd-names-absolute": ([os.path.join(work, "in put")], "/", None),
        "no-findings": ([os.path.join(work, "in put", "clean.yaml")], work, None),
        "all-checks": (["--add-all-built-in", "examples/manifests"], args.source, None),
    }
    files = []
    for name, (scan_args, cwd, stdin) in shapes.items():
        out = os.path.join(work, f"{name}.sarif")
        doc = kfix_sarif(args.kfix, scan_args, cwd, out, stdin)
        n = len(doc["runs"][0]["results"])
        print(f"{name}: {n} results", flush=True)
        if name != "no-findings" and n == 0:
            print(f"FAILED: the {name} shape has no results to validate")
            return 1
        files.append(out)
    report = os.path.join(work, "validation.sarif")
    r = subprocess.run([tool, "validate", "-o", report, *files], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0 or not os.path.exists(report):
        print(r.stdout)
        print(f"FAILED: the validator did not run ({r.returncode})")
        return 1
    with open(report, encoding="utf-8-sig") as f:
        validation = json.load(f)
    errors = 0
    for run in validation.get("runs", []):
        for res in run.get("results", []):
            if res.get("level", "warning") == "error":
                errors += 1
                loc = res.get("locations", [{}])[0].get("physicalLocation", {})
                uri = loc.get("artifactLocation", {}).get("uri", "?")
                line = loc.get("region", {}).get("startLine", "?")
                print(f"{uri}:{line}: {res.get('ruleId')}: {res.get('message', {}).get('text', '')}")
    print(f"{len(files)} SARIF files validated with {TOOL}@{VERSION}: {errors} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
