"""kfix: detect, fix, verify and schedule Kubernetes misconfiguration fixes.

The compiled extension ``kfix._core`` binds the C++ API; this package
re-exports a typed, Pythonic surface over it: functions return classes with
attributes (and ``.to_json()``), errors are :mod:`kfix.errors` exceptions
whose ``.code`` equals the C ``kfix_status``.
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any, Dict, List, Optional, Union

from . import _core
from .errors import (
    Error,
    InternalError,
    InvalidArgumentError,
    IoError,
    LimitExceededError,
    NotFoundError,
    OutOfMemoryError,
    ParseError,
    PatchError,
    PermissionDeniedError,
    TestFailedError,
    UnsupportedError,
    VerificationError,
)

from ._model import (AuditVerifyResult, Check, Finding, FixOutcome, FixResult, Gate, LoadResult, Manifest,
                     ObjectRef, RankedItem, RiskReport, RiskTerm, RunResult, RunSummary, ScanReport, Schedule,
                     ScheduledFix, ScoredFinding, Verdict)

__version__: str = _core.version()

Text = Union[str, bytes]
PathLike = Union[str, "os.PathLike[str]"]


def version() -> str:
    """Version of the linked kfix library, e.g. ``"0.1.0"``."""
    return _core.version()


def status_name(code: int) -> str:
    """Stable name of a status code, e.g. ``"parse_error"`` for 2."""
    return _core.status_name(code)


# ---- Loading and JSON -----------------------------------------------------------


def parse(text: Text, source_name: str = "<string>", *, strict: bool = True) -> LoadResult:
    """Loads manifests from YAML or JSON text (multi-document, ``kind: List`` expanded).

    With ``strict`` (the default) the first unreadable document raises its
    error (e.g. :class:`ParseError` with ``.line``/``.column``); otherwise the
    errors are returned in ``LoadResult.errors`` next to everything that loaded.
    """
    result = LoadResult._from_core(_core.parse(text, source_name))
    if strict:
        result.raise_for_errors()
    return result


def load(*paths: PathLike, strict: bool = True, jobs: int = 1) -> LoadResult:
    """Loads files and directories (``*.yaml``, ``*.yml``, ``*.json``, recursively, sorted).

    Files are read and parsed on ``jobs`` C++ threads (``0``: one per core)
    with the GIL released; the result is the same for any ``jobs``."""
    if not paths:
        raise InvalidArgumentError("load() needs at least one path")
    result = LoadResult._from_core(_core.load([os.fspath(p) for p in paths], jobs))
    if strict:
        result.raise_for_errors()
    return result


def expand_paths(*paths: PathLike) -> List[str]:
    """The files a scan of ``paths`` reads: files as given, directories walked
    recursively for ``*.yaml``, ``*.yml``, ``*.json`` (sorted)."""
    return _core.expand_paths([os.fspath(p) for p in paths])


def parse_json(text: Text) -> Any:
    """Parses strict JSON (RFC 8259); raises :class:`ParseError` with the position."""
    return _core.parse_json(text)


def to_json(value: Any, *, pretty: bool = False, canonical: bool = False) -> str:
    """Serialises JSON-like values; ``canonical`` sorts keys as kfix does for hashing and signing."""
    return _core.to_json(value, pretty, canonical)


def to_yaml(value: Any) -> str:
    """Block-style YAML that loads back to the same value."""
    return _core.to_yaml(value)


# ---- Patches -------------------------------------------------------------------


def apply_patch(doc: Any, patch: Any) -> Any:
    """Applies an RFC 6902 JSON Patch atomically and returns the patched document.

    ``doc`` and ``patch`` are JSON text (str or bytes) or Python values (the
    document is never modified in place). Raises :class:`PatchError` (an op
    cannot apply), :class:`TestFailedError` (a ``test`` op did not match) or
    :class:`ParseError` / :class:`InvalidArgumentError` (malformed input).
    """
    return _core.apply_patch(doc, patch)


def diff(source: Any, target: Any) -> List[Any]:
    """A small RFC 6902 patch (add/remove/replace) with ``apply_patch(source, diff(source, target)) == target``."""
    return _core.diff(source, target)


# ---- Engine and scanning -----------------------------------------------------------


class Engine:
    """An immutable scan/fix engine; build once, share between threads.

    ``config`` is a dict (or JSON text): a superset of kube-linter's
    ``.kube-linter.yaml`` - ``checks`` (include/exclude/addAllBuiltIn/
    doNotAutoAddDefaults/ignorePaths), ``customChecks`` - plus kfix's
    ``scan`` (``context``: ``"all"`` or ``"per-file"``, ``jobs``) and ``fix``
    sections. Raises :class:`InvalidArgumentError` / :class:`ParseError` /
    :class:`NotFoundError` for a bad configuration.
    """

    def __init__(self, config: Union[Dict[str, Any], str, bytes, None] = None) -> None:
        if isinstance(config, (str, bytes)):
            config = _core.parse_json(config)  # type: ignore[assignment]
        self._engine = _core.Engine(config)
        self.config: Optional[Dict[str, Any]] = config  # type: ignore[assignment]

    def scan(self, text: Text, source_name: str = "<string>") -> ScanReport:
        """Scans YAML/JSON manifest text. Unreadable documents land in ``report.errors``."""
        return ScanReport.from_json(self._engine.scan(text, source_name))

    def scan_paths(self, *paths: PathLike) -> ScanReport:
        """Scans files and directories (``*.yaml``, ``*.yml``, ``*.json``, recursively)."""
        if not paths:
            raise InvalidArgumentError("scan_paths() needs at least one path")
        return ScanReport.from_json(self._engine.scan_paths([os.fspath(p) for p in paths]))

    def scan_many(self, docs: List[Text], *, jobs: int = 0,
                  source_names: Optional[List[str]] = None) -> List[ScanReport]:
        """Scans each document separately on a C++ thread pool (``jobs=0``: one thread per core).

        The GIL is released for the whole batch. Results are in input order and
        identical for any ``jobs``.
        """
        raw = self._engine.scan_many(list(docs), list(source_names or []), jobs)
        return [ScanReport.from_json(r) for r in raw]

    def fix(self, text: Text, source_name: str = "<string>") -> FixResult:
        """Proposes a minimal RFC 6902 fix per finding, vetted by every guard gate."""
        return FixResult(json.loads(self._engine.fix(text, source_name)))

    def verify_patch(self, manifest: Text, patch: Any) -> Verdict:
        """Vets an external patch (a list of ops, or JSON/LLM text containing one) against the
        first object of ``manifest``. A rejected patch is a :class:`Verdict` with ``accepted`` False."""
        if not isinstance(patch, (str, bytes)):
            patch = _core.to_json(patch, False, False)
        return Verdict(json.loads(self._engine.verify_patch(manifest, patch)))

    def risk(self, text: Text, source_name: str = "<string>") -> RiskReport:
        """Scans ``text`` and scores every finding 0-100 with the engine's ``risk`` feeds."""
        return RiskReport(json.loads(self._engine.risk(text, source_name)))

    def schedule(self, text: Text, source_name: str = "<string>") -> Schedule:
        """Scans, scores and ranks every finding for fixing (the engine's ``schedule`` section)."""
        return Schedule(json.loads(self._engine.schedule(text, source_name)))

    def run(self, text: Text, source_name: str = "<string>", *, now: float = 0.0) -> RunResult:
        """Runs the whole loop of ``kfix run`` over ``text`` (one lint context): scan, a vetted fix per
        finding, risk with the engine's feeds, and the accepted fixes ranked for fixing.

        ``now`` (seconds) is the enqueue time of every scheduled fix. Unreadable documents are data:
        they are listed in ``result.findings.errors`` and counted in ``result.summary.errors``.
        The GIL is released for the whole run; threads come from the engine's ``scan.jobs``.
        """
        return RunResult._from_core(self._engine.run(text, source_name, float(now)))

    def run_paths(self, *paths: PathLike, now: float = 0.0, jobs: int = 1) -> RunResult:
        """:meth:`run` over files and directories (``*.yaml``, ``*.yml``, ``*.json``, recursively, sorted),
        all of them one lint context, on ``jobs`` threads (the result does not depend on it).

        Raises :class:`NotFoundError` for a path that does not exist. Files that cannot be read are
        data, as in :meth:`run`.
        """
        if not paths:
            raise InvalidArgumentError("run_paths() needs at least one path")
        return RunResult._from_core(self._engine.run_paths([os.fspath(p) for p in paths], float(now), int(jobs)))

    def checks(self) -> List[Check]:
        """The enabled checks, sorted by name."""
        doc = json.loads(self._engine.checks())
        items = doc.get("checks", []) if isinstance(doc, dict) else doc
        return [Check(c) for c in items]

    def __repr__(self) -> str:
        return f"Engine({self.config!r})"


