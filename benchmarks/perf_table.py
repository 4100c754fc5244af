#!/usr/bin/python3
"""The performance table of docs/performance.md, measured in one run.

Runs each command over the same manifest directory, alternating the commands
round by round (the order rotates too, so drift on a shared machine hits all
alike), and prints a Markdown table: median and best wall time, the ratio of
the medians to the raw libyaml event pass, and peak RSS (also as a multiple of
the input bytes). Then a scaling run over 1x, 4x and 16x copies of the input
(hard links in a temporary directory, removed afterwards): time per input
byte and peak RSS of `kfix fix --jobs 1` and `kfix scan --jobs 1` at each
size, next to the raw pass.

usage: perf_table.py --kfix BUILD/kfix --raw BUILD/benchmarks/raw_libyaml DIR
                     [--rounds N] [--scaling 1,4,16] [--scaling-rounds N] [--no-pyyaml]
"""
import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PYYAML = r"""
import os, sys, yaml
n = 0
for root, dirs, files in os.walk(sys.argv[1]):
    for f in files:
        if f.endswith(('.yaml', '.yml', '.json')):
            with open(os.path.join(root, f), 'rb') as fh:
                try:
                    for doc in yaml.load_all(fh.read(), Loader=yaml.CSafeLoader):
                        n += 1
                except yaml.YAMLError:
                    pass
print(n)
"""


GNU_TIME = "/usr/bin/time"  # Debian package `time`: the peak RSS of the command itself


