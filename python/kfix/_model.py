"""Typed result classes of the kfix Python API.

They are plain Python objects built from what ``kfix._core`` returns (Python
values, or the JSON documents the CLI prints), so they pickle, compare and
print nicely. Every class has ``to_dict()`` and ``to_json()``.
"""

from __future__ import annotations

import importlib
import json
import os
from typing import Any, Dict, List, Optional, Union

from . import _core
from .errors import Error, IoError

__all__ = ["Manifest", "LoadResult", "ObjectRef", "Finding", "ScanReport", "Check", "RiskTerm", "ScoredFinding",
           "RiskReport", "AuditVerifyResult", "Gate", "Verdict", "FixOutcome", "FixResult", "RankedItem", "Schedule",
           "ScheduledFix", "RunSummary", "RunResult"]


class Manifest:
    """One Kubernetes object out of a file, and where it came from."""

    __slots__ = ("file", "document", "item", "object")

    def __init__(self, file: str, document: int, item: int, object: Dict[str, Any]) -> None:
        #: Source name as given to the loader.
        self.file: str = file
        #: 0-based document index in the YAML stream.
        self.document: int = document
        #: 0-based index inside a ``kind: List``, -1 otherwise.
        self.item: int = item
        #: The object as plain Python values (dict, list, str, int, float, bool, None).
        self.object: Dict[str, Any] = object

    def _meta(self, key: str) -> str:
        meta = self.object.get("metadata") if isinstance(self.object, dict) else None
        value = meta.get(key) if isinstance(meta, dict) else None
        return value if isinstance(value, str) else ""

    @property
    def api_version(self) -> str:
        value = self.object.get("apiVersion") if isinstance(self.object, dict) else None
        return value if isinstance(value, str) else ""

    @property
    def kind(self) -> str:
        value = self.object.get("kind") if isinstance(self.object, dict) else None
        return value if isinstance(value, str) else ""

    @property
    def name(self) -> str:
        return self._meta("name")

    @property
    def namespace(self) -> str:
        return self._meta("namespace")

    def to_dict(self) -> Dict[str, Any]:
        return {"file": self.file, "document": self.document, "item": self.item, "object": self.object}

    def to_json(self, *, pretty: bool = False) -> str:
        """The object itself as JSON (compact by default)."""
        return _core.to_json(self.object, pretty)

    def to_yaml(self) -> str:
        """The object as block-style YAML."""
        return _core.to_yaml(self.object)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Manifest) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"Manifest({self.kind}/{self.name!s} from {self.file}#{self.document})"

    def __reduce__(self) -> Any:
        return (Manifest, (self.file, self.document, self.item, self.object))


class LoadResult:
    """What a load produced: the manifests, plus every error and warning.

    Nothing is dropped silently: a document that could not be read is in
    ``errors`` (as :class:`kfix.Error` instances with file/line/column).
    """

    def __init__(self, manifests: List[Manifest], errors: List[Error], warnings: List[Error],
                 documents: int) -> None:
        self.manifests = manifests
        self.errors = errors
        self.warnings = warnings
        self.documents = documents

    @classmethod
    def _from_core(cls, raw: Dict[str, Any]) -> "LoadResult":
        return cls([Manifest(*m) for m in raw["manifests"]], list(raw["errors"]), list(raw["warnings"]),
                   int(raw["documents"]))

    def raise_for_errors(self) -> None:
        """Raises the first load error, if any."""
        if self.errors:
            raise self.errors[0]

    def __len__(self) -> int:
        return len(self.manifests)

    def __iter__(self) -> Any:
        return iter(self.manifests)

    def __getitem__(self, index: int) -> Manifest:
        return self.manifests[index]

    def to_dict(self) -> Dict[str, Any]:
        return {
            "manifests": [m.to_dict() for m in self.manifests],
            "errors": [{"message": e.message, **e.detail} for e in self.errors],
            "warnings": [{"message": w.message, **w.detail} for w in self.warnings],
            "documents": self.documents,
        }

    def to_json(self, *, pretty: bool = False) -> str:
        return json.dumps(self.to_dict(), indent=2 if pretty else None)

    def __repr__(self) -> str:
        return f"LoadResult({len(self.manifests)} manifests, {len(self.errors)} errors)"


