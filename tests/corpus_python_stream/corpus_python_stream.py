#!/usr/bin/python3
"""corpus.python-stream: Python's per-file streams over the shared corpus.

1. The parts of Engine.scan_paths_per_file / fix_paths_per_file (jobs 2), joined as docs/c-api.md says,
   equal the whole documents of an engine with scan.context per-file (value for value).
2. Peak memory: a Python process that streams the corpus (jobs 1, nothing kept) stays within issue
   19's per-file target (3x the largest file + 64 MiB) and its growth over a bare `import kfix`
   is under half of the growth of the same process taking the whole document at once.

usage: corpus_python_stream.py CORPUS   (PYTHONPATH: the built kfix package)
"""
from __future__ import annotations

import os
import subprocess
import sys
import kfix

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from per_file_join import join_fix, join_scan  # noqa: E402

CONFIG = "scan:\n  jobs: 1\n"
PER_FILE = "scan:\n  context: per-file\n"

# One measured process: prints its peak RSS in KiB (VmHWM: this process image's own high-water mark;
# ru_maxrss would carry the parent's over fork and exec).
CHILD = r"""
import sys
import kfix
mode, corpus = sys.argv[1], sys.argv[2]
e = kfix.Engine("scan:\n  jobs: 1\n  context: per-file\n")
n = 0
if mode == "scan-stream":
    for p in e.scan_paths_per_file(corpus, jobs=1):
        n += len(p.report.findings)
elif mode == "fix-stream":
    for p in e.fix_paths_per_file(corpus, jobs=1):
        n += len(p.report.results)
elif mode == "scan-whole":
    n = len(e.scan_paths(corpus, jobs=1).findings)
elif mode == "fix-whole":
    n = len(e.fix_paths(corpus, jobs=1).results)
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]
print(hwm, n)
"""

failures = 0


def expect(ok: bool, what: str) -> None:
    global failures
    print(("ok: " if ok else "FAILED: ") + what, flush=True)
    if not ok:
        failures += 1


def largest_file(path: str) -> int:
    best = 0
    for root, _, files in os.walk(path):
        for f in files:
            if f.endswith((".yaml", ".yml", ".json")):
                best = max(best, os.path.getsize(os.path.join(root, f)))
    return best


def peak_kib(mode: str, corpus: str) -> int:
    out = subprocess.run([sys.executable, "-c", CHILD, mode, corpus], check=True, capture_output=True, text=True)
    return int(out.stdout.split()[0])


def main() -> int:
    corpus = sys.argv[1]
    engine = kfix.Engine(CONFIG)
    whole_engine = kfix.Engine(PER_FILE)

    parts = [p.to_dict() for p in engine.scan_paths_per_file(corpus, jobs=2)]
    files = [p["file"] for p in parts]
    expect(files == sorted(files) and len(files) > 1000, f"{len(files)} scan parts in report order")
    whole = whole_engine.scan_paths(corpus, jobs=2).to_dict()
    whole["stats"].pop("seconds", None)
    expect(join_scan(parts) == whole, "joined scan parts == the whole per-file scan document")
    del parts, whole

    parts = [p.to_dict() for p in engine.fix_paths_per_file(corpus, jobs=2)]
    whole = whole_engine.fix_paths(corpus, jobs=2).to_dict()
    expect(join_fix(parts) == whole, f"joined fix parts ({len(parts)}) == the whole per-file fix document")
    del parts, whole

    base = peak_kib("base", corpus)
    target = (3 * largest_file(corpus) + 64 * 2**20) // 1024
    for what in ("scan", "fix"):
        stream, at_once = peak_kib(what + "-stream", corpus), peak_kib(what + "-whole", corpus)
        print(f"{what}: peak RSS streamed {stream / 1024:.1f} MiB, whole {at_once / 1024:.1f} MiB, "
              f"bare import {base / 1024:.1f} MiB, target {target / 1024:.1f} MiB")
        expect(stream <= target, f"{what} streamed within 3x the largest file + 64 MiB")
        expect(stream - base < (at_once - base) / 2, f"{what} streamed grows under half as much as whole")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