def run_once(argv, ok_codes=(0, 2)):
    """Wall seconds, peak RSS (bytes) and CPU seconds (user + system) of one command.

    The peak RSS comes from GNU time when it is installed: the kernel's figure
    for a child forked from Python includes Python's own pages before exec.
    """
    with tempfile.NamedTemporaryFile("r", prefix="kfix-rss-") as rss_file:
        full = argv
        if os.access(GNU_TIME, os.X_OK):
            full = [GNU_TIME, "-q", "-f", "%M", "-o", rss_file.name] + argv
        t = time.perf_counter()
        p = subprocess.Popen(full, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        code = os.waitstatus_to_exitcode(status)
        if code not in ok_codes:
            sys.exit(f"perf_table: {' '.join(argv)} exited {code}")
        rss = usage.ru_maxrss * 1024
        cpu = usage.ru_utime + usage.ru_stime  # includes GNU time's own child, the command
        if full is not argv:
            text = rss_file.read().strip().splitlines()
            rss = int(text[-1]) * 1024 if text and text[-1].isdigit() else rss
        return wall, rss, cpu


def measure(commands, rounds):
    """commands: list of (key, argv). Returns key -> (walls, rss list, cpu list)."""
    out = {k: ([], [], []) for k, _ in commands}
    for k, argv in commands:  # warm the page cache and the binaries
        run_once(argv)
    for r in range(rounds):
        order = commands[r % len(commands):] + commands[:r % len(commands)]
        if r % 2:
            order = order[::-1]
        for k, argv in order:
            w, rss, cpu = run_once(argv)
            out[k][0].append(w)
            out[k][1].append(rss)
            out[k][2].append(cpu)
    return out


def input_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            if f.endswith((".yaml", ".yml", ".json")):
                total += os.path.getsize(os.path.join(root, f))
    return total


def replicate(src, dst, copies):
    """dst/copyN/... for N < copies, hard-linked (copied across file systems)."""
    for n in range(copies):
        for root, _, files in os.walk(src):
            rel = os.path.relpath(root, src)
            target = os.path.join(dst, f"copy{n:02d}", rel)
            os.makedirs(target, exist_ok=True)
            for f in files:
                if not f.endswith((".yaml", ".yml", ".json")):
                    continue
                a, b = os.path.join(root, f), os.path.join(target, f)
                try:
                    os.link(a, b)
                except OSError:
                    shutil.copyfile(a, b)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def load_average():
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "unknown"


def ms(s):
    return f"{s * 1000:,.0f} ms"


def mb(b):
    return f"{b / 1e6:,.0f} MB"


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--kfix", required=True)
    ap.add_argument("--raw", required=True)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--scaling", default="1,4,16")
    ap.add_argument("--scaling-rounds", type=int, default=3)
    ap.add_argument("--no-pyyaml", action="store_true")
    a = ap.parse_args()
    corpus = os.path.normpath(a.dir)
    nbytes = input_bytes(corpus)
    tmp = tempfile.mkdtemp(prefix="kfix-bench-")
    try:
        run_dir = os.path.join(tmp, "run")
        k = a.kfix
        cmds = [
            ("raw", "raw libyaml event pass", [a.raw, corpus]),
        ]
        if not a.no_pyyaml:
            cmds.append(("pyyaml", "PyYAML CSafeLoader (load_all)", [sys.executable, "-c", PYYAML, corpus]))
        cmds += [
            ("scan1", "kfix scan --jobs 1", [k, "scan", "--format", "json", "--no-timing", "--jobs", "1", corpus]),
            ("scan2", "kfix scan --jobs 2", [k, "scan", "--format", "json", "--no-timing", "--jobs", "2", corpus]),
            ("fix1", "kfix fix --jobs 1", [k, "fix", "--format", "json", "--jobs", "1", corpus]),
            ("fix2", "kfix fix --jobs 2", [k, "fix", "--format", "json", "--jobs", "2", corpus]),
            ("run1", "kfix run --jobs 1", [k, "run", "--quiet", "--format", "json", "--out", run_dir, "--jobs", "1",
                                           corpus]),
        ]
        started = datetime.datetime.now(datetime.timezone.utc)
        load_before = load_average()
        res = measure([(key, argv) for key, _, argv in cmds], a.rounds)
        load_after = load_average()
        raw_med = statistics.median(res["raw"][0])
        raw_cpu = statistics.median(res["raw"][2])
        print(f"## kfix performance ({started:%Y-%m-%d %H:%M} UTC; {cpu_model()}, {os.cpu_count()} CPUs, "
              f"{platform.system()} {platform.release()})")
        print()
        print(f"Input: {corpus} ({nbytes:,} bytes). {a.rounds} alternating rounds; medians; "
              "RSS is the peak of each process; CPU is user + system time of the process. "
              f"Load average (1 min) {load_before} before, {load_after} after.")
        print()
        print("| what | ratio to raw (median) | median | best | CPU ratio to raw | peak RSS | RSS / input | command |")
        print("|---|---:|---:|---:|---:|---:|---:|---|")
        for key, label, argv in cmds:
            walls, rss, cpus = res[key]
            med = statistics.median(walls)
            peak = max(rss)
            shown = " ".join(os.path.basename(x) if x in (a.raw, k, sys.executable) else x for x in argv)
            if key == "pyyaml":
                shown = "python3 -c '<yaml.load_all(..., Loader=yaml.CSafeLoader) per file>' " + corpus
            print(f"| {label} | {med / raw_med:.2f}x | {ms(med)} | {ms(min(walls))} | "
                  f"{statistics.median(cpus) / raw_cpu:.2f}x | {mb(peak)} | {peak / nbytes:.1f}x | `{shown}` |")
        f1, f2 = res["fix1"][0], res["fix2"][0]
        s1, s2 = res["scan1"][0], res["scan2"][0]
        print()
        print(f"- `kfix fix --jobs 1` / `--jobs 2`: best {min(f1) / min(f2):.2f}x, medians "
              f"{statistics.median(f1) / statistics.median(f2):.2f}x")
        print(f"- `kfix scan --jobs 1` / `--jobs 2`: best {min(s1) / min(s2):.2f}x, medians "
              f"{statistics.median(s1) / statistics.median(s2):.2f}x")

        sizes = [int(x) for x in a.scaling.split(",") if x.strip()]
        if sizes:
            print()
            print(f"### Scaling ({a.scaling_rounds} alternating rounds per size, medians)")
            print()
            print("| copies | input | raw ns/byte | scan ns/byte | fix ns/byte | fix per byte vs 1x | fix peak RSS | "
                  "fix RSS / input |")
            print("|---:|---:|---:|---:|---:|---:|---:|---:|")
            base = None
            for n in sizes:
                d = os.path.join(tmp, f"x{n}")
                replicate(corpus, d, n)
                b = input_bytes(d)
                r = measure([("raw", [a.raw, d]),
                             ("scan", [k, "scan", "--format", "json", "--no-timing", "--jobs", "1", d]),
                             ("fix", [k, "fix", "--format", "json", "--jobs", "1", d])], a.scaling_rounds)
                per = {key: statistics.median(v[0]) / b * 1e9 for key, v in r.items()}
                if base is None:
                    base = per["fix"]
                peak = max(r["fix"][1])
                print(f"| {n} | {mb(b)} | {per['raw']:.1f} | {per['scan']:.1f} | {per['fix']:.1f} | "
                      f"{per['fix'] / base:.2f} | {mb(peak)} | {peak / b:.1f}x |")
                shutil.rmtree(d)
        print()
        print(f"Finished {datetime.datetime.now(datetime.timezone.utc):%H:%M} UTC; load average (1 min) "
              f"{load_average()}.")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
