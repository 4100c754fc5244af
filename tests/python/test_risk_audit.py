"""kfix.risk_score / Engine.risk, receipts and audit-log verification."""

from __future__ import annotations

import os
import pathlib
import pickle
import subprocess

import pytest

import kfix

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: nginx
          image: nginx:1.25
          securityContext: {privileged: true}
"""

SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"  # RFC 8032 test 1
PUB = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
OTHER_PUB = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"  # RFC 8032 test 2


def test_risk_scores_every_finding() -> None:
    scan = kfix.scan(WEB, "web.yaml")
    report = kfix.risk_score(WEB, "web.yaml")
    assert isinstance(report, kfix.RiskReport)
    assert [r.check for r in report] == [f.check for f in scan.findings]
    priv = next(r for r in report if r.check == "privileged-container")
    assert isinstance(priv, kfix.ScoredFinding)
    assert 0 < priv.risk <= 100 and priv.object.name == "web" and priv.container == "nginx"
    assert [t.name for t in priv.terms] == ["base", "vuln", "epss", "kev", "attack"]
    assert all(isinstance(t, kfix.RiskTerm) for t in priv.terms)
    assert priv.risk == pytest.approx(min(100.0, sum(t.value for t in priv.terms)), abs=0.01)
    assert priv.kev is False and priv.cves == []  # no image feeds: CVE terms are 0
    assert pickle.loads(pickle.dumps(report)).to_dict() == report.to_dict()
    df = report.to_pandas()
    assert len(df) == len(report) and "term_base" in df.columns


def test_risk_attack_term_and_feeds(tmp_path: pathlib.Path) -> None:
    with_attack = kfix.Engine({"risk": {"attack": True}}).risk(WEB, "web.yaml")
    priv = next(r for r in with_attack if r.check == "privileged-container")
    assert priv.attack_techniques  # privileged containers map to container-escape techniques
    assert next(t for t in priv.terms if t.name == "attack").value > 0
    kev = tmp_path / "kev.json"
    kev.write_text('{"catalogVersion": "1", "dateReleased": "2024-01-01", "vulnerabilities": '
                   '[{"cveID": "CVE-2021-44228", "dateAdded": "2021-12-10"}]}')
    report = kfix.Engine({"risk": {"kev": str(kev)}}).risk(WEB, "web.yaml")
    assert report.feeds  # the loaded feeds are described in the report
    with pytest.raises(kfix.IoError):
        kfix.Engine({"risk": {"epss": str(tmp_path / "missing.csv")}})
    with pytest.raises(kfix.InvalidArgumentError):
        kfix.Engine({"risk": {"trivy": "not-a-list"}})


def test_receipt_sign_and_verify() -> None:
    payload = {"b": 1, "a": [True, None]}
    receipt = kfix.receipt_sign(payload, SEED)
    assert receipt["alg"] == "ed25519" and receipt["v"] == 1 and len(receipt["sig"]) == 128
    assert kfix.receipt_sign({"a": [True, None], "b": 1}, SEED) == receipt  # canonical: order-free, deterministic
    kfix.receipt_verify(receipt, {"a": [True, None], "b": 1}, PUB)
    kfix.receipt_verify(kfix.to_json(receipt), payload, PUB)
    with pytest.raises(kfix.VerificationError) as info:
        kfix.receipt_verify(receipt, {"b": 2, "a": [True, None]}, PUB)
    assert info.value.code == 11
    with pytest.raises(kfix.NotFoundError):
        kfix.receipt_verify(receipt, payload, OTHER_PUB)
    tampered = dict(receipt, sig="0" * 128)
    with pytest.raises(kfix.VerificationError):
        kfix.receipt_verify(tampered, payload, PUB)
    with pytest.raises(kfix.ParseError):
        kfix.receipt_verify({"v": 1}, payload, PUB)
    with pytest.raises(kfix.InvalidArgumentError):
        kfix.receipt_sign(payload, "abc")
    with pytest.raises(kfix.InvalidArgumentError):
        kfix.receipt_verify(receipt, payload, "zz")


def _append(cli: str, log: pathlib.Path, record: str) -> None:
    subprocess.run([cli, "audit", "append", str(log), "--type", "fix", "--record", record], check=True,
                   capture_output=True)


def test_audit_verify_detects_tampering(tmp_path: pathlib.Path) -> None:
    cli = os.environ["KFIX_CLI"]
    log = tmp_path / "audit.jsonl"
    for i in range(3):
        _append(cli, log, f'{{"n": {i}, "object": "web"}}')
    text = log.read_text()
    ok = kfix.audit_verify(text)
    assert isinstance(ok, kfix.AuditVerifyResult)
    assert ok and ok.intact and ok.reason == "ok" and ok.lines_verified == 3 and ok.last_seq == 3
    assert kfix.audit_verify(text.encode(), anchor=(ok.last_seq, ok.last_hash)).intact

    lines = text.splitlines(keepends=True)
    altered = lines[0] + lines[1].replace('"n":1', '"n":7') + lines[2]
    assert altered != text
    bad = kfix.audit_verify(altered)
    assert not bad and bad.line == 2 and bad.reason != "ok" and bad.lines_verified == 1

    dropped = lines[0] + lines[2]
    assert kfix.audit_verify(dropped).line == 2
    truncated = kfix.audit_verify(lines[0] + lines[1], anchor=(ok.last_seq, ok.last_hash))
    assert not truncated.intact

    unsigned = kfix.audit_verify(text, public_keys=[PUB], require_receipts=True)
    assert not unsigned.intact and unsigned.reason == "missing_receipt" and unsigned.line == 1
    with pytest.raises(kfix.InvalidArgumentError):
        kfix.audit_verify(text, public_keys=["nothex"])


def test_fix_proposes_vetted_patches() -> None:
    result = kfix.fix(WEB, "web.yaml")
    assert isinstance(result, kfix.FixResult)
    scan = kfix.scan(WEB, "web.yaml")
    assert len(result) == len(scan.findings)
    priv = next(r for r in result if r.check == "privileged-container")
    assert isinstance(priv, kfix.FixOutcome) and priv.status == "accepted"
    assert priv.patch and all(isinstance(g, kfix.Gate) and g.passed for g in priv.gates)
    fixed = kfix.apply_patch(kfix.parse(WEB, "web.yaml")[0].object, priv.patch)
    assert "privileged-container" not in {f.check for f in kfix.scan(kfix.to_json(fixed), "web.yaml")}
    assert result.summary["findings"] == len(result) and result.summary["accepted"] >= 1
    assert pickle.loads(pickle.dumps(result)).to_dict() == result.to_dict()


def test_verify_patch_verdicts() -> None:
    good = [{"op": "replace", "path": "/spec/template/spec/containers/0/securityContext/privileged",
             "value": False}]
    verdict = kfix.verify_patch(WEB, good)
    assert isinstance(verdict, kfix.Verdict) and verdict.accepted and verdict
    assert {g.name for g in verdict.gates} >= {"structure", "apply", "destructive", "privilege", "rescan"}
    worse = kfix.verify_patch(WEB, [{"op": "remove", "path": "/spec/template"}])
    assert not worse.accepted and worse.reason
    assert any(not g.passed for g in worse.gates)
    fenced = kfix.verify_patch(WEB, "Here is the fix:\n```json\n" + kfix.to_json(good) + "\n```\n")
    assert fenced.accepted
    with pytest.raises(kfix.ParseError):
        kfix.verify_patch("kind: [\n", good)
    with pytest.raises(kfix.NotFoundError):
        kfix.verify_patch("", good)


def test_schedule_ranks_every_finding() -> None:
    text = WEB + "---\n" + WEB.replace("name: web", "name: api").replace("privileged: true", "privileged: false")
    sched = kfix.schedule(text, "two.yaml")
    assert isinstance(sched, kfix.Schedule)
    scan = kfix.scan(text, "two.yaml")
    assert len(sched) == len(scan.findings) > 0
    assert [i.rank for i in sched] == list(range(1, len(sched) + 1))
    assert all(isinstance(i, kfix.RankedItem) for i in sched)
    assert all(a.score >= b.score for a, b in zip(sched.items, sched.items[1:]))
    assert {(i.check, i.name) for i in sched} == {(f.check, f.object.name) for f in scan.findings}
    seeded = {"schedule": {"exploration": "thompson", "seed": 3}}
    assert kfix.schedule(text, "two.yaml", config=seeded).to_dict() == \
        kfix.schedule(text, "two.yaml", config=seeded).to_dict()  # seeded: deterministic
    assert len(sched.to_pandas()) == len(sched)
    with pytest.raises(kfix.InvalidArgumentError):
        kfix.Engine({"schedule": {"fairness": "sometimes"}})


def test_queue_round_trip(tmp_path: pathlib.Path) -> None:
    q = kfix.Queue(tmp_path / "q.db", max_attempts=2)
    fixes = kfix.fix(WEB, "web.yaml")
    accepted = len(fixes.accepted())
    assert accepted >= 1
    first = q.enqueue(fixes, now=100)
    assert first["enqueued"] == accepted and first["duplicates"] == 0 and len(first["ids"]) == accepted
    assert q.enqueue(fixes, now=101)["duplicates"] == accepted  # idempotent
    item = q.lease("w1", 60, now=102)
    assert item is not None and item["leaseOwner"] == "w1" and item["patch"]
    with pytest.raises(kfix.NotFoundError):
        q.ack(item["id"], item["leaseToken"] + 1, now=103)
    assert q.ack(item["id"], item["leaseToken"], now=103)["state"] == "acked"
    other = q.lease("w2", 60, now=104)
    if other is not None:
        assert q.nack(other["id"], "apply failed", other["leaseToken"], now=105)["state"] in ("queued", "dead")
    stats = q.stats(now=106)
    assert stats["total"] == accepted and stats["states"]["acked"] == 1
    with pytest.raises(kfix.InvalidArgumentError):
        q.lease("w3", 0, now=107)
    with pytest.raises(kfix.IoError):
        kfix.Queue(tmp_path / "missing-dir" / "q.db")
    with pytest.raises(kfix.ParseError):
        q.enqueue({"results": 5}, now=108)
    q.close()
    assert q.closed
    q.close()  # idempotent
    with pytest.raises(kfix.InvalidArgumentError):
        q.stats(now=109)


def test_queue_context_manager(tmp_path: pathlib.Path) -> None:
    with kfix.Queue(tmp_path / "q.db") as q:
        assert q.enqueue(kfix.fix(WEB, "web.yaml"), now=1)["enqueued"] >= 1
        assert not q.closed
    assert q.closed
    with kfix.Queue(tmp_path / "q.db") as again:  # the database outlives the handle
        assert again.stats(now=2)["total"] >= 1


def test_audit_log_append_and_keygen(tmp_path: pathlib.Path) -> None:
    public_hex = kfix.keygen(tmp_path / "audit.key", tmp_path / "audit.pub")
    assert len(public_hex) == 64 and (tmp_path / "audit.key").stat().st_mode & 0o077 == 0
    with pytest.raises(kfix.InvalidArgumentError):
        kfix.keygen(tmp_path / "audit.key")  # never overwrites a key
    path = tmp_path / "audit.jsonl"
    with kfix.AuditLog(path, key_file=tmp_path / "audit.key") as log:
        first = log.append("fix.applied", {"id": 1, "patch": [{"op": "add", "path": "/a", "value": 1}]})
        second = log.append("fix.applied", {"id": 2})
        assert (first["seq"], second["seq"]) == (1, 2) and second["prev"] == first["hash"]
        anchor = log.state()
        assert anchor == (2, second["hash"])
        with pytest.raises(kfix.IoError):
            kfix.AuditLog(path)  # one writer at a time
    assert log.closed
    with pytest.raises(kfix.InvalidArgumentError):
        log.append("x", {})
    text = path.read_text()
    ok = kfix.audit_verify(text, public_keys=[public_hex], require_receipts=True, anchor=anchor)
    assert ok.intact and ok.lines_verified == 2
    tampered = text.replace('"id":2', '"id":3')
    assert not kfix.audit_verify(tampered, public_keys=[public_hex]).intact
    with kfix.AuditLog(path) as log:  # resumes the chain
        assert log.append("fix.applied", {"id": 3})["seq"] == 3