# ---- Scan results ------------------------------------------------------------------


class ObjectRef:
    """The identity of a Kubernetes object (apiVersion, kind, namespace, name)."""

    __slots__ = ("api_version", "kind", "namespace", "name")

    def __init__(self, api_version: str = "", kind: str = "", namespace: str = "", name: str = "") -> None:
        self.api_version = api_version
        self.kind = kind
        self.namespace = namespace
        self.name = name

    @classmethod
    def from_dict(cls, d: Dict[str, Any]) -> "ObjectRef":
        return cls(d.get("apiVersion", ""), d.get("kind", ""), d.get("namespace", ""), d.get("name", ""))

    def to_dict(self) -> Dict[str, Any]:
        return {"apiVersion": self.api_version, "kind": self.kind, "namespace": self.namespace, "name": self.name}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ObjectRef) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash((self.api_version, self.kind, self.namespace, self.name))

    def __repr__(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"ObjectRef({self.kind} {ns}{self.name})"

    def __reduce__(self) -> Any:
        return (ObjectRef, (self.api_version, self.kind, self.namespace, self.name))


class Finding:
    """One finding: which check fired, on which object and field (with line and column)."""

    __slots__ = ("check", "policy", "severity", "message", "remediation", "file", "document", "item", "line",
                 "column", "pointer", "object", "container", "ignored_by")

    def __init__(self, d: Dict[str, Any]) -> None:
        self.check: str = d["check"]
        self.policy: str = d.get("policy", "")
        self.severity: str = d.get("severity", "warning")
        self.message: str = d.get("message", "")
        self.remediation: str = d.get("remediation", "")
        self.file: str = d.get("file", "")
        self.document: int = d.get("document", 0)
        self.item: int = d.get("item", -1)
        self.line: int = d.get("line", 0)
        self.column: int = d.get("column", 0)
        self.pointer: str = d.get("pointer", "")
        self.object: ObjectRef = ObjectRef.from_dict(d.get("object", {}))
        self.container: str = d.get("container", "")
        self.ignored_by: str = d.get("ignoredBy", "")

    def to_dict(self) -> Dict[str, Any]:
        d: Dict[str, Any] = {
            "check": self.check, "policy": self.policy, "severity": self.severity, "message": self.message,
            "remediation": self.remediation, "file": self.file, "document": self.document,
            **({"item": self.item} if self.item >= 0 else {}),  # only inside a kind: List
            "line": self.line, "column": self.column, "pointer": self.pointer, "object": self.object.to_dict(),
            "container": self.container,
        }
        if self.ignored_by:
            d["ignoredBy"] = self.ignored_by
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Finding) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"Finding({self.check} at {self.file}:{self.line}:{self.column} {self.pointer})"

    def __reduce__(self) -> Any:
        return (Finding, (self.to_dict(),))


