#!/usr/bin/python3
"""Python `kfix.run_paths` vs the CLI's `kfix run` over a directory, plus GIL holds and `to_pandas()`.

Alternates the two commands (which goes first alternates too, so drift on a shared machine hits
both alike) and prints medians:

* `kfix run --out TMP DIR` wall time (a process, as users run it);
* a fresh `/usr/bin/python3` process that imports kfix and calls `kfix.run_paths(DIR)`: the time of
  the call alone, the process until the findings objects exist, and until every result object exists;
* in that process, the time to build the findings objects and every Python object of the result
  (findings, fixes, risk, schedule, summary), and `result.findings.to_pandas()` (pandas imported
  first);
* the longest the GIL was held at a stretch while `run_paths`, the object building and `to_pandas()`
  run: a Python thread (at a raised OS priority where allowed, so that a busy machine delays it less)
  sleeps 1 ms in a loop; the main thread's CPU time between two of its wake-ups is the hold (the
  wall-clock gap is printed too; it also counts OS scheduling delays).

Both sides use the same thread count (`--jobs`, default 1) and the default configuration.

usage: python_run.py BUILD_DIR DIR [PAIRS] [--jobs N]
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

# The Python side, run in a fresh interpreter per sample. Prints one JSON line.
CHILD = r"""
import json, os, sys, threading, time
t0 = time.perf_counter()
import kfix
path, jobs = sys.argv[1], int(sys.argv[2])

class Probe:
    # How long another thread held the GIL at a stretch. A Python thread sleeps 1 ms in a loop; between two
    # of its wake-ups the main thread can only run Python (or C++ holding the GIL) if it holds the GIL. The
    # hold is measured as the main thread's CPU time between two wake-ups (its thread CPU clock), so that a
    # wake-up delayed by the OS (a busy shared machine) is not counted as a GIL hold; the wall-clock gap is
    # kept too.
    def __init__(self):
        self.stop = False
        self.max_gap = 0.0
        self.max_hold = 0.0
        self.clock = time.pthread_getcpuclockid(threading.main_thread().ident)
        self.thread = threading.Thread(target=self.loop, daemon=True)
    def loop(self):
        try:  # run the probe ahead of other processes where allowed, so that OS delays do not look like GIL holds
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), -15)
            self.boosted = True
        except OSError:
            self.boosted = False
        last = time.perf_counter()
        last_cpu = time.clock_gettime(self.clock)
        while not self.stop:
            time.sleep(0.001)
            now = time.perf_counter()
            cpu = time.clock_gettime(self.clock)
            self.max_gap = max(self.max_gap, now - last - 0.001)
            self.max_hold = max(self.max_hold, cpu - last_cpu)
            last, last_cpu = now, cpu
    def __enter__(self):
        self.thread.start()
        time.sleep(0.01)
        self.max_gap = 0.0
        self.max_hold = 0.0
        return self
    def __exit__(self, *exc):
        self.stop = True
        self.thread.join()

out = {}
with Probe() as p:
    t = time.perf_counter()
    result = kfix.run_paths(path, jobs=jobs)
    out["run_paths"] = time.perf_counter() - t
    out["gil_run_paths"] = p.max_hold
    out["gap_run_paths"] = p.max_gap
with Probe() as p:
    t = time.perf_counter()
    nf = len(result.findings.findings)
    out["findings_objects"] = time.perf_counter() - t
    out["until_findings"] = time.perf_counter() - t0
    n = (nf, len(result.fixes.results), len(result.risk.results), len(result.schedule),
         result.summary.findings, len(result.findings.errors))
    out["objects"] = time.perf_counter() - t
    out["until_objects"] = time.perf_counter() - t0
    out["gil_objects"] = p.max_hold
    out["gap_objects"] = p.max_gap
import pandas  # imported before the timing: to_pandas() is measured, not the import
with Probe() as p:
    t = time.perf_counter()
    df = result.findings.to_pandas()
    out["to_pandas"] = time.perf_counter() - t
    out["gil_to_pandas"] = p.max_hold
    out["gap_to_pandas"] = p.max_gap
