#!/usr/bin/env python3
"""Corpus check for `kfix fix --diff` (label "corpus"): the diff of the whole
corpus, applied with GNU `patch -p1` (and `git apply`) to a pristine copy,
gives exactly the bytes `kfix fix --write` writes, for every file.

usage: diff_apply.py KFIX CORPUS_DIR

The corpus is copied to a temporary directory (the diff names files relative
to the working directory); nothing is written next to it. Prints the counts;
exit 0 when every file matches, 1 otherwise.
"""
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    kfix, corpus = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    with tempfile.TemporaryDirectory(prefix="kfix_diff_apply_") as tmp:
        orig = os.path.join(tmp, "orig")
        shutil.copytree(corpus, os.path.join(orig, "corpus"))
        diff = subprocess.run([kfix, "fix", "--diff", "corpus"], cwd=orig, capture_output=True)
        if diff.returncode != 0:
            print("kfix fix --diff failed:", diff.stderr.decode(errors="replace")[-2000:])
            return 1
        diff_path = os.path.join(tmp, "fix.diff")
        with open(diff_path, "wb") as f:
            f.write(diff.stdout)
        files_in_diff = diff.stdout.count(b"\n+++ b/") + (1 if diff.stdout.startswith(b"+++ b/") else 0)
        written = os.path.join(tmp, "written")
        w = subprocess.run([kfix, "fix", "--format", "text", "--write", written, "corpus"], cwd=orig,
                           capture_output=True)
        if w.returncode != 0:
            print("kfix fix --write failed:", w.stderr.decode(errors="replace")[-2000:])
            return 1
        failures = 0
        for tool in ("patch", "git"):
            copy = os.path.join(tmp, "copy-" + tool)
            shutil.copytree(corpus, os.path.join(copy, "corpus"))
            if tool == "patch":
                cmd = ["patch", "-p1", "--quiet", "--batch", "--no-backup-if-mismatch", "-i", diff_path]
            else:
                cmd = ["git", "apply", "--unsafe-paths", diff_path]
            p = subprocess.run(cmd, cwd=copy, capture_output=True)
            if p.returncode != 0:
                print(f"{tool}: the diff does not apply:", (p.stdout + p.stderr).decode(errors="replace")[-2000:])
                failures += 1
                continue
            compared = differ = 0
            for root, _, names in os.walk(os.path.join(copy, "corpus")):
                for name in names:
                    path = os.path.join(root, name)
                    rel = os.path.relpath(path, os.path.join(copy, "corpus"))
                    out = os.path.join(written, rel)
                    if not name.endswith((".yaml", ".yml", ".json")):
                        continue
                    compared += 1
                    if not os.path.exists(out) or not filecmp.cmp(path, out, shallow=False):
                        differ += 1
                        if differ <= 10:
                            print(f"{tool}: {rel}: the patched copy differs from the --write output")
            print(f"diff_apply: {tool}: {files_in_diff} files in the diff, {compared} files compared, "
                  f"{differ} differ from --write")
            failures += differ
        print("diff_apply:", "PASS" if failures == 0 else "FAIL")
        return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
