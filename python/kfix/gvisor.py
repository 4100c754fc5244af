"""The gVisor migration playbook: classify workloads for runc -> gVisor, plan the migration with an
integrity hash, and compute the apply / rollback envelopes (docs/playbooks-gvisor.md).

The same engine functions serve ``kfix gvisor scan|plan|apply|rollback|verify``, the C ABI's
``kfix_gvisor_*`` and this module, so the documents are identical: ``report.to_json(pretty=True)``
plus a newline is what the CLI prints. Options are the playbook's one options document; each
keyword argument sets one of its members (``options=`` passes a whole document). The library
never reads the clock: pass ``generated_at`` to date plans and envelopes.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Union

from . import _core
from ._model import _Document, _options
from .errors import InvalidArgumentError

__all__ = ["scan", "scan_paths", "plan", "plan_paths", "apply", "rollback", "verify", "CompatibilityReport",
           "WorkloadVerdict", "MigrationPlan", "PlanStep", "RunEnvelope", "StepOutcome", "VerifyResult"]

Text = Union[str, bytes]
PathLike = Union[str, "os.PathLike[str]"]


def _engine(engine: Any) -> Any:
    from . import _engine_for  # the package's default engine (lazy: kfix imports this module)

    return (engine if engine is not None else _engine_for(None))._engine


def _plan_text(plan: Any) -> Text:
    if isinstance(plan, MigrationPlan):
        return plan.to_json()
    if isinstance(plan, (str, bytes)):
        return plan
    return _core.to_json(plan, False, False)


def _live_text(live: Any) -> Optional[Text]:
    if live is None or isinstance(live, (str, bytes)):
        return live
    if isinstance(live, os.PathLike):
        with open(os.fspath(live), "rb") as f:
            return f.read()
    # Objects as Python values: a list of objects is a List document.
    return _core.to_json({"apiVersion": "v1", "kind": "List", "items": list(live)}, False, False)


class WorkloadVerdict(_Document):
    """The verdict on one workload: ``compatibility`` is compatible, review or incompatible."""

    def __init__(self, d: Dict[str, Any]) -> None:
        _Document.__init__(self, d)
        self.kind: str = d.get("kind", "")
        self.namespace: str = d.get("namespace", "")
        self.name: str = d.get("name", "")
        self.compatibility: str = d.get("compatibility", "")
        #: The fired rules: ``{"ruleId", "severity", "description", "remediationUrl"}``.
        self.reasons: List[Dict[str, Any]] = list(d.get("reasons", []))
        self.recommendation: str = d.get("recommendation", "")
        self.overhead: str = d.get("overhead", "")

    def __repr__(self) -> str:
        return f"WorkloadVerdict({self.kind} {self.namespace}/{self.name}: {self.compatibility})"


class CompatibilityReport(_Document):
    """The ``kfix gvisor scan`` document: one verdict per workload owner, sorted, and warnings."""

    def __init__(self, doc: Dict[str, Any]) -> None:
        _Document.__init__(self, doc)
        self.schema_version: str = doc.get("schemaVersion", "")
        self.workloads: List[WorkloadVerdict] = [WorkloadVerdict(w) for w in doc.get("workloads", [])]
        #: Extraction, override and load warnings ("file:line: cause").
        self.warnings: List[str] = list(doc.get("warnings", []))

    def count(self, compatibility: str) -> int:
        """Workloads with this verdict (``"compatible"``, ``"review"`` or ``"incompatible"``)."""
        return sum(1 for w in self.workloads if w.compatibility == compatibility)

    @property
    def exit_code(self) -> int:
        """``kfix gvisor scan``'s exit code: 2 when a workload is incompatible, else 0."""
        return 2 if self.count("incompatible") else 0

    def to_json(self, *, pretty: bool = False) -> str:
        """The document as JSON; ``pretty`` + a newline is what ``kfix gvisor scan`` prints."""
        return _core.to_json(self._doc, pretty, False)

    def __len__(self) -> int:
        return len(self.workloads)

    def __iter__(self) -> Any:
        return iter(self.workloads)

    def __repr__(self) -> str:
        return (f"CompatibilityReport({len(self.workloads)} workloads: {self.count('compatible')} compatible, "
                f"{self.count('review')} review, {self.count('incompatible')} incompatible)")


