"""python/kfix/_core.pyi must match the extension's real signatures.

mypy.stubtest (ctest `python.stubtest`) cannot see parameters of pybind11
functions (no __text_signature__), so this test parses the first docstring
line pybind11 writes ("name(a: int, b: str = '') -> str") and compares names,
annotations, defaults and return types with the stub.
"""

from __future__ import annotations

import ast
import inspect
import pathlib
import re
from typing import Any, Dict, List, Optional, Tuple

import kfix._core as core

STUB = pathlib.Path(core.__file__).with_name("_core.pyi")

Sig = Tuple[List[Tuple[str, str, Any]], str]

_NO_DEFAULT = object()


def _norm_type(text: str) -> str:
    t = text.replace("typing.", "").replace(" ", "")
    # pybind11 qualifies the module's own classes (kfix._core.PipelineRun); the stub names them bare.
    t = t.replace("kfix._core.", "")
    # pybind11 2.10 spells builtin generics with capitals (List[str]).
    for cap, low in (("List[", "list["), ("Dict[", "dict["), ("Tuple[", "tuple["), ("Set[", "set[")):
        t = t.replace(cap, low)
    t = re.sub(r"Optional\[(.*)\]$", r"\1|None", t)
    return t


def _types_match(runtime: str, stub: str) -> bool:
    """pybind11 prints py::dict / py::list as bare `dict` / `list`; the stub may parameterise them."""
    if runtime == stub:
        return True
    return runtime in ("dict", "list", "tuple") and stub.startswith(runtime + "[")


def _sig_of(fn: ast.FunctionDef) -> Sig:
    args = fn.args
    params = args.posonlyargs + args.args + args.kwonlyargs
    defaults: List[Any] = [_NO_DEFAULT] * (len(args.posonlyargs) + len(args.args) - len(args.defaults))
    defaults += [ast.literal_eval(d) if not isinstance(d, ast.Constant) or d.value is not ... else _NO_DEFAULT
                 for d in args.defaults]
    defaults += [_NO_DEFAULT if d is None else ast.literal_eval(d) for d in args.kw_defaults]
    out = []
    for p, d in zip(params, defaults):
        ann = _norm_type(ast.unparse(p.annotation)) if p.annotation is not None else "object"
        out.append((p.arg, ann, d))
    ret = _norm_type(ast.unparse(fn.returns)) if fn.returns is not None else "None"
    return out, ret


def _stub_functions(tree: ast.Module, prefix: str = "") -> Dict[str, ast.FunctionDef]:
    found: Dict[str, ast.FunctionDef] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            found[prefix + node.name] = node
        elif isinstance(node, ast.ClassDef):
            found.update(_stub_functions(ast.Module(body=node.body, type_ignores=[]), prefix + node.name + "."))
    return found


def _runtime_sig(name: str, doc: Optional[str], strip_self: bool) -> Sig:
    assert doc, f"{name} has no docstring signature"
    line = doc.strip().splitlines()[0]
    short = name.rsplit(".", 1)[-1]
    assert line.startswith(short + "("), f"{name}: unexpected docstring line {line!r}"
    fn = ast.parse("def " + line + ": ...").body[0]
    assert isinstance(fn, ast.FunctionDef)
    params, ret = _sig_of(fn)
    if strip_self and params and params[0][0] == "self":
        params = params[1:]
    return params, ret


def _runtime_callables() -> Dict[str, Tuple[Any, bool]]:
    out: Dict[str, Tuple[Any, bool]] = {}
    for name, obj in vars(core).items():
        if name.startswith("__"):
            continue
        if inspect.isbuiltin(obj) or callable(obj) and type(obj).__name__ == "builtin_function_or_method":
            out[name] = (obj, False)
        elif inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("__") and attr not in ("__init__",):
                    continue
                if type(member).__name__ in ("instancemethod", "builtin_function_or_method"):
                    out[f"{name}.{attr}"] = (member, True)
                elif isinstance(member, staticmethod):
                    out[f"{name}.{attr}"] = (member.__func__, False)
    return out


def test_every_runtime_function_matches_the_stub() -> None:
    stubs = _stub_functions(ast.parse(STUB.read_text()))
    runtime = _runtime_callables()
    assert runtime, "no functions found in kfix._core"
    checked = 0
    for name, (obj, is_method) in sorted(runtime.items()):
        if name.endswith(".__init__"):
            continue  # constructors of opaque classes are not part of the stub contract
        assert name in stubs, f"{name} is missing from _core.pyi"
        stub_params, stub_ret = _sig_of(stubs[name])
        if is_method and stub_params and stub_params[0][0] == "self":
            stub_params = stub_params[1:]
        rt_params, rt_ret = _runtime_sig(name, obj.__doc__, is_method)
        assert [(n, d) for n, _, d in rt_params] == [(n, d) for n, _, d in stub_params], \
            f"{name}: runtime {rt_params} != stub {stub_params}"
        for (pname, rt_type, _), (_, stub_type, _) in zip(rt_params, stub_params):
            assert _types_match(rt_type, stub_type), f"{name}({pname}): runtime {rt_type}, stub {stub_type}"
        assert _types_match(rt_ret, stub_ret), f"{name}: runtime returns {rt_ret}, stub says {stub_ret}"
        checked += 1
    assert checked >= 4


def test_stub_has_no_extra_functions() -> None:
    stubs = _stub_functions(ast.parse(STUB.read_text()))
    for name in stubs:
        target: Any = core
        for part in name.split("."):
            assert hasattr(target, part), f"_core.pyi declares {name}, which the extension lacks"
            target = getattr(target, part)