class ScanReport:
    """The result of a scan: findings, ignored findings, read errors and statistics.

    ``to_json()`` returns the document ``kfix scan --format json`` prints.
    """

    def __init__(self, doc: Dict[str, Any]) -> None:
        self._doc = doc
        self.schema_version: int = doc.get("schemaVersion", 1)
        self.findings: List[Finding] = [Finding(f) for f in doc.get("findings", [])]
        self.ignored: List[Finding] = [Finding(f) for f in doc.get("ignored", [])]
        #: Files/documents that could not be read (dicts with code, message, file, line, column, ...).
        self.errors: List[Dict[str, Any]] = list(doc.get("errors", []))
        self.warnings: List[Dict[str, Any]] = list(doc.get("warnings", []))
        #: files, objects, findings, ignored, errors, byCheck (and seconds unless merged).
        self.stats: Dict[str, Any] = dict(doc.get("stats", {}))

    @classmethod
    def from_json(cls, text: str | bytes) -> "ScanReport":
        return cls(json.loads(text))

    def to_dict(self) -> Dict[str, Any]:
        return self._doc

    def to_json(self, *, pretty: bool = False) -> str:
        return json.dumps(self._doc, indent=2 if pretty else None, separators=None if pretty else (",", ":"))

    def to_pandas(self) -> Any:
        """The findings as a pandas DataFrame (one row per finding). Needs pandas."""
        try:
            pd = importlib.import_module("pandas")  # optional dependency, imported lazily
        except ImportError as exc:  # pragma: no cover - pandas is installed in CI
            raise ImportError("ScanReport.to_pandas() needs pandas") from exc
        rows = []
        for f in self.findings:
            row = f.to_dict()
            obj = row.pop("object")
            row.update({"api_version": obj["apiVersion"], "kind": obj["kind"], "namespace": obj["namespace"],
                        "name": obj["name"]})
            row.pop("ignoredBy", None)
            rows.append(row)
        columns = ["check", "policy", "severity", "message", "remediation", "file", "document", "item", "line",
                   "column", "pointer", "api_version", "kind", "namespace", "name", "container"]
        return pd.DataFrame(rows, columns=columns)

    def __len__(self) -> int:
        return len(self.findings)

    def __iter__(self) -> Any:
        return iter(self.findings)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ScanReport) and self._doc == other._doc

    def __repr__(self) -> str:
        return f"ScanReport({len(self.findings)} findings, {len(self.errors)} errors)"

    def __reduce__(self) -> Any:
        return (ScanReport, (self._doc,))

    @staticmethod
    def merge(reports: "List[ScanReport]") -> "ScanReport":
        """Concatenates reports of disjoint, ordered inputs (e.g. chunks of a sorted file list).

        Findings keep their order, statistics are summed; ``stats.seconds`` is
        dropped because it would not be meaningful.
        """
        doc: Dict[str, Any] = {"schemaVersion": max([r.schema_version for r in reports] or [2]), "findings": [],
                               "ignored": [], "errors": [], "warnings": []}
        stats: Dict[str, Any] = {"files": 0, "objects": 0, "findings": 0, "ignored": 0, "errors": 0, "byCheck": {}}
        for r in reports:
            d = r.to_dict()
            for key in ("findings", "ignored", "errors", "warnings"):
                doc[key].extend(d.get(key, []))
            s = d.get("stats", {})
            for key in ("files", "objects", "findings", "ignored", "errors"):
                stats[key] += s.get(key, 0)
            for check, n in s.get("byCheck", {}).items():
                stats["byCheck"][check] = stats["byCheck"].get(check, 0) + n
        stats["byCheck"] = dict(sorted(stats["byCheck"].items()))
        doc["stats"] = stats
        return ScanReport(doc)


class Check:
    """A check of the catalog as ``kfix checks list --format json`` describes it."""

    def __init__(self, d: Dict[str, Any]) -> None:
        self._doc = d
        self.name: str = d.get("name", "")
        self.policy: str = d.get("policy", "")
        self.severity: str = d.get("severity", "")
        self.description: str = d.get("description", "")
        self.remediation: str = d.get("remediation", "")

    def to_dict(self) -> Dict[str, Any]:
        return self._doc

    def to_json(self) -> str:
        return json.dumps(self._doc)

    def __repr__(self) -> str:
        return f"Check({self.name})"


# ---- Fix and verify -------------------------------------------------------------------


class Gate:
    """One guard gate of a verdict (structure, apply, destructive, privilege, ...)."""

    __slots__ = ("name", "passed", "detail")

    def __init__(self, d: Dict[str, Any]) -> None:
        self.name: str = d.get("name", "")
        self.passed: bool = bool(d.get("passed", False))
        self.detail: str = d.get("detail", "")

    def __repr__(self) -> str:
        return f"Gate({self.name}: {'pass' if self.passed else 'FAIL'})"


