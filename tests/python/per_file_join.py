"""The join of per-file parts (docs/c-api.md, "Streaming per file"), written out for the tests:
findings, ignored and results in part order; errors, warnings and objects by their input (null
after every input, in part order); scan stats and fix summary counts added up, median_ops /
max_ops over the accepted results' patches. Takes part documents (``FileScanPart.to_dict()``)."""

from __future__ import annotations

import statistics
from typing import Any, Dict, List, Optional


def _by_input(entries: List[Any], inputs: List[Optional[int]], seq: int) -> List[Any]:
    return [((inp if inp is not None else float("inf")), seq, i, e) for i, (e, inp) in enumerate(zip(entries, inputs))]


def _ordered(keyed: List[Any]) -> List[Any]:
    return [e for *_, e in sorted(keyed, key=lambda k: (k[0], k[1], k[2]))]


def join_scan(parts: List[Dict[str, Any]]) -> Dict[str, Any]:
    out: Dict[str, Any] = {"schemaVersion": None, "findings": [], "ignored": []}
    errors: List[Any] = []
    warnings: List[Any] = []
    stats: Dict[str, Any] = {"files": 0, "objects": 0, "findings": 0, "ignored": 0, "errors": 0, "byCheck": {}}
    for seq, d in enumerate(parts):
        r = d["report"]
        out["schemaVersion"] = r["schemaVersion"]
        out["findings"] += r["findings"]
        out["ignored"] += r["ignored"]
        errors += _by_input(r["errors"], d["errorInputs"], seq)
        warnings += _by_input(r["warnings"], d["warningInputs"], seq)
        for k in ("files", "objects", "findings", "ignored", "errors"):
            stats[k] += r["stats"][k]
        for check, n in r["stats"]["byCheck"].items():
            stats["byCheck"][check] = stats["byCheck"].get(check, 0) + n
    out.update(errors=_ordered(errors), warnings=_ordered(warnings), stats=stats)
    return out


def join_fix(parts: List[Dict[str, Any]]) -> Dict[str, Any]:
    out: Dict[str, Any] = {"schemaVersion": None, "results": []}
    objects: List[Any] = []
    errors: List[Any] = []
    summary: Dict[str, Any] = {}
    by_check: Dict[str, Dict[str, int]] = {}
    for seq, d in enumerate(parts):
        r = d["report"]
        out["schemaVersion"] = r["schemaVersion"]
        out["results"] += r["results"]
        objects += _by_input(r["objects"], d["objectInputs"], seq)
        errors += _by_input(r["errors"], d["errorInputs"], seq)
        for k, v in r["summary"].items():
            if k == "by_check":
                for check, counts in v.items():
                    mine = by_check.setdefault(check, {})
                    for ck, n in counts.items():
                        mine[ck] = mine.get(ck, 0) + n
            elif k not in ("median_ops", "max_ops"):
                summary[k] = summary.get(k, 0) + v
    sizes = [len(r["patch"]) for r in out["results"] if r["status"] == "accepted"]
    summary["median_ops"] = float(statistics.median(sizes)) if sizes else 0.0
    summary["max_ops"] = max(sizes) if sizes else 0
    summary["by_check"] = by_check
    out.update(objects=_ordered(objects), errors=_ordered(errors), summary=summary)
    return out
