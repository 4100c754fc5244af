"""kfix.run / run_paths / Engine.run: the whole `kfix run` loop from Python."""

from __future__ import annotations

import json
import os
import pathlib
import pickle
import subprocess
import threading
from typing import Any, Dict

import pytest

import kfix

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
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

API = """\
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop}
spec:
  hostNetwork: true
  containers:
    - name: api
      image: registry.example.com/api:1.2.3
"""

FIVE = ["findings.json", "fixes.json", "risk.json", "schedule.json", "summary.json"]


@pytest.fixture(scope="module")
def feeds_config(source_dir: pathlib.Path) -> Dict[str, Any]:
    feeds = source_dir / "examples" / "feeds"
    return {"risk": {"epss": str(feeds / "epss.csv"), "kev": str(feeds / "kev.json"),
                     "trivy": [str(feeds / "trivy-nginx-latest.json")]}}


@pytest.fixture(scope="module")
def engine(feeds_config: Dict[str, Any]) -> kfix.Engine:
    return kfix.Engine(feeds_config)


def _without_timing(result: kfix.RunResult) -> Dict[str, Any]:
    doc = json.loads(result.to_json())
    del doc["summary"]["timing_seconds"]
    return doc


def test_run_counts_add_up(engine: kfix.Engine, manifests_dir: pathlib.Path) -> None:
    result = engine.run_paths(manifests_dir, now=1000)
    assert isinstance(result, kfix.RunResult)
    s = result.summary
    assert isinstance(s, kfix.RunSummary)
    assert all(type(getattr(s, k)) is int for k in ("findings", "accepted", "rejected", "needs_review",
                                                    "unfixable", "ignored", "errors", "scheduled", "files"))
    assert s.findings > 0 and s.accepted > 0 and s.needs_review > 0  # the examples have both kinds
    assert s.accepted + s.rejected + s.needs_review + s.unfixable == s.findings
    assert s.findings == len(result.findings.findings) == len(result.fixes.results) == len(result.risk.results)
    assert s.files == len(kfix.expand_paths(manifests_dir)) and s.errors == 0
    statuses = [r.status for r in result.fixes.results]
    assert statuses.count("accepted") == s.accepted and statuses.count("needs-review") == s.needs_review
    assert s.scheduled == s.accepted == len(result.schedule)
    assert sum(c["findings"] for c in s.by_check.values()) == s.findings
    assert sum(c["accepted"] for c in s.by_check.values()) == s.accepted
    assert sum(s.by_risk_band.values()) == s.findings and sum(s.by_severity.values()) == s.findings
    assert s.kev_findings == sum(1 for r in result.risk.results if r.kev) > 0  # nginx:latest is in the KEV feed
    assert s.max_risk == max(r.risk for r in result.risk.results)
    assert set(s.timing) >= {"load", "fix", "risk", "schedule", "total"}
    assert s.feeds["images"] == 1 and s.feeds["kev"].endswith("kev.json")
    # the three views of a finding line up index by index
    for f, fix, scored in zip(result.findings.findings, result.fixes.results, result.risk.results):
        assert (f.check, f.object, f.line) == (fix.check, fix.object, fix.line) == \
            (scored.check, scored.object, scored.line)
    assert len(result) == s.findings


def test_schedule_holds_only_accepted_fixes_by_score(engine: kfix.Engine, manifests_dir: pathlib.Path) -> None:
    result = engine.run_paths(manifests_dir, now=1000)
    sched = result.schedule
    assert sched and all(isinstance(i, kfix.ScheduledFix) for i in sched)
    assert [i.rank for i in sched] == list(range(1, len(sched) + 1))
    assert all(a.score >= b.score for a, b in zip(sched, sched[1:]))
    accepted = {i for i, r in enumerate(result.fixes.results) if r.status == "accepted"}
    assert sorted(i.result for i in sched) == sorted(accepted)
    for item in sched:
        fix = result.fixes.results[item.result]
        scored = result.risk.results[item.result]
        assert (item.check, item.object, item.line, item.container) == \
            (fix.check, fix.object, fix.line, fix.container)
        assert item.patch == fix.patch and item.patch
        assert item.risk == pytest.approx(scored.risk) and item.kev == scored.kev
        assert 0 < item.p <= 1 and item.expected_seconds > 0 and item.wait_hours == 0
    assert result.now == 1000 and result.schedule_config["exploration"] == "ucb"
    # a KEV finding outranks a non-KEV one of equal risk: the top item is the nginx workload's
    assert sched[0].kev or not any(i.kev for i in sched)


