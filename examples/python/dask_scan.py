"""examples/python/dask_scan.py - scan a directory on a dask.distributed cluster.

A command line around ``kfix.dask.scan_paths``: one task per chunk of files;
the reports are gathered and merged in file order. Each file is its own lint context (``scan.context = "per-file"``), so
the merged report is exactly what a single-process scan of the directory
with the same configuration returns - ``--check`` verifies that.

    python3 examples/python/dask_scan.py DIR                       # local cluster, 2 workers
    python3 examples/python/dask_scan.py DIR --scheduler tcp://host:8786   # a real cluster
    python3 examples/python/dask_scan.py --generate 40 --check     # self-test on synthetic files

See docs/scale-out.md.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import tempfile
import time
from typing import List

import kfix
import kfix.dask

def generate(directory: pathlib.Path, n: int) -> None:
    """Writes `n` small, varied manifest files (for the self-test)."""
    for i in range(n):
        image = ["nginx:latest", "redis:7.2", "registry.local/app@sha256:" + "a" * 64][i % 3]
        privileged = "true" if i % 4 == 0 else "false"
        text = f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: ns-{i % 5}
spec:
  replicas: {1 + i % 3}
  selector:
    matchLabels: {{app: app-{i}}}
  template:
    metadata:
      labels: {{app: app-{i}}}
    spec:
      containers:
        - name: c{i}
          image: {image}
          securityContext:
            privileged: {privileged}
---
apiVersion: v1
kind: Service
metadata:
  name: svc-{i}
  namespace: ns-{i % 5}
spec:
  selector: {{app: app-{i if i % 2 else i + 1000}}}
  ports: [{{port: 80}}]
"""
        sub = directory / f"team-{i % 4}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"app-{i:03d}.yaml").write_text(text)
    (directory / "broken.yaml").write_text("apiVersion: v1\nkind: [unclosed\n")


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--scheduler", help="address of an existing dask scheduler")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", action="store_true", help="local cluster with threads instead of processes")
    parser.add_argument("--chunk-size", type=int, default=8)
    parser.add_argument("--generate", type=int, default=0, help="scan N generated files in a temp dir")
    parser.add_argument("--check", action="store_true", help="compare with a single-process scan")
    args = parser.parse_args(argv[1:])

    from dask.distributed import Client, LocalCluster

    with tempfile.TemporaryDirectory(prefix="kfix-dask-") as tmp:
        paths = list(args.paths)
        if args.generate:
            generate(pathlib.Path(tmp), args.generate)
            paths.append(tmp)
        if not paths:
            parser.error("give PATHs or --generate N")
        t0 = time.perf_counter()
        if args.scheduler:
            client = Client(args.scheduler)
            cluster = None
        else:
            cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=not args.threads,
                                   dashboard_address=None)
            client = Client(cluster)
        try:
            merged = kfix.dask.scan_paths(client, paths, chunk_size=args.chunk_size)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
        print(f"dask: {merged.stats['files']} files, {merged.stats['objects']} objects, "
              f"{len(merged)} findings, {len(merged.errors)} errors in {time.perf_counter() - t0:.1f}s")
        if args.check:
            single = kfix.scan_paths(*paths, config=kfix.dask.PER_FILE)
            single_doc = single.to_dict()
            single_doc["stats"].pop("seconds", None)
            if merged.to_dict() != single_doc:
                print("MISMATCH between the dask scan and a single-process scan", file=sys.stderr)
                return 1
            if len(merged) == 0 or not merged.errors:
                print("self-test expected findings and one read error", file=sys.stderr)
                return 1
            print("check: merged dask report == single-process report")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
