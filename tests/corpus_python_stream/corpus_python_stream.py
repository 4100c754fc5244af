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
from typing import Any, Dict, List

import kfix

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


def ordered(keyed: List[Any]) -> List[Any]:
    return [e for *_, e in sorted(keyed, key=lambda k: (k[0], k[1], k[2]))]


def by_input(entries: List[Any], inputs: List[Any], seq: int) -> List[Any]:
    return [((inp if inp is not None else float("inf")), seq, i, e) for i, (e, inp) in enumerate(zip(entries, inputs))]


def join_scan(parts: List[Dict[str, Any]]) -> Dict[str, Any]:
    out: Dict[str, Any] = {"findings": [], "ignored": []}
    errors: List[Any] = []
    warnings: List[Any] = []
    stats: Dict[str, Any] = {"files": 0, "objects": 0, "findings": 0, "ignored": 0, "errors": 0, "byCheck": {}}
    for seq, d in enumerate(parts):
        r = d["report"]
        out["schemaVersion"] = r["schemaVersion"]
        out["findings"] += r["findings"]
        out["ignored"] += r["ignored"]
        errors += by_input(r["errors"], d["errorInputs"], seq)
        warnings += by_input(r["warnings"], d["warningInputs"], seq)
        for k in ("files", "objects", "findings", "ignored", "errors"):
            stats[k] += r["stats"][k]
        for c, n in r["stats"]["byCheck"].items():
            stats["byCheck"][c] = stats["byCheck"].get(c, 0) + n
    out.update(errors=ordered(errors), warnings=ordered(warnings), stats=stats)
    return out


def join_fix(parts: List[Dict[str, Any]]) -> Dict[str, Any]:
    import statistics
    out: Dict[str, Any] = {"results": []}
    objects: List[Any] = []
    errors: List[Any] = []
    summary: Dict[str, Any] = {}
    by_check: Dict[str, Dict[str, int]] = {}
    for seq, d in enumerate(parts):
        r = d["report"]
        out["schemaVersion"] = r["schemaVersion"]
        out["results"] += r["results"]
        objects += by_input(r["objects"], d["objectInputs"], seq)
        errors += by_input(r["errors"], d["errorInputs"], seq)
        for k, v in r["summary"].items():
            if k == "by_check":
                for c, counts in v.items():
                    mine = by_check.setdefault(c, {})
                    for ck, n in counts.items():
                        mine[ck] = mine.get(ck, 0) + n
            elif k not in ("median_ops", "max_ops"):
                summary[k] = summary.get(k, 0) + v
    sizes = [len(r["patch"]) for r in out["results"] if r["status"] == "accepted"]
    summary["median_ops"] = float(statistics.median(sizes)) if sizes else 0.0
    summary["max_ops"] = max(sizes) if sizes else 0
    summary["by_check"] = by_check
    out.update(objects=ordered(objects), errors=ordered(errors), summary=summary)
    return out


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
