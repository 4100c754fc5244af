"""kfix.gvisor, kfix.escape, kfix.actions and FixResult.render()/write(): typed results built from
the engine's documents, errors as kfix exceptions, audit records through kfix.AuditLog.
(The byte-for-byte agreement with the CLI and the C ABI is tests/surfaces/same_playbook_output.py.)"""

from __future__ import annotations

import json
import os
import pathlib
import pickle

import pytest

import kfix

NOW = "2026-04-20T10:00:00Z"


@pytest.fixture(scope="module")
def data(source_dir: pathlib.Path) -> pathlib.Path:
    return source_dir / "tests" / "data"


# ---- gVisor --------------------------------------------------------------------------


def test_gvisor_scan_typed(data: pathlib.Path) -> None:
    report = kfix.gvisor.scan_paths(data / "gvisor" / "fixture9.yaml")
    assert isinstance(report, kfix.gvisor.CompatibilityReport)
    assert report.schema_version == "kfix.gvisor.scan/v1"
    assert len(report) == 9
    assert report.count("compatible") + report.count("review") + report.count("incompatible") == 9
    assert report.count("incompatible") > 0 and report.exit_code == 2
    bad = [w for w in report if w.compatibility == "incompatible"][0]
    assert bad.reasons and all(r["severity"] == "error" for r in bad.reasons if r["ruleId"] == "host-network")
    # The text entry point and the paths entry point agree.
    text = (data / "gvisor" / "fixture9.yaml").read_text()
    assert kfix.gvisor.scan(text, str(data / "gvisor" / "fixture9.yaml")).to_dict() == report.to_dict()
    # A document that does not load is a warning of the scan, not an exception.
    broken = kfix.gvisor.scan("kind: [\n", "broken.yaml")
    assert len(broken) == 0 and any("broken.yaml:" in w for w in broken.warnings)


def test_gvisor_options_errors(data: pathlib.Path) -> None:
    with pytest.raises(kfix.InvalidArgumentError):
        kfix.gvisor.scan_paths(data / "gvisor" / "fixture9.yaml", options={"profile": "nope"})
    with pytest.raises(kfix.ParseError) as e:
        kfix.gvisor.scan_paths(data / "gvisor" / "fixture9.yaml", include_system=3)  # type: ignore[arg-type]
    assert "includeSystem" in str(e.value)
    with pytest.raises(kfix.NotFoundError):
        kfix.gvisor.scan_paths(data / "gvisor" / "nope.yaml")
    with pytest.raises(kfix.ParseError):  # a plan comes only from inputs that load entirely
        kfix.gvisor.plan("kind: [\n", "broken.yaml")


def test_gvisor_plan_apply_rollback_verify(data: pathlib.Path, tmp_path: pathlib.Path) -> None:
    fixture = data / "gvisor" / "fixture9.yaml"
    plan = kfix.gvisor.plan_paths(fixture, include_review=True, generated_at=NOW, cluster="kind")
    assert len(plan.plan_hash) == 64 and plan.generated_at == NOW and plan.cluster == "kind"
    assert [s.order for s in plan.steps] == list(range(1, len(plan.steps) + 1))
    assert plan.summary["included"] == len(plan.steps)
    # Every option changes the hash; the plan round-trips through its JSON.
    assert kfix.gvisor.plan_paths(fixture, include_review=True, add_toleration=True).plan_hash != plan.plan_hash
    assert kfix.gvisor.plan_paths(fixture, include_review=True, generated_at="x").plan_hash == plan.plan_hash
    live = (data / "gvisor" / "live.yaml").read_text()
    env = kfix.gvisor.apply(plan.to_json(), live, generated_at=NOW)
    assert env.kind == "ApplyResult" and env.dry_run and env.plan_hash == plan.plan_hash
    assert [s.order for s in env.steps] == [s.order for s in plan.steps]
    assert env.summary["total"] == len(plan.steps)
    assert any("/runtimeClassName" in s.patch for s in env.steps if s.status == "applied")
    assert kfix.gvisor.apply(plan, pathlib.Path(data / "gvisor" / "live.yaml")).to_dict()["spec"] == env.to_dict()["spec"]
    assert not kfix.gvisor.apply(plan, live, execute=True).dry_run
    back = kfix.gvisor.rollback(plan, live)
    assert back.kind == "RollbackResult"
    v = kfix.gvisor.verify(plan, live)
    assert isinstance(v, kfix.gvisor.VerifyResult) and v.exit_code in (0, 4) and bool(v) == (v.exit_code == 0)
    with pytest.raises(kfix.InvalidArgumentError):
        kfix.gvisor.verify(plan, None)
    # An edited plan fails its integrity check.
    doc = plan.to_dict()
    doc["spec"]["steps"][0]["riskScore"] += 1
    with pytest.raises(kfix.VerificationError) as e:
        kfix.gvisor.apply(doc, live)
    assert "integrity" in str(e.value)
    assert pickle.loads(pickle.dumps(plan)).to_dict() == plan.to_dict()