def test_run_on_text_matches_the_other_surfaces(engine: kfix.Engine) -> None:
    result = engine.run(WEB, "web.yaml", now=5)
    assert result.findings.to_dict()["findings"] == engine.scan(WEB, "web.yaml").to_dict()["findings"]
    fixes = engine.fix(WEB, "web.yaml")
    assert [(r.check, r.status, r.patch) for r in result.fixes] == [(r.check, r.status, r.patch) for r in fixes]
    assert [r.to_dict() for r in result.risk] == [r.to_dict() for r in engine.risk(WEB, "web.yaml")]
    assert all("risk" in r.to_dict() for r in result.fixes)  # fixes.json carries each result's risk
    assert result.summary.files == 1 and result.summary.objects == 1
    # module-level helper with the same configuration
    assert _without_timing(kfix.run(WEB, "web.yaml", now=5, config=engine.config)) == _without_timing(result)


def test_run_paths_equals_run_on_the_text(engine: kfix.Engine, tmp_path: pathlib.Path) -> None:
    (tmp_path / "web.yaml").write_text(WEB)
    one_file = engine.run_paths(tmp_path, now=9)
    same = engine.run((tmp_path / "web.yaml").read_text(), str(tmp_path / "web.yaml"), now=9)
    assert _without_timing(one_file) == _without_timing(same)

    # Two files are one lint context: the same findings, fixes, risk and schedule as their
    # concatenation (only file names, document numbers and the file count differ).
    (tmp_path / "z-api.yaml").write_text(API)
    both = engine.run_paths(tmp_path, now=9)
    joined = engine.run(WEB + "---\n" + API, "all.yaml", now=9)

    def key(r: kfix.RunResult) -> Any:
        return ([(f.check, f.object, f.status, f.patch) for f in r.fixes],
                [s.risk for s in r.risk],
                [(i.check, i.object, i.score) for i in r.schedule])

    assert key(both) == key(joined)
    assert both.summary.files == 2 and joined.summary.files == 1
    for name in ("findings", "accepted", "rejected", "needs_review", "unfixable", "scheduled", "kev_findings"):
        assert getattr(both.summary, name) == getattr(joined.summary, name)
    assert {f.file for f in both.findings} == {str(tmp_path / "web.yaml"), str(tmp_path / "z-api.yaml")}


def test_jobs_and_threads_do_not_change_the_result(engine: kfix.Engine, manifests_dir: pathlib.Path) -> None:
    serial = _without_timing(engine.run_paths(manifests_dir, now=3))
    assert _without_timing(engine.run_paths(manifests_dir, now=3, jobs=2)) == serial
    text = WEB + "---\n" + API
    expected = _without_timing(engine.run(text, "t.yaml", now=3))
    results: list = []

    def work() -> None:  # the GIL is released during each run
        for _ in range(5):
            results.append(_without_timing(engine.run(text, "t.yaml", now=3)))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 15 and all(r == expected for r in results)


def test_errors(engine: kfix.Engine, tmp_path: pathlib.Path, feeds_config: Dict[str, Any]) -> None:
    # unreadable documents are data: listed with their position, counted, the call succeeds
    bad = engine.run("kind: [unclosed\n", "bad.yaml")
    assert bad.summary.errors == 1 and bad.summary.findings == 0 and bad.schedule == []
    err = bad.findings.errors[0]
    assert isinstance(err, kfix.ParseError) and err.code == kfix.ParseError.code == 2
    assert err.file == "bad.yaml" and err.line is not None and err.line >= 1
    assert err.detail["status"] == "parse_error" and str(err).startswith("bad.yaml:")
    # the same shape the failing call would raise
    with pytest.raises(kfix.ParseError) as raised:
        kfix.parse("kind: [unclosed\n", "bad.yaml")
    assert (raised.value.code, raised.value.message, raised.value.detail) == (err.code, err.message, err.detail)
    assert bad.fixes.errors[0].message == err.message and bad.risk.errors[0].message == err.message
    mixed = engine.run(WEB + "---\nkind: [\n", "mixed.yaml")
    assert mixed.summary.errors == 1 and mixed.summary.findings > 0
    # a path that does not exist fails the whole call
    with pytest.raises(kfix.NotFoundError) as info:
        engine.run_paths(tmp_path / "missing")
    assert info.value.code == 3 and "missing" in str(info.value)
    with pytest.raises(kfix.InvalidArgumentError):
        engine.run_paths()
    with pytest.raises(kfix.InvalidArgumentError):
        kfix.run_paths()
    with pytest.raises(TypeError):
        engine.run(42)  # type: ignore[arg-type]
    # an unreadable feed fails when the engine is built, before any run
    with pytest.raises(kfix.IoError):
        kfix.run(WEB, config={"risk": {"kev": str(tmp_path / "no-kev.json")}})
    with pytest.raises(kfix.InvalidArgumentError):
        kfix.run(WEB, config={"schedule": {"exploration": "dice"}})
    # an output directory that cannot be created
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = engine.run(WEB, "web.yaml")
    with pytest.raises(kfix.IoError):
        result.write(blocker / "out")
    with pytest.raises(kfix.IoError):
        pickle.loads(pickle.dumps(result)).write(blocker / "out")


