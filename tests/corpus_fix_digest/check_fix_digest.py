#!/usr/bin/python3
"""corpus.fix-digest: `kfix fix --format json` over the shared corpus is
byte-for-byte what it was when the golden digest was recorded, for any --jobs.

Every gate's verdict, reason and detail, every patch and every summary count is
in that output (it carries no timing), so a speed-up that changes a verdict
fails here. The corpus is passed as the relative path `corpus` from its parent
directory, so the file names in the output (and the digest) do not depend on
where the checkout is.

usage: check_fix_digest.py KFIX CORPUS_DIR GOLDEN_FILE [--jobs 1,2,3] [--update]
A deliberate change of the output: rerun with --update, check the difference by
hand (the failing run leaves its output beside the build as fix-digest-jobs*.json)
and explain it in the commit message.
"""
import hashlib
import os
import subprocess
import sys


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    update = "--update" in sys.argv
    jobs = ["1", "2", "3"]
    if "--jobs" in sys.argv:
        jobs = sys.argv[sys.argv.index("--jobs") + 1].split(",")
        args.remove(sys.argv[sys.argv.index("--jobs") + 1])
    if len(args) != 3:
        sys.exit(__doc__.strip().splitlines()[-4])
    kfix, corpus, golden = os.path.abspath(args[0]), os.path.abspath(args[1]), args[2]
    parent, name = os.path.dirname(corpus), os.path.basename(corpus)
    with open(golden) as f:
        want = f.read().split()[0] if not update else None
    failed = False
    for j in jobs:
        r = subprocess.run([kfix, "fix", "--format", "json", "--jobs", j, name], cwd=parent,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode not in (0, 2):
            sys.exit(f"kfix fix --jobs {j} exited {r.returncode}: {r.stderr.decode(errors='replace')[-2000:]}")
        got = hashlib.sha256(r.stdout).hexdigest()
        print(f"kfix fix --format json --jobs {j} {name}: {len(r.stdout)} bytes, sha256 {got}")
        if update:
            with open(golden, "w") as f:
                f.write(f"{got}  kfix fix --format json {name} (run from the corpus's parent directory)\n")
            print(f"wrote {golden}")
            return
        if got != want:
            out = os.path.abspath(f"fix-digest-jobs{j}.json")
            with open(out, "wb") as f:
                f.write(r.stdout)
            print(f"FAIL: --jobs {j}: digest {got} != golden {want}; output kept in {out}")
            failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
