#!/usr/bin/python3
"""The same input gives the same document through the CLI, the C ABI and Python for the playbooks
(gVisor scan, plan, apply, rollback; escape detect; quarantine plan and reverify; intent validate
and consume; action validate and step; incidents triage) and for write-back (render, diff).

The C leg calls libkfix.so's exported functions (ctypes, as any FFI would); Python calls the kfix
package. The CLI prints pretty JSON (or JSON lines); the C ABI returns compact JSON; Python builds
its typed result from the same document. Checks, byte for byte:
  - CLI stdout == Python's pretty JSON + "\\n" (or Python's JSON lines),
  - C output == Python's compact JSON (kfix's one serialiser) (or the C document's lines).

usage: same_playbook_output.py KFIX_CLI LIBKFIX SOURCE_DIR SCRATCH_DIR
"""
from __future__ import annotations

import ctypes
import json
import os
import pathlib
import shutil
import subprocess
import sys
from typing import Any, List, Optional

import jsonschema

import kfix

failures = 0
SCHEMAS: dict = {}


def conforms(label: str, doc: Any, schema_file: str) -> None:
    """The C ABI / Python document validates against docs/json-schema/<schema_file>."""
    global failures
    schema = SCHEMAS[f"https://kfix.dev/schema/{schema_file}"]
    resolver = jsonschema.RefResolver.from_schema(schema, store=SCHEMAS)
    try:
        jsonschema.Draft202012Validator(schema, resolver=resolver).validate(doc)
    except jsonschema.ValidationError as e:
        failures += 1
        print(f"FAIL {label}: does not conform to {schema_file}: {e.message} at {list(e.absolute_path)}")


class Buf(ctypes.Structure):
    _fields_ = [("ptr", ctypes.c_void_p), ("size", ctypes.c_size_t)]


class Err(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int32), ("message", ctypes.c_char_p), ("detail_json", ctypes.c_char_p)]


class C:
    """The C leg: every call fills a kfix_buf and returns its bytes (raising on a kfix_status)."""

    def __init__(self, path: str) -> None:
        self.lib = ctypes.CDLL(path)
        self.lib.kfix_last_error.restype = ctypes.POINTER(Err)
        self.engine = ctypes.c_void_p()
        self.check(self.lib.kfix_engine_new(ctypes.byref(self.engine), None, 0), "kfix_engine_new")

    def check(self, status: int, what: str) -> None:
        if status != 0:
            raise RuntimeError(f"{what}: status {status}: {self.lib.kfix_last_error().contents.message!r}")

    def call(self, name: str, *args: Any, engine: bool = False) -> bytes:
        out = Buf()
        full = [ctypes.byref(out)] + ([self.engine] if engine else []) + list(args)
        self.check(getattr(self.lib, name)(*full), name)
        data = ctypes.string_at(out.ptr, out.size)
        self.lib.kfix_buf_dispose(ctypes.byref(out))
        return data

    @staticmethod
    def text(value: Optional[bytes]) -> List[Any]:
        # Lengths are size_t: passed as such (an untyped int is a 32-bit C int to ctypes).
        return [None, ctypes.c_size_t(0)] if value is None else [value, ctypes.c_size_t(len(value))]

    @staticmethod
    def paths(*paths: str) -> List[Any]:
        arr = (ctypes.c_char_p * len(paths))(*[p.encode() for p in paths])
        return [arr, ctypes.c_size_t(len(paths))]


def cli(exe: str, *args: str, ok=(0,)) -> bytes:
    r = subprocess.run([exe, *args], capture_output=True)
    if r.returncode not in ok:
        sys.exit(f"kfix {' '.join(args)} exited {r.returncode}: {r.stderr.decode(errors='replace')}")
    return r.stdout


def same(label: str, cli_bytes: bytes, c_bytes: bytes, py_pretty: bytes, py_compact: bytes) -> None:
    global failures
    problems = []
    if not cli_bytes.strip():
        problems.append("the CLI printed nothing")
    if cli_bytes != py_pretty:
        problems.append(f"CLI != Python\n    cli: {cli_bytes[:300]!r}\n    py:  {py_pretty[:300]!r}")
    if c_bytes != py_compact:
        problems.append(f"C != Python\n    c:   {c_bytes[:300]!r}\n    py:  {py_compact[:300]!r}")
    if problems:
        failures += 1
        print(f"FAIL {label}: " + "; ".join(problems))
    else:
        print(f"ok   {label}: {len(cli_bytes)} CLI bytes, {len(c_bytes)} C bytes identical to Python")


def pretty(doc: Any) -> bytes:
    return (kfix.to_json(doc.to_dict(), pretty=True) + "\n").encode()


def compact(doc: Any) -> bytes:
    return kfix.to_json(doc.to_dict()).encode()


def lines(records: List[Any]) -> bytes:
    return "".join(kfix.to_json(r) + "\n" for r in records).encode()


