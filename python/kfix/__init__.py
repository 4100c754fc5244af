"""kfix: detect, fix, verify and schedule Kubernetes misconfiguration fixes.

The compiled extension ``kfix._core`` binds the C++ API; this package
re-exports a typed, Pythonic surface over it: functions return classes with
attributes (and ``.to_json()``), errors are :mod:`kfix.errors` exceptions
whose ``.code`` equals the C ``kfix_status``.
"""

from __future__ import annotations

from typing import Any, List, Union

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


__version__: str = _core.version()

Text = Union[str, bytes]


def version() -> str:
    """Version of the linked kfix library, e.g. ``"0.1.0"``."""
    return _core.version()


def status_name(code: int) -> str:
    """Stable name of a status code, e.g. ``"parse_error"`` for 2."""
    return _core.status_name(code)


# ---- Loading and JSON -----------------------------------------------------------


def parse_json(text: Text) -> Any:
    """Parses strict JSON (RFC 8259); raises :class:`ParseError` with the position."""
    return _core.parse_json(text)


def to_json(value: Any, *, pretty: bool = False, canonical: bool = False) -> str:
    """Serialises JSON-like values; ``canonical`` sorts keys as kfix does for hashing and signing."""
    return _core.to_json(value, pretty, canonical)


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


__all__ = [
    "__version__",
    "version",
    "status_name",
    "parse_json",
    "to_json",
    "apply_patch",
    "diff",
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
