"""Container-escape response: detect escape attempts in Kubernetes audit and runtime events, plan
deterministic quarantines, apply them behind every gate and re-verify them for drift
(docs/playbooks-escape.md).

The same engine functions serve ``kfix escape detect``, ``kfix quarantine plan|apply|reverify``,
the C ABI's ``kfix_escape_detect`` / ``kfix_quarantine_*`` and this module: every finding and
record here is the object the CLI prints as one JSON line (``to_jsonl()`` gives those bytes).
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Union

from . import _core
from ._model import _Document, _errors, _options
from .errors import Error

__all__ = ["detect", "plan", "apply", "reverify", "DetectResult", "QuarantineResult"]

Text = Union[str, bytes]


def _text(value: Any) -> Text:
    if isinstance(value, (str, bytes)):
        return value
    if isinstance(value, os.PathLike):
        with open(os.fspath(value), "rb") as f:
            return f.read()
    raise TypeError(f"expected str, bytes or a path, not {type(value).__name__}")


def _lines(records: List[Dict[str, Any]]) -> str:
    return "".join(_core.to_json(r, False, False) + "\n" for r in records)


class DetectResult(_Document):
    """Findings of the five detector rules (OCSF 2004 or native), plus the lines that were skipped."""

    def __init__(self, doc: Dict[str, Any]) -> None:
        _Document.__init__(self, doc)
        #: Each finding as a dict, exactly as ``kfix escape detect`` prints it on one line.
        self.findings: List[Dict[str, Any]] = list(doc.get("findings", []))
        #: Lines that could not be used, as :class:`kfix.Error` (file and line).
        self.errors: List[Error] = _errors(doc.get("errors"))
        #: Lines that became events.
        self.events: int = int(doc.get("events", 0))

    def to_jsonl(self) -> str:
        """The findings as the JSON lines ``kfix escape detect`` prints (byte for byte)."""
        return _lines(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def __iter__(self) -> Any:
        return iter(self.findings)

    def __repr__(self) -> str:
        return f"DetectResult({len(self.findings)} findings from {self.events} events, {len(self.errors)} errors)"


class QuarantineResult(_Document):
    """The records of a quarantine plan, apply or reverify, in emission order."""

    def __init__(self, doc: Dict[str, Any]) -> None:
        _Document.__init__(self, doc)
        #: remediation_plan / remediation_action / remediation_audit / remediation_verification records
        #: (and drift findings), each as ``kfix quarantine`` prints it on one line.
        self.records: List[Dict[str, Any]] = list(doc.get("records", []))
        #: Finding lines that could not be used, as :class:`kfix.Error`.
        self.errors: List[Error] = _errors(doc.get("errors"))
        #: Findings skipped with a warning (another producer, no target), as :class:`kfix.Error`.
        self.warnings: List[Error] = _errors(doc.get("warnings"))
        #: The fatal error (apply: the approval gate's refusal, a failed audit write) or None.
        self.status: Optional[Error] = _errors([doc["status"]])[0] if doc.get("status") else None

    def to_jsonl(self) -> str:
        """The records as the JSON lines ``kfix quarantine`` prints (byte for byte)."""
        return _lines(self.records)

    def __bool__(self) -> bool:
        return self.status is None

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Any:
        return iter(self.records)

    def __repr__(self) -> str:
        return f"QuarantineResult({len(self.records)} records, status={self.status!r})"


def detect(events: Any, source_name: str = "<string>", *, format: Optional[str] = None,
           known_operators: Optional[List[str]] = None, now_ms: Optional[int] = None,
           options: Optional[Dict[str, Any]] = None) -> DetectResult:
    """Runs rules r1-r5 over JSON lines of OCSF API Activity, native api_activity or Falco/Tracee events.

    Args:
        events: the JSON lines (str, bytes or a path).
        source_name: names the events in errors.
        format: ``"ocsf"`` (Detection Finding, class 2004; the default) or ``"native"``.
        known_operators: actors or groups whose exec is benign (added to system:masters).
        now_ms: the time (ms since the epoch) of findings whose events carry none (default: now).
        options: a whole options document (the keyword arguments override its members).

    Returns:
        The :class:`DetectResult`; bad lines are in ``errors``, never raised.

    Raises:
        InvalidArgumentError: a bad option.

    Example:
        >>> r = kfix.escape.detect(open("audit.jsonl").read(), "audit.jsonl")
        >>> [f["finding_info"]["uid"] for f in r.findings][:1]
    """
    doc = _options(options, format=format, knownOperators=known_operators, nowMs=now_ms)
    return DetectResult(_core.escape_detect(_text(events), source_name, doc))


def _quarantine(operation: str, findings: Any, cluster: Any, findings_name: str, options: Dict[str, Any],
                audit: Any) -> QuarantineResult:
    cluster_text = None if cluster is None else _text(cluster)
    return QuarantineResult(_core.quarantine(operation, _text(findings), findings_name, cluster_text, options,
                                             audit._log if audit else None))


def plan(findings: Any, cluster: Any = None, *, findings_name: str = "<string>", mode: Optional[str] = None,
         protected_namespaces: Optional[List[str]] = None, now_ms: Optional[int] = None,
         options: Optional[Dict[str, Any]] = None) -> QuarantineResult:
    """Plans a quarantine per finding (``kfix quarantine plan``): a deny-all NetworkPolicy (or a
    pod-kill / node-drain plan) behind every gate; nothing is written.

    Args:
        findings: detection findings as JSON lines (str, bytes or a path); only the detector's own
            findings are used, others are skipped with a warning.
        cluster: live objects as ``kubectl get -o yaml`` prints them (str, bytes or a path).
        findings_name: names the findings in errors.
        mode: ``"quarantine"`` (default), ``"pod-kill"`` or ``"node-drain"``.
        protected_namespaces: replaces the default deny-list.
        now_ms: the time to record (ms since the epoch; default: now).
        options: a whole options document.

    Returns:
        The :class:`QuarantineResult`.

    Raises:
        ParseError: the cluster text does not load.
        InvalidArgumentError: a bad option.

    Example:
        >>> kfix.escape.plan(findings_text, cluster_text).records[0]["policy_name"]
        'ce-quarantine-api-7d9b-fd35210c32'
    """
    doc = _options(options, mode=mode, protectedNamespaces=protected_namespaces, nowMs=now_ms)
    return _quarantine("plan", findings, cluster, findings_name, doc, None)


def apply(findings: Any, cluster: Any, *, incident: Optional[str] = None, approver: Optional[str] = None,
          second_approver: Optional[str] = None, cluster_name: Optional[str] = None,
          allowed_clusters: Optional[List[str]] = None, findings_name: str = "<string>", mode: Optional[str] = None,
          protected_namespaces: Optional[List[str]] = None, now_ms: Optional[int] = None,
          options: Optional[Dict[str, Any]] = None, audit: Any = None) -> QuarantineResult:
    """Gated apply (``kfix quarantine apply``) as a hand-off: each approved action's ``in_progress``
    envelope is recorded (in ``audit`` when given) and the action record stays ``in_progress`` for
    an adapter to carry out (``examples/adapters/``).

    Args:
        findings, cluster, findings_name, mode, protected_namespaces, now_ms, options: as for :func:`plan`.
        incident: the incident id.
        approver: who approved.
        second_approver: a second, different approver (node-drain).
        cluster_name: the cluster this runs against; must be in ``allowed_clusters``.
        allowed_clusters: the allow-list.
        audit: a :class:`kfix.AuditLog` for the two-phase envelopes.

    Returns:
        The :class:`QuarantineResult`; a refused approval gate is its ``status`` (no records).

    Example:
        >>> r = kfix.escape.apply(findings, cluster, incident="INC-7", approver="alice",
        ...                       cluster_name="prod", allowed_clusters=["prod"])
        >>> bool(r)
        True
    """
    doc = _options(options, mode=mode, protectedNamespaces=protected_namespaces, nowMs=now_ms, incidentId=incident,
                   approver=approver, secondApprover=second_approver, clusterName=cluster_name,
                   allowedClusters=allowed_clusters)
    return _quarantine("apply", findings, cluster, findings_name, doc, audit)


def reverify(findings: Any, cluster: Any, *, findings_name: str = "<string>", mode: Optional[str] = None,
             node: Optional[str] = None, now_ms: Optional[int] = None,
             options: Optional[Dict[str, Any]] = None) -> QuarantineResult:
    """Read-only re-verification (``kfix quarantine reverify``): verified, drift (with a drift
    finding) or unreachable; a cluster text that does not load makes every record unreachable.

    Args:
        findings, cluster, findings_name, mode, now_ms, options: as for :func:`plan`.
        node: the drained node, when the evicted pod is gone (node-drain).

    Returns:
        The :class:`QuarantineResult`.

    Example:
        >>> [r["status"] for r in kfix.escape.reverify(findings, cluster)]
        ['verified']
    """
    doc = _options(options, mode=mode, nodeName=node, nowMs=now_ms)
    return _quarantine("reverify", findings, cluster, findings_name, doc, None)