def main() -> int:
    exe, libkfix, src, scratch = sys.argv[1:5]
    data = pathlib.Path(src) / "tests" / "data"
    work = pathlib.Path(scratch)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for name in os.listdir(pathlib.Path(src) / "docs" / "json-schema"):
        if name.endswith(".json"):
            schema = json.loads((pathlib.Path(src) / "docs" / "json-schema" / name).read_text())
            if "$id" in schema:
                SCHEMAS[schema["$id"]] = schema
    c = C(libkfix)
    now = "2026-04-20T10:00:00Z"

    # ---- gVisor: scan, plan, apply, rollback ----
    fixture = str(data / "gvisor" / "fixture9.yaml")
    live_path = str(data / "gvisor" / "live.yaml")
    live = pathlib.Path(live_path).read_bytes()
    scan = kfix.gvisor.scan_paths(fixture)
    same("gvisor scan", cli(exe, "gvisor", "scan", fixture, ok=(2,)),
         c.call("kfix_gvisor_scan_paths", *C.paths(fixture), *C.text(None), engine=True), pretty(scan), compact(scan))

    opts = {"includeReview": True, "generatedAt": now, "cluster": "kind-test", "addToleration": True}
    plan = kfix.gvisor.plan_paths(fixture, options=opts)
    cli_plan = cli(exe, "gvisor", "plan", "--include-review", "--add-toleration", "--now", now, "--cluster",
                   "kind-test", fixture)
    same("gvisor plan", cli_plan, c.call("kfix_gvisor_plan_paths", *C.paths(fixture), *C.text(json.dumps(opts).encode()),
                                         engine=True), pretty(plan), compact(plan))
    plan_file = work / "plan.json"
    plan_file.write_bytes(cli_plan)

    run_opts = {"generatedAt": now, "cluster": "kind-test"}
    for verb, fn in (("apply", kfix.gvisor.apply), ("rollback", kfix.gvisor.rollback)):
        env = fn(plan, live, options=run_opts)
        same(f"gvisor {verb}",
             cli(exe, "gvisor", verb, "--plan", str(plan_file), "--live", live_path, "--now", now, "--cluster",
                 "kind-test", ok=(0, 1, 3)),
             c.call(f"kfix_gvisor_{verb}", *C.text(cli_plan), *C.text(live), *C.text(json.dumps(run_opts).encode()),
                    engine=True),
             pretty(env), compact(env))

    # ---- container escape: detect, quarantine plan and reverify ----
    events = data / "escape" / "audit_events.ocsf.jsonl"
    detected = kfix.escape.detect(events.read_bytes(), str(events), now_ms=1775800000000)
    c_doc = json.loads(c.call("kfix_escape_detect", *C.text(events.read_bytes()), str(events).encode(),
                              *C.text(b'{"nowMs": 1775800000000}')))
    same("escape detect", cli(exe, "escape", "detect", str(events)), lines(c_doc["findings"]),
         detected.to_jsonl().encode(), lines(detected.findings))
    conforms("escape detect", c_doc, "escape-detect-result.schema.json")
    conforms("escape detect (errors)", kfix.escape.detect("{bad\n[]\n").to_dict(), "escape-detect-result.schema.json")

    findings = data / "escape" / "findings.ocsf.jsonl"
    cluster = data / "escape" / "cluster.yaml"
    for verb, fn in (("plan", kfix.escape.plan), ("reverify", kfix.escape.reverify)):
        result = fn(findings, cluster, findings_name=str(findings), now_ms=1775800000000)
        c_doc = json.loads(c.call(f"kfix_quarantine_{verb}", *C.text(findings.read_bytes()), str(findings).encode(),
                                  *C.text(cluster.read_bytes()), *C.text(b'{"nowMs": 1775800000000}')))
        same(f"quarantine {verb}",
             cli(exe, "quarantine", verb, "--findings", str(findings), "--cluster", str(cluster),
                 "--now=1775800000000"),
             lines(c_doc["records"]), result.to_jsonl().encode(), lines(result.records))
        conforms(f"quarantine {verb}", c_doc, "quarantine-result.schema.json")
        if c_doc != result.to_dict():
            print(f"FAIL quarantine {verb}: the C and Python documents differ")
            globals()["failures"] += 1

    # apply without an executor is a hand-off on every surface (records stay in_progress)
    approval = {"nowMs": 1775800000000, "incidentId": "INC-7", "approver": "alice", "clusterName": "prod",
                "allowedClusters": "prod,stage"}
    applied = kfix.escape.apply(findings, cluster, findings_name=str(findings), options=approval)
    c_doc = json.loads(c.call("kfix_quarantine_apply", *C.text(findings.read_bytes()), str(findings).encode(),
                              *C.text(cluster.read_bytes()), *C.text(json.dumps(approval).encode())))
    same("quarantine apply",
         cli(exe, "quarantine", "apply", "--findings", str(findings), "--cluster", str(cluster), "--incident", "INC-7",
             "--approver", "alice", "--cluster-name", "prod", "--allowed-clusters", "prod,stage",
             "--now=1775800000000"),
         lines(c_doc["records"]), applied.to_jsonl().encode(), lines(applied.records))

    # ---- typed actions ----
    intent = data / "actions" / "intent-valid.json"
    v = kfix.actions.validate_intent(intent)
    same("intent validate", cli(exe, "intent", "validate", str(intent)),
         c.call("kfix_intent_validate", *C.text(intent.read_bytes())), pretty(v), compact(v))

    claw = data / "actions" / "claw-statefulset.yaml"
    consumed = kfix.actions.consume_intent(claw, now=now)
    same("intent consume", cli(exe, "intent", "consume", "--object", str(claw), "--now", now),
         c.call("kfix_intent_consume", *C.text(claw.read_bytes()), *C.text(json.dumps({"now": now}).encode())),
         pretty(consumed), compact(consumed))

    action = data / "actions" / "action-scale.yaml"
    va = kfix.actions.validate_action(action, now=now)
    same("action validate", cli(exe, "action", "validate", str(action), "--now", now),
         c.call("kfix_action_validate", *C.text(action.read_bytes()), *C.text(json.dumps({"now": now}).encode())),
         pretty(va), compact(va))

    snapshot = data / "actions" / "snapshot-recovered.yaml"
    later = "2026-04-20T10:20:00Z"
    step = kfix.actions.step_action(action, now=later, snapshot=snapshot.read_text())
    snap_objs = [m.object for m in kfix.parse(snapshot.read_text())]
    same("action step", cli(exe, "action", "step", "--action", str(action), "--now", later, "--snapshot", str(snapshot)),
         c.call("kfix_action_step", *C.text(action.read_bytes()),
                *C.text(json.dumps({"now": later, "snapshot": snap_objs}).encode())),
         pretty(step), compact(step))

    burst = data / "actions" / "events-burst.yaml"
    state = data / "actions" / "watcher-state-primed.json"
    tri = kfix.actions.triage(burst, now=now, state=json.loads(state.read_text()))
    same("incidents triage", cli(exe, "incidents", "triage", "--events", str(burst), "--now", now, "--state", str(state)),
         c.call("kfix_incidents_triage", *C.text(burst.read_bytes()),
                *C.text(json.dumps({"now": now, "state": json.loads(state.read_text())}).encode())),
         pretty(tri), compact(tri))

    # ---- write-back: render and diff ----
    src = work / "in" / "web.yaml"
    src.parent.mkdir()
    src.write_bytes((data / "surfaces" / "render-web.yaml").read_bytes())
    out_dir = work / "written"
    cli(exe, "fix", "--write", str(out_dir), str(src), ok=(0,))
    written = (out_dir / "web.yaml").read_bytes()
    rendered = kfix.Engine().fix_paths(src).render()
    c_doc = json.loads(c.call("kfix_engine_render_paths", *C.paths(str(src)), engine=True))
    py_text = rendered[0].text.encode() if rendered and rendered[0].text is not None else b""
    same("render", written, c_doc["files"][0]["text"].encode(), py_text, py_text)
    conforms("render", c_doc, "render.schema.json")
    if b"# Web tier, owned by team shop" not in written:
        print("FAIL render: the comment was lost")
        globals()["failures"] += 1

    cli_diff = cli(exe, "fix", "--diff", str(src))
    py_diff = kfix.Engine().fix_paths(src).write(diff=True).diff.encode()
    c_doc = json.loads(c.call("kfix_engine_write_back", *C.paths(str(src)), *C.text(b'{"diff": true}'), engine=True))
    same("fix --diff", cli_diff, c_doc["diff"].encode(), py_diff, py_diff)
    conforms("fix --diff", c_doc, "write-back.schema.json")
    refused = kfix.escape.apply(findings, cluster, now_ms=1775800000000).to_dict()
    conforms("quarantine apply (refused)", refused, "quarantine-result.schema.json")
    approved = kfix.escape.apply(findings, cluster, now_ms=1775800000000, incident="INC-7", approver="alice",
                                 cluster_name="prod", allowed_clusters=["prod"]).to_dict()
    conforms("quarantine apply", approved, "quarantine-result.schema.json")
    # The other playbook documents validate against the schemas the CLI's tests use.
    conforms("gvisor scan", scan.to_dict(), "gvisor-scan.schema.json")
    conforms("gvisor plan", plan.to_dict(), "gvisor-plan.schema.json")
    conforms("gvisor apply", kfix.gvisor.apply(plan, live).to_dict(), "gvisor-run.schema.json")
    conforms("intent consume", consumed.to_dict(), "intent-consume.schema.json")
    conforms("incidents triage", tri.to_dict(), "incidents-triage.schema.json")

    print(f"{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