_default_engine: Optional[Engine] = None
_default_lock = threading.Lock()


def _engine_for(config: Union[Dict[str, Any], str, bytes, None]) -> Engine:
    global _default_engine
    if config is not None:
        return Engine(config)
    with _default_lock:
        if _default_engine is None:
            _default_engine = Engine()
        return _default_engine


def scan(text: Text, source_name: str = "<string>", *, config: Union[Dict[str, Any], str, None] = None) -> ScanReport:
    """Scans manifest text with the default checks (or ``config``, see :class:`Engine`)."""
    return _engine_for(config).scan(text, source_name)


def scan_paths(*paths: PathLike, config: Union[Dict[str, Any], str, None] = None) -> ScanReport:
    """Scans files and directories with the default checks (or ``config``)."""
    return _engine_for(config).scan_paths(*paths)


def scan_many(docs: List[Text], *, jobs: int = 0, source_names: Optional[List[str]] = None,
              config: Union[Dict[str, Any], str, None] = None) -> List[ScanReport]:
    """Scans many documents in parallel on a C++ thread pool; see :meth:`Engine.scan_many`."""
    return _engine_for(config).scan_many(docs, jobs=jobs, source_names=source_names)


def fix(text: Text, source_name: str = "<string>", *, config: Union[Dict[str, Any], str, None] = None) -> FixResult:
    """Scans and fixes manifest text; see :meth:`Engine.fix`."""
    return _engine_for(config).fix(text, source_name)


