#!/usr/bin/python3
"""The same configuration file gives byte-identical `kfix scan --format json` output through the
CLI, the C ABI (examples/c/scan.c) and Python, for several configurations and inputs.

usage: same_scan_output.py KFIX_CLI C_EXAMPLE SCRATCH_DIR DATA_DIR MANIFESTS_DIR
"""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import kfix

# Configurations as users write them: YAML and JSON, kube-linter keys and kfix sections.
CONFIGS = {
    "defaults.yaml": "",
    "all-builtin.yaml": "checks:\n  addAllBuiltIn: true\n  exclude: [latest-tag]\nscan:\n  context: per-file\n",
    "include.json": '{"checks": {"doNotAutoAddDefaults": true, "include": ["privileged-container", '
                    '"no-read-only-root-fs", "dangling-service"]}}',
    "ignore-paths.yaml": "checks:\n  ignorePaths: ['**/broken*']\n",
}


def cli(exe: str, config: pathlib.Path, paths: list) -> bytes:
    r = subprocess.run([exe, "scan", "--format", "json", "--no-timing", "--config", str(config), *paths],
                       capture_output=True)
    if r.returncode not in (0, 2):  # 2: findings or unreadable inputs
        sys.exit(f"kfix scan exited {r.returncode}: {r.stderr.decode(errors='replace')}")
    return r.stdout


def c_example(exe: str, config: pathlib.Path, paths: list) -> bytes:
    r = subprocess.run([exe, "--config", str(config), *paths], capture_output=True)
    if r.returncode != 0:
        sys.exit(f"{exe} exited {r.returncode}: {r.stderr.decode(errors='replace')}")
    return r.stdout


def python(config: pathlib.Path, paths: list) -> bytes:
    report = kfix.Engine.from_file(config).scan_paths(*paths)
    return (report.to_json(pretty=True, timing=False) + "\n").encode()


def main() -> int:
    kfix_cli, c_exe, scratch, data, manifests = sys.argv[1:6]
    scratch_dir = pathlib.Path(scratch)
    scratch_dir.mkdir(parents=True, exist_ok=True)
    inputs = [[manifests], [data], [os.path.join(data, "list.yaml"), manifests]]
    failures = 0
    for name, text in CONFIGS.items():
        config = scratch_dir / name
        config.write_text(text)
        for paths in inputs:
            a, b, c = cli(kfix_cli, config, paths), c_example(c_exe, config, paths), python(config, paths)
            label = f"{name} over {' '.join(os.path.basename(p) for p in paths)}"
            if not a.startswith(b'{\n  "schemaVersion"') or b'"findings": [' not in a:
                print(f"FAIL {label}: the CLI output is not a scan report:\n{a[:200]!r}")
                failures += 1
            elif a != b or a != c:
                which = "C" if a != b else "Python"
                other = b if a != b else c
                at = next((i for i in range(min(len(a), len(other))) if a[i] != other[i]), min(len(a), len(other)))
                print(f"FAIL {label}: {which} differs from the CLI at byte {at}:\n"
                      f"  cli: {a[max(0, at - 60):at + 60]!r}\n  {which}: {other[max(0, at - 60):at + 60]!r}")
                failures += 1
            else:
                print(f"ok   {label}: {len(a)} bytes identical")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
