"""Engine.scan_paths_per_file / fix_paths_per_file: the streamed parts of a per-file run.

The parts, joined as docs/c-api.md says (per_file_join.py), are the whole document of an engine with
``scan.context: per-file``; order is report order for any jobs; a malformed file keeps its error;
leaving the loop stops the run; bad arguments raise.
"""

from __future__ import annotations

import gc
import os
import pathlib
import subprocess
import sys
import threading
from typing import Any, Dict, List

import pytest

import kfix
from per_file_join import join_fix, join_scan

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: nginx
          image: nginx:latest
          securityContext: {privileged: true}
"""

PODS = """\
apiVersion: v1
kind: Pod
metadata: {name: one}
spec:
  containers:
    - {name: app, image: redis}
---
apiVersion: v1
kind: Pod
metadata: {name: two}
spec:
  hostNetwork: true
  containers:
    - {name: app, image: 'busybox:1.36'}
"""

# line 4 opens a flow sequence that never closes
BROKEN = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [broken\nspec: {}\n"
# a duplicate key: a load warning
DUPLICATE = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: '1'}\ndata: {b: '2'}\n"

CONFIG = "checks:\n  addAllBuiltIn: true\n"


@pytest.fixture()
def tree(tmp_path: pathlib.Path) -> pathlib.Path:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a-web.yaml").write_text(WEB)
    (tmp_path / "b-broken.yaml").write_text(BROKEN)
    (tmp_path / "sub" / "pods.yaml").write_text(PODS)
    (tmp_path / "sub" / "z-broken.yaml").write_text(BROKEN)
    (tmp_path / "dup.yaml").write_text(DUPLICATE)
    return tmp_path


def _engine(jobs: int = 1) -> kfix.Engine:
    return kfix.Engine(CONFIG + f"scan:\n  jobs: {jobs}\n")


def _whole() -> kfix.Engine:
    return kfix.Engine(CONFIG + "scan:\n  context: per-file\n")


def _no_seconds(doc: Dict[str, Any]) -> Dict[str, Any]:
    doc["stats"].pop("seconds", None)
    return doc


@pytest.mark.parametrize("jobs", [1, 2])
def test_scan_parts_join_into_the_whole_document(tree: pathlib.Path, jobs: int) -> None:
    # input order (z-broken first) differs from report order (by file name)
    inputs = [tree / "sub" / "z-broken.yaml", tree]
    parts = list(_engine().scan_paths_per_file(*inputs, jobs=jobs))
    files = [p.file for p in parts]
    assert files == sorted(files) and len(files) == 5
    assert all(isinstance(p, kfix.FileScanPart) for p in parts)
    whole = _no_seconds(_whole().scan_paths(*inputs).to_dict())
    joined = join_scan([p.to_dict() for p in parts])
    assert joined["errors"][0]["file"].endswith("z-broken.yaml")  # input order, not part order
    assert joined == whole
    assert len(joined["warnings"]) >= 1 and len(joined["findings"]) >= 10


def test_scan_parts_are_the_same_for_any_jobs(tree: pathlib.Path) -> None:
    def docs(jobs: int) -> List[Any]:
        out = []
        for p in _engine().scan_paths_per_file(tree, jobs=jobs):
            d = p.to_dict()
            d["report"]["stats"].pop("seconds", None)
            out.append(d)
        return out

    assert docs(1) == docs(2)


def test_malformed_file_keeps_its_error(tree: pathlib.Path) -> None:
    parts = {pathlib.Path(p.file).name: p for p in _engine().scan_paths_per_file(tree)}
    broken = parts["b-broken.yaml"]
    assert len(broken.report.errors) == 1
    err = broken.report.errors[0]
    assert isinstance(err, kfix.ParseError)
    assert err.file.endswith("b-broken.yaml") and err.line == 5
    assert broken.error_inputs == [1]  # its position among the expanded inputs
    # the run went on past it
    assert len(parts["pods.yaml"].report.findings) > 0


@pytest.mark.parametrize("jobs", [1, 2])
def test_fix_parts_join_into_the_whole_document(tree: pathlib.Path, jobs: int) -> None:
    inputs = [tree / "sub" / "z-broken.yaml", tree]
    parts = list(_engine().fix_paths_per_file(*inputs, jobs=jobs))
    assert [p.file for p in parts] == sorted(p.file for p in parts)
    assert all(isinstance(p, kfix.FileFixPart) for p in parts)
    whole = _whole().fix_paths(*inputs).to_dict()
    joined = join_fix([p.to_dict() for p in parts])
    assert joined == whole
    assert any(r.status == "accepted" for p in parts for r in p.report.results)
    assert joined["errors"][0]["file"].endswith("z-broken.yaml")


def test_leaving_the_loop_stops_the_run(tree: pathlib.Path) -> None:
    stream = _engine(2).scan_paths_per_file(tree)
    first = next(stream)
    assert first.file.endswith("a-web.yaml")
    stream.close()
    assert list(stream) == []
    # an exception in the loop body: the iterator goes away, its run stops, nothing hangs
    before = threading.active_count()
    with pytest.raises(RuntimeError, match="consumer"):
        for part in _engine(2).fix_paths_per_file(tree):
            raise RuntimeError("consumer gave up at " + part.file)
    gc.collect()
    assert threading.active_count() == before
    # the context manager closes too
    with _engine().scan_paths_per_file(tree) as parts:
        assert next(parts).file.endswith("a-web.yaml")
    assert threading.active_count() == before


def test_core_callback_exception_stops_the_run(tree: pathlib.Path) -> None:
    seen: List[str] = []

    def callback(part: Dict[str, Any]) -> None:
        seen.append(part["file"])
        if len(seen) == 2:
            raise KeyError("stop here")

    engine = _engine(2)
    with pytest.raises(KeyError, match="stop here"):
        engine._engine.scan_paths_per_file([os.fspath(tree)], callback, 2)
    assert len(seen) == 2
    # the engine still works
    assert len(list(engine.scan_paths_per_file(tree))) == 5


def test_bad_arguments(tree: pathlib.Path) -> None:
    engine = _engine()
    with pytest.raises(kfix.InvalidArgumentError):
        engine.scan_paths_per_file()
    with pytest.raises(kfix.InvalidArgumentError):
        engine.fix_paths_per_file()
    stream = engine.scan_paths_per_file(tree, tree / "missing.yaml")
    with pytest.raises(kfix.NotFoundError, match="missing.yaml"):
        next(stream)
    with pytest.raises(kfix.NotFoundError):
        list(engine.fix_paths_per_file(tree / "missing.yaml"))


def test_exiting_with_a_stream_open_is_clean(tree: pathlib.Path) -> None:
    # the helper thread waits inside the engine's sink; the interpreter exits without closing it
    script = ("import sys, kfix\n"
              "S = kfix.Engine('scan:\\n  jobs: 2\\n').fix_paths_per_file(sys.argv[1], jobs=2)\n"
              "print(next(S).file)\n")
    done = subprocess.run([sys.executable, "-c", script, os.fspath(tree)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("a-web.yaml")
    assert "terminate" not in done.stderr


def test_fix_parts_write_back_file_by_file(tree: pathlib.Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    streamed_dir = tmp_path_factory.mktemp("streamed")
    whole_dir = tmp_path_factory.mktemp("whole")
    parts = list(_engine(2).fix_paths_per_file(tree, jobs=2, write=streamed_dir, diff=True))
    web = next(p for p in parts if p.file.endswith("a-web.yaml"))
    assert web.written is not None and web.written["fixed"] is True
    out = pathlib.Path(web.written["output"])
    assert out.is_file() and out.is_relative_to(streamed_dir)
    assert "privileged: false" in out.read_text() and web.diff.startswith("--- a/")
    broken = next(p for p in parts if p.file.endswith("b-broken.yaml"))
    assert broken.written is not None and broken.written["fixed"] is False  # copied unchanged
    assert pathlib.Path(broken.written["output"]).read_text() == BROKEN
    # joined by written_index: the write-back document of the whole run (outputs differ by directory)
    whole = _whole().fix_paths(tree).write(whole_dir, diff=True)
    ordered = sorted(parts, key=lambda p: p.written_index if p.written_index is not None else -1)
    entries = [dict(p.written or {}, output=str(p.written["output"]).replace(str(streamed_dir), str(whole_dir)))
               for p in ordered]
    assert entries == whole.to_dict()["files"]
    assert "".join(p.diff for p in ordered) == whole.diff
    # nothing asked: nothing written
    plain = list(_engine().fix_paths_per_file(tree))
    assert all(p.written is None and p.written_index is None and p.diff == "" for p in plain)
    # an output that is an input: refused before anything is written
    with pytest.raises(kfix.InvalidArgumentError):
        list(_engine().fix_paths_per_file(tree, write=tree))
