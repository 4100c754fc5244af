"""The exception hierarchy (kfix.errors) and the C++ -> Python translation."""

from __future__ import annotations

import pickle

import pytest

import kfix
import kfix._core as core
from kfix import errors

# code -> (class, builtin base it must also be, status name)
TABLE = {
    1: (kfix.InvalidArgumentError, ValueError, "invalid_argument"),
    2: (kfix.ParseError, ValueError, "parse_error"),
    3: (kfix.NotFoundError, LookupError, "not_found"),
    4: (kfix.PatchError, None, "patch_conflict"),
    5: (kfix.TestFailedError, kfix.PatchError, "test_failed"),
    6: (kfix.LimitExceededError, None, "limit_exceeded"),
    7: (kfix.UnsupportedError, None, "unsupported"),
    8: (kfix.InternalError, RuntimeError, "internal"),
    9: (kfix.IoError, OSError, "io_error"),
    10: (kfix.PermissionDeniedError, PermissionError, "permission_denied"),
    11: (kfix.VerificationError, None, "verification_failed"),
    12: (kfix.OutOfMemoryError, MemoryError, "out_of_memory"),
}


@pytest.mark.parametrize("code", sorted(TABLE))
def test_each_status_raises_its_class(code: int) -> None:
    cls, builtin, name = TABLE[code]
    with pytest.raises(cls) as info:
        core._raise_status(code, "something failed", "deploy.yaml", 7, 3, 1, "/spec/x")
    exc = info.value
    assert type(exc) is cls
    assert isinstance(exc, kfix.Error)
    if builtin is not None:
        assert isinstance(exc, builtin)
    assert exc.code == code == cls.code
    assert exc.status == name == core.status_name(code)
    assert exc.detail == {
        "status": name,
        "file": "deploy.yaml",
        "line": 7,
        "column": 3,
        "document": 1,
        "pointer": "/spec/x",
    }
    assert (exc.file, exc.line, exc.column, exc.document, exc.pointer) == ("deploy.yaml", 7, 3, 1, "/spec/x")
    assert "deploy.yaml:7:3" in str(exc) and "something failed" in str(exc)


def test_unknown_location_fields_are_absent() -> None:
    with pytest.raises(kfix.ParseError) as info:
        core._raise_status(2, "no location")
    assert info.value.detail == {"status": "parse_error"}
    assert info.value.line is None and info.value.file is None and info.value.pointer is None
    assert str(info.value) == "no location"


def test_ok_status_does_not_raise() -> None:
    assert core._raise_status(0, "") is None


def test_error_class_for_code() -> None:
    for code, (cls, _, _) in TABLE.items():
        assert errors.error_class_for_code(code) is cls
    assert errors.error_class_for_code(99) is kfix.Error
    assert errors.error_class_for_code(-1) is kfix.Error


@pytest.mark.parametrize("code", sorted(TABLE))
def test_errors_pickle(code: int) -> None:
    cls = TABLE[code][0]
    exc = cls("msg", {"line": 2, "pointer": "/a"})
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is cls
    assert back.code == code and back.message == "msg" and back.detail == {"line": 2, "pointer": "/a"}
    assert str(back) == "msg"


def test_oserror_subclasses_keep_message() -> None:
    exc = kfix.IoError("cannot read x", {"file": "x"})
    assert str(exc) == "cannot read x"
    assert exc.args == ("cannot read x",)
    assert exc.file == "x"


def test_stray_std_exception_becomes_internal_error() -> None:
    with pytest.raises(kfix.InternalError) as info:
        core._throw_cpp("runtime_error")
    assert info.value.code == 8
    assert "boom" in str(info.value)


def test_non_std_exception_becomes_internal_error() -> None:
    with pytest.raises(kfix.InternalError):
        core._throw_cpp("int")


def test_bad_alloc_becomes_memory_error() -> None:
    with pytest.raises(MemoryError):
        core._throw_cpp("bad_alloc")


def test_text_arguments_accept_str_and_bytes() -> None:
    assert core._echo("hé") == "hé".encode()
    assert core._echo(b"\xff\x00") == b"\xff\x00"
    with pytest.raises(TypeError):
        core._echo(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        core._echo("\ud800")  # lone surrogate: not encodable as UTF-8