class PlanStep(_Document):
    """One step of a migration plan (``order``, ``target``, ``action``, ``riskScore``, ...)."""

    def __init__(self, d: Dict[str, Any]) -> None:
        _Document.__init__(self, d)
        self.order: int = d.get("order", 0)
        #: ``{"kind", "namespace", "name"}``.
        self.target: Dict[str, str] = dict(d.get("target", {}))
        self.action: str = d.get("action", "")
        self.runtime_class_name: str = d.get("runtimeClassName", "")
        self.add_toleration: bool = bool(d.get("addToleration", False))
        self.wait_for: str = d.get("waitFor", "")
        self.risk_score: int = d.get("riskScore", 0)
        self.notes: str = d.get("notes", "")

    def __repr__(self) -> str:
        t = self.target
        return f"PlanStep(#{self.order} {t.get('kind')} {t.get('namespace')}/{t.get('name')} risk={self.risk_score})"


class MigrationPlan(_Document):
    """A ``MigrationPlan`` document; ``plan_hash`` covers its steps and options. Pass it (or its
    JSON) to :func:`apply`, :func:`rollback` or :func:`verify`; an edited plan is refused."""

    def __init__(self, doc: Dict[str, Any]) -> None:
        _Document.__init__(self, doc)
        meta = doc.get("metadata", {})
        spec = doc.get("spec", {})
        self.plan_hash: str = meta.get("planHash", "")
        self.hash_profile: str = meta.get("hashProfile", "")
        self.generated_at: str = meta.get("generatedAt", "")
        self.cluster: str = meta.get("cluster", "")
        self.options: Dict[str, Any] = dict(spec.get("options", {}))
        self.steps: List[PlanStep] = [PlanStep(s) for s in spec.get("steps", [])]
        #: ``{"total", "included", "excluded"}``.
        self.summary: Dict[str, int] = dict(spec.get("summary", {}))
        self.excluded: List[Dict[str, Any]] = list(spec.get("excluded", []))
        self.warnings: List[str] = list(spec.get("warnings", []))

    def to_json(self, *, pretty: bool = False) -> str:
        """The plan as JSON; ``pretty`` + a newline is what ``kfix gvisor plan`` prints."""
        return _core.to_json(self._doc, pretty, False)

    def __len__(self) -> int:
        return len(self.steps)

    def __repr__(self) -> str:
        return f"MigrationPlan({len(self.steps)} steps, hash {self.plan_hash[:12]})"


class StepOutcome(_Document):
    """One step of an apply or rollback envelope: ``status`` is applied, already-applied, skipped or
    failed; ``patch`` the RFC 6902 patch (JSON text, "" when none is needed)."""

    def __init__(self, d: Dict[str, Any]) -> None:
        _Document.__init__(self, d)
        self.order: int = d.get("order", 0)
        self.target: Dict[str, str] = dict(d.get("target", {}))
        self.status: str = d.get("status", "")
        self.patch: str = d.get("patch", "")
        self.error: str = d.get("error", "")
        self.gates: List[Dict[str, Any]] = list(d.get("gates", []))

    def __repr__(self) -> str:
        return f"StepOutcome(#{self.order} {self.status})"


