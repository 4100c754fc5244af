"""Typed result classes of the kfix Python API.

They are plain Python objects built from what ``kfix._core`` returns (Python
values, or the JSON documents the CLI prints), so they pickle, compare and
print nicely. Every class has ``to_dict()`` and ``to_json()``.
"""

from __future__ import annotations

import importlib
import os
from typing import Any, Dict, List, Optional, Union

from . import _core
from .errors import Error, InvalidArgumentError, IoError

def _errors(values: Any) -> List[Error]:
    """Typed errors of a document: each ``{"code": name, "message", "file", "line", ...}`` entry as the
    :class:`kfix.Error` subclass an exception for it would be (same ``code``, ``message``, ``detail``)."""
    values = list(_plain(values) or [])
    return _core.errors_from_values(values) if values else []  # type: ignore[no-any-return]


_View = _core.DocumentView


def _plain(value: Any) -> Any:
    """``value`` as plain Python values: a ``kfix._core.DocumentView`` (a lazily converted node of a large
    result document) is converted, and so are the views in a record of :func:`_records`; anything else is
    returned as is."""
    if isinstance(value, _View):
        return value.to_python()
    if isinstance(value, dict) and any(isinstance(v, _View) for v in value.values()):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _records(value: Any) -> Any:
    """The elements of a document list; the objects of a view each as one shallow dict (one call for the
    list, nested containers still views)."""
    return value.records() if isinstance(value, _View) else value


def _options(options: Optional[Dict[str, Any]], **members: Any) -> Dict[str, Any]:
    """An options document: ``options`` (copied) with every member given a value that is not None."""
    doc = dict(options or {})
    for key, value in members.items():
        if value is not None:
            doc[key] = value
    return doc


__all__ = ["Manifest", "LoadResult", "ObjectRef", "Finding", "ScanReport", "Check", "RiskTerm", "ScoredFinding",
           "RiskReport", "AuditVerifyResult", "Gate", "Verdict", "FixOutcome", "FixResult", "RenderedFile", "WriteBackResult", "RankedItem", "Schedule",
           "ScheduledFix", "RunSummary", "RunResult"]


class _Document:
    """Base of the result classes that wrap one kfix document (Python values built from its ToValue, or a
    ``kfix._core.DocumentView`` of it whose nodes become Python values only when read): ``to_dict()`` is
    the document, ``to_json()`` its compact JSON, and pickling keeps the document."""

    def __init__(self, doc: Dict[str, Any]) -> None:
        self._doc = doc

    def to_dict(self) -> Dict[str, Any]:
        """The document as Python values."""
        self._doc = _plain(self._doc)
        return self._doc

    def to_json(self) -> str:
        """The document as compact JSON (kfix's serialiser)."""
        return _core.to_json(self._doc, False, False)

    def _lazy(self, name: str, build: Any) -> Any:
        """The member ``name`` built by ``build(document)`` on first use, then kept: lists and nested
        records are only turned into Python objects when read."""
        cache = self.__dict__.setdefault("_built", {})
        if name not in cache:
            cache[name] = build(self._doc)
        return cache[name]

    def __reduce__(self) -> Any:
        return (type(self), (self.to_dict(),))


class _DocumentList(_Document):
    """A document whose ``len()`` and iteration go over the list attribute named by ``_items``."""

    _items = ""

    def __len__(self) -> int:
        return len(getattr(self, self._items))

    def __iter__(self) -> Any:
        return iter(getattr(self, self._items))


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
        return _core.to_json(self.to_dict(), pretty, False)

    def __repr__(self) -> str:
        return f"LoadResult({len(self.manifests)} manifests, {len(self.errors)} errors)"


# ---- Scan results ------------------------------------------------------------------


