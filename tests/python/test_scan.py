"""kfix.Engine, scan, scan_paths, scan_many and the report classes."""

from __future__ import annotations

import json
import pathlib
import pickle

import pytest

import kfix

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
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


def _without_seconds(report: kfix.ScanReport) -> dict:
    doc = json.loads(report.to_json())
    doc["stats"].pop("seconds", None)
    return doc


def test_scan_returns_typed_findings() -> None:
    report = kfix.scan(WEB, "web.yaml")
    assert isinstance(report, kfix.ScanReport)
    checks = {f.check for f in report.findings}
    assert "privileged-container" in checks and "latest-tag" in checks
    f = next(f for f in report.findings if f.check == "privileged-container")
    assert isinstance(f, kfix.Finding) and isinstance(f.object, kfix.ObjectRef)
    assert (f.file, f.object.kind, f.object.name, f.object.namespace, f.container) == \
        ("web.yaml", "Deployment", "web", "shop", "nginx")
    assert f.line == 14 and f.column > 0  # the securityContext line
    assert f.pointer.startswith("/spec/template/spec/containers/0/securityContext")
    assert f.severity in ("error", "warning", "info")
    assert report.stats["objects"] == 1 and report.stats["findings"] == len(report.findings)
    assert report.schema_version == 2


def test_report_json_round_trip_and_pickle() -> None:
    report = kfix.scan(WEB.encode(), "web.yaml")
    doc = json.loads(report.to_json())
    assert doc["schemaVersion"] == 2 and len(doc["findings"]) == len(report)
    assert kfix.ScanReport.from_json(report.to_json()) == report
    assert report.to_json(pretty=True, timing=False).startswith('{\n  "schemaVersion": ')
    assert '"seconds"' not in report.to_json(timing=False) and '"seconds"' in report.to_json()
    assert pickle.loads(pickle.dumps(report)) == report
    f = report.findings[0]
    assert pickle.loads(pickle.dumps(f)) == f
    assert json.loads(f.to_json())["check"] == f.check


def test_to_pandas() -> None:
    import pandas as pd  # python3-pandas is a declared build/test dependency (make deps)
    df = kfix.scan(WEB, "web.yaml").to_pandas()
    assert isinstance(df, pd.DataFrame)
    assert "privileged-container" in set(df["check"])
    assert set(df["kind"]) == {"Deployment"} and list(df.columns[:3]) == ["check", "policy", "severity"]


def test_unreadable_documents_are_reported_not_raised() -> None:
    report = kfix.scan(WEB + "---\nkind: [unclosed\n", "mixed.yaml")
    assert len(report.errors) == 1
    err = report.errors[0]
    assert isinstance(err, kfix.ParseError) and err.file == "mixed.yaml" and err.line is not None and err.line >= 15
    assert err.document == 1 and err.code == 2
    assert pickle.loads(pickle.dumps(report)).errors[0].message == err.message
    assert any(f.check == "latest-tag" for f in report)


def test_engine_config() -> None:
    all_checks = kfix.Engine({"checks": {"addAllBuiltIn": True}})
    defaults = kfix.Engine()
    assert len(all_checks.checks()) > len(defaults.checks()) > 0
    assert all(isinstance(c, kfix.Check) and c.name for c in defaults.checks())
    no_latest = kfix.Engine({"checks": {"exclude": ["latest-tag"]}})
    assert "latest-tag" not in {f.check for f in no_latest.scan(WEB)}
    assert kfix.Engine('{"scan": {"context": "per-file"}}').scan(WEB).findings


@pytest.mark.parametrize("config, exc", [
    ({"scan": {"context": "sideways"}}, kfix.InvalidArgumentError),
    ({"scan": {"jobs": "many"}}, kfix.InvalidArgumentError),
    ([], kfix.InvalidArgumentError),
    ("{", kfix.ParseError),
    ({"checks": {"include": ["no-such-check"]}}, kfix.Error),
])
def test_engine_config_errors(config: object, exc: type) -> None:
    with pytest.raises(exc):
        kfix.Engine(config)  # type: ignore[arg-type]


def test_scan_paths_matches_text_scan(tmp_path: pathlib.Path, manifests_dir: pathlib.Path) -> None:
    (tmp_path / "web.yaml").write_text(WEB)
    a = kfix.scan_paths(tmp_path / "web.yaml")
    b = kfix.scan(WEB, str(tmp_path / "web.yaml"))
    assert [f.to_dict() for f in a] == [f.to_dict() for f in b]
    assert len(kfix.scan_paths(manifests_dir)) > 0
    with pytest.raises(kfix.InvalidArgumentError):
        kfix.scan_paths()