def verify_patch(manifest: Text, patch: Any, *, config: Union[Dict[str, Any], str, None] = None) -> Verdict:
    """Vets a patch against the first object of ``manifest``; see :meth:`Engine.verify_patch`."""
    return _engine_for(config).verify_patch(manifest, patch)


def risk_score(text: Text, source_name: str = "<string>", *,
               config: Union[Dict[str, Any], str, None] = None) -> RiskReport:
    """Scans and scores findings 0-100; ``config["risk"]`` names EPSS/KEV/Trivy feeds (see :class:`Engine`)."""
    return _engine_for(config).risk(text, source_name)


def schedule(text: Text, source_name: str = "<string>", *,
             config: Union[Dict[str, Any], str, None] = None) -> Schedule:
    """Ranks the findings of ``text`` for fixing; see :meth:`Engine.schedule`."""
    return _engine_for(config).schedule(text, source_name)


def run(text: Text, source_name: str = "<string>", *, now: float = 0.0,
        config: Union[Dict[str, Any], str, None] = None) -> RunResult:
    """The whole ``kfix run`` loop over manifest text; see :meth:`Engine.run`."""
    return _engine_for(config).run(text, source_name, now=now)


def run_paths(*paths: PathLike, now: float = 0.0, jobs: int = 1,
              config: Union[Dict[str, Any], str, None] = None) -> RunResult:
    """The whole ``kfix run`` loop over files and directories; see :meth:`Engine.run_paths`."""
    return _engine_for(config).run_paths(*paths, now=now, jobs=jobs)


# ---- Durable fix queue -------------------------------------------------------------