class Verdict:
    """The guard's decision on a patch: ``accepted``, ``reason``, ``gates``, ``new_findings``."""

    def __init__(self, doc: Dict[str, Any]) -> None:
        self._doc = doc
        self.accepted: bool = bool(doc.get("accepted", False))
        self.reason: str = doc.get("reason", "")
        self.patch: List[Dict[str, Any]] = list(doc.get("patch", []))
        self.gates: List[Gate] = [Gate(g) for g in doc.get("gates", [])]
        self.new_findings: List[Dict[str, Any]] = list(doc.get("newFindings", []))

    def __bool__(self) -> bool:
        return self.accepted

    def to_dict(self) -> Dict[str, Any]:
        return self._doc

    def to_json(self) -> str:
        return json.dumps(self._doc, separators=(",", ":"))

    def __reduce__(self) -> Any:
        return (Verdict, (self._doc,))

    def __repr__(self) -> str:
        return f"Verdict(accepted={self.accepted}, reason={self.reason!r})"


class FixOutcome:
    """The fix of one finding: ``status`` is accepted, rejected, needs-review or unfixable."""

    def __init__(self, d: Dict[str, Any]) -> None:
        self._doc = d
        self.check: str = d.get("check", "")
        self.policy: str = d.get("policy", "")
        self.file: str = d.get("file", "")
        self.document: int = d.get("document", 0)
        self.line: int = d.get("line", 0)
        self.object: ObjectRef = ObjectRef.from_dict(d.get("object", {}))
        self.container: str = d.get("container", "")
        self.message: str = d.get("message", "")
        self.status: str = d.get("status", "")
        self.reason: str = d.get("reason", "")
        self.patch: List[Dict[str, Any]] = list(d.get("patch", []))
        self.gates: List[Gate] = [Gate(g) for g in d.get("gates", [])]

    def to_dict(self) -> Dict[str, Any]:
        return self._doc

    def __repr__(self) -> str:
        return f"FixOutcome({self.check} {self.object.kind}/{self.object.name}: {self.status})"


class FixResult:
    """``kfix fix`` as objects: per-finding ``results``, merged per-object ``objects``, ``summary``."""

    def __init__(self, doc: Dict[str, Any]) -> None:
        self._doc = doc
        self.results: List[FixOutcome] = [FixOutcome(r) for r in doc.get("results", [])]
        #: One per object with an accepted fix: object, accepted, patch (merged), gates.
        self.objects: List[Dict[str, Any]] = list(doc.get("objects", []))
        self.errors: List[Dict[str, Any]] = list(doc.get("errors", []))
        self.summary: Dict[str, Any] = dict(doc.get("summary", {}))

    def accepted(self) -> List[FixOutcome]:
        return [r for r in self.results if r.status == "accepted"]

    def to_dict(self) -> Dict[str, Any]:
        return self._doc

    def to_json(self) -> str:
        return json.dumps(self._doc, separators=(",", ":"))

    def __len__(self) -> int:
        return len(self.results)

    def __iter__(self) -> Any:
        return iter(self.results)

    def __reduce__(self) -> Any:
        return (FixResult, (self._doc,))

    def __repr__(self) -> str:
        return f"FixResult({len(self.results)} findings, {len(self.accepted())} accepted)"


# ---- Risk ------------------------------------------------------------------------------


class RiskTerm:
    """One additive term of a risk score (base, vuln, epss, kev, attack)."""

    __slots__ = ("name", "value", "detail")

    def __init__(self, name: str, value: float, detail: str = "") -> None:
        self.name = name
        self.value = value
        self.detail = detail

    def __repr__(self) -> str:
        return f"RiskTerm({self.name}={self.value})"