def test_write_produces_the_five_documents(engine: kfix.Engine, manifests_dir: pathlib.Path,
                                           tmp_path: pathlib.Path, feeds_config: Dict[str, Any]) -> None:
    result = engine.run_paths(manifests_dir, now=1000)
    out = tmp_path / "out"
    result.write(out)
    assert sorted(os.listdir(out)) == FIVE
    docs = result.documents()
    for name in FIVE:
        text = (out / name).read_text()
        assert text.endswith("}\n")
        assert json.loads(text) == docs[name[:-5]]
        assert json.loads(text)["schemaVersion"] == (1 if name == "summary.json" else 2)

    # the same bytes as `kfix run --out` with the same inputs (summary: up to its timings)
    cli = tmp_path / "cli"
    risk = feeds_config["risk"]
    subprocess.run([os.environ["KFIX_CLI"], "run", "--quiet", "--out", str(cli), "--now", "1000",
                    "--epss", risk["epss"], "--kev", risk["kev"], "--images", risk["trivy"][0],
                    str(manifests_dir)], check=True, capture_output=True)
    for name in FIVE[:-1]:
        assert (cli / name).read_bytes() == (out / name).read_bytes(), name
    cli_summary = json.loads((cli / "summary.json").read_text())
    del cli_summary["timing_seconds"]
    assert cli_summary == {k: v for k, v in docs["summary"].items() if k != "timing_seconds"}

    # a run that crossed a process boundary writes the same bytes
    copy = pickle.loads(pickle.dumps(result))
    assert isinstance(copy, kfix.RunResult) and copy.to_dict() == result.to_dict()
    again = tmp_path / "again"
    copy.write(str(again))
    assert sorted(os.listdir(again)) == FIVE
    for name in FIVE:
        assert (again / name).read_bytes() == (out / name).read_bytes(), name


def test_to_json_is_the_c_abi_document(engine: kfix.Engine) -> None:
    result = engine.run(WEB, "web.yaml", now=1)
    doc = json.loads(result.to_json())
    assert list(doc) == ["schemaVersion", "findings", "fixes", "risk", "schedule", "summary"]
    assert doc["schemaVersion"] == 2 and all(doc[k]["schemaVersion"] == (1 if k == "summary" else 2) for k in list(doc)[1:])
    assert doc == result.to_dict()
    copy = pickle.loads(pickle.dumps(result))
    assert copy.to_json() == result.to_json()


def test_to_pandas_one_row_per_finding(engine: kfix.Engine, manifests_dir: pathlib.Path) -> None:
    result = engine.run_paths(manifests_dir)
    df = result.to_pandas()
    assert len(df) == result.summary.findings
    assert (df["status"] == "accepted").sum() == result.summary.accepted
    assert (df["status"] == "needs-review").sum() == result.summary.needs_review
    assert df["rank"].notna().sum() == result.summary.scheduled
    assert (df[df["rank"].notna()]["status"] == "accepted").all()
    ranked = df[df["rank"].notna()].sort_values("rank")
    assert list(ranked["check"]) == [i.check for i in result.schedule]
    assert list(df["risk"]) == pytest.approx([r.risk for r in result.risk.results])
    assert df["kev"].sum() == result.summary.kev_findings


def test_results_are_built_once(engine: kfix.Engine, manifests_dir: pathlib.Path) -> None:
    # each attribute is built on first access, then cached (the same objects every time);
    # how long the GIL is held is measured by benchmarks/python_run.py, not here
    result = engine.run_paths(manifests_dir, now=5)
    assert result.findings is result.findings and result.fixes is result.fixes and result.risk is result.risk
    assert result.schedule is result.schedule and result.summary is result.summary
    assert result.summary.findings == len(result.findings.findings) == len(result.fixes) == len(result.risk)
    assert result.schema_version == json.loads(result.to_json())["schemaVersion"]