class Queue:
    """The crash-safe SQLite fix queue (``kfix queue``): enqueue accepted fixes, lease, ack/nack.

    ``now`` is an injected clock in seconds (default: ``time.time()``). Items
    are plain dicts (``id``, ``leaseToken``, ``patch``, ``record``, ``state``, ...).
    """

    def __init__(self, path: PathLike, *, max_attempts: int = 3, busy_timeout_ms: int = 10000) -> None:
        self._q = _core.Queue(os.fspath(path), {"maxAttempts": max_attempts, "busyTimeoutMs": busy_timeout_ms})

    @staticmethod
    def _now(now: Optional[float]) -> float:
        return time.time() if now is None else float(now)

    def enqueue(self, fix_result: Union["FixResult", Dict[str, Any]], *, now: Optional[float] = None) -> Dict[str, Any]:
        """Enqueues every accepted fix of a :class:`FixResult` (idempotently).
        Returns ``{"enqueued", "duplicates", "ids"}``."""
        doc = fix_result.to_dict() if isinstance(fix_result, FixResult) else fix_result
        return self._q.enqueue_fix_report(doc, self._now(now))  # type: ignore[return-value]

    def lease(self, worker: str = "kfix", lease_seconds: float = 300.0, *,
              now: Optional[float] = None) -> Optional[Dict[str, Any]]:
        """Leases the best queued item, or returns None when the queue is empty."""
        return self._q.lease(worker, lease_seconds, self._now(now))  # type: ignore[return-value]

    def ack(self, item_id: int, lease_token: int = 0, *, now: Optional[float] = None) -> Dict[str, Any]:
        """Marks a leased item done; :class:`NotFoundError` when the lease is gone or the token differs."""
        return self._q.finish(item_id, lease_token, None, self._now(now))  # type: ignore[return-value]

    def nack(self, item_id: int, reason: str, lease_token: int = 0, *, now: Optional[float] = None) -> Dict[str, Any]:
        """Gives a leased item back (queued again, or dead after ``max_attempts``)."""
        return self._q.finish(item_id, lease_token, reason, self._now(now))  # type: ignore[return-value]

    def stats(self, *, now: Optional[float] = None) -> Dict[str, Any]:
        """``{"states": {...}, "total", "outcomes"}``."""
        return self._q.stats(self._now(now))  # type: ignore[return-value]


# ---- Receipts and audit log ---------------------------------------------------------


def receipt_sign(payload: Any, seed_hex: str) -> Dict[str, Any]:
    """Signs ``payload`` (its audit-canonical JSON) with the Ed25519 key of a 64-hex-digit seed.

    Returns the receipt ``{"alg", "keyId", "payloadSha256", "sig", "v"}``.
    """
    return json.loads(_core.receipt_sign(seed_hex, payload))  # type: ignore[no-any-return]


def receipt_verify(receipt: Union[Dict[str, Any], str, bytes], payload: Any, public_key_hex: str) -> None:
    """Raises :class:`VerificationError` (payload or signature mismatch), :class:`NotFoundError`
    (another key signed it) or :class:`ParseError` (malformed receipt) unless the receipt holds."""
    text = receipt if isinstance(receipt, (str, bytes)) else _core.to_json(receipt, False, False)
    _core.receipt_verify(text, payload, public_key_hex)


def audit_verify(log: Text, *, public_keys: Optional[List[str]] = None, require_receipts: bool = False,
                 anchor: Optional[tuple] = None) -> AuditVerifyResult:
    """Walks a hash-chained JSONL audit log (its whole text) and reports the first bad line.

    A log that does not verify is a result (``intact`` False, ``reason``, ``line``), not an
    exception. ``anchor=(seq, hash)`` also detects truncation of the tail.
    """
    options: Dict[str, Any] = {"publicKeys": list(public_keys or []), "requireReceipts": require_receipts}
    if anchor is not None:
        options["anchorSeq"], options["anchorHash"] = int(anchor[0]), str(anchor[1])
    return AuditVerifyResult(json.loads(_core.audit_verify(log, options)))


__all__ = [
    "__version__",
    "version",
    "status_name",
    "parse",
    "load",
    "parse_json",
    "expand_paths",
    "to_json",
    "to_yaml",
    "apply_patch",
    "diff",
    "Manifest",
    "LoadResult",
    "Engine",
    "scan",
    "scan_paths",
    "scan_many",
    "ObjectRef",
    "Finding",
    "ScanReport",
    "Check",
    "fix",
    "verify_patch",
    "FixResult",
    "FixOutcome",
    "Verdict",
    "Gate",
    "risk_score",
    "schedule",
    "Schedule",
    "RankedItem",
    "RiskReport",
    "ScoredFinding",
    "RiskTerm",
    "run",
    "run_paths",
    "RunResult",
    "RunSummary",
    "ScheduledFix",
    "Queue",
    "receipt_sign",
    "receipt_verify",
    "audit_verify",
    "AuditVerifyResult",
    "Error",
    "InvalidArgumentError",
    "ParseError",
    "NotFoundError",
    "PatchError",
    "TestFailedError",
    "LimitExceededError",
    "UnsupportedError",
    "InternalError",
    "IoError",
    "PermissionDeniedError",
    "VerificationError",
    "OutOfMemoryError",
]