class ObjectRef:
    """The identity of a Kubernetes object (apiVersion, kind, namespace, name). Immutable and hashable.

    Example:
        >>> ref = kfix.ObjectRef("apps/v1", "Deployment", "shop", "web")
        >>> {ref: 1}[kfix.ObjectRef("apps/v1", "Deployment", "shop", "web")]
        1
    """

    __slots__ = ("api_version", "kind", "namespace", "name")

    api_version: str
    kind: str
    namespace: str
    name: str

    def __init__(self, api_version: str = "", kind: str = "", namespace: str = "", name: str = "") -> None:
        _set = object.__setattr__
        _set(self, "api_version", api_version)
        _set(self, "kind", kind)
        _set(self, "namespace", namespace)
        _set(self, "name", name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"ObjectRef is immutable (cannot set {name})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"ObjectRef is immutable (cannot delete {name})")

    @classmethod
    def from_dict(cls, d: Dict[str, Any]) -> "ObjectRef":
        """Builds the reference from its document shape ``{"apiVersion", "kind", "namespace", "name"}``."""
        if isinstance(d, _View):
            d = d.shallow()
        return cls(d.get("apiVersion", ""), d.get("kind", ""), d.get("namespace", ""), d.get("name", ""))

    def to_dict(self) -> Dict[str, Any]:
        """The document shape ``{"apiVersion", "kind", "namespace", "name"}``."""
        return {"apiVersion": self.api_version, "kind": self.kind, "namespace": self.namespace, "name": self.name}

    def _key(self) -> Any:
        return (self.api_version, self.kind, self.namespace, self.name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ObjectRef) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"ObjectRef({self.kind} {ns}{self.name})"

    def __reduce__(self) -> Any:
        return (ObjectRef, self._key())


_FINDING_FIELDS = ("check", "policy", "severity", "message", "remediation", "file", "document", "item", "line",
                   "column", "pointer", "object", "container", "ignored_by")


class Finding:
    """One finding: which check fired, on which object and field (with line and column).

    Immutable and hashable (usable in sets and as dict keys); two findings are equal when every
    field is. ``to_dict()`` is the finding as the scan report document holds it.

    Example:
        >>> report = kfix.scan(open("web.yaml").read(), "web.yaml")
        >>> {(f.check, f.line) for f in report.findings}
        {('latest-tag', 10), ...}
    """

    __slots__ = _FINDING_FIELDS + ("_doc",)

    _doc: Dict[str, Any]
    check: str
    policy: str
    severity: str
    message: str
    remediation: str
    file: str
    #: 0-based document index in the file.
    document: int
    #: 0-based index inside a ``kind: List``, -1 otherwise.
    item: int
    line: int
    column: int
    #: RFC 6901 pointer to the offending field (or where the missing field belongs).
    pointer: str
    object: ObjectRef
    container: str
    #: For ignored findings: the annotation that suppressed it.
    ignored_by: str

    def __init__(self, d: Dict[str, Any]) -> None:
        _set = object.__setattr__
        _set(self, "_doc", d)
        _set(self, "check", d["check"])
        _set(self, "policy", d.get("policy", ""))
        _set(self, "severity", d.get("severity", "warning"))
        _set(self, "message", d.get("message", ""))
        _set(self, "remediation", d.get("remediation", ""))
        _set(self, "file", d.get("file", ""))
        _set(self, "document", d.get("document", 0))
        _set(self, "item", d.get("item", -1))
        _set(self, "line", d.get("line", 0))
        _set(self, "column", d.get("column", 0))
        _set(self, "pointer", d.get("pointer", ""))
        _set(self, "object", ObjectRef.from_dict(d.get("object", {})))
        _set(self, "container", d.get("container", ""))
        _set(self, "ignored_by", d.get("ignoredBy", ""))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Finding is immutable (cannot set {name})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Finding is immutable (cannot delete {name})")

    def to_dict(self) -> Dict[str, Any]:
        """The finding as the scan report document holds it (a copy)."""
        return dict(_plain(self._doc))

    def to_json(self) -> str:
        """The finding as compact JSON (kfix's serialiser)."""
        return _core.to_json(self._doc, False, False)

    def _key(self) -> Any:
        return tuple(getattr(self, k) for k in _FINDING_FIELDS)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Finding) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Finding({self.check} at {self.file}:{self.line}:{self.column} {self.pointer})"

    def __reduce__(self) -> Any:
        return (Finding, (_plain(self._doc),))