def _no_views(value: Any, where: str = "") -> None:
    assert not isinstance(value, kfix._core.DocumentView), f"a DocumentView left at {where or '/'}"
    if isinstance(value, dict):
        for k, v in value.items():
            _no_views(v, f"{where}/{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _no_views(v, f"{where}/{i}")


def test_typed_results_read_the_documents_through_views(engine: kfix.Engine, manifests_dir: pathlib.Path) -> None:
    # the large documents stay C++ values read node by node; what users get is plain Python
    result = engine.run_paths(manifests_dir, now=5)
    docs = json.loads(result.to_json())
    fixes, risk, findings = result.fixes, result.risk, result.findings
    assert isinstance(result._document("fixes"), kfix._core.DocumentView)
    for outcome, want in zip(fixes.results, docs["fixes"]["results"]):
        assert outcome.patch == want["patch"] and type(outcome.patch) is list
        assert [(g.name, g.passed, g.detail) for g in outcome.gates] == \
            [(g["name"], g["passed"], g["detail"]) for g in want["gates"]]
        assert outcome.risk == want["risk"]
        assert outcome.to_dict() == want
        _no_views(outcome.to_dict())
    for scored, want in zip(risk.results, docs["risk"]["results"]):
        assert scored.images == want["images"] and scored.cves == want["cves"]
        assert [(t.name, t.value, t.detail) for t in scored.terms] == \
            [(t["name"], t["value"], t["detail"]) for t in want["terms"]]
    for f, want in zip(findings.findings, docs["findings"]["findings"]):
        assert f.to_dict() == want and json.loads(f.to_json()) == want
        _no_views(f.to_dict())
    assert fixes.objects == docs["fixes"]["objects"] and fixes.summary == docs["fixes"]["summary"]
    assert [s.patch for s in result.schedule] == [i["patch"] for i in docs["schedule"]["items"]]
    assert result.schedule_config == docs["schedule"]["config"]
    whole = result.to_dict()
    _no_views(whole)
    assert whole == docs
    # pickling gives plain documents, equal to the originals
    again = pickle.loads(pickle.dumps(result))
    assert again.to_dict() == docs and again.fixes.results[0].gates[0].name == fixes.results[0].gates[0].name
    assert pickle.loads(pickle.dumps(fixes.results[0])).to_dict() == docs["fixes"]["results"][0]


def test_document_view_is_a_read_only_mapping_and_sequence(engine: kfix.Engine,
                                                          manifests_dir: pathlib.Path) -> None:
    import copy

    result = engine.run_paths(manifests_dir, now=5)
    plain = json.loads(result.to_json())["fixes"]
    view = result._core.view("fixes")
    assert view == plain and plain == view and not view != plain
    assert view.to_python() == plain and len(view) == len(plain) and list(view) == list(plain)
    assert view.keys() == list(plain.keys()) and "results" in view and "nope" not in view
    assert view.get("nope", 7) == 7 and view.get("summary") == plain["summary"]
    with pytest.raises(KeyError):
        view["nope"]
    results = view["results"]
    n = len(plain["results"])
    assert n > 2 and len(results) == n and results[-1] == plain["results"][-1] and results[1:3] == plain["results"][1:3]
    with pytest.raises(IndexError):
        results[n]
    with pytest.raises(TypeError):
        results["check"]
    assert [r.to_python() for r in results] == plain["results"]
    assert results.records()[0]["check"] == plain["results"][0]["check"]
    assert results[0].shallow()["gates"] == plain["results"][0]["gates"]
    assert {k: (v.to_python() if isinstance(v, kfix._core.DocumentView) else v)
            for k, v in view["summary"].items()} == plain["summary"]
    assert pickle.loads(pickle.dumps(view)) == plain and type(pickle.loads(pickle.dumps(view))) is dict
    assert copy.deepcopy(view) == plain and type(copy.deepcopy(view)) is dict
    with pytest.raises(TypeError):
        hash(view)
    # a view keeps its document alive after the run and the parent view are gone
    first = results[0]
    del result, view, results
    import gc

    gc.collect()
    assert first == plain["results"][0]
    # views go into kfix's own functions as the values they show
    assert json.loads(kfix._core.to_json(first, False, False)) == plain["results"][0]