def test_gvisor_audit(data: pathlib.Path, tmp_path: pathlib.Path) -> None:
    log_path = tmp_path / "audit.jsonl"
    with kfix.AuditLog(log_path) as log:
        plan = kfix.gvisor.plan_paths(data / "gvisor" / "fixture9.yaml", audit=log)
        kfix.gvisor.apply(plan, (data / "gvisor" / "live.yaml").read_text(), audit=log)
    types = [json.loads(line)["type"] for line in log_path.read_text().splitlines()]
    assert types[0] == "gvisor.plan" and types.count("gvisor.apply.step") == len(plan.steps)
    assert kfix.audit_verify(log_path.read_text()).intact
    closed = kfix.AuditLog(tmp_path / "other.jsonl")
    closed.close()
    with pytest.raises(kfix.InvalidArgumentError):
        kfix.gvisor.plan_paths(data / "gvisor" / "fixture9.yaml", audit=closed)


# ---- container escape ---------------------------------------------------------------------


def test_escape_detect_and_quarantine(data: pathlib.Path) -> None:
    esc = data / "escape"
    detected = kfix.escape.detect(esc / "audit_events.ocsf.jsonl", now_ms=1775800000000)
    assert len(detected) > 0 and detected.events > 0 and not detected.errors
    assert detected.to_jsonl() == (esc / "findings.ocsf.jsonl").read_text()
    bad = kfix.escape.detect('{"class_uid": 6003\n[]\n', "x.jsonl")
    assert [e.line for e in bad.errors] == [1, 2] and all(isinstance(e, kfix.Error) for e in bad.errors)
    native = kfix.escape.detect(esc / "audit_events.ocsf.jsonl", format="native")
    assert native.findings[0]["record_type"] == "detection_finding"
    with pytest.raises(kfix.InvalidArgumentError):
        kfix.escape.detect("", format="xml")

    plan = kfix.escape.plan(esc / "findings.ocsf.jsonl", esc / "cluster.yaml", now_ms=1775800000000,
                            findings_name=str(esc / "findings.ocsf.jsonl"))
    assert plan and plan.to_jsonl() == (esc / "plan.golden.jsonl").read_text()
    refused = kfix.escape.apply(esc / "findings.ocsf.jsonl", esc / "cluster.yaml", now_ms=1775800000000)
    assert not refused and len(refused) == 0
    assert isinstance(refused.status, kfix.PermissionDeniedError)
    unreachable = kfix.escape.reverify(esc / "findings.ocsf.jsonl", "a: [", now_ms=1775800000000)
    assert {r["status"] for r in unreachable if r["record_type"] == "remediation_verification"} == {"unreachable"}
    with pytest.raises(kfix.ParseError):
        kfix.escape.plan(esc / "findings.ocsf.jsonl", "a: [")


