#!/usr/bin/env python3
"""Walks the CLI registry (`kfix help --commands`) and asks every command and
subcommand for help three ways: usage on stdout, nothing on stderr, exit 0."""
import subprocess
import sys

kfix = sys.argv[1]
failures = []


def run(*args):
    return subprocess.run([kfix, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)


listing = run("help", "--commands")
if listing.returncode != 0 or not listing.stdout.strip():
    sys.exit(f"kfix help --commands failed ({listing.returncode}): {listing.stderr}")
commands = [line.split() for line in listing.stdout.splitlines() if line.strip()]
checked = 0
for name, *subs in commands:
    for args in ([name, "--help"], [name, "-h"], ["help", name], [name, "--format", "json", "--help"]):
        r = run(*args)
        checked += 1
        if r.returncode != 0 or r.stderr or not r.stdout.startswith("usage:") or f"kfix {name}" not in r.stdout:
            failures.append(f"kfix {' '.join(args)}: exit {r.returncode}, stdout {r.stdout[:80]!r}, stderr {r.stderr[:200]!r}")
    usage = run(name, "--help").stdout
    for sub in subs:
        if sub not in usage:
            failures.append(f"kfix {name} --help does not mention its subcommand {sub}")
        for args in ([name, sub, "--help"], [name, sub, "-h"], ["help", name, sub]):
            r = run(*args)
            checked += 1
            first = r.stdout.splitlines()[0] if r.stdout else ""
            if r.returncode != 0 or r.stderr or not first.startswith("usage:") or f"kfix {name}" not in first or sub not in first:
                failures.append(f"kfix {' '.join(args)}: exit {r.returncode}, first line {first!r}, stderr {r.stderr[:200]!r}")
# `--` ends the options: --help after it is an argument, not a request for help.
r = run("parse", "--", "--help")
if r.returncode == 0 or r.stdout.startswith("usage:"):
    failures.append("kfix parse -- --help: treated as a help request")
for f in failures:
    print(f)
print(f"{len(commands)} commands, {sum(len(s) for _, *s in commands)} subcommands, {checked} help requests, "
      f"{len(failures)} failures")
sys.exit(1 if failures else 0)
