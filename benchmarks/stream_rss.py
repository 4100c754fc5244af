#!/usr/bin/python3
"""Peak memory of per-file streaming (docs/performance.md, "Streaming per file").

Builds 1x and 16x copies of a manifest directory (hard links in a temporary
directory, removed afterwards, as perf_table.py --scaling does) and measures
the peak RSS of `kfix scan --context per-file` and `kfix fix --context
per-file` (--jobs 1 unless told) over each, next to the same commands with
the default context (everything loaded at once), alternating the commands
round by round. Prints a Markdown table, the largest input file and the
target of issue 19: peak RSS <= 3x the largest file + 64 MB (MiB here:
64 * 2**20 bytes) at 16x.

usage: stream_rss.py --kfix BUILD/kfix DIR [--copies 1,16] [--rounds 2] [--jobs 1]
"""
import argparse
import datetime
import os
import shutil
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from perf_table import cpu_model, input_bytes, load_average, measure, replicate  # noqa: E402


def largest_file(path):
    best = (0, "")
    for root, _, files in os.walk(path):
        for f in files:
            if f.endswith((".yaml", ".yml", ".json")):
                p = os.path.join(root, f)
                best = max(best, (os.path.getsize(p), p))
    return best


def mib(b):
    return f"{b / 2**20:,.1f} MiB"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kfix", required=True)
    ap.add_argument("--copies", default="1,16")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("dir")
    a = ap.parse_args()
    k, jobs = os.path.abspath(a.kfix), str(a.jobs)
    size, name = largest_file(a.dir)
    target = 3 * size + 64 * 2**20
    start = datetime.datetime.now(datetime.timezone.utc)
    print(f"### Per-file streaming, peak RSS ({start:%Y-%m-%d %H:%M} UTC; {cpu_model()}, {os.cpu_count()} CPUs; "
          f"load average {load_average()})")
    print()
    print(f"Largest file: {size:,} bytes ({os.path.relpath(name, a.dir)}); target 3x largest + 64 MiB = {mib(target)}.")
    print(f"Medians of {a.rounds} alternating rounds; `--jobs {jobs}`.")
    print()
    print("| copies | input | scan per-file | fix per-file | scan (all at once) | fix (all at once) | per-file within target |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    tmp = tempfile.mkdtemp(prefix="kfix-stream-rss-")
    try:
        for n in [int(x) for x in a.copies.split(",") if x.strip()]:
            d = os.path.join(tmp, f"x{n}")
            replicate(a.dir, d, n)
            b = input_bytes(d)
            r = measure([
                ("scan-pf", [k, "scan", "--context", "per-file", "--format", "json", "--no-timing", "--jobs", jobs, d]),
                ("fix-pf", [k, "fix", "--context", "per-file", "--format", "json", "--jobs", jobs, d]),
                ("scan", [k, "scan", "--format", "json", "--no-timing", "--jobs", jobs, d]),
                ("fix", [k, "fix", "--format", "json", "--jobs", jobs, d]),
            ], a.rounds)
            rss = {key: statistics.median(v[1]) for key, v in r.items()}
            peak = max(max(r["scan-pf"][1]), max(r["fix-pf"][1]))
            ok = "yes" if peak <= target else "no"
            print(f"| {n} | {b / 1e6:,.0f} MB | {mib(rss['scan-pf'])} | {mib(rss['fix-pf'])} | {mib(rss['scan'])} | "
                  f"{mib(rss['fix'])} | {ok} (max {mib(peak)}) |")
            shutil.rmtree(d)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    print(f"Command: `python3 benchmarks/stream_rss.py --kfix {a.kfix} {a.dir} --copies {a.copies} --rounds {a.rounds} "
          f"--jobs {jobs}`; finished {datetime.datetime.now(datetime.timezone.utc):%H:%M} UTC, load average "
          f"{load_average()}.")


if __name__ == "__main__":
    main()
