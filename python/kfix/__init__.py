"""kfix: detect, fix, verify and schedule Kubernetes misconfiguration fixes.

The compiled extension ``kfix._core`` binds the C++ API; this package
re-exports a typed, Pythonic surface over it: functions return classes with
attributes (and ``.to_json()``), errors are :mod:`kfix.errors` exceptions
whose ``.code`` equals the C ``kfix_status``.
"""

from __future__ import annotations

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


def version() -> str:
    """Version of the linked kfix library, e.g. ``"0.1.0"``."""
    return _core.version()


def status_name(code: int) -> str:
    """Stable name of a status code, e.g. ``"parse_error"`` for 2."""
    return _core.status_name(code)


__all__ = [
    "__version__",
    "version",
    "status_name",
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