def test_one_rule_for_missing_paths(tmp_path: pathlib.Path) -> None:
    # every path entry point raises NotFoundError for a path that does not exist ...
    (tmp_path / "web.yaml").write_text(WEB)
    missing = tmp_path / "missing.yaml"
    engine = kfix.Engine()
    calls = [lambda: kfix.load(tmp_path, missing), lambda: kfix.scan_paths(tmp_path, missing),
             lambda: kfix.run_paths(tmp_path, missing), lambda: engine.fix_paths(tmp_path, missing),
             lambda: engine.risk_paths(tmp_path, missing), lambda: kfix.expand_paths(missing)]
    for call in calls:
        with pytest.raises(kfix.NotFoundError) as info:
            call()
        assert info.value.code == 3 and "missing.yaml" in str(info.value)
    # ... while a file that exists but cannot be parsed is data in every one of them
    (tmp_path / "bad.yaml").write_text("kind: [unclosed\n")
    assert isinstance(kfix.scan_paths(tmp_path).errors[0], kfix.ParseError)
    assert kfix.run_paths(tmp_path).summary.errors == 1
    assert isinstance(engine.fix_paths(tmp_path).errors[0], kfix.ParseError)
    assert kfix.load(tmp_path, strict=False).errors[0].file.endswith("bad.yaml")


def test_findings_are_frozen_and_hashable() -> None:
    report = kfix.scan(WEB, "web.yaml")
    again = kfix.scan(WEB, "web.yaml")
    assert set(report.findings) == set(again.findings) and len(set(report.findings)) == len(report.findings)
    f = report.findings[0]
    assert {f: 1}[again.findings[0]] == 1 and hash(f) == hash(again.findings[0])
    with pytest.raises(AttributeError):
        f.check = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        f.object.name = "other"  # type: ignore[misc]
    assert f.to_dict()["check"] == f.check and f.to_dict() is not f.to_dict()


def test_engine_from_file_and_text_positions(tmp_path: pathlib.Path) -> None:
    config = tmp_path / "kfix.yaml"
    config.write_text("checks:\n  exclude: [latest-tag]\nscan:\n  context: sideways\n")
    with pytest.raises(kfix.InvalidArgumentError) as info:
        kfix.Engine.from_file(config)
    assert info.value.file == str(config) and info.value.line == 4
    # errors point into the caller's own text
    with pytest.raises(kfix.Error) as info:
        kfix.Engine('{"checks": {"include": ["no-such-check"]}}')
    assert info.value.line == 1 and "no-such-check" in str(info.value)
    config.write_text("checks:\n  exclude: [latest-tag]\n")
    engine = kfix.Engine.from_file(config)
    assert "latest-tag" not in {f.check for f in engine.scan(WEB)}
    assert engine.scan(WEB).to_json(timing=False) == kfix.Engine(config.read_text()).scan(WEB).to_json(timing=False)
    with pytest.raises(kfix.NotFoundError):
        kfix.Engine.from_file(tmp_path / "none.yaml")


def test_scan_many_equals_sequential_scans() -> None:
    docs = [WEB.replace("name: web", f"name: web-{i}") for i in range(12)] + [b"kind: [\n", ""]
    names = [f"d{i}.yaml" for i in range(len(docs))]
    sequential = [kfix.scan(d, n) for d, n in zip(docs, names)]
    for jobs in (1, 3, 0):
        batch = kfix.scan_many(docs, jobs=jobs, source_names=names)
        assert [_without_seconds(r) for r in batch] == [_without_seconds(r) for r in sequential]
    unnamed = kfix.scan_many(docs[:2])
    assert unnamed[1].findings[0].file == "<doc-1>"
    with pytest.raises(kfix.InvalidArgumentError):
        kfix.scan_many(docs, source_names=["only-one"])


def test_merge_of_disjoint_reports() -> None:
    engine = kfix.Engine({"scan": {"context": "per-file"}})
    a = engine.scan(WEB, "a.yaml")
    b = engine.scan(WEB.replace("latest", "1.25"), "b.yaml")
    merged = kfix.ScanReport.merge([a, b])
    assert len(merged) == len(a) + len(b)
    assert merged.stats["objects"] == 2 and "seconds" not in merged.stats
    assert merged.stats["byCheck"]["latest-tag"] == 1


def test_validating_admission_policy_from_the_configuration() -> None:
    """A policy given inline in the configuration document is a check, as with kfix scan --policy."""
    policy = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": "no-latest"},
        "spec": {
            "matchConstraints": {"resourceRules": [{"apiGroups": ["apps"], "apiVersions": ["v1"],
                                                    "operations": ["CREATE"], "resources": ["deployments"]}]},
            "validations": [{"expression": "object.spec.template.spec.containers.all(c, !c.image.endsWith(':latest'))",
                             "message": "no :latest images"}],
        },
    }
    engine = kfix.Engine({"checks": {"doNotAutoAddDefaults": True}, "policies": [policy]})
    report = engine.scan(WEB, "web.yaml")
    assert [(f.check, f.line, f.message) for f in report.findings] == [
        ("no-latest", 11, "ValidatingAdmissionPolicy 'no-latest' denied request: no :latest images")]
    with pytest.raises(kfix.Error):
        kfix.Engine({"policies": [{**policy, "spec": {**policy["spec"], "validations": [{"expression": "1 +"}]}}]})
