"""Shared fixtures for the kfix Python tests.

The tests import the package from build/python (PYTHONPATH set by ctest).
"""

from __future__ import annotations

import os
import pathlib

import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("KFIX_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))


@pytest.fixture(scope="session")
def source_dir() -> pathlib.Path:
    return SOURCE_DIR


@pytest.fixture(scope="session")
def manifests_dir() -> pathlib.Path:
    return SOURCE_DIR / "examples" / "manifests"
