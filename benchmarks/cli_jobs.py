#!/usr/bin/python3
"""`kfix scan --jobs 1` vs `--jobs 2` wall time over a directory, as users run it.

Runs alternating pairs (which of the two goes first alternates too, so drift on
a shared machine hits both alike) and prints each side's median and best, the
ratio of the medians and the median of the per-pair ratios.

usage: cli_jobs.py KFIX_BINARY DIR [PAIRS]
"""
import statistics
import subprocess
import sys
import time


def run(exe, jobs, path):
    t = time.perf_counter()
    r = subprocess.run([exe, "scan", "--format", "json", "--jobs", str(jobs), path],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if r.returncode not in (0, 2):  # 2: findings; anything else is a failure, not a timing
        sys.exit(f"kfix scan --jobs {jobs} {path} exited {r.returncode}")
    return time.perf_counter() - t


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    exe, path = sys.argv[1], sys.argv[2]
    pairs = int(sys.argv[3]) if len(sys.argv) > 3 else 15
    one, two, ratios = [], [], []
    run(exe, 1, path)  # warm the page cache
    for i in range(pairs):
        if i % 2:
            b = run(exe, 2, path)
            a = run(exe, 1, path)
        else:
            a = run(exe, 1, path)
            b = run(exe, 2, path)
        one.append(a)
        two.append(b)
        ratios.append(a / b)
    ms = lambda s: f"{s * 1000:.0f} ms"
    print(f"kfix scan --jobs 1: median {ms(statistics.median(one))}, best {ms(min(one))}")
    print(f"kfix scan --jobs 2: median {ms(statistics.median(two))}, best {ms(min(two))}")
    print(f"jobs 1 / jobs 2: ratio of medians {statistics.median(one) / statistics.median(two):.2f}, "
          f"median of {pairs} pair ratios {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