class ScoredFinding:
    """A finding with its risk 0-100 and the breakdown of the score."""

    def __init__(self, d: Dict[str, Any]) -> None:
        self._doc = d
        self.check: str = d.get("check", "")
        self.policy: str = d.get("policy", "")
        self.file: str = d.get("file", "")
        self.line: int = d.get("line", 0)
        self.object: ObjectRef = ObjectRef.from_dict(d.get("object", {}))
        self.container: str = d.get("container", "")
        self.risk: float = float(d.get("risk", 0.0))
        self.kev: bool = bool(d.get("kev", False))
        self.max_epss: float = float(d.get("maxEpss", 0.0))
        self.images: List[str] = list(d.get("images", []))
        self.cves: List[str] = list(d.get("cves", []))
        self.attack_techniques: List[str] = list(d.get("attackTechniques", []))
        self.terms: List[RiskTerm] = [RiskTerm(t.get("name", ""), float(t.get("value", 0.0)), t.get("detail", ""))
                                      for t in d.get("terms", [])]

    def to_dict(self) -> Dict[str, Any]:
        return self._doc

    def __repr__(self) -> str:
        return f"ScoredFinding({self.check} {self.object.kind}/{self.object.name} risk={self.risk})"


class RiskReport:
    """Scored findings (``kfix risk --format json``): ``results``, ``errors``, ``feeds``."""

    def __init__(self, doc: Dict[str, Any]) -> None:
        self._doc = doc
        self.results: List[ScoredFinding] = [ScoredFinding(r) for r in doc.get("results", [])]
        self.errors: List[Dict[str, Any]] = list(doc.get("errors", []))
        self.feeds: Dict[str, Any] = dict(doc.get("feeds", {}))

    def to_dict(self) -> Dict[str, Any]:
        return self._doc

    def to_json(self) -> str:
        return json.dumps(self._doc, separators=(",", ":"))

    def to_pandas(self) -> Any:
        """One row per scored finding with the risk terms as columns. Needs pandas."""
        pd = importlib.import_module("pandas")
        rows = []
        for r in self.results:
            row: Dict[str, Any] = {"check": r.check, "policy": r.policy, "file": r.file, "line": r.line,
                                   "kind": r.object.kind, "namespace": r.object.namespace, "name": r.object.name,
                                   "container": r.container, "risk": r.risk, "kev": r.kev, "max_epss": r.max_epss}
            for t in r.terms:
                row[f"term_{t.name}"] = t.value
            rows.append(row)
        return pd.DataFrame(rows)

    def __len__(self) -> int:
        return len(self.results)

    def __iter__(self) -> Any:
        return iter(self.results)

    def __reduce__(self) -> Any:
        return (RiskReport, (self._doc,))

    def __repr__(self) -> str:
        return f"RiskReport({len(self.results)} results)"


class RankedItem:
    """One finding in fix order: ``rank``, ``score`` and the parts it came from."""

    def __init__(self, d: Dict[str, Any]) -> None:
        self._doc = d
        self.rank: int = d.get("rank", 0)
        self.score: float = float(d.get("score", 0.0))
        self.risk: float = float(d.get("R", 0.0))
        self.p: float = float(d.get("p", 0.0))
        self.expected_seconds: float = float(d.get("Et", 0.0))
        self.explore: float = float(d.get("explore", 0.0))
        self.wait_hours: float = float(d.get("waitHours", 0.0))
        self.kev: bool = bool(d.get("kev", False))
        self.check: str = d.get("check", "")
        self.file: str = d.get("file", "")
        self.line: int = d.get("line", 0)
        self.namespace: str = d.get("namespace", "")
        self.kind: str = d.get("kind", "")
        self.name: str = d.get("name", "")

    def to_dict(self) -> Dict[str, Any]:
        return self._doc

    def __repr__(self) -> str:
        return f"RankedItem(#{self.rank} {self.check} {self.kind}/{self.name} score={self.score:.3g})"


