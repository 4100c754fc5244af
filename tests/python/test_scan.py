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
    assert report.errors[0]["file"] == "mixed.yaml" and report.errors[0]["line"] >= 15
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
