#!/usr/bin/env python3
"""Scans the shared corpus with every built-in check, twice (--jobs 1 and
--jobs 2) and checks: the process neither crashes nor fails (exit 0 or 2),
every corpus file is accounted for, the JSON is valid and both runs are
byte-identical (timing left out with --no-timing)."""
import json
import os
import subprocess
import sys
import tempfile


def run(kfix, corpus, config, jobs):
    cmd = [kfix, "scan", "--format", "json", "--no-timing", "--config", config, "--jobs", str(jobs), corpus]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode not in (0, 2):
        sys.exit(f"{' '.join(cmd)}: exit {p.returncode}\n{p.stderr.decode(errors='replace')[-2000:]}")
    return p.stdout


def main():
    kfix, corpus = sys.argv[1], sys.argv[2]
    files = 0
    for root, _, names in os.walk(corpus):
        files += sum(1 for n in names if n.endswith((".yaml", ".yml", ".json")))
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "kfix.yaml")
        with open(config, "w") as f:
            f.write("checks:\n  addAllBuiltIn: true\n  include: [cap-sys-admin, host-ports, hostpath-volume, "
                    "seccomp-profile, run-as-user, allow-privilege-escalation]\n")
        one = run(kfix, corpus, config, 1)
        two = run(kfix, corpus, config, 2)
    report = json.loads(one)
    stats = report["stats"]
    if stats["files"] != files:
        sys.exit(f"scanned {stats['files']} files, corpus has {files}")
    if one != two:
        sys.exit("--jobs 1 and --jobs 2 outputs differ")
    for f in report["findings"]:
        if f["line"] < 1 or f["column"] < 1:
            sys.exit(f"finding without position: {f}")
    print(f"corpus: {files} files, {stats['objects']} objects, {stats['findings']} findings, "
          f"{stats['ignored']} ignored, {stats['errors']} load errors; jobs 1 == jobs 2")


if __name__ == "__main__":
    main()