class ScanReport:
    """The result of a scan: findings, ignored findings, read errors and statistics.

    ``to_json()`` returns the document ``kfix scan --format json`` prints (byte for byte).
    ``errors`` and ``warnings`` are :class:`kfix.Error` instances, the same objects the failing
    call would raise.

    Example:
        >>> report = kfix.scan_paths("deploy/")
        >>> for f in report.findings:
        ...     print(f"{f.file}:{f.line}: {f.check}")
        >>> [e.line for e in report.errors]   # documents that could not be read
        []
    """

    def __init__(self, doc: Any, text: Optional[str] = None) -> None:  # a dict or a DocumentView
        self._doc = doc
        self._text = text
        self._findings: Optional[List[Finding]] = None
        self._ignored: Optional[List[Finding]] = None
        self.schema_version: int = doc.get("schemaVersion", 1)
        #: Files/documents that could not be read, as :class:`kfix.Error` (file, line, column, ...).
        self.errors: List[Error] = _errors(doc.get("errors"))
        #: Loaded with a caveat (duplicate keys, ...), as :class:`kfix.Error`.
        self.warnings: List[Error] = _errors(doc.get("warnings"))
        #: files, objects, findings, ignored, errors, byCheck (and seconds unless merged).
        self.stats: Dict[str, Any] = dict(doc.get("stats", {}))

    @property
    def findings(self) -> List[Finding]:
        """The reported findings, sorted (file, document, item, line, check, ...)."""
        if self._findings is None:
            self._findings = [Finding(f) for f in _records(self._doc.get("findings", []))]
        return self._findings

    @property
    def ignored(self) -> List[Finding]:
        """Findings suppressed by ignore annotations (each with ``ignored_by``)."""
        if self._ignored is None:
            self._ignored = [Finding(f) for f in _records(self._doc.get("ignored", []))]
        return self._ignored

    @classmethod
    def from_json(cls, text: str | bytes) -> "ScanReport":
        """Reads a report document (``kfix scan --format json`` output).

        Raises:
            kfix.ParseError: ``text`` is not JSON.
        """
        return cls(_core.parse_json(text))  # type: ignore[arg-type]

    def to_dict(self) -> Dict[str, Any]:
        """The report document as Python values."""
        self._doc = _plain(self._doc)
        return self._doc

    def to_json(self, *, pretty: bool = False, timing: bool = True) -> str:
        """The report document as JSON (kfix's serialiser).

        Args:
            pretty: indented as ``kfix scan --format json`` prints it.
            timing: keep ``stats.seconds``; without it the text is what ``--no-timing`` prints,
                identical on every run.

        Returns:
            The JSON text (no final newline).

        Example:
            >>> report.to_json(pretty=True, timing=False) + "\n" == cli_output
            True
        """
        doc = self._doc
        if not timing and "seconds" in doc.get("stats", {}):
            doc = dict(doc)
            doc["stats"] = {k: v for k, v in doc["stats"].items() if k != "seconds"}
        elif not pretty:
            if self._text is None:
                self._text = _core.to_json(doc, False, False)
            return self._text
        return _core.to_json(doc, pretty, False)

    def to_pandas(self) -> Any:
        """The findings as a pandas DataFrame, one row per finding.

        Columns: check, policy, severity, message, remediation, file, document, item, line, column,
        pointer, api_version, kind, namespace, name, container.

        Raises:
            ImportError: pandas is not installed.
        """
        try:
            pd = importlib.import_module("pandas")  # optional dependency, imported lazily
        except ImportError as exc:  # pragma: no cover - pandas is installed in CI
            raise ImportError("ScanReport.to_pandas() needs pandas") from exc
        findings = self.findings
        columns: Dict[str, Any] = {}
        for key in ("check", "policy", "severity", "message", "remediation", "file", "document", "item", "line",
                    "column", "pointer"):
            columns[key] = [getattr(f, key) for f in findings]
        for key in ("api_version", "kind", "namespace", "name"):
            columns[key] = [getattr(f.object, key) for f in findings]
        columns["container"] = [f.container for f in findings]
        return pd.DataFrame(columns)

    def __len__(self) -> int:
        return len(self._doc.get("findings", []))

    def __iter__(self) -> Any:
        return iter(self.findings)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ScanReport) and self._doc == other._doc

    def __repr__(self) -> str:
        return f"ScanReport({len(self)} findings, {len(self.errors)} errors)"

    def __reduce__(self) -> Any:
        return (ScanReport, (self.to_dict(),))

    @staticmethod
    def merge(reports: "List[ScanReport]") -> "ScanReport":
        """Concatenates reports of disjoint, ordered inputs (e.g. chunks of a sorted file list).

        Findings keep their order, statistics are summed; ``stats.seconds`` is
        dropped because it would not be meaningful.

        Args:
            reports: reports of disjoint inputs, in input order.

        Returns:
            One report; equal to a scan of all the inputs at once when each file is its own lint
            context (``scan.context: per-file``).

        Example:
            >>> merged = kfix.ScanReport.merge([engine.scan_paths(*chunk) for chunk in chunks])
        """
        first = reports[0].to_dict() if reports else {}
        doc: Dict[str, Any] = {"schemaVersion": first.get("schemaVersion", 1), "findings": [], "ignored": [],
                               "errors": [], "warnings": []}
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


