#!/usr/bin/env python3
"""`kfix propose --mode openai` against a stand-in OpenAI-compatible server.

The server listens on 127.0.0.1 (a random port) and answers every
chat-completions request from a canned behaviour, one behaviour per kfix run:
correct patches, the same in code fences and in prose, malformed JSON, a
privilege escalation, a container removal, 429s before an answer, timeouts,
and a refused answer followed by a correct one. The test asserts what was
accepted and what was refused by which gate, that retries carry the refusing
gate's reason, that the API key arrives only as the Authorization header and
is never printed, and that no secret value of the manifests ever reaches the
server.

usage: standin_test.py --kfix KFIX_CLI [--python]   (--python: also through kfix.propose)
"""
import argparse
import base64
import http.server
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

CONTAINER = "/spec/template/spec/containers/0"
SECRETS = [
    "s3cr3t-Passw0rd-xyz",                                    # env DB_PASSWORD
    "ghp_abcdefghijklmnopqrstuvwxyz0123456789",               # a GitHub token inside args
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36P",  # a JWT in an annotation
    "xoxb-1234567890-abcdefghijklmnopqrstuv",                 # env SLACK_TOKEN
]
API_KEY = "sk-standin-key-0123456789abcdef"

MANIFEST = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
  annotations:
    ci.example.com/session: "{jwt}"
spec:
  replicas: 3
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
        - name: app
          image: nginx:1.25
          args: ["--token={gh}"]
          env:
            - name: DB_PASSWORD
              value: {pw}
            - name: SLACK_TOKEN
              value: {slack}
            - name: LOG_LEVEL
              value: info
          securityContext:
            privileged: true
---
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: prod
data:
  password: {b64}
""".format(jwt=SECRETS[2], gh=SECRETS[1], pw=SECRETS[0], slack=SECRETS[3],
           b64=base64.b64encode(SECRETS[0].encode()).decode())

CONFIG = """checks:
  doNotAutoAddDefaults: true
  include: [privileged-container, no-read-only-root-fs]
propose:
  apiKeyEnv: KFIX_STANDIN_KEY
  retries: 2
  backoffSeconds: 0.01
  maxBackoffSeconds: 0.05
  timeoutSeconds: {timeout}
