"""kfix.parse_json / to_json / apply_patch / diff."""

from __future__ import annotations

import pytest

import kfix


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