class Check(_Document):
    """A check of the catalog as ``kfix checks list --format json`` describes it."""

    def __init__(self, d: Dict[str, Any]) -> None:
        _Document.__init__(self, d)
        self.name: str = d.get("name", "")
        self.policy: str = d.get("policy", "")
        self.severity: str = d.get("severity", "")
        self.description: str = d.get("description", "")
        self.remediation: str = d.get("remediation", "")

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


class Verdict(_Document):
    """The guard's decision on a patch: ``accepted``, ``reason``, ``gates``, ``new_findings``."""

    def __init__(self, doc: Dict[str, Any]) -> None:
        _Document.__init__(self, doc)
        self.accepted: bool = bool(doc.get("accepted", False))
        self.reason: str = doc.get("reason", "")
        self.patch: List[Dict[str, Any]] = list(doc.get("patch", []))
        self.gates: List[Gate] = [Gate(g) for g in doc.get("gates", [])]
        self.new_findings: List[Dict[str, Any]] = list(doc.get("newFindings", []))

    def __bool__(self) -> bool:
        return self.accepted

    def __repr__(self) -> str:
        return f"Verdict(accepted={self.accepted}, reason={self.reason!r})"


class FixOutcome(_Document):
    """The fix of one finding: ``status`` is accepted, rejected, needs-review or unfixable."""

    def __init__(self, d: Dict[str, Any]) -> None:
        _Document.__init__(self, d)
        self.check: str = d.get("check", "")
        self.policy: str = d.get("policy", "")
        self.file: str = d.get("file", "")
        self.document: int = d.get("document", 0)
        self.line: int = d.get("line", 0)
        self.container: str = d.get("container", "")
        self.message: str = d.get("message", "")
        self.status: str = d.get("status", "")
        self.reason: str = d.get("reason", "")
        #: ``kfix propose`` only: "llm" or "rules" ("" for ``kfix fix``).
        self.proposer: str = d.get("proposer", "")
        #: ``kfix propose`` only: proposals vetted for this finding.
        self.attempts: int = d.get("attempts", 0)

    @property
    def patch(self) -> List[Dict[str, Any]]:
        """The RFC 6902 patch proposed for the finding (empty when none)."""
        return self._lazy("patch", lambda d: list(_plain(d.get("patch", []))))  # type: ignore[no-any-return]

    @property
    def gates(self) -> List[Gate]:
        """Every guard gate's verdict, in order."""
        return self._lazy("gates", lambda d: [Gate(g) for g in _records(d.get("gates", []))])  # type: ignore[no-any-return]

    @property
    def risk(self) -> Dict[str, Any]:
        """``kfix run`` only: the finding's risk document (risk, kev, maxEpss, terms, ...); empty otherwise."""
        return self._lazy("risk", lambda d: dict(_plain(d.get("risk", {}))))  # type: ignore[no-any-return]

    @property
    def attempt_log(self) -> List[Dict[str, Any]]:
        """``kfix propose`` only: every vetted proposal (proposer, outcome, gate, detail, tokens, latencyMs)."""
        return self._lazy("attempt_log",  # type: ignore[no-any-return]
                          lambda d: list(_plain(d.get("attemptLog", []))))

    @property
    def object(self) -> ObjectRef:
        """The object the finding is on (built on first read)."""
        return self._lazy("object", lambda d: ObjectRef.from_dict(d.get("object", {})))  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"FixOutcome({self.check} {self.object.kind}/{self.object.name}: {self.status})"


class RenderedFile(_Document):
    """One fixed file rendered as text edits on its original bytes (comments, quoting, styles kept)."""

    def __init__(self, d: Dict[str, Any]) -> None:
        _Document.__init__(self, d)
        #: The input file (as loaded).
        self.file: str = d.get("file", "")
        #: True when the accepted patches changed its bytes.
        self.fixed: bool = bool(d.get("fixed", False))
        #: The new bytes (None when the file could not be rendered: see ``error``).
        self.text: Optional[str] = d.get("text")
        #: Places re-emitted instead of edited in place.
        self.notes: List[str] = list(d.get("notes", []))
        #: Objects left unchanged for review: ``{"document", "item"?, "reason"}``.
        self.refused: List[Dict[str, Any]] = list(d.get("refused", []))
        #: Why the file could not be rendered, as :class:`kfix.Error` (None when it was).
        self.error: Optional[Error] = _errors([d["error"]])[0] if d.get("error") else None

    def __repr__(self) -> str:
        return f"RenderedFile({self.file}, fixed={self.fixed})"


