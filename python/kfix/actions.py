"""Typed actions with approval: the self-healing intent allowlist with its generation guard, and
operator-approved SRE actions with their state machine and the incident watcher
(docs/playbooks-actions.md).

The same engine functions serve ``kfix intent validate|consume``, ``kfix action validate|step``,
``kfix incidents triage``, the C ABI's ``kfix_intent_*`` / ``kfix_action_*`` /
``kfix_incidents_triage`` and this module: each result's ``to_json(pretty=True)`` plus a newline
is what the CLI prints. Objects are given as YAML/JSON text, a path, or Python values.
"""

from __future__ import annotations

import datetime
import os
from typing import Any, Dict, List, Optional, Union

from . import _core
from ._model import _Document

__all__ = ["validate_intent", "consume_intent", "validate_action", "step_action", "triage", "IntentValidation",
           "ConsumeResult", "ActionValidation", "ActionStep", "TriageResult"]

Time = Union[str, datetime.datetime]


def _text(value: Any) -> Union[str, bytes]:
    if isinstance(value, (str, bytes)):
        return value
    if isinstance(value, os.PathLike):
        with open(os.fspath(value), "rb") as f:
            return f.read()
    return _core.to_json(value, False, False)


def _objects(value: Any) -> Any:
    if value is None or isinstance(value, (list, dict)):
        return value
    return [m.object for m in _parse_stream(_text(value))]


def _parse_stream(text: Union[str, bytes]) -> Any:
    from . import parse  # lazy: kfix imports this module

    return parse(text, "<objects>")


def _time(value: Optional[Time]) -> Optional[str]:
    if value is None or isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


class _Printed(_Document):
    def to_json(self, *, pretty: bool = False) -> str:  # type: ignore[override]
        """The document as JSON; ``pretty`` + a newline is what the CLI prints."""
        return _core.to_json(self._doc, pretty, False)


class IntentValidation(_Printed):
    """``{"valid", "error"}`` of ``kfix intent validate``; truthy when the intent is allowed."""

    def __init__(self, doc: Dict[str, Any]) -> None:
        _Document.__init__(self, doc)
        self.valid: bool = bool(doc.get("valid", False))
        self.error: str = doc.get("error", "")

    def __bool__(self) -> bool:
        return self.valid

    def __repr__(self) -> str:
        return f"IntentValidation(valid={self.valid}, error={self.error!r})"


class ConsumeResult(_Printed):
    """What consuming an object's intent annotation decided (``kfix intent consume``)."""

    def __init__(self, doc: Dict[str, Any]) -> None:
        _Document.__init__(self, doc)
        #: ``"execute"``, ``"skip"`` or ``"reject"``.
        self.decision: str = doc.get("decision", "")
        #: The object's annotations after consumption (only the intent key cleared).
        self.annotations: Dict[str, str] = dict(doc.get("annotations", {}))
        #: The effect as an RFC 6902 patch vetted by the guard gates ([] unless executed).
        self.patch: List[Dict[str, Any]] = list(doc.get("patch", []))
        self.error: str = doc.get("error", "")

    def __repr__(self) -> str:
        return f"ConsumeResult({self.decision}, {len(self.patch)} ops)"


class ActionValidation(_Printed):
    """``{"valid", "error", "plan"}`` of ``kfix action validate``; truthy when valid."""

    def __init__(self, doc: Dict[str, Any]) -> None:
        _Document.__init__(self, doc)
        self.valid: bool = bool(doc.get("valid", False))
        self.error: str = doc.get("error", "")
        #: The RFC 6902 patch or explicit delete, and the one-shot binding (None when rejected).
        self.plan: Optional[Dict[str, Any]] = doc.get("plan")

    def __bool__(self) -> bool:
        return self.valid

    def __repr__(self) -> str:
        return f"ActionValidation(valid={self.valid}, error={self.error!r})"


class ActionStep(_Printed):
    """One reconcile of an SRE action (``kfix action step``): the phase, the status to write and
    the effects an adapter performs, in order (the last is the requeue)."""

    def __init__(self, doc: Dict[str, Any]) -> None:
        _Document.__init__(self, doc)
        self.phase: str = doc.get("phase", "")
        self.status: Dict[str, Any] = dict(doc.get("status", {}))
        self.effects: List[Dict[str, Any]] = list(doc.get("effects", []))

    def __repr__(self) -> str:
        return f"ActionStep({self.phase}, {len(self.effects)} effects)"


class TriageResult(_Printed):
    """One poll of the incident watcher (``kfix incidents triage``); pass ``next_state`` to the next poll."""

    def __init__(self, doc: Dict[str, Any]) -> None:
        _Document.__init__(self, doc)
        self.priming: bool = bool(doc.get("priming", False))
        self.incidents: List[Dict[str, Any]] = list(doc.get("incidents", []))
        self.new_actions: List[Dict[str, Any]] = list(doc.get("new_actions", []))
        self.reused_actions: List[str] = list(doc.get("reused_actions", []))
        #: ``{"sent": [...], "suppressed": [...]}``.
        self.alerts: Dict[str, List[str]] = dict(doc.get("alerts", {}))
        self.filtered: int = int(doc.get("filtered", 0))
        self.deduplicated: int = int(doc.get("deduplicated", 0))
        self.next_state: Dict[str, Any] = dict(doc.get("next_state", {}))

    def __repr__(self) -> str:
        return f"TriageResult({len(self.incidents)} incidents, {len(self.new_actions)} new actions)"


