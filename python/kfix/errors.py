"""Exceptions raised by kfix.

Every exception is a :class:`kfix.Error` carrying

* ``code``: the numeric status, equal to the C ``kfix_status`` (``KFIX_E*``)
  and to ``kfix::StatusCode`` in C++ (see docs/error-codes.md);
* ``detail``: a dict with the location fields that are known: ``file``,
  ``line``, ``column`` (1-based), ``document``, ``item`` (0-based) and
  ``pointer`` (RFC 6901), plus ``status`` (the code name).

Classes also derive from the matching builtin where one fits, so
``except ValueError`` catches a :class:`ParseError`. Instances pickle (they
cross process boundaries in dask / multiprocessing).
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Type

__all__ = [
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
    "error_class_for_code",
]


class Error(Exception):
    """Base class of every kfix error."""

    #: The status code (``kfix_status``) this class stands for.
    code: int = 8
    #: Stable name of the code, e.g. ``"parse_error"``.
    status: str = "internal"

    def __init__(self, message: str = "", detail: Optional[Dict[str, Any]] = None,
                 code: Optional[int] = None) -> None:
        Exception.__init__(self, message)
        self.message: str = message
        self.detail: Dict[str, Any] = dict(detail or {})
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self), self.message, self.detail, self.code))

    @property
    def file(self) -> Optional[str]:
        """Source name the error refers to, or None."""
        return self.detail.get("file")

    @property
    def line(self) -> Optional[int]:
        """1-based line, or None."""
        return self.detail.get("line")

    @property
    def column(self) -> Optional[int]:
        """1-based column, or None."""
        return self.detail.get("column")

    @property
    def document(self) -> Optional[int]:
        """0-based document index in a YAML stream, or None."""
        return self.detail.get("document")

    @property
    def pointer(self) -> Optional[str]:
        """RFC 6901 pointer into the object, or None."""
        return self.detail.get("pointer")


def _rebuild(cls: Type[Error], message: str, detail: Dict[str, Any], code: int) -> Error:
    return cls(message, detail, code)


class InvalidArgumentError(Error, ValueError):
    """A caller-supplied value is wrong (bad option, bad type, bad pointer syntax)."""

    code = 1
    status = "invalid_argument"


class ParseError(Error, ValueError):
    """Input text is not valid YAML / JSON / patch / configuration."""

    code = 2
    status = "parse_error"


class NotFoundError(Error, LookupError):
    """A path, key, file or object does not exist."""

    code = 3
    status = "not_found"


class PatchError(Error):
    """A JSON Patch operation cannot apply (missing parent, index out of range, ...)."""

    code = 4
    status = "patch_conflict"


class TestFailedError(PatchError):
    """An RFC 6902 ``test`` operation did not match."""

    __test__ = False  # not a pytest test class
    code = 5
    status = "test_failed"


class LimitExceededError(Error):
    """A configured limit (depth, size, alias expansion, budget) was exceeded."""

    code = 6
    status = "limit_exceeded"


class UnsupportedError(Error):
    """A valid request that kfix does not implement."""

    code = 7
    status = "unsupported"


class InternalError(Error, RuntimeError):
    """A bug in kfix (also any unexpected C++ exception). Please report it."""

    code = 8
    status = "internal"


class IoError(Error, OSError):
    """Reading or writing a file or database failed."""

    code = 9
    status = "io_error"


class PermissionDeniedError(Error, PermissionError):
    """Refused by policy (key file mode, protected namespace, approval missing)."""

    code = 10
    status = "permission_denied"


class VerificationError(Error):
    """A signature, hash chain or verification gate did not hold."""

    code = 11
    status = "verification_failed"


class OutOfMemoryError(Error, MemoryError):
    """An allocation failed."""

    code = 12
    status = "out_of_memory"


_BY_CODE: Dict[int, Type[Error]] = {
    cls.code: cls
    for cls in (InvalidArgumentError, ParseError, NotFoundError, PatchError, TestFailedError,
                LimitExceededError, UnsupportedError, InternalError, IoError, PermissionDeniedError,
                VerificationError, OutOfMemoryError)
}


def error_class_for_code(code: int) -> Type[Error]:
    """The exception class for a status code; unknown codes map to :class:`Error`."""
    return _BY_CODE.get(code, Error)


def _from_status(code: int, message: str, detail: Dict[str, Any]) -> Error:
    """Used by the C++ glue (RaiseIfError) to build the exception instance."""
    cls = error_class_for_code(code)
    return cls(message, detail, code)
