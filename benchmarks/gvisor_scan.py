#!/usr/bin/python3
"""`kfix gvisor scan` vs `kfix scan` wall time over a directory, as users run it.

Both commands load every file and report every workload (`kfix scan` runs the
default checks, `kfix gvisor scan` classifies every workload owner for gVisor),
each with --jobs 1 and JSON output. Runs alternating pairs (which command goes
first alternates too, so drift on a shared machine hits both alike) and prints
each side's median and best, the ratio of the medians, the median of the
per-pair ratios, and the number of workloads per verdict.

usage: gvisor_scan.py KFIX_BINARY DIR [PAIRS]
"""
import collections
import json
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "scan": lambda path: ["scan", "--format", "json", "--jobs", "1", path],
    "gvisor scan": lambda path: ["gvisor", "scan", "--format", "json", "--jobs", "1", path],
}


def run(exe, name, path):
    t = time.perf_counter()
    r = subprocess.run([exe] + COMMANDS[name](path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if r.returncode not in (0, 2):  # 2: findings / an incompatible workload
        sys.exit(f"kfix {name} {path} exited {r.returncode}")
    return time.perf_counter() - t


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    exe, path = sys.argv[1], sys.argv[2]
    pairs = int(sys.argv[3]) if len(sys.argv) > 3 else 11
    out = subprocess.run([exe] + COMMANDS["gvisor scan"](path), capture_output=True, text=True)
    report = json.loads(out.stdout)
    verdicts = collections.Counter(w["compatibility"] for w in report["workloads"])
    kinds = collections.Counter(w["kind"] for w in report["workloads"])
    rules = collections.Counter(r["ruleId"] for w in report["workloads"] for r in w["reasons"])
    times = {"scan": [], "gvisor scan": []}
    ratios = []
    run(exe, "scan", path)  # warm the page cache
    for i in range(pairs):
        order = ["scan", "gvisor scan"] if i % 2 == 0 else ["gvisor scan", "scan"]
        got = {name: run(exe, name, path) for name in order}
        for name, t in got.items():
            times[name].append(t)
        ratios.append(got["gvisor scan"] / got["scan"])
    ms = lambda s: f"{s * 1000:.0f} ms"
    for name, ts in times.items():
        print(f"kfix {name}: median {ms(statistics.median(ts))}, best {ms(min(ts))}")
    print(f"gvisor scan / scan: ratio of medians "
          f"{statistics.median(times['gvisor scan']) / statistics.median(times['scan']):.2f}, "
          f"median of {pairs} pair ratios {statistics.median(ratios):.2f}")
    print(f"workloads: {len(report['workloads'])} ({', '.join(f'{k} {v}' for k, v in sorted(verdicts.items()))})")
    print(f"by kind: {', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}")
    print(f"rules fired: {', '.join(f'{k} {v}' for k, v in rules.most_common())}")
    print(f"warnings: {len(report['warnings'])}")


if __name__ == "__main__":
    main()