class Schedule:
    """Findings ranked for fixing (``kfix schedule rank`` plus load ``errors``)."""

    def __init__(self, doc: Dict[str, Any]) -> None:
        self._doc = doc
        self.items: List[RankedItem] = [RankedItem(i) for i in doc.get("items", [])]
        self.errors: List[Dict[str, Any]] = list(doc.get("errors", []))

    def to_dict(self) -> Dict[str, Any]:
        return self._doc

    def to_json(self) -> str:
        return json.dumps(self._doc, separators=(",", ":"))

    def to_pandas(self) -> Any:
        """One row per ranked item. Needs pandas."""
        pd = importlib.import_module("pandas")
        return pd.DataFrame([i.to_dict() for i in self.items])

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Any:
        return iter(self.items)

    def __reduce__(self) -> Any:
        return (Schedule, (self._doc,))

    def __repr__(self) -> str:
        return f"Schedule({len(self.items)} items)"


# ---- Audit -------------------------------------------------------------------------


class AuditVerifyResult:
    """The outcome of walking an audit log (``kfix audit verify --json``)."""

    def __init__(self, d: Dict[str, Any]) -> None:
        self._doc = d
        self.intact: bool = bool(d.get("intact", False))
        #: "ok" or why the log does not verify, e.g. "chain_broken", "line_altered".
        self.reason: str = d.get("reason", "")
        #: 1-based line of the failure (0 when intact).
        self.line: int = d.get("line", 0)
        self.message: str = d.get("message", "")
        self.lines_verified: int = d.get("linesVerified", 0)
        self.last_seq: int = d.get("lastSeq", 0)
        self.last_hash: str = d.get("lastHash", "")

    def __bool__(self) -> bool:
        return self.intact

    def to_dict(self) -> Dict[str, Any]:
        return self._doc

    def to_json(self) -> str:
        return json.dumps(self._doc, separators=(",", ":"))

    def __repr__(self) -> str:
        return f"AuditVerifyResult(intact={self.intact}, reason={self.reason!r}, line={self.line})"


# ---- Pipeline (kfix run) -----------------------------------------------------------


class ScheduledFix:
    """One accepted fix in schedule order (an item of ``schedule.json``).

    ``result`` indexes ``RunResult.fixes.results``, ``RunResult.risk.results``
    and ``RunResult.findings.findings`` (they are parallel).
    """

    def __init__(self, d: Dict[str, Any]) -> None:
        self._doc = d
        self.rank: int = d.get("rank", 0)
        self.result: int = d.get("result", 0)
        self.check: str = d.get("check", "")
        self.policy: str = d.get("policy", "")
        self.file: str = d.get("file", "")
        self.document: int = d.get("document", 0)
        self.item: int = d.get("item", -1)
        self.line: int = d.get("line", 0)
        self.object: ObjectRef = ObjectRef.from_dict(d.get("object", {}))
        self.container: str = d.get("container", "")
        #: Risk 0-100 of the finding the fix closes.
        self.risk: float = float(d.get("risk", 0.0))
        self.kev: bool = bool(d.get("kev", False))
        #: The scheduler's score (items are sorted by it, best first) and its parts.
        self.score: float = float(d.get("score", 0.0))
        self.p: float = float(d.get("p", 0.0))
        self.expected_seconds: float = float(d.get("expectedSeconds", 0.0))
        self.explore: float = float(d.get("explore", 0.0))
        self.wait_hours: float = float(d.get("waitHours", 0.0))
        #: The vetted RFC 6902 patch.
        self.patch: List[Dict[str, Any]] = list(d.get("patch", []))

    def to_dict(self) -> Dict[str, Any]:
        return self._doc

    def __repr__(self) -> str:
        return f"ScheduledFix(#{self.rank} {self.check} {self.object.kind}/{self.object.name} score={self.score:.3g})"


