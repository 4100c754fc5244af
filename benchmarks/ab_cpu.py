#!/usr/bin/python3
"""Two kfix binaries (before and after a change) on the same command, CPU and wall time.

Runs alternating pairs (which of the two goes first alternates too, so drift on a
shared machine hits both alike) and prints each side's median and best CPU time
(user + system of the process) and wall time, the ratio of the medians and the
median of the per-pair ratios, with the load average and the time of day. The
outputs of the two binaries are compared once (byte for byte) before timing.

usage: ab_cpu.py BEFORE AFTER [--pairs N] [--cwd DIR] -- ARGS...
e.g.   ab_cpu.py old/kfix build/kfix --cwd .. -- fix --format json --jobs 1 corpus
"""
import argparse
import hashlib
import os
import resource
import statistics
import subprocess
import sys
import time


def run(exe, args, cwd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    r = subprocess.run([exe] + args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode not in (0, 2):  # 2: findings; anything else is a failure, not a timing
        sys.exit(f"{exe} {' '.join(args)} exited {r.returncode}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def digest(exe, args, cwd):
    r = subprocess.run([exe] + args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return hashlib.sha256(r.stdout).hexdigest()


def main():
    if "--" not in sys.argv:
        sys.exit(__doc__.strip().splitlines()[-2])
    split = sys.argv.index("--")
    p = argparse.ArgumentParser()
    p.add_argument("before")
    p.add_argument("after")
    p.add_argument("--pairs", type=int, default=11)
    p.add_argument("--cwd", default=None)
    opts = p.parse_args(sys.argv[1:split])
    opts.before, opts.after = os.path.abspath(opts.before), os.path.abspath(opts.after)
    args = sys.argv[split + 1:]
    if digest(opts.before, args, opts.cwd) != digest(opts.after, args, opts.cwd):
        print("note: the two binaries' outputs differ")
    print(time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), f"load average {os.getloadavg()[0]:.2f}",
          f"{opts.pairs} alternating pairs:", "kfix " + " ".join(args))
    run(opts.before, args, opts.cwd)  # warm the page cache
    samples = {"before": [], "after": []}
    for i in range(opts.pairs):
        order = ("after", "before") if i % 2 else ("before", "after")
        for side in order:
            samples[side].append(run(getattr(opts, side), args, opts.cwd))
    for what, k in (("CPU", 0), ("wall", 1)):
        b = [s[k] for s in samples["before"]]
        a = [s[k] for s in samples["after"]]
        ratios = [x / y for x, y in zip(b, a)]
        print(f"{what}: before median {statistics.median(b) * 1000:.0f} ms (best {min(b) * 1000:.0f}), "
              f"after median {statistics.median(a) * 1000:.0f} ms (best {min(a) * 1000:.0f}); "
              f"before/after {statistics.median(b) / statistics.median(a):.3f}x of the medians, "
              f"{statistics.median(ratios):.3f}x median of the pairs")
    print(time.strftime("finished %H:%M UTC", time.gmtime()), f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
