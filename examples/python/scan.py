"""examples/python/scan.py - scan manifests with the kfix Python package.

    python3 examples/python/scan.py examples/manifests

Shows typed results (Finding attributes), the JSON document, pandas, errors
as exceptions with positions, and patching.
"""

from __future__ import annotations

import sys

import kfix


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(f"usage: {argv[0]} PATH...", file=sys.stderr)
        return 2
    engine = kfix.Engine({"checks": {"addAllBuiltIn": False}})
    report = engine.scan_paths(*argv[1:])
    for f in report.findings:
        print(f"{f.file}:{f.line}:{f.column}: [{f.severity}] {f.check} "
              f"({f.object.kind} {f.object.name}): {f.message}")
    print(f"kfix {kfix.__version__}: {report.stats['objects']} objects, {len(report)} findings")

    try:
        df = report.to_pandas()
    except ImportError:
        pass
    else:
        print(df.groupby("check").size().sort_values(ascending=False).head(5).to_string())

    # Errors are exceptions with the position of the problem.
    try:
        kfix.parse("kind: [unclosed\n", "broken.yaml")
    except kfix.ParseError as err:
        print(f"expected error: code={err.code} at {err.file}:{err.line}:{err.column}")

    # RFC 6902 patches on plain Python values.
    fixed = kfix.apply_patch({"spec": {"containers": [{"name": "app"}]}},
                             [{"op": "add", "path": "/spec/containers/0/securityContext",
                               "value": {"readOnlyRootFilesystem": True}}])
    print("patched:", kfix.to_json(fixed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
