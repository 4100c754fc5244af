"""Version and status-name basics."""

from __future__ import annotations

import re

import kfix
import kfix._core as core


def test_version_matches_core() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", kfix.__version__)
    assert kfix.version() == kfix.__version__ == core.version()
    major, minor, patch = (int(p) for p in kfix.__version__.split("."))
    assert core.version_number() == major * 10000 + minor * 100 + patch


def test_status_names() -> None:
    assert kfix.status_name(0) == "ok"
    assert kfix.status_name(2) == "parse_error"
    assert kfix.status_name(12) == "out_of_memory"
    assert kfix.status_name(13) == "unknown"
    assert kfix.status_name(-5) == "unknown"


def test_all_names_exist() -> None:
    for name in kfix.__all__:
        assert hasattr(kfix, name), name
