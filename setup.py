"""setuptools drives CMake to build the kfix._core extension (sentencepiece's pattern).

Offline wheel:  /usr/bin/python3 -m pip wheel --no-build-isolation --no-index --no-deps -w dist .

setuptools' own scratch space goes to `_build/setuptools` (override with
KFIX_SETUPTOOLS_BUILD), never to `build/`, which is the CMake developer build.
The CMake build of the extension lives in `<that>/cmake`. Set
KFIX_CMAKE_BUILD_DIR to reuse an existing configured CMake build instead (the
ctest wheel check does this to avoid a second full compile).
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent
BUILD_BASE = os.environ.get("KFIX_SETUPTOOLS_BUILD", str(ROOT / "_build" / "setuptools"))


def project_version() -> str:
    text = (ROOT / "CMakeLists.txt").read_text()
    match = re.search(r"project\(kfix\s+VERSION\s+([0-9.]+)", text)
    if not match:
        raise RuntimeError("cannot find project(kfix VERSION ...) in CMakeLists.txt")
    return match.group(1)


class CMakeExtension(Extension):
    def __init__(self, name: str) -> None:
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        prefix = pathlib.Path(self.get_ext_fullpath(ext.name)).resolve().parent.parent
        prebuilt = os.environ.get("KFIX_CMAKE_BUILD_DIR")
        if prebuilt:
            build_dir = pathlib.Path(prebuilt).resolve()
        else:
            build_dir = pathlib.Path(BUILD_BASE).resolve() / "cmake"
            build_dir.mkdir(parents=True, exist_ok=True)
            args = [
                "cmake", "-S", str(ROOT), "-B", str(build_dir),
                "-DCMAKE_BUILD_TYPE=Release",
                f"-DPython3_EXECUTABLE={sys.executable}",
                "-DKFIX_BUILD_TESTS=OFF", "-DKFIX_BUILD_BENCHMARKS=OFF", "-DKFIX_BUILD_CAPI=OFF",
                "-DKFIX_BUILD_PYTHON=ON",
            ]
            if shutil.which("ninja"):
                args += ["-G", "Ninja"]
            if shutil.which("ccache"):
                args += ["-DCMAKE_CXX_COMPILER_LAUNCHER=ccache", "-DCMAKE_C_COMPILER_LAUNCHER=ccache"]
            if not (build_dir / "CMakeCache.txt").exists():
                subprocess.check_call(args)
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 2))
        subprocess.check_call(["cmake", "--build", str(build_dir), "--target", "_core", "-j", jobs])
        subprocess.check_call(
            ["cmake", "--install", str(build_dir), "--component", "python", "--prefix", str(prefix)])


setup(
    version=project_version(),
    ext_modules=[CMakeExtension("kfix._core")],
    cmdclass={"build_ext": CMakeBuild},
    options={"build": {"build_base": BUILD_BASE}, "egg_info": {"egg_base": BUILD_BASE}},
    zip_safe=False,
)
