#!/usr/bin/env python3
"""The dependency direction, checked: every layer includes only its own headers
and those of the layers below it, and the graph the docs state is the graph
CMakeLists.txt builds.

The graph comes from the build: CMakeLists.txt (kfix_add_layer) writes
<build>/layering.json, {"layers": [{"name", "deps", "headers"}, ...]} in
declaration order. A layer's sources are src/<name>/**; its public headers are
include/kfix/<headers>. An include is allowed when it names
  * a public header "kfix/<h>.hpp" of the layer itself or of a layer below it
    (the transitive closure of its DEPS), or
  * an internal header "<layer>/..." of the layer itself or of a layer below.
Surfaces (src/cli, capi, bindings) sit on top and are not checked here.

Usage:
  check_layering.py --graph GRAPH.json --source DIR          include scan + docs
  check_layering.py --graph GRAPH.json --print              the graph block for the docs
Exit status 0 when everything holds, 1 with one line per violation otherwise.
"""
import argparse
import json
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
DOCS = ("README.md", "HACKING.md", "docs/architecture.md")


def load(path):
    with open(path, encoding="utf-8") as f:
        layers = json.load(f)["layers"]
    by_name = {l["name"]: l for l in layers}
    for l in layers:
        for d in l["deps"]:
            if d not in by_name:
                sys.exit(f"layering: layer {l['name']} depends on unknown layer {d}")
    return layers, by_name


def closure(by_name):
    """Layers below each layer (transitive DEPS); fails on a cycle."""
    below, state = {}, {}

    def visit(name, path):
        if state.get(name) == "done":
            return below[name]
        if state.get(name) == "busy":
            cycle = " -> ".join(path[path.index(name):] + [name])
            raise SystemExit(f"layering: dependency cycle {cycle} (a lower layer links a higher one)")
        state[name] = "busy"
        acc = set()
        for d in by_name[name]["deps"]:
            acc.add(d)
            acc |= visit(d, path + [name])
        state[name] = "done"
        below[name] = acc
        return acc

    for name in by_name:
        visit(name, [])
    return below


def graph_block(layers, below):
    """One line per layer, top layer first: `name -> direct deps`."""
    order = sorted(layers, key=lambda l: (-len(below[l["name"]]), l["name"]))
    width = max(len(l["name"]) for l in layers)
    lines = []
    for l in order:
        deps = ", ".join(l["deps"]) if l["deps"] else "(nothing: third-party libraries only)"
        lines.append(f"{l['name'].ljust(width)}  -> {deps}")
    return "\n".join(lines)


def scan(source, layers, by_name, below):
    header_owner = {}
    for l in layers:
        for h in l["headers"]:
            header_owner[h] = l["name"]
    errors = []
    public = os.path.join(source, "include", "kfix")
    for h in sorted(os.listdir(public)):
        if h.endswith(".hpp") and h not in header_owner:
            errors.append(f"include/kfix/{h}: public header of no layer (add it to a layer's HEADERS in CMakeLists.txt)")
    files = []
    for l in layers:
        root = os.path.join(source, "src", l["name"])
        for dirpath, _, names in os.walk(root):
            for n in sorted(names):
                if n.endswith((".cpp", ".hpp", ".h", ".inc")):
                    files.append((l["name"], os.path.join(dirpath, n)))
        for h in l["headers"]:
            p = os.path.join(public, h)
            if os.path.exists(p):
                files.append((l["name"], p))
    layer_names = set(by_name)
    for layer, path in files:
        allowed = below[layer] | {layer}
        rel = os.path.relpath(path, source)
        with open(path, encoding="utf-8", errors="replace") as f:
            for lineno, text in enumerate(f, 1):
                m = INCLUDE.match(text)
                if not m:
                    continue
                inc = m.group(1)
                target = None
                if inc.startswith("kfix/"):
                    target = header_owner.get(inc[len("kfix/"):])
                else:
                    first = inc.split("/", 1)[0]
                    if "/" in inc and first in layer_names:
                        target = first
                if target is None or target in allowed:
                    continue
                may = ", ".join(sorted(below[layer])) or "nothing but itself"
                errors.append(f"{rel}:{lineno}: layer {layer} includes \"{inc}\" of layer {target}, which is not "
                              f"below it ({layer} may use: {may})")
    return errors


def check_docs(source, block):
    errors = []
    for doc in DOCS:
        p = os.path.join(source, doc)
        try:
            with open(p, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            errors.append(f"{doc}: cannot read ({e.strerror})")
            continue
        if block not in text:
            errors.append(f"{doc}: does not state the layer graph CMakeLists.txt builds; it must contain this block "
                          f"verbatim (cmake/check_layering.py --print):\n{block}")
    return errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--graph", required=True)
    ap.add_argument("--source")
    ap.add_argument("--print", action="store_true")
    args = ap.parse_args()
    layers, by_name = load(args.graph)
    below = closure(by_name)
    block = graph_block(layers, below)
    if args.print:
        print(block)
        return 0
    errors = scan(args.source, layers, by_name, below) + check_docs(args.source, block)
    for e in errors:
        print(e)
    if errors:
        print(f"layering: {len(errors)} violation(s)")
        return 1
    n = sum(1 for _ in layers)
    print(f"layering: {n} layers, every include points down, docs state the CMake graph")
    return 0


if __name__ == "__main__":
    sys.exit(main())