class WriteBackResult(_Document):
    """What :meth:`FixResult.write` did to every input file, and the diff when asked."""

    def __init__(self, d: Dict[str, Any]) -> None:
        _Document.__init__(self, d)
        #: One entry per input file: ``file``, ``output`` ("" when not written), ``fixed``,
        #: ``notes``, ``refused``, ``error``.
        self.files: List[Dict[str, Any]] = list(d.get("files", []))
        #: The unified diff against the original bytes (``a/`` and ``b/`` prefixes), or "".
        self.diff: str = d.get("diff", "")
        #: Files that could not be written, as :class:`kfix.Error`.
        self.errors: List[Error] = _errors([f["error"] for f in self.files if f.get("error")])

    def __bool__(self) -> bool:
        return not self.errors

    def __repr__(self) -> str:
        written = sum(1 for f in self.files if f.get("output"))
        return f"WriteBackResult({len(self.files)} files, {written} written, {len(self.errors)} errors)"


class _FilePart:
    """What every part of a per-file run has: its file, the inputs of its errors, the document."""

    def __init__(self, doc: Dict[str, Any]) -> None:
        self._doc = doc
        #: The part's file.
        self.file: str = doc["file"]
        #: For each error of the report, the input it came from (``None``: not a load error).
        self.error_inputs: List[Optional[int]] = list(doc["errorInputs"])

    def to_dict(self) -> Dict[str, Any]:
        """The part document as Python values (the one the C ABI hands over)."""
        return _plain(self._doc)  # type: ignore[no-any-return]


class FileScanPart(_FilePart):
    """One file of a per-file scan (:meth:`kfix.Engine.scan_paths_per_file`).

    The part document is ``{"file", "errorInputs", "warningInputs", "report"}``; ``report`` is the
    scan report of that file alone. For each error / warning of the report, ``error_inputs`` /
    ``warning_inputs`` give the input it came from (its position among the files the paths expand
    to), ``None`` for the scan's own warnings. docs/c-api.md ("Streaming per file") shows how the
    parts join into the whole document.
    """

    def __init__(self, doc: Dict[str, Any]) -> None:
        super().__init__(doc)
        #: The scan report of this file alone (its stats are the file's own).
        self.report: ScanReport = ScanReport(doc["report"])
        self.warning_inputs: List[Optional[int]] = list(doc["warningInputs"])

    def __repr__(self) -> str:
        return f"FileScanPart({self.file}: {len(self.report.findings)} finding(s), {len(self.report.errors)} error(s))"


class FileFixPart(_FilePart):
    """One file of a per-file fix (:meth:`kfix.Engine.fix_paths_per_file`).

    The part document is ``{"file", "errorInputs", "objectInputs", "written", "writtenIndex", "diff",
    "report"}``; ``report`` is the
    ``kfix fix --format json`` document of that file alone, as a :class:`FixResult` without the
    input texts (``render()`` and ``write()`` are not available on it). ``error_inputs`` /
    ``object_inputs`` give the input of each report error / object (``None``: not a load error).
    """

    def __init__(self, doc: Dict[str, Any]) -> None:
        super().__init__(doc)
        #: The fix report of this file alone.
        self.report: FixResult = FixResult(doc["report"])
        self.object_inputs: List[Optional[int]] = list(doc["objectInputs"])
        #: When the run writes back: the file's entry of the write-back document (``file``, ``output``,
        #: ``fixed``, ``notes``, ``refused``, ``error``), its place in that document's ``files``, and
        #: its part of the unified diff (asked with ``diff=True``); else ``None``, ``None`` and ``""``.
        self.written: Optional[Dict[str, Any]] = _plain(doc["written"])
        self.written_index: Optional[int] = doc["writtenIndex"]
        self.diff: str = doc["diff"]

    def __repr__(self) -> str:
        return f"FileFixPart({self.file}: {len(self.report.results)} result(s), {len(self.report.errors)} error(s))"