class RunSummary:
    """``summary.json`` of a run as attributes.

    ``accepted + rejected + needs_review + unfixable == findings`` and
    ``scheduled == accepted``; ``timing`` (seconds per stage: load, fix,
    risk, schedule, total) is the only part that differs between identical runs.
    """

    _COUNTS = ("files", "objects", "findings", "accepted", "rejected", "needs_review", "unfixable", "ignored",
               "errors", "warnings", "objects_patched", "scheduled", "kev_findings", "max_ops")

    def __init__(self, d: Dict[str, Any]) -> None:
        self._doc = d
        self.files: int = int(d.get("files", 0))
        self.objects: int = int(d.get("objects", 0))
        self.findings: int = int(d.get("findings", 0))
        self.accepted: int = int(d.get("accepted", 0))
        self.rejected: int = int(d.get("rejected", 0))
        self.needs_review: int = int(d.get("needs_review", 0))
        self.unfixable: int = int(d.get("unfixable", 0))
        #: Findings suppressed by ignore annotations (not in ``findings``).
        self.ignored: int = int(d.get("ignored", 0))
        #: Documents that could not be read (listed in ``RunResult.findings.errors``).
        self.errors: int = int(d.get("errors", 0))
        self.warnings: int = int(d.get("warnings", 0))
        self.objects_patched: int = int(d.get("objects_patched", 0))
        self.scheduled: int = int(d.get("scheduled", 0))
        self.kev_findings: int = int(d.get("kev_findings", 0))
        self.median_ops: float = float(d.get("median_ops", 0.0))
        self.max_ops: int = int(d.get("max_ops", 0))
        self.max_risk: float = float(d.get("max_risk", 0.0))
        self.mean_risk: float = float(d.get("mean_risk", 0.0))
        #: critical (>= 90), high (>= 70), medium (>= 40), low -> findings.
        self.by_risk_band: Dict[str, int] = dict(d.get("by_risk_band", {}))
        self.by_severity: Dict[str, int] = dict(d.get("by_severity", {}))
        #: check -> {findings, accepted, rejected, needs_review, unfixable}.
        self.by_check: Dict[str, Dict[str, int]] = {k: dict(v) for k, v in d.get("by_check", {}).items()}
        #: Feeds used: {"epss": source or None, "kev": source or None, "images": reports or None}.
        self.feeds: Dict[str, Any] = dict(d.get("feeds", {}))
        self.timing: Dict[str, float] = dict(d.get("timing_seconds", {}))

    def to_dict(self) -> Dict[str, Any]:
        return self._doc

    def __repr__(self) -> str:
        return (f"RunSummary({self.findings} findings: {self.accepted} accepted, {self.rejected} rejected, "
                f"{self.needs_review} needs review, {self.unfixable} unfixable; {self.errors} errors)")


_RUN_DOCUMENTS = ("findings", "fixes", "risk", "schedule", "summary")


