"""kfix.parse / load / parse_json / to_json / to_yaml / apply_patch / diff."""

from __future__ import annotations

import pathlib
import pickle
import threading

import pytest

import kfix

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
---
apiVersion: v1
kind: Service
metadata: {name: web}
"""


def test_parse_yaml_stream() -> None:
    result = kfix.parse(WEB, "web.yaml")
    assert isinstance(result, kfix.LoadResult)
    assert len(result) == 2 and result.errors == []
    dep, svc = result
    assert isinstance(dep, kfix.Manifest)
    assert (dep.kind, dep.name, dep.namespace, dep.api_version) == ("Deployment", "web", "shop", "apps/v1")
    assert (dep.file, dep.document, dep.item) == ("web.yaml", 0, -1)
    assert dep.object["spec"] == {"replicas": 2}
    assert (svc.kind, svc.namespace, svc.document) == ("Service", "", 1)
    assert result.documents == 2


def test_parse_accepts_bytes_and_json() -> None:
    a = kfix.parse(WEB.encode(), "web.yaml")
    b = kfix.parse(WEB, "web.yaml")
    assert [m.to_dict() for m in a] == [m.to_dict() for m in b]
    j = kfix.parse('{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}', "c.json")
    assert j[0].kind == "ConfigMap" and j[0].file == "c.json"


def test_parse_list_kind_is_expanded() -> None:
    text = "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: a}}\n" \
           "- {apiVersion: v1, kind: Pod, metadata: {name: b}}\n"
    result = kfix.parse(text, "list.yaml")
    assert [(m.name, m.item) for m in result] == [("a", 0), ("b", 1)]


def test_parse_error_strict_has_position() -> None:
    bad = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n"
    with pytest.raises(kfix.ParseError) as info:
        kfix.parse(bad, "bad.yaml")
    err = info.value
    assert err.code == 2 and isinstance(err, ValueError)
    assert err.file == "bad.yaml"
    assert err.line is not None and err.line >= 4


def test_parse_error_non_strict_keeps_good_documents() -> None:
    # A document that is not a mapping is an error; the stream goes on.
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\n---\n- just\n- a list\n---\napiVersion: v1\n" \
           "kind: Pod\nmetadata: {name: ok2}\n"
    result = kfix.parse(text, "mixed.yaml", strict=False)
    assert [m.name for m in result] == ["ok", "ok2"]
    assert len(result.errors) == 1
    assert result.errors[0].document == 1 and result.errors[0].file == "mixed.yaml"
    with pytest.raises(kfix.Error):
        result.raise_for_errors()
    # A YAML syntax error ends the stream: what came before is kept, the error has a position.
    broken = kfix.parse("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\nkind: [\n", "b.yaml", strict=False)
    assert [m.name for m in broken] == ["a"]
    assert isinstance(broken.errors[0], kfix.ParseError) and broken.errors[0].line >= 5


def test_load_files_and_directories(tmp_path: pathlib.Path, manifests_dir: pathlib.Path) -> None:
    (tmp_path / "a.yaml").write_text(WEB)
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "b.json").write_text('{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}')
    (sub / "ignored.txt").write_text("not a manifest")
    result = kfix.load(tmp_path)
    assert [m.kind for m in result] == ["Deployment", "Service", "Secret"]
    assert result[2].file.endswith("b.json")
    assert len(kfix.load(tmp_path / "a.yaml", sub)) == 3
    assert len(kfix.load(manifests_dir)) >= 2
    for jobs in (0, 2, 4):
        parallel = kfix.load(tmp_path, manifests_dir, jobs=jobs)
        serial = kfix.load(tmp_path, manifests_dir)
        assert [(m.file, m.document, m.item, m.object) for m in parallel] == \
            [(m.file, m.document, m.item, m.object) for m in serial]


def test_load_errors(tmp_path: pathlib.Path) -> None:
    with pytest.raises(kfix.Error) as info:
        kfix.load(tmp_path / "missing.yaml")
    assert info.value.code in (3, 9)  # not found / io error
    with pytest.raises(kfix.InvalidArgumentError):
        kfix.load()


def test_manifest_serialisation_and_pickle() -> None:
    dep = kfix.parse(WEB, "web.yaml")[0]
    assert kfix.parse_json(dep.to_json()) == dep.object
    assert kfix.parse(dep.to_yaml(), "x")[0].object == dep.object
    assert pickle.loads(pickle.dumps(dep)) == dep
    assert "Deployment/web" in repr(dep)


def test_parse_json_and_to_json() -> None:
    v = kfix.parse_json('{"b": [1, 2.5, true, null], "a": "x"}')
    assert v == {"b": [1, 2.5, True, None], "a": "x"}
    assert kfix.to_json(v) == '{"b":[1,2.5,true,null],"a":"x"}'
    assert kfix.to_json(v, canonical=True) == '{"a":"x","b":[1,2.5,true,null]}'
    assert "\n" in kfix.to_json(v, pretty=True)
    with pytest.raises(kfix.ParseError) as info:
        kfix.parse_json('{"a": }')
    assert info.value.line == 1 and info.value.column is not None
    with pytest.raises(kfix.InvalidArgumentError):
        kfix.to_json({1: "non-str key"})
    with pytest.raises(kfix.InvalidArgumentError):
        kfix.to_json({"s": {1, 2}})


def test_to_yaml_round_trip() -> None:
    v = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
         "data": {"a": "true", "c": "1.0", "n": "null", "o": "0o17", "list": "- x"}}
    text = kfix.to_yaml(v)
    assert kfix.parse(text, "y.yaml")[0].object == v  # strings that look like other types stay strings


def test_apply_patch() -> None:
    doc = {"a": 1, "b": [1, 2]}
    patch = [{"op": "replace", "path": "/a", "value": 2}, {"op": "add", "path": "/b/-", "value": 3}]
    assert kfix.apply_patch(doc, patch) == {"a": 2, "b": [1, 2, 3]}
    assert doc == {"a": 1, "b": [1, 2]}  # not modified in place
    assert kfix.apply_patch('{"a":1}', '[{"op":"remove","path":"/a"}]') == {}
    assert kfix.apply_patch(b'[1]', b'[]') == [1]


def test_apply_patch_errors() -> None:
    with pytest.raises(kfix.PatchError) as info:
        kfix.apply_patch({"a": 1}, [{"op": "remove", "path": "/x"}])
    assert info.value.code == 4 and not isinstance(info.value, kfix.TestFailedError)
    with pytest.raises(kfix.TestFailedError) as tinfo:
        kfix.apply_patch({"a": 1}, [{"op": "test", "path": "/a", "value": 2}])
    assert tinfo.value.code == 5 and isinstance(tinfo.value, kfix.PatchError)
    with pytest.raises(kfix.ParseError) as pinfo:
        kfix.apply_patch("{", "[]")
    assert pinfo.value.file == "doc"
    with pytest.raises(kfix.Error) as minfo:
        kfix.apply_patch({}, [{"op": "frobnicate", "path": "/a"}])
    assert minfo.value.code in (1, 2)
    with pytest.raises(kfix.InvalidArgumentError):
        kfix.apply_patch(object(), [])


def test_diff_round_trip() -> None:
    a = {"x": 1, "y": [1, 2, 3], "z": {"k": "v"}}
    b = {"x": 2, "y": [1, 3], "w": True}
    patch = kfix.diff(a, b)
    assert all(op["op"] in ("add", "remove", "replace") for op in patch)
    assert kfix.apply_patch(a, patch) == b


def test_gil_released_threads_agree() -> None:
    text = WEB * 1
    expected = [m.to_dict() for m in kfix.parse(text, "t.yaml")]
    results: list = []

    def work() -> None:
        for _ in range(20):
            results.append([m.to_dict() for m in kfix.parse(text, "t.yaml")])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 80 and all(r == expected for r in results)