"""

CORRECT = {
    "privileged-container": [{"op": "replace", "path": CONTAINER + "/securityContext/privileged", "value": False}],
    "no-read-only-root-fs": [{"op": "add", "path": CONTAINER + "/securityContext/readOnlyRootFilesystem",
                              "value": True}],
}


def escalation(check):
    return CORRECT[check] + [{"op": "add", "path": CONTAINER + "/securityContext/capabilities",
                              "value": {"add": ["SYS_ADMIN"]}}]


def answer(behaviour, check, nth):
    """(http status, reply text or None, delay seconds) for the nth request (0-based) about `check`."""
    if behaviour == "correct":
        return 200, json.dumps(CORRECT[check]), 0
    if behaviour == "code-fence":
        return 200, "Sure! Here is the patch:\n```json\n" + json.dumps(CORRECT[check], indent=2) + "\n```\nDone.", 0
    if behaviour == "prose":
        return 200, "The minimal fix is " + json.dumps(CORRECT[check]) + " and nothing else changes.", 0
    if behaviour == "malformed-json":
        return 200, '[{"op": "replace" "path": "' + CONTAINER + '/securityContext", "value": {', 0
    if behaviour == "privilege-escalation":
        return 200, json.dumps(escalation(check)), 0
    if behaviour == "container-removal":
        return 200, json.dumps([{"op": "remove", "path": CONTAINER}]), 0
    if behaviour == "rate-limited":
        return (429, None, 0) if nth < 2 else (200, json.dumps(CORRECT[check]), 0)
    if behaviour == "timeout":
        return 200, json.dumps(CORRECT[check]), 1.5
    if behaviour == "refused-then-correct":
        return 200, json.dumps(escalation(check) if nth == 0 else CORRECT[check]), 0
    raise AssertionError(behaviour)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.behaviour = "correct"
        self.requests = []      # (path, headers, raw body)
        self.per_check = {}     # check -> requests so far in this behaviour


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        srv = self.server
        body = json.loads(raw)
        user = body["messages"][1]["content"]
        check = re.search(r"^Finding: (\S+)", user, re.M).group(1)
        with srv.lock:
            srv.requests.append((self.path, dict(self.headers), raw))
            nth = srv.per_check.get(check, 0)
            srv.per_check[check] = nth + 1
            behaviour = srv.behaviour
        status, text, delay = answer(behaviour, check, nth)
        if delay:
            time.sleep(delay)
        if text is None:
            payload = json.dumps({"error": {"message": "rate limited"}}).encode()
        else:
            payload = json.dumps({"id": "x", "object": "chat.completion",
                                  "choices": [{"index": 0, "message": {"role": "assistant", "content": text}}],
                                  "usage": {"prompt_tokens": len(raw) // 4, "completion_tokens": len(text) // 4}}).encode()
        try:
            self.send_response(status)
            if status == 429:
                self.send_header("Retry-After", "0")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out and left


# Expected outcome per behaviour, for each of the two findings:
# (final proposer, llm attempts, gate refusing the llm answers or None, rules fallback accepted)
EXPECT = {
    "correct": ("llm", 1, None),
    "code-fence": ("llm", 1, None),
    "prose": ("llm", 1, None),
    "malformed-json": ("rules", 3, "structure"),
    "privilege-escalation": ("rules", 3, "privilege"),
    "container-removal": ("rules", 3, "destructive"),
    "rate-limited": ("llm", 1, None),
    "timeout": ("rules", 1, None),
    "refused-then-correct": ("llm", 2, "privilege"),
}


def run_cli(kfix, endpoint, paths, config, jobs):
    env = dict(os.environ, KFIX_STANDIN_KEY=API_KEY)
    r = subprocess.run([kfix, "propose", "--mode", "openai", "--endpoint", endpoint, "--model", "standin-1",
                        "--max-attempts", "3", "--jobs", str(jobs), "--config", config] + paths,
                       capture_output=True, env=env, timeout=120)
    out, err = r.stdout.decode(), r.stderr.decode()
    assert API_KEY not in out and API_KEY not in err, "the API key was printed"
    assert r.returncode == 0, (r.returncode, err)
    return json.loads(out)


def run_python(endpoint, paths, config, jobs):
    import kfix
    os.environ["KFIX_STANDIN_KEY"] = API_KEY
    report = kfix.propose(paths, mode="openai", endpoint=endpoint, model="standin-1", max_attempts=3, jobs=jobs,
                          config=kfix.Engine.from_file(config))
    assert isinstance(report, kfix.FixResult), type(report)
    assert {r.proposer for r in report.results} <= {"llm", "rules"}
    assert all(r.attempts == len(r.attempt_log) for r in report.results)
    return report.to_dict()


def check_report(behaviour, report, srv, lines):
    want_proposer, want_llm_attempts, want_gate = EXPECT[behaviour]
    results = report["results"]
    assert len(results) == 2, results
    assert report["summary"]["mode"] == "openai" and report["summary"]["model"] == "standin-1"
    for r in results:
        where = (behaviour, r["check"])
        assert r["status"] == "accepted", (where, r["reason"])
        assert r["proposer"] == want_proposer, (where, r["proposer"], r["attemptLog"])
        llm = [a for a in r["attemptLog"] if a["proposer"] == "llm"]
        assert len(llm) == want_llm_attempts, (where, r["attemptLog"])
        assert r["attempts"] == len(r["attemptLog"])
        assert [g["name"] for g in r["gates"]][:2] == ["structure", "apply"] and all(g["passed"] for g in r["gates"])
        if want_gate:
            refused = [a for a in llm if a["outcome"] == "refused"]
            assert refused and all(a["gate"] == want_gate for a in refused), (where, llm)
        if behaviour == "timeout":
            assert llm[0]["outcome"] == "error" and "timed out" in llm[0]["detail"], (where, llm)
        if behaviour == "rate-limited":
            assert llm[0]["requests"] == 3, (where, llm)
        if want_proposer == "rules":
            assert r["attemptLog"][-1]["proposer"] == "rules" and r["attemptLog"][-1]["outcome"] == "accepted"
            assert r["reason"].startswith("rules fallback"), r["reason"]
    assert report["objects"] and report["objects"][0]["accepted"], report["objects"]
    # Retries carry the refusing gate's reason, and only after a refusal.
    bodies = [json.loads(raw) for _, _, raw in srv.requests]
    for b in bodies:
        msgs = b["messages"]
        assert b["model"] == "standin-1" and msgs[0]["role"] == "system" and msgs[1]["role"] == "user"
        assert "# <-- finding" in msgs[1]["content"] and "RFC 6902" in msgs[1]["content"]
        if len(msgs) > 2:
            assert want_gate, (behaviour, "a retry without a refusal")
            assert msgs[-2]["role"] == "assistant" and msgs[-1]["role"] == "user"
            assert "refused by the %s gate" % want_gate in msgs[-1]["content"], msgs[-1]["content"]
    if want_gate:
        assert any(len(b["messages"]) > 2 for b in bodies), (behaviour, "no retry was made")
    summary = report["summary"]["proposers"]
    llm_sum, rules_sum = summary["llm"], summary["rules"]
    lines.append("%-22s %8d %8d %10d %8d  %-18s %8d %10d" % (
        behaviour, len(srv.requests), llm_sum["accepted"], llm_sum["refused"], llm_sum["errors"],
        ",".join("%s=%d" % kv for kv in sorted(llm_sum["refused_by_gate"].items())) or "-",
        llm_sum["fallbacks"], rules_sum["accepted"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kfix", required=True)
    ap.add_argument("--python", action="store_true")
    args = ap.parse_args()
    srv = Server()
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    endpoint = "http://127.0.0.1:%d" % srv.server_address[1]
    all_requests = []
    lines = ["%-22s %8s %8s %10s %8s  %-18s %8s %10s" % ("behaviour", "requests", "llm-acc", "llm-refused",
                                                         "errors", "refused-by-gate", "fallback", "rules-acc")]
    with tempfile.TemporaryDirectory() as d:
        manifest = os.path.join(d, "web.yaml")
        with open(manifest, "w") as f:
            f.write(MANIFEST)
        surfaces = [("cli", None)]
        if args.python:
            surfaces.append(("python", None))
        for surface, _ in surfaces:
            for behaviour in EXPECT:
                config = os.path.join(d, "kfix-%s.yaml" % behaviour)
                with open(config, "w") as f:
                    f.write(CONFIG.format(timeout=0.3 if behaviour == "timeout" else 10))
                with srv.lock:
                    srv.behaviour, srv.requests, srv.per_check = behaviour, [], {}
                jobs = 2 if behaviour in ("correct", "rate-limited") else 1
                if surface == "cli":
                    report = run_cli(args.kfix, endpoint, [manifest], config, jobs)
                else:
                    report = run_python(endpoint, [manifest], config, jobs)
                if behaviour == "timeout":
                    time.sleep(1.6)  # let the server's sleeping handlers finish before the next behaviour
                with srv.lock:
                    requests = list(srv.requests)
                check_report(behaviour, report, srv, lines)
                all_requests.extend(requests)
            if surface == "python":
                lines.append("(python leg: same behaviours through kfix.propose)")
    srv.shutdown()
    # The redaction check: no secret value of the manifests ever reached the
    # server, in any request of any behaviour; the key only as the header.
    leaked = [s for s in SECRETS + [base64.b64encode(SECRETS[0].encode()).decode()]
              if any(s.encode() in raw for _, _, raw in all_requests)]
    assert not leaked, "secret values reached the server: %r" % leaked
    assert all(b"<redacted:" in raw for _, _, raw in all_requests)
    assert all(h.get("Authorization") == "Bearer " + API_KEY for _, h, _ in all_requests)
    assert not any(API_KEY.encode() in raw for _, _, raw in all_requests)
    assert all(p == "/v1/chat/completions" for p, _, _ in all_requests)
    print("\n".join(lines))
    print("redaction: %d requests, none carried any of %d secret values; key only in the Authorization header"
          % (len(all_requests), len(SECRETS) + 1))


if __name__ == "__main__":
    main()