class RunResult:
    """One pipeline run (``kfix run``): scan, fix, guard, risk and schedule.

    Attributes: ``findings`` (:class:`ScanReport`), ``fixes``
    (:class:`FixResult`, every result also carrying its ``risk`` dict),
    ``risk`` (:class:`RiskReport`), ``schedule`` (list of
    :class:`ScheduledFix`, best first; only accepted fixes), ``summary``
    (:class:`RunSummary`), plus ``now`` and ``schedule_config``.
    ``findings.findings[i]``, ``fixes.results[i]`` and ``risk.results[i]``
    describe the same finding.
    """

    def __init__(self, doc: Dict[str, Any], core: Any = None, text: Optional[str] = None) -> None:
        self._doc = doc
        self._core = core  # kfix._core.PipelineRun, or None after unpickling
        self._text = text
        self.schema_version: int = doc.get("schemaVersion", 1)
        self.findings: ScanReport = ScanReport(doc.get("findings", {}))
        self.fixes: FixResult = FixResult(doc.get("fixes", {}))
        self.risk: RiskReport = RiskReport(doc.get("risk", {}))
        sched = doc.get("schedule", {})
        self.schedule: List[ScheduledFix] = [ScheduledFix(i) for i in sched.get("items", [])]
        self.schedule_config: Dict[str, Any] = dict(sched.get("config", {}))
        self.now: float = float(sched.get("now", 0.0))
        self.summary: RunSummary = RunSummary(doc.get("summary", {}))

    @classmethod
    def _from_core(cls, core: Any) -> "RunResult":
        text = core.to_json()
        return cls(json.loads(text), core, text)

    def documents(self) -> Dict[str, Dict[str, Any]]:
        """The five documents by name (``findings``, ``fixes``, ``risk``, ``schedule``, ``summary``)."""
        return {name: self._doc[name] for name in _RUN_DOCUMENTS}

    def to_dict(self) -> Dict[str, Any]:
        return self._doc

    def to_json(self) -> str:
        """``{"schemaVersion": 1, "findings", "fixes", "risk", "schedule", "summary"}`` - what ``kfix_run`` returns."""
        if self._text is None:
            self._text = _core.to_json(self._doc, False, False)
        return self._text

    def write(self, dir: Union[str, "os.PathLike[str]"]) -> None:
        """Writes ``findings.json``, ``fixes.json``, ``risk.json``, ``schedule.json`` and ``summary.json``
        into ``dir`` (created if needed), as ``kfix run --out DIR`` does; each file appears atomically.

        Raises :class:`kfix.IoError` when the directory or a file cannot be written.
        """
        path = os.fspath(dir)
        if self._core is not None:
            self._core.write(path)  # WritePipelineOutputs, GIL released
            return
        # Unpickled: the same bytes from the documents (kfix's pretty JSON, newline-terminated).
        try:
            os.makedirs(path, exist_ok=True)
            for name in _RUN_DOCUMENTS:
                target = os.path.join(path, name + ".json")
                with open(target + ".tmp", "w", encoding="utf-8", newline="\n") as out:
                    out.write(_core.to_json(self._doc[name], True, False) + "\n")
                os.replace(target + ".tmp", target)
        except OSError as exc:
            raise IoError(f"cannot write {path}: {exc}", {"file": path}) from exc

    def to_pandas(self) -> Any:
        """One row per finding: where it is, its fix ``status`` and ``ops``, its ``risk``, and its
        schedule ``rank``/``score`` (missing unless the fix was accepted). Needs pandas."""
        try:
            pd = importlib.import_module("pandas")  # optional dependency, imported lazily
        except ImportError as exc:  # pragma: no cover - pandas is installed in CI
            raise ImportError("RunResult.to_pandas() needs pandas") from exc
        scheduled = {s.result: s for s in self.schedule}
        rows = []
        for i, (f, fix) in enumerate(zip(self.findings.findings, self.fixes.results)):
            scored = self.risk.results[i] if i < len(self.risk.results) else None
            s = scheduled.get(i)
            rows.append({
                "check": f.check, "severity": f.severity, "file": f.file, "line": f.line, "column": f.column,
                "kind": f.object.kind, "namespace": f.object.namespace, "name": f.object.name,
                "container": f.container, "status": fix.status, "reason": fix.reason, "ops": len(fix.patch),
                "risk": scored.risk if scored is not None else float("nan"),
                "kev": scored.kev if scored is not None else False,
                "rank": s.rank if s is not None else None, "score": s.score if s is not None else None,
            })
        columns = ["check", "severity", "file", "line", "column", "kind", "namespace", "name", "container", "status",
                   "reason", "ops", "risk", "kev", "rank", "score"]
        df = pd.DataFrame(rows, columns=columns)
        df["rank"] = df["rank"].astype("Int64")
        df["score"] = df["score"].astype("float64")
        return df

    def __len__(self) -> int:
        return len(self.fixes.results)

    def __reduce__(self) -> Any:
        return (RunResult, (self._doc, None, self._text))

    def __repr__(self) -> str:
        s = self.summary
        return (f"RunResult({s.findings} findings, {s.accepted} accepted, {len(self.schedule)} scheduled, "
                f"{s.errors} errors)")