class FixResult(_DocumentList):
    """``kfix fix`` as objects: per-finding ``results``, merged per-object ``objects``, ``summary``.

    A result returned by :meth:`kfix.Engine.fix` / :meth:`kfix.Engine.fix_paths` keeps the C++
    report with the inputs' texts, so :meth:`render` and :meth:`write` edit the bytes that were
    fixed (an unpickled result has only the document).
    """

    _items = "results"

    def __init__(self, doc: Any, core: Any = None) -> None:  # a dict or a DocumentView
        _Document.__init__(self, doc)
        self._core = core  # kfix._core.FixReport, or None
        self.results: List[FixOutcome] = [FixOutcome(r) for r in _records(doc.get("results", []))]
        #: Documents that could not be read, as :class:`kfix.Error`.
        self.errors: List[Error] = _errors(doc.get("errors"))
        self.summary: Dict[str, Any] = dict(_plain(doc.get("summary", {})))

    @property
    def objects(self) -> List[Dict[str, Any]]:
        """One per object with an accepted fix: object, accepted, patch (merged), gates."""
        return self._lazy("objects", lambda d: list(_plain(d.get("objects", []))))  # type: ignore[no-any-return]

    def accepted(self) -> List[FixOutcome]:
        return [r for r in self.results if r.status == "accepted"]

    def _report(self, what: str) -> Any:
        if self._core is None:
            raise InvalidArgumentError(f"FixResult.{what}() needs the result of Engine.fix or Engine.fix_paths "
                                       "(an unpickled or hand-built result has no input texts)")
        return self._core

    def render(self) -> List[RenderedFile]:
        """The files with accepted patches, rendered as text edits on their original bytes.

        Every byte outside the patched nodes stays as written: comments, blank lines, quoting, flow
        or block style, indentation, key order, CRLF and a BOM. Nothing is written.

        Returns:
            One :class:`RenderedFile` per file with accepted patches, sorted by name (the
            ``kfix_engine_render`` document's ``files``).

        Raises:
            InvalidArgumentError: the result has no input texts (unpickled).

        Example:
            >>> fixed = kfix.fix(open("web.yaml").read(), "web.yaml")
            >>> print(fixed.render()[0].text)   # comments and quoting kept
        """
        return [RenderedFile(f) for f in self._report("render").render().get("files", [])]

    def write(self, dir: Optional[Union[str, "os.PathLike[str]"]] = None, *, in_place: bool = False,
              diff: bool = False) -> WriteBackResult:
        """Writes the fixed files back, as ``kfix fix --write DIR | --in-place [--diff]``.

        Every write is safe (no symlink followed, an input is never a target, temporary file +
        fsync + rename, mode bits kept). With ``dir`` the inputs are mirrored under it (files
        without an accepted fix copied byte-identical); with ``in_place`` each fixed input is
        replaced atomically.

        Args:
            dir: the output directory (exclusive with ``in_place``).
            in_place: edit the inputs themselves.
            diff: also build the unified diff against the original bytes.

        Returns:
            The :class:`WriteBackResult` (per-file outcome, the diff).

        Raises:
            InvalidArgumentError: the result was fixed from text (no input files), both ``dir``
                and ``in_place``, or the layout would collide (nothing is written then).

        Example:
            >>> kfix.Engine().fix_paths("deploy/").write("fixed/").diff
        """
        options: Dict[str, Any] = {"diff": bool(diff)}
        if dir is not None:
            options["write"] = os.fspath(dir)
        if in_place:
            options["inPlace"] = True
        return WriteBackResult(self._report("write").write(options))

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


class ScoredFinding(_Document):
    """A finding with its risk 0-100 and the breakdown of the score."""

    def __init__(self, d: Dict[str, Any]) -> None:
        _Document.__init__(self, d)
        self.check: str = d.get("check", "")
        self.policy: str = d.get("policy", "")
        self.file: str = d.get("file", "")
        self.line: int = d.get("line", 0)
        self.container: str = d.get("container", "")
        self.risk: float = float(d.get("risk", 0.0))
        self.kev: bool = bool(d.get("kev", False))
        self.max_epss: float = float(d.get("maxEpss", 0.0))

    @property
    def images(self) -> List[str]:
        """The container images of the finding's object."""
        return self._lazy("images", lambda d: list(_plain(d.get("images", []))))  # type: ignore[no-any-return]

    @property
    def cves(self) -> List[str]:
        """CVEs of those images found in the image reports."""
        return self._lazy("cves", lambda d: list(_plain(d.get("cves", []))))  # type: ignore[no-any-return]

    @property
    def attack_techniques(self) -> List[str]:
        """MITRE ATT&CK techniques the finding maps to."""
        return self._lazy("attack_techniques",  # type: ignore[no-any-return]
                          lambda d: list(_plain(d.get("attackTechniques", []))))

    @property
    def terms(self) -> List[RiskTerm]:
        """The additive terms of the score (base, vuln, epss, kev, attack)."""
        return self._lazy("terms", lambda d: [  # type: ignore[no-any-return]
            RiskTerm(t.get("name", ""), float(t.get("value", 0.0)), t.get("detail", "")) for t in _records(d.get("terms", []))])

    @property
    def object(self) -> ObjectRef:
        """The object the finding is on (built on first read)."""
        return self._lazy("object", lambda d: ObjectRef.from_dict(d.get("object", {})))  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"ScoredFinding({self.check} {self.object.kind}/{self.object.name} risk={self.risk})"


