"""Builds the kfix wheel offline, installs it into a --system-site-packages
venv and imports it from there (ctest `python.wheel`, and `python.wheel-full`).

Usage: check_wheel.py <source_dir> <scratch_dir> [<cmake_build_dir>]
With a CMake build dir the wheel reuses its already-built _core (fast);
without, setup.py configures and compiles its own CMake build (slow).
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import zipfile


def main() -> int:
    source = pathlib.Path(sys.argv[1]).resolve()
    scratch = pathlib.Path(sys.argv[2]).resolve()
    cmake_build = sys.argv[3] if len(sys.argv) > 3 else None
    dist = scratch / "dist"
    venv = scratch / "venv"
    shutil.rmtree(dist, ignore_errors=True)
    shutil.rmtree(venv, ignore_errors=True)
    env = dict(os.environ)
    env["KFIX_SETUPTOOLS_BUILD"] = str(scratch / "setuptools")
    env.pop("PYTHONPATH", None)
    if cmake_build:
        env["KFIX_CMAKE_BUILD_DIR"] = cmake_build
    subprocess.check_call(
        [sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-index", "--no-deps", "-q",
         "-w", str(dist), str(source)], env=env, cwd=scratch.parent)
    wheels = sorted(dist.glob("kfix-*.whl"))
    assert len(wheels) == 1, wheels
    names = set(zipfile.ZipFile(wheels[0]).namelist())
    for required in ("kfix/__init__.py", "kfix/errors.py", "kfix/dask.py", "kfix/_core.pyi", "kfix/py.typed"):
        assert required in names, f"{required} missing from {wheels[0].name}: {sorted(names)}"
    assert any(n.startswith("kfix/_core.") and n.endswith(".so") for n in names), sorted(names)

    subprocess.check_call([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)])
    py = venv / "bin" / "python"
    subprocess.check_call([str(py), "-m", "pip", "install", "-q", "--no-index", "--no-deps", str(wheels[0])],
                          env=env)
    probe = (
        "import pathlib, kfix, kfix.dask, kfix._core as c\n"
        f"assert pathlib.Path(kfix.__file__).is_relative_to({str(venv)!r}), kfix.__file__\n"
        "assert kfix.__version__ == c.version()\n"
        "try:\n"
        "    c._raise_status(2, 'x')\n"
        "except kfix.ParseError as e:\n"
        "    assert e.code == 2\n"
        "else:\n"
        "    raise SystemExit('no exception')\n"
        "print('wheel ok', kfix.__version__, kfix.__file__)\n"
    )
    subprocess.check_call([str(py), "-c", probe], env=env, cwd=str(scratch))
    shutil.rmtree(venv, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