class RunEnvelope(_Document):
    """An ``ApplyResult`` or ``RollbackResult`` envelope: each step's status and patch, namespace
    stamps, preflight findings and the exit code ``kfix gvisor apply|rollback`` returns."""

    def __init__(self, doc: Dict[str, Any]) -> None:
        _Document.__init__(self, doc)
        meta = doc.get("metadata", {})
        spec = doc.get("spec", {})
        self.kind: str = doc.get("kind", "")
        self.plan_hash: str = meta.get("planHash", "")
        self.dry_run: bool = bool(meta.get("dryRun", True))
        #: ``{"total", "applied", "alreadyApplied", "skipped", "failed"}``.
        self.summary: Dict[str, int] = dict(spec.get("summary", {}))
        self.steps: List[StepOutcome] = [StepOutcome(s) for s in spec.get("steps", [])]
        #: ``{"namespace", "patch"}`` per namespace to stamp (apply) or unstamp (rollback).
        self.namespace_stamps: List[Dict[str, Any]] = list(spec.get("namespaceStamps", []))
        self.preflight_findings: List[Dict[str, Any]] = list(spec.get("preflightFindings", []))
        self.warnings: List[Any] = list(spec.get("warnings", []))
        #: 0 ok, 1 every step failed, 3 partial, 5 preflight blocked.
        self.exit_code: int = int(spec.get("exitCode", 0))

    def to_json(self, *, pretty: bool = False) -> str:
        """The envelope as JSON; ``pretty`` + a newline is what the CLI prints."""
        return _core.to_json(self._doc, pretty, False)

    def __repr__(self) -> str:
        return f"RunEnvelope({self.kind}, {len(self.steps)} steps, exit {self.exit_code})"


class VerifyResult(_Document):
    """The ``kfix gvisor verify`` document: per step ``ok``, ``mismatch`` or ``error``."""

    def __init__(self, doc: Dict[str, Any]) -> None:
        _Document.__init__(self, doc)
        spec = doc.get("spec", {})
        self.plan_hash: str = doc.get("metadata", {}).get("planHash", "")
        self.summary: Dict[str, int] = dict(spec.get("summary", {}))
        self.steps: List[Dict[str, Any]] = list(spec.get("steps", []))
        #: 0 when every step is ok, 4 otherwise.
        self.exit_code: int = int(spec.get("exitCode", 0))

    def to_json(self, *, pretty: bool = False) -> str:
        """The document as JSON; ``pretty`` + a newline is what ``kfix gvisor verify`` prints."""
        return _core.to_json(self._doc, pretty, False)

    def __bool__(self) -> bool:
        return self.exit_code == 0

    def __repr__(self) -> str:
        return f"VerifyResult({self.summary})"


def scan(text: Text, source_name: str = "<string>", *, include_system: Optional[bool] = None,
         facts: Optional[Dict[str, Any]] = None, overrides: Optional[Dict[str, Any]] = None,
         options: Optional[Dict[str, Any]] = None, engine: Any = None) -> CompatibilityReport:
    """Classifies the workloads of manifest text (``kfix gvisor scan``).

    Args:
        text: manifests or live objects (YAML or JSON, multi-document).
        source_name: the file name warnings carry.
        include_system: also report kube-system and other system namespaces.
        facts: cluster facts (RuntimeClass, nodes, runsc version) for the refinements.
        overrides: a severity override document ``{"overrides": [{"id", "severity"}]}``.
        options: a whole options document (the keyword arguments override its members).
        engine: the :class:`kfix.Engine` to use (default: the default checks).

    Returns:
        The :class:`CompatibilityReport`; a document that does not load is a warning.

    Raises:
        ParseError, InvalidArgumentError: a bad option (naming ``options`` and the position).

    Example:
        >>> report = kfix.gvisor.scan(open("deploy.yaml").read(), "deploy.yaml")
        >>> report.count("incompatible"), report.exit_code
        (1, 2)
    """
    doc = _options(options, includeSystem=include_system, facts=facts, overrides=overrides)
    return CompatibilityReport(_engine(engine).gvisor_scan(text, source_name, doc))


def scan_paths(*paths: PathLike, include_system: Optional[bool] = None, facts: Optional[Dict[str, Any]] = None,
               overrides: Optional[Dict[str, Any]] = None, options: Optional[Dict[str, Any]] = None, jobs: int = 1,
               engine: Any = None) -> CompatibilityReport:
    """:func:`scan` over files and directories, like ``kfix gvisor scan PATH...``.

    Args:
        paths: files and directories (``*.yaml``, ``*.yml``, ``*.json``, recursively).
        include_system, facts, overrides, options, engine: as for :func:`scan`.
        jobs: threads for loading (the report is the same for any value).

    Returns:
        The :class:`CompatibilityReport`.

    Raises:
        NotFoundError, IoError: a path does not exist or a file cannot be read.

    Example:
        >>> kfix.gvisor.scan_paths("deploy/").workloads[0].compatibility
        'compatible'
    """
    doc = _options(options, includeSystem=include_system, facts=facts, overrides=overrides)
    return CompatibilityReport(_engine(engine).gvisor_scan_paths([os.fspath(p) for p in paths], doc, int(jobs)))