out["rows"] = len(df)
out["findings"] = n[0]
out["process_inside"] = time.perf_counter() - t0
print(json.dumps(out))
"""


def run_cli(exe: str, path: str, jobs: int) -> float:
    with tempfile.TemporaryDirectory() as out:
        t = time.perf_counter()
        r = subprocess.run([exe, "run", "--quiet", "--jobs", str(jobs), "--out", out, path],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - t
    if r.returncode not in (0, 2):
        sys.exit(f"kfix run {path} exited {r.returncode}")
    return elapsed


def run_python(build: str, path: str, jobs: int) -> dict:
    env = dict(os.environ, PYTHONPATH=os.path.join(build, "python"), PYTHONDONTWRITEBYTECODE="1")
    t = time.perf_counter()
    r = subprocess.run(["/usr/bin/python3", "-c", CHILD, path, str(jobs)], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit(f"python run_paths failed:\n{r.stderr}")
    sample = json.loads(r.stdout.strip().splitlines()[-1])
    sample["process"] = elapsed
    startup = elapsed - sample["process_inside"]  # interpreter start and exit
    sample["process_findings"] = startup + sample["until_findings"]
    sample["process_objects"] = startup + sample["until_objects"]
    return sample


def main() -> None:
    args = [a for a in sys.argv[1:]]
    jobs = 1
    if "--jobs" in args:
        i = args.index("--jobs")
        jobs = int(args[i + 1])
        del args[i:i + 2]
    if len(args) < 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    build, path = args[0], args[1]
    pairs = int(args[2]) if len(args) > 2 else 7
    exe = os.path.join(build, "kfix")
    run_cli(exe, path, jobs)  # warm the page cache
    cli, py = [], []
    for i in range(pairs):
        if i % 2:
            py.append(run_python(build, path, jobs))
            cli.append(run_cli(exe, path, jobs))
        else:
            cli.append(run_cli(exe, path, jobs))
            py.append(run_python(build, path, jobs))

    def med(key: str) -> float:
        return statistics.median(s[key] for s in py)

    ms = lambda s: f"{s * 1000:.0f} ms"  # noqa: E731
    cli_med = statistics.median(cli)
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {pairs} alternating pairs, jobs {jobs}, "
          f"{py[0]['findings']} findings")
    print(f"kfix run (process):                 median {ms(cli_med)}, best {ms(min(cli))}")
    def line(label: str, key: str) -> None:
        print(f"{label:<52} median {ms(med(key)):>8}  -> {med(key) / cli_med:.2f}x")
    line("python: kfix.run_paths call", "run_paths")
    line("python process: import, run_paths, findings", "process_findings")
    line("python process: import, run_paths, every object", "process_objects")
    print(f"{'  building the findings objects':<52} median {ms(med('findings_objects')):>8}")
    print(f"{'  building every result object':<52} median {ms(med('objects')):>8}")
    print(f"{'result.findings.to_pandas() (pandas imported)':<52} median {ms(med('to_pandas')):>8} "
          f"({py[0]['rows']} rows)")
    print("longest GIL hold, main-thread CPU between probe wake-ups (median of the samples' longest / max): "
          f"run_paths {ms(med('gil_run_paths'))} / {ms(max(s['gil_run_paths'] for s in py))}, "
          f"objects {ms(med('gil_objects'))} / {ms(max(s['gil_objects'] for s in py))}, "
          f"to_pandas {ms(med('gil_to_pandas'))} / {ms(max(s['gil_to_pandas'] for s in py))}")
    print("longest probe wake-up gap, wall clock (includes OS scheduling delays): "
          f"run_paths {ms(max(s['gap_run_paths'] for s in py))}, "
          f"objects {ms(max(s['gap_objects'] for s in py))}, "
          f"to_pandas {ms(max(s['gap_to_pandas'] for s in py))}")


if __name__ == "__main__":
    main()