def validate_intent(intent: Any) -> IntentValidation:
    """Checks intent JSON (as stored in the ``claw.prismer.ai/ops-intent`` annotation) against the
    five-action allowlist (``kfix intent validate``).

    Args:
        intent: the intent JSON (str, bytes, a path, or a dict).

    Returns:
        The :class:`IntentValidation`; a rejected intent is a result, not an exception.

    Example:
        >>> kfix.actions.validate_intent('{"action": "scale-replicas", ...}').valid
    """
    return IntentValidation(_core.intent_validate(_text(intent)))


def consume_intent(obj: Any, *, now: Optional[Time] = None, container: Optional[str] = None,
                   pods: Any = None, audit: Any = None) -> ConsumeResult:
    """Applies the generation guard to the intent on ``obj``, clears the intent annotation and
    builds the effect as an RFC 6902 patch vetted by the guard (``kfix intent consume``).

    Args:
        obj: exactly one object (a workload or a Claw): YAML/JSON text, a path, or a dict.
        now: stamps rollout-restart (RFC 3339 text or a datetime; default: now).
        container: the container whose limits bump-memory/bump-cpu change (default ``runtime``).
        pods: the Claw's pods for restart-pod (a list of dicts, or YAML text).
        audit: a :class:`kfix.AuditLog`: the outcome is appended.

    Returns:
        The :class:`ConsumeResult`.

    Raises:
        ParseError, InvalidArgumentError: ``obj`` is not one object, or a bad option.

    Example:
        >>> kfix.actions.consume_intent(claw, now="2026-04-20T10:00:00Z").decision
        'execute'
    """
    options: Dict[str, Any] = {}
    if now is not None:
        options["now"] = _time(now)
    if container is not None:
        options["container"] = container
    if pods is not None:
        options["pods"] = _objects(pods)
    return ConsumeResult(_core.intent_consume(_text(obj), options, audit._log if audit else None))


def validate_action(action: Any, *, target: Any = None, now: Optional[Time] = None) -> ActionValidation:
    """Applies the admission rules and the controller's validation to a KarsSREAction manifest and
    builds its plan (``kfix action validate``).

    Args:
        action: the manifest (YAML/JSON text, a path, or a dict).
        target: the live object (resolves a container index, restart annotations): a dict or text.
        now: stamps RolloutRestart (default: now).

    Returns:
        The :class:`ActionValidation`; a rejected action is a result.

    Example:
        >>> kfix.actions.validate_action(open("action.yaml").read()).plan["operation"]
        'patch'
    """
    options: Dict[str, Any] = {}
    if now is not None:
        options["now"] = _time(now)
    if target is not None:
        objs = _objects(target)
        options["target"] = objs[0] if isinstance(objs, list) else objs
    return ActionValidation(_core.action_validate(_text(action), options))


def step_action(action: Any, *, now: Time, snapshot: Any = None, audit: Any = None) -> ActionStep:
    """One reconcile of the SRE action's state machine at ``now`` (``kfix action step``).

    Args:
        action: the KarsSREAction with its current ``status`` (text, a path, or a dict).
        now: the reconcile time (required).
        snapshot: the namespace's Deployments, Events and ResourceQuotas (a list of dicts or YAML
            text); None = could not list (recovery pending).
        audit: a :class:`kfix.AuditLog`: transitions are appended.

    Returns:
        The :class:`ActionStep`.

    Raises:
        ParseError: ``action`` is not one KarsSREAction.

    Example:
        >>> kfix.actions.step_action(action, now="2026-04-20T10:15:00Z").phase
        'Expired'
    """
    options: Dict[str, Any] = {"now": _time(now)}
    if snapshot is not None:
        options["snapshot"] = _objects(snapshot)
    return ActionStep(_core.action_step(_text(action), options, audit._log if audit else None))


def triage(events: Any, *, now: Time, state: Optional[Dict[str, Any]] = None, audit: Any = None) -> TriageResult:
    """One poll of the incident watcher over Kubernetes Events (``kfix incidents triage``).

    Args:
        events: a YAML/JSON stream or an EventList (text, a path, or a list of dicts).
        now: the poll time (required).
        state: the previous poll's ``next_state`` (None: this poll primes).
        audit: a :class:`kfix.AuditLog`: the decisions are appended.

    Returns:
        The :class:`TriageResult`.

    Raises:
        ParseError: the events do not load.

    Example:
        >>> first = kfix.actions.triage(events, now="2026-04-20T10:00:00Z")
        >>> kfix.actions.triage(more, now="2026-04-20T10:01:00Z", state=first.next_state).alerts
    """
    text = _text({"apiVersion": "v1", "kind": "List", "items": events} if isinstance(events, list) else events)
    options: Dict[str, Any] = {"now": _time(now)}
    if state is not None:
        options["state"] = state
    return TriageResult(_core.incidents_triage(text, options, audit._log if audit else None))