class RiskReport(_DocumentList):
    """Scored findings (``kfix risk --format json``): ``results``, ``errors``, ``feeds``."""

    _items = "results"

    def __init__(self, doc: Dict[str, Any]) -> None:
        _Document.__init__(self, doc)
        self.results: List[ScoredFinding] = [ScoredFinding(r) for r in _records(doc.get("results", []))]
        #: Documents that could not be read, as :class:`kfix.Error`.
        self.errors: List[Error] = _errors(doc.get("errors"))
        self.feeds: Dict[str, Any] = dict(_plain(doc.get("feeds", {})))

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

    def __repr__(self) -> str:
        return f"RiskReport({len(self.results)} results)"


class RankedItem(_Document):
    """One finding in fix order: ``rank``, ``score`` and the parts it came from."""

    def __init__(self, d: Dict[str, Any]) -> None:
        _Document.__init__(self, d)
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

    def __repr__(self) -> str:
        return f"RankedItem(#{self.rank} {self.check} {self.kind}/{self.name} score={self.score:.3g})"


class Schedule(_DocumentList):
    """Findings ranked for fixing (``kfix schedule rank`` plus load ``errors``)."""

    _items = "items"

    def __init__(self, doc: Dict[str, Any]) -> None:
        _Document.__init__(self, doc)
        self.items: List[RankedItem] = [RankedItem(i) for i in doc.get("items", [])]
        #: Documents that could not be read, as :class:`kfix.Error`.
        self.errors: List[Error] = _errors(doc.get("errors"))

    def to_pandas(self) -> Any:
        """One row per ranked item. Needs pandas."""
        pd = importlib.import_module("pandas")
        return pd.DataFrame([i.to_dict() for i in self.items])

    def __repr__(self) -> str:
        return f"Schedule({len(self.items)} items)"


# ---- Audit -------------------------------------------------------------------------


class AuditVerifyResult(_Document):
    """The outcome of walking an audit log (``kfix audit verify --json``)."""

    def __init__(self, d: Dict[str, Any]) -> None:
        _Document.__init__(self, d)
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

    def __repr__(self) -> str:
        return f"AuditVerifyResult(intact={self.intact}, reason={self.reason!r}, line={self.line})"


# ---- Pipeline (kfix run) -----------------------------------------------------------


class ScheduledFix(_Document):
    """One accepted fix in schedule order (an item of ``schedule.json``).

    ``result`` indexes ``RunResult.fixes.results``, ``RunResult.risk.results``
    and ``RunResult.findings.findings`` (they are parallel).
    """

    def __init__(self, d: Dict[str, Any]) -> None:
        _Document.__init__(self, d)
        self.rank: int = d.get("rank", 0)
        self.result: int = d.get("result", 0)
        self.check: str = d.get("check", "")
        self.policy: str = d.get("policy", "")
        self.file: str = d.get("file", "")
        self.document: int = d.get("document", 0)
        self.item: int = d.get("item", -1)
        self.line: int = d.get("line", 0)
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

    @property
    def patch(self) -> List[Dict[str, Any]]:
        """The vetted RFC 6902 patch."""
        return self._lazy("patch", lambda d: list(_plain(d.get("patch", []))))  # type: ignore[no-any-return]

    @property
    def object(self) -> ObjectRef:
        """The object the finding is on (built on first read)."""
        return self._lazy("object", lambda d: ObjectRef.from_dict(d.get("object", {})))  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"ScheduledFix(#{self.rank} {self.check} {self.object.kind}/{self.object.name} score={self.score:.3g})"