def test_quarantine_apply_hand_off_audited(data: pathlib.Path, tmp_path: pathlib.Path) -> None:
    esc = data / "escape"
    log_path = tmp_path / "audit.jsonl"
    with kfix.AuditLog(log_path) as log:
        r = kfix.escape.apply(esc / "findings.ocsf.jsonl", esc / "cluster.yaml", incident="INC-7", approver="alice",
                              cluster_name="prod", allowed_clusters=["prod", "stage"], now_ms=1775800000000,
                              audit=log)
    assert r and r.status is None
    envelopes = [x for x in r if x["record_type"] == "remediation_audit"]
    assert envelopes and all(x["status"] == "in_progress" for x in envelopes)
    assert len(log_path.read_text().splitlines()) == len(envelopes)


# ---- typed actions ----------------------------------------------------------------------------


def test_intents(data: pathlib.Path) -> None:
    act = data / "actions"
    assert kfix.actions.validate_intent(act / "intent-valid.json")
    v = kfix.actions.validate_intent({"action": "Bump-Memory", "params": {}, "generation": 1, "source": "rule-engine"})
    assert not v and v.error
    consumed = kfix.actions.consume_intent(act / "claw-statefulset.yaml", now=NOW)
    assert consumed.decision == "execute" and consumed.patch and "claw.prismer.ai/ops-intent" not in consumed.annotations
    with pytest.raises(kfix.InvalidArgumentError):
        kfix.actions.consume_intent("kind: A\n---\nkind: B\n")  # not exactly one object


def test_sre_actions_and_triage(data: pathlib.Path) -> None:
    act = data / "actions"
    ok = kfix.actions.validate_action(act / "action-scale.yaml", now=NOW)
    assert ok and ok.plan is not None
    rejected = kfix.actions.validate_action(act / "action-scale-100.yaml", now=NOW)
    assert not rejected and rejected.plan is None and rejected.error
    step = kfix.actions.step_action(act / "action-scale.yaml", now="2026-04-20T10:20:00Z",
                                    snapshot=(act / "snapshot-recovered.yaml").read_text())
    assert step.phase and step.effects[-1]["kind"] == "requeue"
    with pytest.raises(kfix.ParseError):
        kfix.actions.step_action("kind: Pod\n", now=NOW)
    with pytest.raises(kfix.InvalidArgumentError):
        kfix.actions.triage(act / "events-burst.yaml", now="yesterday")
    first = kfix.actions.triage(act / "events-burst.yaml", now=NOW)
    assert first.priming and first.next_state
    second = kfix.actions.triage(act / "events-burst.yaml", now=NOW,
                                 state=json.loads((act / "watcher-state-primed.json").read_text()))
    assert not second.priming and second.new_actions


# ---- write-back -------------------------------------------------------------------------------


def test_fix_result_render_and_write(data: pathlib.Path, tmp_path: pathlib.Path) -> None:
    original = (data / "surfaces" / "render-web.yaml").read_text()
    src = tmp_path / "in" / "web.yaml"
    src.parent.mkdir()
    src.write_text(original)
    os.chmod(src, 0o600)

    from_text = kfix.fix(original, "web.yaml")
    files = from_text.render()
    assert [f.file for f in files] == ["web.yaml"] and files[0].fixed and files[0].error is None
    text = files[0].text or ""
    assert text.startswith("# Web tier, owned by team shop\n") and "labels: {app: web}   # flow style kept" in text
    assert 'image: "nginx:1.25.3"  # pinned' in text
    with pytest.raises(kfix.InvalidArgumentError):
        from_text.write(tmp_path / "out")  # fixed from text: no input files

    result = kfix.Engine().fix_paths(src)
    assert result.render()[0].text == text
    written = result.write(tmp_path / "out", diff=True)
    assert written and (tmp_path / "out" / "web.yaml").read_text() == text
    assert written.diff.startswith("--- a/") and src.read_text() == original
    with pytest.raises(kfix.InvalidArgumentError):
        result.write(tmp_path / "out2", in_place=True)
    in_place = result.write(in_place=True)
    assert in_place and src.read_text() == text and (os.stat(src).st_mode & 0o777) == 0o600
    unpickled = pickle.loads(pickle.dumps(result))
    with pytest.raises(kfix.InvalidArgumentError):
        unpickled.render()
