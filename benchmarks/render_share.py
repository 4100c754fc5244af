#!/usr/bin/python3
"""Render time as a share of `kfix fix` time over a corpus (docs/performance.md, write-back).

Runs bench_render's three benchmarks interleaved in random order, REPETITIONS
times each: BM_FixCorpus (FixPaths over the corpus, one thread, as `kfix fix
--jobs 1`), BM_RenderOnly (RenderPatches of every file with an accepted fix, its
bytes already in memory) and BM_RenderCorpus (the same with each file read again,
as --write / --in-place / --diff do). Prints each one's median and best CPU time
and the ratios of the medians to the fix's. CPU time, not wall time: the machine
may be shared. The corpus is KFIX_CORPUS or ../shared/corpus beside the source
tree.

usage: render_share.py BENCH_RENDER_BINARY [REPETITIONS]
"""
import json
import os
import statistics
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    exe = sys.argv[1]
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 9
    cmd = [exe, f"--benchmark_repetitions={reps}", "--benchmark_enable_random_interleaving=true",
           "--benchmark_format=json"]
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    load = os.getloadavg()[0]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
    runs = {}
    for b in json.loads(r.stdout)["benchmarks"]:
        if b.get("run_type") != "iteration" or b.get("error_occurred"):
            continue
        runs.setdefault(b["run_name"], []).append(b["cpu_time"])  # milliseconds (both use kMillisecond)
    fix, render, read = runs.get("BM_FixCorpus"), runs.get("BM_RenderOnly"), runs.get("BM_RenderCorpus")
    if not fix or not render or not read:
        sys.exit("bench_render ran no corpus benchmark (corpus not found? set KFIX_CORPUS)")
    rows = (("fix (FixPaths)", fix), ("render (RenderPatches)", render), ("read + render", read))
    for name, xs in rows:
        print(f"{name:24s} median {statistics.median(xs):8.1f} ms CPU, best {min(xs):8.1f} ms ({len(xs)} runs)")
    for name, xs in rows[1:]:
        print(f"{name} / fix: {100 * statistics.median(xs) / statistics.median(fix):.1f}% (medians)")
    print(f"started {started} (load {load:.1f}), ended {time.strftime('%H:%M:%S UTC', time.gmtime())} "
          f"(load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