class RunSummary(_Document):
    """``summary.json`` of a run as attributes.

    ``accepted + rejected + needs_review + unfixable == findings`` and
    ``scheduled == accepted``; ``timing`` (seconds per stage: load, fix,
    risk, schedule, total) is the only part that differs between identical runs.
    """

    _COUNTS = ("files", "objects", "findings", "accepted", "rejected", "needs_review", "unfixable", "ignored",
               "errors", "warnings", "objects_patched", "scheduled", "kev_findings", "max_ops")

    def __init__(self, d: Dict[str, Any]) -> None:
        _Document.__init__(self, d)
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

    The run keeps the C++ result; each attribute is built the first time it is read (with the GIL
    given away every few milliseconds), so a run whose documents are only written costs no Python
    objects.

    Example:
        >>> result = kfix.run_paths("deploy/", now=time.time())
        >>> result.summary.accepted, len(result.schedule)
        (12, 12)
        >>> result.write("out/")
    """

    def __init__(self, doc: Optional[Dict[str, Any]] = None, core: Any = None, text: Optional[str] = None) -> None:
        self._docs: Dict[str, Any] = dict(doc or {})
        self._core = core  # kfix._core.PipelineRun, or None after unpickling
        self._text = text
        self._built: Dict[str, Any] = {}

    @classmethod
    def _from_core(cls, core: Any) -> "RunResult":
        return cls(None, core, None)

    def _document(self, name: str) -> Dict[str, Any]:
        doc = self._docs.get(name)
        if doc is None:
            if self._core is None:
                doc = {}
            elif name == "summary":
                doc = self._core.document(name)
            else:  # large: a view, converted node by node as the typed objects read it
                doc = self._core.view(name)
            self._docs[name] = doc
        return doc  # type: ignore[no-any-return]

    @property
    def schema_version(self) -> int:
        """``schemaVersion`` of the run document."""
        if "schemaVersion" not in self._docs:
            self._docs["schemaVersion"] = self._core.schema_version() if self._core is not None else 0
        return int(self._docs["schemaVersion"])

    @property
    def findings(self) -> ScanReport:
        """The scan report (``findings.json``)."""
        if "findings" not in self._built:
            self._built["findings"] = ScanReport(self._document("findings"))
        return self._built["findings"]  # type: ignore[no-any-return]

    @property
    def fixes(self) -> FixResult:
        """The fix report (``fixes.json``): a vetted fix per finding, each with its ``risk``."""
        if "fixes" not in self._built:
            self._built["fixes"] = FixResult(self._document("fixes"))
        return self._built["fixes"]  # type: ignore[no-any-return]

    @property
    def risk(self) -> RiskReport:
        """Every finding's risk with its term breakdown (``risk.json``)."""
        if "risk" not in self._built:
            self._built["risk"] = RiskReport(self._document("risk"))
        return self._built["risk"]  # type: ignore[no-any-return]

    @property
    def schedule(self) -> List[ScheduledFix]:
        """The accepted fixes, best first (``schedule.json`` items)."""
        if "schedule" not in self._built:
            self._built["schedule"] = [ScheduledFix(i) for i in _records(self._document("schedule").get("items", []))]
        return self._built["schedule"]  # type: ignore[no-any-return]

    @property
    def schedule_config(self) -> Dict[str, Any]:
        """The scheduler configuration the schedule was ranked with."""
        return dict(_plain(self._document("schedule").get("config", {})))

    @property
    def now(self) -> float:
        """The clock the run was given (enqueue time of every scheduled fix)."""
        return float(self._document("schedule").get("now", 0.0))

    @property
    def summary(self) -> RunSummary:
        """Counts of the run (``summary.json``)."""
        if "summary" not in self._built:
            self._built["summary"] = RunSummary(self._document("summary"))
        return self._built["summary"]  # type: ignore[no-any-return]

    def documents(self) -> Dict[str, Dict[str, Any]]:
        """The five documents by name (``findings``, ``fixes``, ``risk``, ``schedule``, ``summary``)."""
        out = {}
        for name in _RUN_DOCUMENTS:
            self._docs[name] = out[name] = _plain(self._document(name))
        return out

    def to_dict(self) -> Dict[str, Any]:
        """``{"schemaVersion", "findings", "fixes", "risk", "schedule", "summary"}`` as Python values."""
        out: Dict[str, Any] = {"schemaVersion": self.schema_version}
        out.update(self.documents())
        return out

    def to_json(self) -> str:
        """``{"schemaVersion", "findings", "fixes", "risk", "schedule", "summary"}`` - what ``kfix_engine_run``
        returns (compact JSON)."""
        if self._text is None:
            self._text = self._core.to_json() if self._core is not None else _core.to_json(self.to_dict(), False,
                                                                                           False)
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
                    out.write(_core.to_json(self._document(name), True, False) + "\n")
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
        return (RunResult, (self.to_dict(), None, self._text))

    def __repr__(self) -> str:
        s = self.summary
        return (f"RunResult({s.findings} findings, {s.accepted} accepted, {len(self.schedule)} scheduled, "
                f"{s.errors} errors)")
