"""kfix.propose: the same typed FixResult as fix_paths, a Python HTTP callable
passed into the C++ loop (called from kfix's worker threads with the GIL
taken), errors as kfix exceptions, and keys only from the environment."""

from __future__ import annotations

import json
import threading

import pytest

import kfix

MANIFEST = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: app
          image: nginx:1.25
          env:
            - {name: API_TOKEN, value: py-secret-value-123}
          securityContext: {privileged: true}
"""
CONFIG = {"checks": {"doNotAutoAddDefaults": True, "include": ["privileged-container"]}}
CORRECT = [{"op": "replace", "path": "/spec/template/spec/containers/0/securityContext/privileged", "value": False}]


@pytest.fixture
def manifest(tmp_path):
    p = tmp_path / "web.yaml"
    p.write_text(MANIFEST)
    return str(p)


def reply(text):
    return json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}],
                       "usage": {"prompt_tokens": 7, "completion_tokens": 3}}).encode()


def test_propose_with_a_python_post(manifest):
    seen = []
    threads = set()

    def post(url, headers, body, timeout):
        seen.append((url, dict(headers), json.loads(body)))
        threads.add(threading.get_ident())
        return 200, reply(json.dumps(CORRECT)), None

    r = kfix.propose(manifest, mode="openai", endpoint="http://127.0.0.1:9/v1", model="m", api_key_env="",
                     config=CONFIG, http_post=post)
    assert isinstance(r, kfix.FixResult)
    [outcome] = r.results
    assert (outcome.status, outcome.proposer, outcome.attempts) == ("accepted", "llm", 1)
    assert outcome.attempt_log[0]["promptTokens"] == 7
    assert r.summary["proposers"]["llm"]["accepted"] == 1
    [(url, headers, body)] = seen
    assert url == "http://127.0.0.1:9/v1/chat/completions"
    assert "Authorization" not in headers
    assert body["model"] == "m"
    assert "py-secret-value-123" not in json.dumps(body)


def test_a_raising_post_falls_back_to_the_rules(manifest):
    def post(url, headers, body, timeout):
        raise ConnectionRefusedError("no server")

    r = kfix.propose([manifest], mode="openai", endpoint="http://127.0.0.1:9", model="m", api_key_env="",
                     config=CONFIG, http_post=post, retries=0)
    [outcome] = r.results
    assert (outcome.status, outcome.proposer) == ("accepted", "rules")
    assert outcome.attempt_log[0]["outcome"] == "error" and "no server" in outcome.attempt_log[0]["detail"]


def test_rules_mode_and_errors(manifest, monkeypatch):
    r = kfix.propose(manifest, mode="rules", config=CONFIG)
    assert [o.proposer for o in r.results] == ["rules"] and r.summary["mode"] == "rules"
    monkeypatch.delenv("KFIX_PY_UNSET_KEY", raising=False)
    with pytest.raises(kfix.InvalidArgumentError, match="KFIX_PY_UNSET_KEY"):
        kfix.propose(manifest, mode="openai", endpoint="http://127.0.0.1:9", model="m",
                     api_key_env="KFIX_PY_UNSET_KEY", config=CONFIG)
    with pytest.raises(kfix.InvalidArgumentError):
        kfix.propose(manifest, mode="openai", model="m", config=CONFIG)  # no endpoint
    with pytest.raises(kfix.InvalidArgumentError):
        kfix.propose(manifest, mode="sometimes", config=CONFIG)
    with pytest.raises(kfix.NotFoundError):
        kfix.propose("/no/such/dir", mode="rules", config=CONFIG)