def _plan_options(options: Optional[Dict[str, Any]], include_review: Optional[bool], add_toleration: Optional[bool],
                  runtime_class: Optional[str], profile: Optional[str], generated_at: Optional[str],
                  cluster: Optional[str], include_system: Optional[bool], facts: Optional[Dict[str, Any]],
                  overrides: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    return _options(options, includeReview=include_review, addToleration=add_toleration,
                    runtimeClassName=runtime_class, profile=profile, generatedAt=generated_at, cluster=cluster,
                    includeSystem=include_system, facts=facts, overrides=overrides)


def plan(text: Text, source_name: str = "<string>", *, include_review: Optional[bool] = None,
         add_toleration: Optional[bool] = None, runtime_class: Optional[str] = None, profile: Optional[str] = None,
         generated_at: Optional[str] = None, cluster: Optional[str] = None, include_system: Optional[bool] = None,
         facts: Optional[Dict[str, Any]] = None, overrides: Optional[Dict[str, Any]] = None,
         options: Optional[Dict[str, Any]] = None, audit: Any = None, engine: Any = None) -> MigrationPlan:
    """Plans the migration of the workloads of manifest text (``kfix gvisor plan``).

    Args:
        text: manifests (every document must load).
        source_name: the file name errors carry.
        include_review: also plan ``review`` workloads.
        add_toleration: also add the ``runtime=gvisor:NoSchedule`` toleration.
        runtime_class: the RuntimeClass name (default ``gvisor``).
        profile: the plan hash profile: ``kfix``, ``agentmoat`` or ``agentmoat-v1``.
        generated_at: RFC 3339 time recorded in the plan (not hashed).
        cluster: free text recorded in the plan (not hashed).
        include_system, facts, overrides, options, engine: as for :func:`scan`.
        audit: a :class:`kfix.AuditLog`: the ``gvisor.plan`` record is appended to it.

    Returns:
        The :class:`MigrationPlan`.

    Raises:
        ParseError: a document does not load, or a bad option.
        IoError: the audit record could not be written.

    Example:
        >>> p = kfix.gvisor.plan(text, include_review=True, generated_at="2026-04-20T10:00:00Z")
        >>> p.plan_hash[:8], len(p.steps)
    """
    doc = _plan_options(options, include_review, add_toleration, runtime_class, profile, generated_at, cluster,
                        include_system, facts, overrides)
    return MigrationPlan(_engine(engine).gvisor_plan(text, source_name, doc, audit._log if audit else None))


def plan_paths(*paths: PathLike, include_review: Optional[bool] = None, add_toleration: Optional[bool] = None,
               runtime_class: Optional[str] = None, profile: Optional[str] = None, generated_at: Optional[str] = None,
               cluster: Optional[str] = None, include_system: Optional[bool] = None,
               facts: Optional[Dict[str, Any]] = None, overrides: Optional[Dict[str, Any]] = None,
               options: Optional[Dict[str, Any]] = None, jobs: int = 1, audit: Any = None,
               engine: Any = None) -> MigrationPlan:
    """:func:`plan` over files and directories, like ``kfix gvisor plan PATH...``.

    Args:
        paths: files and directories.
        include_review, add_toleration, runtime_class, profile, generated_at, cluster, include_system, facts,
        overrides, options, audit, engine: as for :func:`plan`.
        jobs: threads for loading.

    Returns:
        The :class:`MigrationPlan`.

    Raises:
        NotFoundError, IoError: a path does not exist or a file cannot be read.
        ParseError: a document does not load.

    Example:
        >>> kfix.gvisor.plan_paths("deploy/", generated_at="2026-04-20T10:00:00Z").summary
    """
    doc = _plan_options(options, include_review, add_toleration, runtime_class, profile, generated_at, cluster,
                        include_system, facts, overrides)
    return MigrationPlan(_engine(engine).gvisor_plan_paths([os.fspath(p) for p in paths], doc, int(jobs),
                                                           audit._log if audit else None))


def apply(plan: Any, live: Any = None, *, facts: Optional[Dict[str, Any]] = None, execute: Optional[bool] = None,
          skip_preflight: Optional[bool] = None, generated_at: Optional[str] = None, cluster: Optional[str] = None,
          options: Optional[Dict[str, Any]] = None, audit: Any = None, engine: Any = None) -> RunEnvelope:
    """The apply envelope of a plan over the live state (``kfix gvisor apply``): each step's status
    and RFC 6902 patch (vetted by the guard gates), namespace stamps and the preflight.

    Args:
        plan: a :class:`MigrationPlan`, its JSON/YAML text or its dict.
        live: the live objects (workloads, Namespaces with their stamps, Pods): YAML/JSON text, a
            path, or a list of objects; None = not supplied.
        facts: cluster facts for the preflight (an error finding blocks: exit code 5).
        execute: mark the envelope for execution by an adapter (``dryRun`` false).
        skip_preflight: do not run the preflight.
        generated_at, cluster: recorded in the envelope.
        options, engine: as for :func:`scan`.
        audit: a :class:`kfix.AuditLog`: every step is appended (dry runs included).

    Returns:
        The :class:`RunEnvelope` (``exit_code`` as the CLI's).

    Raises:
        VerificationError: the plan failed its integrity check (it was edited).
        ParseError: the plan or the live state does not load.

    Example:
        >>> env = kfix.gvisor.apply(p, open("live.yaml").read())
        >>> [s.status for s in env.steps]
    """
    doc = _options(options, facts=facts, execute=execute, skipPreflight=skip_preflight, generatedAt=generated_at,
                   cluster=cluster)
    return RunEnvelope(_engine(engine).gvisor_apply(_plan_text(plan), _live_text(live), doc,
                                                    audit._log if audit else None))


def rollback(plan: Any, live: Any = None, *, execute: Optional[bool] = None, generated_at: Optional[str] = None,
             cluster: Optional[str] = None, options: Optional[Dict[str, Any]] = None, audit: Any = None,
             engine: Any = None) -> RunEnvelope:
    """The rollback envelope of a plan (``kfix gvisor rollback``): steps in reverse, results in plan
    order; a namespace stamped by another plan is skipped. Without ``live`` every namespace is
    assumed stamped by this plan.

    Args:
        plan, live, execute, generated_at, cluster, options, audit, engine: as for :func:`apply`.

    Returns:
        The :class:`RunEnvelope`.

    Raises:
        VerificationError: the plan failed its integrity check.

    Example:
        >>> kfix.gvisor.rollback(p, live_text).summary
    """
    doc = _options(options, execute=execute, generatedAt=generated_at, cluster=cluster)
    return RunEnvelope(_engine(engine).gvisor_rollback(_plan_text(plan), _live_text(live), doc,
                                                       audit._log if audit else None))


def verify(plan: Any, live: Any, *, facts: Optional[Dict[str, Any]] = None, options: Optional[Dict[str, Any]] = None,
           engine: Any = None) -> VerifyResult:
    """Compares the live pods with the plan (``kfix gvisor verify``).

    Args:
        plan: as for :func:`apply`.
        live: the live objects with the pods (required).
        facts: cluster facts (the RuntimeClass nodeSelector is checked against each pod's node).
        options, engine: as for :func:`scan`.

    Returns:
        The :class:`VerifyResult` (falsy unless every step is ok).

    Raises:
        InvalidArgumentError: no live state.
        VerificationError: the plan failed its integrity check.

    Example:
        >>> bool(kfix.gvisor.verify(p, pods_text))
        True
    """
    if live is None:
        raise InvalidArgumentError("verify needs the live state")
    doc = _options(options, facts=facts)
    return VerifyResult(_engine(engine).gvisor_verify(_plan_text(plan), _live_text(live), doc))

